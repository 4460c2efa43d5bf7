// An in-memory datagram network: configurable latency and loss, a seeded random source, and one
// timer for the whole network (a min-heap of deliveries), so 10,000+ nodes fit in one process.
// With an injected clock the deliveries run on it (virtual time); by default on Node's timers.
import type { Clock, Timer } from '../clock.js'
import { seededRandom } from '../rng.js'
import type { RandomSource } from '../rng.js'
import type { BoundAddress, DatagramHandler, PeerAddress, Transport } from './types.js'

export interface MemoryNetworkOptions {
  /** One-way latency in ms: a fixed number or a [min, max] range drawn per datagram. Default 0. */
  latencyMs?: number | [number, number]
  /** Probability in [0, 1] that a datagram is lost. Default 0. */
  loss?: number
  /** Seed of the random source used for latency, loss and auto-assigned addresses. */
  seed?: number
  /**
   * Deliveries are due at `clock.now()` + latency and run from one `clock` timer. Default: Date.now
   * and Node's timers (a due delivery runs on setImmediate).
   */
  clock?: Clock
}

interface Delivery {
  at: number
  seq: number
  buf: Buffer
  from: PeerAddress
  to: string
}

export interface MemoryNetworkStats {
  sent: number
  delivered: number
  lost: number
  undeliverable: number
}

export class MemoryNetwork {
  readonly random: RandomSource
  private readonly latency: [number, number]
  private readonly loss: number
  private readonly endpoints = new Map<string, MemoryTransport>()
  private readonly heap: Delivery[] = []
  private seq = 0
  private readonly clock: Clock | null
  private timer: NodeJS.Timeout | null = null
  private immediate: NodeJS.Immediate | null = null
  private clockTimer: Timer | null = null
  private timerAt = Infinity
  private nextHost = 1
  readonly stats: MemoryNetworkStats = { sent: 0, delivered: 0, lost: 0, undeliverable: 0 }

  constructor(opts: MemoryNetworkOptions = {}) {
    const l = opts.latencyMs ?? 0
    this.latency = typeof l === 'number' ? [l, l] : l
    this.loss = opts.loss ?? 0
    this.random = seededRandom(opts.seed ?? 1)
    this.clock = opts.clock ?? null
  }

  private now(): number {
    return this.clock ? this.clock.now() : Date.now()
  }

  createTransport(): MemoryTransport {
    return new MemoryTransport(this)
  }

  /** Number of bound endpoints. */
  get size(): number {
    return this.endpoints.size
  }

  /** @internal */
  register(t: MemoryTransport, port: number, host: string): BoundAddress {
    // Every unspecified bind gets its own address (10.x.y.z), like separate hosts on a LAN.
    if (host === '0.0.0.0' || host === '') host = this.allocHost()
    if (port === 0) port = 6881
    while (this.endpoints.has(`${host}:${port}`)) port++
    if (port > 65535) throw new Error('no free port')
    this.endpoints.set(`${host}:${port}`, t)
    return { address: host, port, family: 'IPv4' }
  }

  /** @internal */
  unregister(addr: BoundAddress): void {
    this.endpoints.delete(`${addr.address}:${addr.port}`)
  }

  private allocHost(): string {
    const n = this.nextHost++
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
  }

  /** @internal */
  send(buf: Buffer, from: PeerAddress, to: PeerAddress): void {
    this.stats.sent++
    if (this.loss > 0 && this.random.next() < this.loss) {
      this.stats.lost++
      return
    }
    const [min, max] = this.latency
    const delay = min === max ? min : min + this.random.next() * (max - min)
    this.push({ at: this.now() + delay, seq: this.seq++, buf, from, to: `${to.host}:${to.port}` })
    this.schedule()
  }

  private schedule(): void {
    const top = this.heap[0]
    if (!top || top.at >= this.timerAt) return
    if (this.timer) clearTimeout(this.timer)
    this.clockTimer?.cancel()
    this.timer = null
    this.clockTimer = null
    this.timerAt = top.at
    const wait = top.at - this.now()
    if (this.clock) {
      this.clockTimer = this.clock.setTimeout(() => this.flush(), wait)
      return
    }
    // Due now: setImmediate (setTimeout(0) would add ~1 ms to every hop).
    if (wait <= 0) {
      if (!this.immediate) this.immediate = setImmediate(() => this.flush())
      return
    }
    this.timer = setTimeout(() => this.flush(), wait)
    this.timer.unref()
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer)
    if (this.immediate) clearImmediate(this.immediate)
    this.clockTimer?.cancel()
    this.timer = null
    this.immediate = null
    this.clockTimer = null
    this.timerAt = Infinity
    const now = this.now()
    // Bounded batch per tick so a flood cannot starve the event loop.
    for (let n = 0; n < 10_000; n++) {
      const top = this.heap[0]
      if (!top || top.at > now) break
      this.pop()
      const t = this.endpoints.get(top.to)
      if (t) {
        this.stats.delivered++
        t.deliver(top.buf, top.from)
      } else {
        this.stats.undeliverable++
      }
    }
    this.schedule()
  }

  private push(d: Delivery): void {
    const h = this.heap
    h.push(d)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (less(h[p]!, h[i]!)) break
      ;[h[p], h[i]] = [h[i]!, h[p]!]
      i = p
    }
  }

  private pop(): void {
    const h = this.heap
    const last = h.pop()!
    if (!h.length) return
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && less(h[l]!, h[m]!)) m = l
      if (r < h.length && less(h[r]!, h[m]!)) m = r
      if (m === i) break
      ;[h[m], h[i]] = [h[i]!, h[m]!]
      i = m
    }
  }
}

function less(a: Delivery, b: Delivery): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

export class MemoryTransport implements Transport {
  private bound: BoundAddress | null = null
  private handler: DatagramHandler | null = null
  private closed = false

  constructor(private readonly network: MemoryNetwork) {}

  bind(port: number, host: string): Promise<BoundAddress> {
    if (this.closed) return Promise.reject(new Error('transport closed'))
    this.bound = this.network.register(this, port, host)
    return Promise.resolve(this.bound)
  }

  send(buf: Buffer, to: PeerAddress): void {
    if (this.closed || !this.bound) return
    this.network.send(buf, { host: this.bound.address, port: this.bound.port }, to)
  }

  onMessage(handler: DatagramHandler): void {
    this.handler = handler
  }

  onError(_handler: (err: Error) => void): void {
    // The in-memory network never reports socket errors.
  }

  address(): BoundAddress | null {
    return this.bound
  }

  /** @internal */
  deliver(buf: Buffer, from: PeerAddress): void {
    if (!this.closed && this.handler) this.handler(buf, from)
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true
      if (this.bound) this.network.unregister(this.bound)
    }
    return Promise.resolve()
  }
}
