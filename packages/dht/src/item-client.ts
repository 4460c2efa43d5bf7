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

export interface PutResult {
  target: Buffer
  /** Nodes that accepted the put. */
  stored: number
}

export interface MutablePutOptions {
  keyPair: KeyPair
  v: BInput
  seq: number
  salt?: Buffer
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
  infoHash: Buffer
  seq: number
  salt?: Buffer
  cas?: number
}

export interface SignedPutResult extends PutResult {
  /** Set when the DHT already holds a higher seq: nothing was put (`stored` is 0). */
  newerSeq?: number
}

/** A mutable item exactly as its signer put it (for example as returned by `get`). */
export interface SignedItem {
  v: BInput
  k: Buffer
  sig: Buffer
  seq: number
  salt?: Buffer
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
    if (o.salt && o.salt.length > MAX_SALT_BYTES)
      throw new InvalidArgumentError('salt is longer than 64 bytes')
    return this.engine.put({
      v: o.v,
      k: o.keyPair.publicKey,
      seq: o.seq,
      salt: o.salt && o.salt.length ? o.salt : undefined,
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
    const check = checkPut({ v, k: item.k, sig: item.sig, seq: item.seq, salt: item.salt } as BDict)
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
    const sig = Buffer.from(item.sig)
    return this.engine.put({ v, k: item.k, seq: item.seq, salt: stored.salt, sign: () => sig })
  }

  /** Gets an item; for mutable ones pass the salt used at put. Signatures and targets are checked. */
  async get(target: Buffer, opts: { salt?: Buffer } = {}): Promise<DhtItem | null> {
    if (!isBytes(target, ID_LENGTH)) throw new InvalidArgumentError('target must be 20 bytes')
    const local = this.local.get(target)
    // An immutable item is the same wherever it comes from; a local copy answers at once.
    if (local && local.k === undefined) return { v: local.v }
    let res: EngineItem | null = await this.engine.get(target, opts.salt)
    if (local && (!res || !isInt(res.seq) || res.seq < local.seq!)) {
      res = { v: local.v, k: local.k, sig: local.sig, seq: local.seq }
    }
    if (!res) return null
    const item: DhtItem = { v: res.v as BValue }
    if (res.k) {
      if (!isBytes(res.k, 32) || !isBytes(res.sig, 64) || !isInt(res.seq))
        throw new InvalidReplyError('malformed mutable item')
      if (!mutableTarget(res.k, opts.salt).equals(target))
        throw new InvalidReplyError('item does not match target')
      Object.assign(item, { k: res.k, sig: res.sig, seq: res.seq })
      if (opts.salt?.length) item.salt = opts.salt
    } else if (!immutableTarget(item.v).equals(target))
      throw new InvalidReplyError('item does not match target')
    return item
  }

  /** BEP 46: store `{ih: infoHash}` under the key (and salt). */
  putPointer(o: PointerPutOptions): Promise<PutResult> {
    if (!isBytes(o.infoHash, ID_LENGTH)) throw new InvalidArgumentError('infoHash must be 20 bytes')
    return this.putMutable({
      keyPair: o.keyPair,
      v: { ih: o.infoHash },
      seq: o.seq,
      salt: o.salt,
      cas: o.cas,
    })
  }

  /** BEP 46: resolve a public key (and salt) to the infohash it points at. */
  async getPointer(publicKey: Buffer, salt?: Buffer): Promise<{ infoHash: Buffer; seq: number } | null> {
    const item = await this.get(mutableTarget(publicKey, salt), { salt })
    if (!item) return null
    if (!isDict(item.v) || !isBytes(item.v.ih, ID_LENGTH)) throw new InvalidReplyError('not a BEP 46 pointer')
    return { infoHash: item.v.ih, seq: item.seq ?? 0 }
  }
}

function checkSize(v: BInput): void {
  if (bencode(v).length > MAX_ITEM_VALUE_BYTES)
    throw new InvalidArgumentError('v is larger than 1000 bytes bencoded')
}
