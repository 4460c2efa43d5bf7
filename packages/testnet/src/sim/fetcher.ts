// BEP 9 in the simulation: a MetadataFetcher (mesh's interface) that answers from the ground truth
// instead of a TCP wire. A fetch from a peer that is a seed of the infohash returns its info dict
// after a drawn latency, unless a drawn failure says the connection timed out; any other peer has
// no metadata. This simulates the wire's outcome and cost, not its bytes: real wires are exercised
// by the loopback testnet.
import { seededRandom } from '@bbmesh/dht'
import { FetchError, systemClock, type Clock, type Endpoint, type MetadataFetcher } from '@bbmesh/mesh'
import type { TestnetTorrent } from '../content.js'

export interface SimFetcherOptions {
  /** infohash hex → the torrent, and which peers ("host:port") serve it. */
  truth: ReadonlyMap<string, { torrent: TestnetTorrent; peers: ReadonlySet<string> }>
  /** Time a fetch takes, ms (connect + handshake + metadata pieces); a number or [min, max]. */
  latencyMs?: number | [number, number]
  /** Probability in [0, 1] that a fetch from a serving peer fails (timeout). */
  failureRate?: number
  seed?: number
  /** The simulation's clock (default: wall clock). */
  clock?: Clock
}

export interface SimFetcher extends MetadataFetcher {
  /** Fetch attempts so far (one per peer tried), and how they ended. */
  counters(): { attempts: number; ok: number; failed: number; noMetadata: number }
  /** Cancels every pending fetch. */
  close(): void
}

export function createSimFetcher(opts: SimFetcherOptions): SimFetcher {
  const random = seededRandom(opts.seed ?? 1)
  const [min, max] =
    typeof opts.latencyMs === 'number' ? [opts.latencyMs, opts.latencyMs] : (opts.latencyMs ?? [20, 200])
  const failureRate = opts.failureRate ?? 0
  const c = { attempts: 0, ok: 0, failed: 0, noMetadata: 0 }
  const pending = new Set<() => void>()
  const clock = opts.clock ?? systemClock
  let closed = false

  return {
    async fetch(infohash: Uint8Array, peer: Endpoint, signal: AbortSignal): Promise<Uint8Array> {
      c.attempts++
      // Draws happen at call time, in call order, so a run's outcomes depend on the seed only.
      const delay = min === max ? min : min + random.next() * (max - min)
      const fails = failureRate > 0 && random.next() < failureRate
      await wait(clock, delay, signal, pending, () => closed)
      const entry = opts.truth.get(Buffer.from(infohash).toString('hex'))
      if (fails) {
        c.failed++
        throw new FetchError('timeout', 'simulated peer timed out')
      }
      if (!entry || !entry.peers.has(`${peer.host}:${peer.port}`)) {
        c.noMetadata++
        throw new FetchError('no-metadata', 'simulated peer does not hold this torrent')
      }
      c.ok++
      return entry.torrent.info
    },
    counters: () => ({ ...c }),
    close() {
      closed = true
      for (const cancel of [...pending]) cancel()
    },
  }
}

function wait(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  pending: Set<() => void>,
  isClosed: () => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted || isClosed()) return reject(new FetchError('aborted'))
    const cancel = (): void => {
      timer.cancel()
      pending.delete(cancel)
      signal.removeEventListener('abort', cancel)
      reject(new FetchError('aborted'))
    }
    const timer = clock.setTimeout(() => {
      pending.delete(cancel)
      signal.removeEventListener('abort', cancel)
      resolve()
    }, ms)
    pending.add(cancel)
    signal.addEventListener('abort', cancel, { once: true })
  })
}
