// DhtNode's options: what each one means, and how absent ones resolve to their defaults
// (constants.ts) for the socket and the engine. Also the node id checks the node applies to input.
import { randomBytes } from 'node:crypto'
import type { EngineOptions } from './adapter/bittorrent-dht.js'
import { verify } from './adapter/ed25519.js'
import * as C from './constants.js'
import { InvalidArgumentError } from './errors.js'
import type { KrpcSocketOptions } from './krpc/types.js'
import type { RandomSource } from './rng.js'
import { UdpTransport } from './transport/udp.js'
import type { Transport } from './transport/types.js'
import type { Clock } from './clock.js'

export interface DhtNodeOptions {
  /** 20-byte node id (Buffer or hex); random when absent. See also `deriveNodeId`. */
  nodeId?: Uint8Array | string
  /** "host:port" routers to join through; default: the public routers. `false` or [] for none. */
  bootstrap?: string[] | false
  /** Default: a new UDP socket. Pass `network.createTransport()` for the in-memory network. */
  transport?: Transport
  k?: number
  /** Queries in flight on the socket, all lookups together (default 16). */
  concurrency?: number
  /** Joining (a background lookup) sends only below this many in flight unless alone (default concurrency/4). */
  backgroundConcurrency?: number
  /** 'krpc' runs k-rpc's own iterative lookup instead of ours, for benchmarks comparing the two. */
  lookup?: 'iterative' | 'krpc'
  timeoutMs?: number
  /** Per-IP token bucket on incoming queries; `false` disables (tests, benchmarks). */
  rateLimit?: { perIpPerSecond: number; burst: number; maxIps?: number } | false
  /** Cap on outgoing queries per second; `false` disables. */
  outboundQueriesPerSecond?: number | false
  /** Most outgoing queries waiting (rate cap or concurrency) before new ones fail fast. */
  maxPendingQueries?: number
  maxInfohashes?: number
  maxPeersPerInfohash?: number
  maxItems?: number
  /** BEP 51 interval in seconds (0..21600). */
  sampleIntervalS?: number
  /**
   * Time for query timeouts, rate caps, stores, tokens and routing-table upkeep. Default: Node's
   * timers. A simulation passes a virtual clock (see the engine for what upkeep changes on it).
   */
  clock?: Clock
  /**
   * With `clock`: a contact not heard from for this long is pinged when its bucket is full and a
   * new node wants in (BEP 5 calls it questionable after 15 minutes; bittorrent-dht, and the
   * default, use 10 s).
   */
  questionableAfterMs?: number
  /** Draws for BEP 51 samples and token secrets (default: Math.random, crypto). Seed it to replay a simulation. */
  random?: RandomSource
}

/** The socket's transport, timeout, rate caps and queue bound. */
export function socketOptions(opts: DhtNodeOptions): KrpcSocketOptions {
  const clock = opts.clock
  const rl = opts.rateLimit
  return {
    ...(clock && { clock }),
    transport: opts.transport ?? new UdpTransport(),
    timeoutMs: opts.timeoutMs ?? C.QUERY_TIMEOUT_MS,
    inbound:
      rl === false
        ? false
        : {
            rate: rl?.perIpPerSecond ?? C.DEFAULT_INBOUND_QUERIES_PER_IP_PER_S,
            burst: rl?.burst ?? C.DEFAULT_INBOUND_BURST_PER_IP,
            maxIps: rl?.maxIps ?? C.DEFAULT_RATE_LIMIT_TRACKED_IPS,
          },
    outboundPerSecond: opts.outboundQueriesPerSecond ?? C.DEFAULT_OUTBOUND_QUERIES_PER_S,
    maxPending: opts.maxPendingQueries ?? C.DEFAULT_MAX_PENDING_QUERIES,
  }
}

/** The engine's routing and lookup settings (the node adds id, socket, bootstrap list and query hook). */
export function engineOptions(
  opts: DhtNodeOptions,
): Omit<EngineOptions, 'id' | 'socket' | 'bootstrap' | 'onQuery'> {
  const clock = opts.clock
  return {
    k: opts.k ?? C.K,
    concurrency: opts.concurrency ?? C.LOOKUP_CONCURRENCY,
    ...(opts.backgroundConcurrency !== undefined && { backgroundConcurrency: opts.backgroundConcurrency }),
    ...(opts.lookup && { lookup: opts.lookup }),
    maxPendingQueries: opts.maxPendingQueries ?? C.DEFAULT_MAX_PENDING_QUERIES,
    verify,
    ...(clock && { clock, questionableAfterMs: opts.questionableAfterMs }),
  }
}

export function bootstrapList(opts: DhtNodeOptions): string[] {
  return opts.bootstrap === false ? [] : (opts.bootstrap ?? C.DEFAULT_BOOTSTRAP)
}

export function parseId(id: Uint8Array | string | undefined): Buffer {
  if (id === undefined) return randomBytes(C.ID_LENGTH)
  const b = typeof id === 'string' ? Buffer.from(id, 'hex') : Buffer.from(id)
  checkId(b, 'nodeId')
  return b
}

export function checkId(b: Buffer, what: string): void {
  if (!Buffer.isBuffer(b) || b.length !== C.ID_LENGTH)
    throw new InvalidArgumentError(`${what} must be 20 bytes`)
}
