// Keeping our own slots alive: BEP 44 storers drop items after about 2 h, so every slot we wrote
// is re-put with its original signature on a schedule, until a newer seq takes its place.
import { KrpcRemoteError, signatureBuffer, sign, type KeyPair } from '@bbmesh/dht'
import { ERR_SEQ_TOO_LOW } from './constants.js'
import type { Clock, Timer } from '../clock.js'
import type { BusCounters } from './counters.js'
import type { BusDht } from './types.js'

export interface OwnItem {
  v: Buffer
  seq: number
  salt: Buffer
  /** The plaintext value, to put again above an intruder's seq. */
  value: Buffer
}

export interface RepublisherOptions {
  dht: BusDht
  busKeyPair: KeyPair
  clock: Clock
  intervalMs: number
  counters: BusCounters
  /** Whether only we may write the slot (our feed). */
  isOwned: (slot: string) => boolean
  /** Puts `value` at a fresh seq. */
  reassert: (slot: string, value: Buffer) => Promise<void>
  track: (p: Promise<unknown>) => void
}

export class Republisher {
  private readonly items = new Map<string, { item: OwnItem; timer: Timer }>()
  private stopped = false

  constructor(private readonly o: RepublisherOptions) {}

  /** Replaces whatever was scheduled for the slot. */
  schedule(slot: string, item: OwnItem): void {
    if (this.stopped) return
    this.items.get(slot)?.timer.cancel()
    const timer = this.o.clock.setTimeout(() => this.o.track(this.republish(slot)), this.o.intervalMs)
    this.items.set(slot, { item, timer })
  }

  stop(): void {
    this.stopped = true
    for (const { timer } of this.items.values()) timer.cancel()
    this.items.clear()
  }

  private async republish(slot: string): Promise<void> {
    const own = this.items.get(slot)
    if (!own || this.stopped) return
    const { item } = own
    try {
      const sig = sign(signatureBuffer(item.seq, item.v, item.salt), this.o.busKeyPair.secretKey)
      const res = await this.o.dht.putSigned({
        v: item.v,
        k: this.o.busKeyPair.publicKey,
        sig,
        seq: item.seq,
        salt: item.salt,
      })
      if (res.newerSeq === undefined) {
        this.o.counters.republished++
        return this.schedule(slot, item)
      }
      this.o.counters.overtaken++
      this.items.delete(slot)
      // In a shared slot a newer seq is another member's turn; in ours it is an intruder (readers
      // reject its content), so we put our value again above it.
      if (this.o.isOwned(slot) && !this.stopped) await this.o.reassert(slot, item.value)
    } catch (err) {
      // Stock bittorrent-dht refuses an equal seq with 302 even for the identical item; putSigned
      // has just checked nothing newer is out there, so this means "still stored".
      if (err instanceof KrpcRemoteError && err.krpcCode === ERR_SEQ_TOO_LOW) {
        this.o.counters.republished++
        return this.schedule(slot, item)
      }
      this.o.counters.republishFailures++
      if (this.items.get(slot) === own) this.schedule(slot, item)
    }
  }
}
