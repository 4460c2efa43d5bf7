// A bus entry to and from the BEP 44 `v` it travels in: sign (envelope.ts), then seal (aead.ts);
// on the way back every acceptance rule that needs no history (docs/PROTOCOL.md, "Gossip bus").
import { bencode, type BValue } from '@bbmesh/dht'
import { busAad, open, seal, SEAL_OVERHEAD } from './aead.js'
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope.js'
import { MAX_ITEM_VALUE_BYTES } from './constants.js'
import { slotOwner, slotSalt, writerId } from './slot.js'

/** The public bus key (BEP 44 `k`) and the value key; both from deriveCommunityKeys. */
export interface SealKeys {
  busPublicKey: Buffer
  busEncryptionKey: Buffer
}

/** An accepted bus value with who wrote it. */
export interface BusEntry {
  slot: string
  seq: number
  value: Buffer
  /** The writer's DHT node id, as the writer stated it. */
  nodeId: Buffer
  writerKey: Buffer
  /** SHA-1 of writerKey: the id a `feed:` slot is named after. */
  writerId: Buffer
  /** Unix seconds, as the writer stated it. */
  writtenAt: number
}

export type Rejection = 'undecryptable' | 'malformed' | 'bad-signature' | 'wrong-writer' | 'mismatch'

/** The BEP 44 `v` (a byte string) for an envelope put at `outerSeq` (normally `env.seq`). */
export function sealEnvelope(keys: SealKeys, env: Envelope, outerSeq = env.seq): Buffer {
  const aad = busAad(keys.busPublicKey, slotSalt(env.slot), outerSeq)
  return seal(keys.busEncryptionKey, aad, encodeEnvelope(env))
}

/** Checks a raw item read from `slot` at BEP 44 `seq`; never throws on hostile input. */
export function openItem(keys: SealKeys, slot: string, seq: number, v: BValue): BusEntry | Rejection {
  if (!Buffer.isBuffer(v)) return 'undecryptable'
  const plaintext = open(keys.busEncryptionKey, busAad(keys.busPublicKey, slotSalt(slot), seq), v)
  if (plaintext === null) return 'undecryptable'
  const env = decodeEnvelope(plaintext)
  if (env === 'malformed' || env === 'bad-signature') return env
  // The AAD already ties the ciphertext to (slot, seq); this catches a member re-sealing someone
  // else's signed plaintext under another slot or a newer seq (a replay the AEAD cannot see).
  if (env.slot !== slot || env.seq !== seq) return 'mismatch'
  const id = writerId(env.writerKey)
  const owner = slotOwner(slot)
  if (owner !== null && !owner.equals(id)) return 'wrong-writer'
  return {
    slot,
    seq,
    value: env.value,
    nodeId: env.nodeId,
    writerKey: env.writerKey,
    writerId: id,
    writtenAt: env.writtenAt,
  }
}

/**
 * Bencoded size of `v` for a value of `valueBytes` in `slot`, assuming the largest seq and a
 * timestamp up to year 2286, so a value that fits here fits at any seq.
 */
export function sealedSize(slot: string, valueBytes: number): number {
  const plain = encodeEnvelope({
    nodeId: Buffer.alloc(20),
    writerKey: Buffer.alloc(32),
    slot,
    seq: Number.MAX_SAFE_INTEGER,
    writtenAt: 9_999_999_999,
    value: Buffer.alloc(valueBytes),
    signature: Buffer.alloc(64),
  })
  return bencode(Buffer.alloc(plain.length + SEAL_OVERHEAD)).length
}

/** The largest value (bytes) that fits in one item of `slot` under the 1000-byte BEP 44 cap. */
export function maxValueBytes(slot: string): number {
  let n = MAX_ITEM_VALUE_BYTES
  while (n > 0 && sealedSize(slot, n) > MAX_ITEM_VALUE_BYTES) n--
  return n
}
