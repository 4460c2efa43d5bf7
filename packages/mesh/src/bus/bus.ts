// The gossip bus: salted BEP 44 items under the community's shared bus key, each value sealed
// (aead.ts) around a writer-signed envelope (envelope.ts). docs/PROTOCOL.md, "Gossip bus".
import { KrpcRemoteError, mutableTarget, type DhtItem, type KeyPair, type PutResult } from '@bbmesh/dht'
import { systemClock, type Clock } from '../clock.js'
import type { CommunityKeys } from '../community/derive.js'
import { DEFAULT_REPUBLISH_MS, ERR_CAS_MISMATCH, ERR_SEQ_TOO_LOW, MAX_ITEM_VALUE_BYTES } from './constants.js'
import { NODE_ID_BYTES, PUT_ATTEMPTS } from './constants.js'
import { emptyBusCounters, type BusCounters, type RejectionCounter } from './counters.js'
import { signEnvelope } from './envelope.js'
import { BusError } from './errors.js'
import { SlotHistory } from './history.js'
import { Republisher } from './republish.js'
import type { BusDht, BusWriter } from './types.js'
import { maxValueBytes, openItem, sealEnvelope, sealedSize, type BusEntry } from './sealed-item.js'
import type { Rejection, SealKeys } from './sealed-item.js'
import { feedSlot, slotOwner, slotSalt, writerId } from './slot.js'
import { startWatch, type WatchOptions } from './watch.js'

export interface BusOptions {
  dht: BusDht
  keys: Pick<CommunityKeys, 'busKeyPair' | 'busEncryptionKey'>
  writer: BusWriter
  clock?: Clock
  /** How often our own slots are re-put (default 30 min; storers expire items after ~2 h). */
  republishMs?: number
}

export interface BusPutResult {
  slot: string
  seq: number
  /** DHT nodes that stored it. */
  stored: number
}

export interface Bus {
  /** SHA-1 of the writer's public key: the id our feed slot is named after. */
  readonly writerId: Buffer
  /** `feed:<writerId hex>`. */
  readonly feedSlot: string
  readonly counters: Readonly<BusCounters>
  /** Seals and puts `value` at the next seq (CAS on the seq read just before); republished. */
  put(slot: string, value: Uint8Array): Promise<BusPutResult>
  /** The newest accepted entry: from the DHT, or the last one accepted when the DHT has nothing acceptable. */
  get(slot: string): Promise<BusEntry | null>
  /** Polls `slot`; `onValue` sees each newly accepted seq once. Returns a function that stops it. */
  watch(slot: string, onValue: (entry: BusEntry) => void, opts?: WatchOptions): () => void
  /** Largest value that fits one item of `slot`. */
  maxValueBytes(slot: string): number
  /** Stops republishing and watches and waits for work in flight. Safe to call twice. */
  close(): Promise<void>
}

export function createBus(opts: BusOptions): Bus {
  return new GossipBus(opts)
}

const REJECTION_COUNTER: Record<Rejection, RejectionCounter> = {
  undecryptable: 'undecryptable',
  malformed: 'malformed',
  'bad-signature': 'badSignature',
  'wrong-writer': 'wrongWriter',
  mismatch: 'mismatch',
}

class GossipBus implements Bus {
  readonly writerId: Buffer
  readonly feedSlot: string
  readonly counters = emptyBusCounters()
  private readonly dht: BusDht
  private readonly seal: SealKeys
  private readonly busKeyPair: KeyPair
  private readonly nodeId: Buffer
  private readonly writerKey: KeyPair
  private readonly clock: Clock
  private readonly history = new SlotHistory()
  private readonly republisher: Republisher
  private readonly stops = new Set<() => void>()
  private readonly inFlight = new Set<Promise<unknown>>()
  private closed = false

  constructor(o: BusOptions) {
    if (o.writer.id.length !== NODE_ID_BYTES) throw new BusError('BAD_ARGUMENT', 'writer id must be 20 bytes')
    this.dht = o.dht
    this.busKeyPair = o.keys.busKeyPair
    this.seal = { busPublicKey: o.keys.busKeyPair.publicKey, busEncryptionKey: o.keys.busEncryptionKey }
    this.nodeId = Buffer.from(o.writer.id)
    this.writerKey = o.writer.keyPair
    this.writerId = writerId(o.writer.keyPair.publicKey)
    this.feedSlot = feedSlot(o.writer.keyPair.publicKey)
    this.clock = o.clock ?? systemClock
    this.republisher = new Republisher({
      dht: o.dht,
      busKeyPair: o.keys.busKeyPair,
      clock: this.clock,
      intervalMs: o.republishMs ?? DEFAULT_REPUBLISH_MS,
      counters: this.counters,
      // Someone bumped the seq of a slot only we may write: put our value again above it.
      reassert: (slot, value) => this.put(slot, value).then(() => undefined),
      isOwned: (slot) => slotOwner(slot)?.equals(this.writerId) ?? false,
      track: (p) => this.track(p),
    })
  }

