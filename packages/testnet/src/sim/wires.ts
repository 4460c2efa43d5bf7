// An in-memory peer-wire network on the simulation's VirtualClock: the seeds' and harvesters'
// @bbmesh/wire PeerHosts exchange their real bytes (BEP 3/10/9) through Duplex pairs instead of TCP.
// Each connection draws a one-way latency; every chunk written, and the end of the stream (a FIN),
// reaches the other end that long later, in order, through clock.setTimeout. A dial costs one round
// trip (SYN, SYN-ACK); a drawn share of connections go to a dead peer, and such a dial hangs until the
// caller gives up, as an unanswered SYN does; dialing an address where no seed listens is refused.
// Draws happen at dial time in dial order, so a run depends on its seed only.
import { Duplex } from 'node:stream'
import type { RandomSource } from '@bbmesh/dht'
import {
  AbortError,
  DEFAULT_DIAL_TIMEOUT_MS,
  DialError,
  TimeoutError,
  formatAddress,
  type ConnectionLimits,
  type PeerAddress,
  type PeerDialer,
} from '@bbmesh/wire'
import type { VirtualClock } from './clock.js'

/**
 * Wire-level limits for simulated connections. PeerConnection's handshake and idle timers run on the
 * wall clock, so they are set far beyond any simulated fetch (the harvester's own per-peer deadline
 * runs on virtual time); every connection is closed by its host when the run ends.
 */
export const SIM_WIRE_LIMITS: Partial<ConnectionLimits> = {
  handshakeTimeoutMs: 6 * 3_600_000,
  idleTimeoutMs: 6 * 3_600_000,
  keepAliveIntervalMs: 6 * 3_600_000,
}

export interface SimWireStats {
  /** Dials attempted, refused (no seed at the address), and gone to a dead peer (hung). */
  dials: number
  refused: number
  dead: number
  /** Connections established, and still open (either end not yet destroyed). */
  connections: number
  open: number
  /** Bytes and chunks written by either end (what the simulated links carried). */
  bytes: number
  chunks: number
}

export interface SimWireOptions {
  clock: VirtualClock
  random: RandomSource
  /** One-way latency of a connection, ms: a number or [min, max] drawn per connection. */
  latencyMs: number | [number, number]
  /** Share of connections that go to a dead peer (the dial hangs). */
  failureRate: number
}

type Accept = (stream: Duplex, remote: PeerAddress) => void

const key = (a: PeerAddress): string => `${a.host}:${a.port}`
/** First ephemeral port handed to a dialer's side of a connection. */
const FIRST_EPHEMERAL_PORT = 32_768

export class SimWireNetwork {
  readonly stats: SimWireStats = {
    dials: 0,
    refused: 0,
    dead: 0,
    connections: 0,
    open: 0,
    bytes: 0,
    chunks: 0,
  }
  private readonly listeners = new Map<string, Accept>()
  private readonly ends = new Set<SimEnd>()
  private readonly hung = new Set<() => void>()
  private nextPort = FIRST_EPHEMERAL_PORT

  constructor(private readonly opts: SimWireOptions) {}

  /** Streams dialed to `addr` are handed to `accept` (a PeerHost's acceptStream). */
  listen(addr: PeerAddress, accept: Accept): void {
    this.listeners.set(key(addr), accept)
  }

  /** A PeerHost `dial` whose connections come from `host`. */
  dialer(host: string): PeerDialer {
    return (addr, o) => this.dial(host, addr, o.signal, o.timeoutMs)
  }

  /** Destroys every open stream and fails every hung dial. */
  close(): void {
    for (const fail of [...this.hung]) fail()
    for (const end of [...this.ends]) end.destroy()
  }

  private dial(from: string, to: PeerAddress, signal?: AbortSignal, timeoutMs?: number): Promise<Duplex> {
    this.stats.dials++
    const [min, max] =
      typeof this.opts.latencyMs === 'number'
        ? [this.opts.latencyMs, this.opts.latencyMs]
        : this.opts.latencyMs
    const latency = min + this.opts.random.next() * (max - min)
    const dead = this.opts.random.next() < this.opts.failureRate
    const accept = this.listeners.get(key(to))
    const clock = this.opts.clock
    return new Promise<Duplex>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortError())
      const done = (): void => {
        timer.cancel()
        signal?.removeEventListener('abort', onAbort)
        this.hung.delete(onAbort)
      }
      const onAbort = (): void => {
        done()
        reject(new AbortError())
      }
      const timer = dead
        ? clock.setTimeout(() => {
            done()
            reject(new TimeoutError('ERR_DIAL_TIMEOUT', `dial ${formatAddress(to)} timed out`))
          }, timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS)
        : clock.setTimeout(() => {
            done()
            if (!accept) {
              this.stats.refused++
              return reject(new DialError(`dial ${formatAddress(to)}: connection refused`))
            }
            const [near, far] = this.pair(latency)
            this.stats.connections++
            accept(far, { host: from, port: this.ephemeralPort() })
            resolve(near)
          }, 2 * latency)
      if (dead) {
        this.stats.dead++
        this.hung.add(onAbort)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private ephemeralPort(): number {
    const p = this.nextPort
    this.nextPort = p >= 65_535 ? FIRST_EPHEMERAL_PORT : p + 1
    return p
  }

  private pair(latency: number): [SimEnd, SimEnd] {
    const link: Link = {
      deliver: (fn) => void this.opts.clock.setTimeout(fn, latency),
      count: (n) => {
        this.stats.bytes += n
        this.stats.chunks++
      },
      closed: (end) => {
        if (this.ends.delete(end) && !this.ends.has(end.peer)) this.stats.open--
      },
    }
    const a = new SimEnd(link)
    const b = new SimEnd(link)
    a.peer = b
    b.peer = a
    this.ends.add(a)
    this.ends.add(b)
    this.stats.open++
    return [a, b]
  }
}

interface Link {
  deliver(fn: () => void): void
  count(bytes: number): void
  closed(end: SimEnd): void
}

/** One end of a simulated connection: writes arrive at `peer` after the link's latency. */
class SimEnd extends Duplex {
  peer!: SimEnd
  /** A FIN was sent (end or destroy); nothing more goes out. */
  private finSent = false
  /** A FIN arrived; nothing more is pushed. */
  private finReceived = false

  constructor(private readonly link: Link) {
    super()
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.finSent) {
      this.link.count(chunk.length)
      const peer = this.peer
      this.link.deliver(() => peer.receive(chunk))
    }
    cb()
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.sendFin()
    cb()
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.sendFin()
    this.link.closed(this)
    cb(err)
  }

  private sendFin(): void {
    if (this.finSent) return
    this.finSent = true
    const peer = this.peer
    this.link.deliver(() => peer.receive(null))
  }

  private receive(chunk: Buffer | null): void {
    if (this.destroyed || this.finReceived) return
    if (chunk === null) this.finReceived = true
    this.push(chunk)
  }
}
