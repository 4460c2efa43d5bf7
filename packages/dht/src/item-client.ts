// BEP 44 put/get and BEP 46 pointers, as typed promises over the engine's client side.
import type { DhtEngine, EngineItem } from './adapter/bittorrent-dht.js'
import { sign } from './adapter/ed25519.js'
import type { KeyPair } from './adapter/ed25519.js'
import { isBytes, isDict, isInt } from './bencode.js'
import type { BDict, BInput, BValue } from './bencode.js'
import { checkPut, immutableTarget, mutableTarget } from './bep44.js'
import type { StoredItem } from './bep44.js'
import { ID_LENGTH, MAX_ITEM_VALUE_BYTES, MAX_SALT_BYTES } from './constants.js'
import { bdecode, bencode } from './bencode.js'
import { InvalidArgumentError, InvalidReplyError } from './errors.js'
import { toBuffer, toOptBuffer } from './input.js'

export interface PutResult {
  target: Buffer
  /** Nodes that accepted the put. */
  stored: number
}

export interface MutablePutOptions {
  keyPair: KeyPair
  v: BInput
  seq: number
  salt?: Uint8Array
  /** BEP 44 compare-and-swap: the seq we expect the stored item to have. */
  cas?: number
}

export interface DhtItem {
  v: BValue
  /** Mutable items only. */
  k?: Buffer
  sig?: Buffer
  seq?: number
  salt?: Buffer
}

export interface PointerPutOptions {
  keyPair: KeyPair
  infoHash: Uint8Array
  seq: number
  salt?: Uint8Array
  cas?: number
}

export interface SignedPutResult extends PutResult {
  /** Set when the DHT already holds a higher seq: nothing was put (`stored` is 0). */
  newerSeq?: number
}

/** A mutable item exactly as its signer put it (for example as returned by `get`). */
export interface SignedItem {
  v: BInput
  k: Uint8Array
  sig: Uint8Array
  seq: number
  salt?: Uint8Array
}

/** The node's own item store (items it serves to others). */
export interface LocalItems {
  get(target: Buffer): StoredItem | null
  set(target: Buffer, item: StoredItem): void
}

export class ItemClient {
  constructor(
    private readonly engine: DhtEngine,
    private readonly local: LocalItems,
  ) {}

  async putImmutable(v: BInput): Promise<PutResult> {
    checkSize(v)
    const res = await this.engine.put({ v })
    this.local.set(res.target, { v: bdecode(bencode(v)) })
    return res
  }

  putMutable(o: MutablePutOptions): Promise<PutResult> {
    checkSize(o.v)
    if (!Number.isSafeInteger(o.seq) || o.seq < 0)
      throw new InvalidArgumentError('seq must be a non-negative integer')
    const salt = toOptBuffer(o.salt, 'salt')
    if (salt && salt.length > MAX_SALT_BYTES) throw new InvalidArgumentError('salt is longer than 64 bytes')
    return this.engine.put({
      v: o.v,
      k: o.keyPair.publicKey,
      seq: o.seq,
      salt: salt && salt.length ? salt : undefined,
      cas: o.cas,
      sign: (buf) => sign(Buffer.from(buf), o.keyPair.secretKey),
    })
  }

  /**
   * Re-puts someone else's mutable item with its original signature, no secret key needed: storing
   * nodes check `sig` over salt/seq/v against `k` (BEP 44), and a subscribing node may re-announce
   * items to keep them alive past their expiry. Verified here first so we never spread a forgery.
   */
  async putSigned(item: SignedItem): Promise<SignedPutResult> {
    if (!Number.isSafeInteger(item.seq) || item.seq < 0)
      throw new InvalidArgumentError('seq must be a non-negative integer')
    // Normalised (strings to bytes) so our local copy reads back like one from the network.
    const v = bdecode(bencode(item.v))
    const k = toBuffer(item.k, 'k')
    const sig = toBuffer(item.sig, 'sig')
    const salt = toOptBuffer(item.salt, 'salt')
    const check = checkPut({ v, k, sig, seq: item.seq, salt } as BDict)
    if (!check.ok) throw new InvalidArgumentError(`not a validly signed mutable item: ${check.message}`)
    const { target, item: stored } = check
    // A fresh get first: it tells us whether the signer has since put a newer seq, which we must
    // not overwrite (and leaves fresh write tokens for the put).
    const current = await this.engine.get(target, stored.salt)
    if (current && isInt(current.seq) && current.seq > item.seq)
      return { target, stored: 0, newerSeq: current.seq }
    // Keep serving it ourselves too, unless we already hold a newer one.
    const prev = this.local.get(target)
    if (!prev || prev.seq === undefined || prev.seq <= item.seq) this.local.set(target, stored)
    return this.engine.put({ v, k, seq: item.seq, salt: stored.salt, sign: () => Buffer.from(sig) })
  }

  /** Gets an item; for mutable ones pass the salt used at put. Signatures and targets are checked. */
  async get(t: Uint8Array, opts: { salt?: Uint8Array } = {}): Promise<DhtItem | null> {
    const target = toBuffer(t, 'target', ID_LENGTH)
    const salt = toOptBuffer(opts.salt, 'salt')
    const local = this.local.get(target)
    // An immutable item is the same wherever it comes from; a local copy answers at once.
    if (local && local.k === undefined) return { v: local.v }
    let res: EngineItem | null = await this.engine.get(target, salt)
    if (local && (!res || !isInt(res.seq) || res.seq < local.seq!)) {
      res = { v: local.v, k: local.k, sig: local.sig, seq: local.seq }
    }
    if (!res) return null
    const item: DhtItem = { v: res.v as BValue }
    if (res.k) {
      if (!isBytes(res.k, 32) || !isBytes(res.sig, 64) || !isInt(res.seq))
        throw new InvalidReplyError('malformed mutable item')
      if (!mutableTarget(res.k, salt).equals(target))
        throw new InvalidReplyError('item does not match target')
      Object.assign(item, { k: res.k, sig: res.sig, seq: res.seq })
      if (salt?.length) item.salt = salt
    } else if (!immutableTarget(item.v).equals(target))
      throw new InvalidReplyError('item does not match target')
    return item
  }

  /** BEP 46: store `{ih: infoHash}` under the key (and salt). */
  putPointer(o: PointerPutOptions): Promise<PutResult> {
    return this.putMutable({
      keyPair: o.keyPair,
      v: { ih: toBuffer(o.infoHash, 'infoHash', ID_LENGTH) },
      seq: o.seq,
      salt: o.salt,
      cas: o.cas,
    })
  }

  /** BEP 46: resolve a public key (and salt) to the infohash it points at. */
  async getPointer(publicKey: Uint8Array, s?: Uint8Array): Promise<{ infoHash: Buffer; seq: number } | null> {
    const salt = toOptBuffer(s, 'salt')
    const item = await this.get(mutableTarget(toBuffer(publicKey, 'publicKey', 32), salt), { salt })
    if (!item) return null
    if (!isDict(item.v) || !isBytes(item.v.ih, ID_LENGTH)) throw new InvalidReplyError('not a BEP 46 pointer')
    return { infoHash: item.v.ih, seq: item.seq ?? 0 }
  }
}

function checkSize(v: BInput): void {
  if (bencode(v).length > MAX_ITEM_VALUE_BYTES)
    throw new InvalidArgumentError('v is larger than 1000 bytes bencoded')
}