  // The bus holds the shared keys and the writer's secret key: keep them out of logs and JSON.
  toJSON(): { writerId: string; counters: BusCounters } {
    return { writerId: this.writerId.toString('hex'), counters: { ...this.counters } }
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Bus { writerId: '${this.writerId.toString('hex')}' }`
  }

  maxValueBytes(slot: string): number {
    slotSalt(slot)
    return maxValueBytes(slot)
  }

  put(slot: string, value: Uint8Array): Promise<BusPutResult> {
    return this.track(this.putNow(slot, value))
  }

  get(slot: string): Promise<BusEntry | null> {
    return this.track(this.getNow(slot))
  }

  private async putNow(slot: string, value: Uint8Array): Promise<BusPutResult> {
    this.checkOpen()
    const salt = slotSalt(slot)
    const owner = slotOwner(slot)
    if (owner && !owner.equals(this.writerId))
      throw new BusError('NOT_SLOT_OWNER', `${slot} belongs to another writer`)
    if (sealedSize(slot, value.length) > MAX_ITEM_VALUE_BYTES)
      throw new BusError('VALUE_TOO_LARGE', `value does not fit ${slot} (max ${maxValueBytes(slot)} bytes)`)
    const target = mutableTarget(this.seal.busPublicKey, salt)
    for (let attempt = 0; attempt < PUT_ATTEMPTS; attempt++) {
      // A fresh read gives the seq to go above and the CAS value (BEP 44: cas = seq we expect).
      const current = await this.dht.get(target, { salt }).catch(() => null)
      if (current?.seq !== undefined) this.history.observeSeq(slot, current.seq)
      // The clock as a floor: should the read miss the current item (churn, a lossy path), a
      // millisecond seq still lands above it rather than colliding at an equal seq (BEP 44 302,
      // or worse, stored by some nodes and refused by others).
      const now = this.clock.now()
      const seq = Math.max(this.history.highestSeq(slot) + 1, Math.floor(now))
      // Any member can put the largest seq there is (the bus key is shared); BEP 44 storers then
      // refuse every later put, so say so rather than loop.
      if (!Number.isSafeInteger(seq)) throw new BusError('SEQ_CONFLICT', `${slot} has no seq left`)
      const env = signEnvelope(
        { nodeId: this.nodeId, slot, seq, writtenAt: Math.floor(now / 1000), value: Buffer.from(value) },
        this.writerKey,
      )
      const v = sealEnvelope(this.seal, env)
      let res: PutResult
      try {
        res = await this.dht.putMutable({ keyPair: this.busKeyPair, v, seq, salt, cas: current?.seq })
      } catch (err) {
        if (!isSeqConflict(err)) throw err
        this.counters.putRetries++
        this.history.observeSeq(slot, seq)
        continue
      }
      // A put succeeds once any node stores it, so nodes that missed a newer item may take ours
      // while the others refuse it: read back, and go above whatever is on top.
      const top = await this.dht.get(target, { salt }).catch(() => null)
      if (top?.seq !== undefined && top.seq > seq) {
        this.counters.putRetries++
        this.history.observeSeq(slot, top.seq)
        continue
      }
      this.checkOpen()
      this.counters.puts++
      this.history.accept(openItem(this.seal, slot, seq, v) as BusEntry, v)
      this.republisher.schedule(slot, { v, seq, salt, value: Buffer.from(value) })
      return { slot, seq, stored: res.stored }
    }
    throw new BusError('SEQ_CONFLICT', `${slot} kept moving ahead after ${PUT_ATTEMPTS} attempts`)
  }

  private async getNow(slot: string): Promise<BusEntry | null> {
    this.checkOpen()
    const salt = slotSalt(slot)
    let item: DhtItem | null
    try {
      item = await this.dht.get(mutableTarget(this.seal.busPublicKey, salt), { salt })
    } catch {
      this.counters.getErrors++
      return this.history.latest(slot)
    }
    if (!item || item.seq === undefined) return this.history.latest(slot)
    this.history.observeSeq(slot, item.seq)
    const opened = openItem(this.seal, slot, item.seq, item.v)
    if (typeof opened === 'string') {
      this.counters[REJECTION_COUNTER[opened]]++
      return this.history.latest(slot)
    }
    const v = item.v as Buffer
    const verdict = this.history.classify(slot, item.seq, v)
    if (verdict === 'rollback' || verdict === 'equivocation') {
      this.counters[verdict]++
    } else if (verdict === 'new') {
      this.counters.accepted++
      this.history.accept(opened, v)
    }
    return this.history.latest(slot)
  }

  watch(slot: string, onValue: (entry: BusEntry) => void, opts: WatchOptions = {}): () => void {
    this.checkOpen()
    slotSalt(slot)
    const stop = startWatch({
      clock: this.clock,
      read: () => this.get(slot),
      onValue,
      onError: () => this.counters.watcherErrors++,
      opts,
    })
    const unwatch = (): void => {
      stop()
      this.stops.delete(unwatch)
    }
    this.stops.add(unwatch)
    return unwatch
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true
      for (const stop of [...this.stops]) stop()
      this.republisher.stop()
    }
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight])
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p)
    const done = (): void => void this.inFlight.delete(p)
    p.then(done, done)
    return p
  }

  private checkOpen(): void {
    if (this.closed) throw new BusError('BUS_CLOSED', 'the bus is closed')
  }
}

/** BEP 44 refusals that mean someone wrote first: cas mismatch (301), seq not above current (302). */
function isSeqConflict(err: unknown): boolean {
  return (
    err instanceof KrpcRemoteError && (err.krpcCode === ERR_CAS_MISMATCH || err.krpcCode === ERR_SEQ_TOO_LOW)
  )
}
