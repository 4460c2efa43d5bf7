// The KRPC socket's types: messages as k-rpc sees them, query targets and callbacks, options and
// counters. Shared by the socket (socket.ts, outbound-queries.ts) and everything that queries it.
import type { BDict, BInput, BValue } from '../bencode.js'
import type { Clock } from '../clock.js'
import type { Transport } from '../transport/types.js'

/** A decoded message as k-rpc sees it (Buffers for byte strings). */
export interface KrpcMessage {
  t: Buffer
  y: Buffer
  q?: Buffer
  a?: BDict
  r?: BDict
  e?: BValue
  [key: string]: BValue | undefined
}

/** The address object handed to k-rpc callbacks (it reads `host` or `address`). */
export interface RemoteInfo {
  address: string
  host: string
  port: number
}

export interface QueryTarget {
  host: string
  port: number
  id?: Buffer | null
}

export type QueryCallback = (err: Error | null, res: KrpcMessage | null, peer: RemoteInfo) => void

export interface KrpcOutgoingQuery {
  q: string
  a: { [key: string]: BInput | undefined | null }
  /**
   * Arguments that depend on the transaction id, added to `a` once the tid is chosen (at send time,
   * after any queueing): e.g. a MAC over the tid, so a reply-bound query cannot be replayed.
   */
  seal?: (t: Buffer, a: { [key: string]: BInput | undefined | null }) => { [key: string]: BInput }
}

export interface KrpcSocketOptions {
  transport: Transport
  timeoutMs?: number
  /** Incoming queries per second per IP (token bucket); `false` disables. */
  inbound?: { rate: number; burst: number; maxIps: number } | false
  /** Outgoing queries per second; `false` disables the cap. */
  outboundPerSecond?: number | false
  /** Most queries waiting for the outgoing cap; beyond it queries fail with QueueFullError. */
  maxPending?: number
  /** Timeouts and rate caps run on this clock (default: Node's timers). */
  clock?: Clock
  /** Overrides `clock.now` alone (tests of the rate limiter). */
  now?: () => number
}

export interface KrpcSocketStats {
  datagramsIn: number
  queriesIn: number
  responsesIn: number
  queriesOut: number
  timeouts: number
  dropped: {
    oversized: number
    malformed: number
    rateLimited: number
    unexpectedResponse: number
    queueFull: number
  }
}
