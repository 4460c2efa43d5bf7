// The inner layer of a bus value: a bencoded dict naming its writer, signed by that writer, so a
// member who holds the shared bus keys still cannot pass off content as another member's.
import { bdecode, bencode, sign, verify, type BDict, type KeyPair } from '@bbmesh/dht'
import { NODE_ID_BYTES, PUBLIC_KEY_BYTES, SIGN_LABEL, SIGNATURE_BYTES } from './constants.js'

/** What a writer says, before signing. */
export interface EnvelopeFields {
  /** The writer's DHT node id (informational: lets a reader match the member table). */
  nodeId: Buffer
  /** The writer's ed25519 public key; its SHA-1 is the writer's bus id. */
  writerKey: Buffer
  slot: string
  seq: number
  /** Unix seconds at writing. */
  writtenAt: number
  value: Buffer
}

export interface Envelope extends EnvelopeFields {
  signature: Buffer
}

/** The dict without `x`; its encoding (after SIGN_LABEL) is what the writer signs. */
function unsignedDict(f: EnvelopeFields): { [key: string]: Buffer | number } {
  return { k: f.writerKey, n: f.nodeId, q: f.seq, s: Buffer.from(f.slot, 'utf8'), t: f.writtenAt, v: f.value }
}

function signedBytes(f: EnvelopeFields): Buffer {
  return Buffer.concat([SIGN_LABEL, bencode(unsignedDict(f))])
}

/** Signs with the writer's own key (`writerKey` is taken from it). */
export function signEnvelope(f: Omit<EnvelopeFields, 'writerKey'>, writer: KeyPair): Envelope {
  const fields: EnvelopeFields = { ...f, writerKey: writer.publicKey }
  return { ...fields, signature: sign(signedBytes(fields), writer.secretKey) }
}

/** `{k, n, q, s, t, v, x}` bencoded: the plaintext that gets sealed. */
export function encodeEnvelope(e: Envelope): Buffer {
  return bencode({ ...unsignedDict(e), x: e.signature })
}

export type EnvelopeProblem = 'malformed' | 'bad-signature'

/** Decodes and checks types, lengths and the writer signature. */
export function decodeEnvelope(plaintext: Buffer): Envelope | EnvelopeProblem {
  let d: BDict
  try {
    const v = bdecode(plaintext)
    if (!isDict(v)) return 'malformed'
    d = v
  } catch {
    return 'malformed'
  }
  const { k, n, q, s, t, v, x } = d
  if (!bytes(k, PUBLIC_KEY_BYTES) || !bytes(n, NODE_ID_BYTES) || !bytes(x, SIGNATURE_BYTES))
    return 'malformed'
  if (!bytes(s) || !bytes(v) || !int(q) || !int(t)) return 'malformed'
  if (Object.keys(d).length !== 7) return 'malformed'
  const e: Envelope = {
    nodeId: n,
    writerKey: k,
    slot: s.toString('utf8'),
    seq: q,
    writtenAt: t,
    value: v,
    signature: x,
  }
  // A slot that is not valid UTF-8 would re-encode differently; compare bytes, not strings.
  if (!Buffer.from(e.slot, 'utf8').equals(s)) return 'malformed'
  return verify(x, signedBytes(e), k) ? e : 'bad-signature'
}

function isDict(v: unknown): v is BDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v)
}
function bytes(v: unknown, len?: number): v is Buffer {
  return Buffer.isBuffer(v) && (len === undefined || v.length === len)
}
function int(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}
