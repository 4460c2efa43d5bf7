// BEP 9 in the simulation: mesh's real wire fetcher (createWireFetcher: connect, BEP 3 and BEP 10
// handshakes, ut_metadata pieces, hash check) over the in-memory wire network (wires.ts) instead of
// TCP, against the seeds' real MetadataServers (seeds.ts). What a fetch costs in virtual time is the
// round trips it actually makes at the connection's drawn latency; a dead peer costs the harvester's
// per-peer deadline. This wrapper only counts how the fetches ended.
import { seededRandom } from '@bbmesh/dht'
import { FetchError, createWireFetcher, type Endpoint, type MetadataFetcher } from '@bbmesh/mesh'
import { PEER_ID_PREFIX } from '@bbmesh/wire'
import { SIM_WIRE_LIMITS, type SimWireNetwork } from './wires.js'

export interface SimFetcherOptions {
  wires: SimWireNetwork
  /** The harvester's host on the wire network (where its connections come from). */
  address: string
  /** Seeds the peer id, so the bytes on the wire are the same in every replay. */
  seed: number
}

export interface SimFetchCounts {
  /** Fetch attempts (one per peer tried), and how they ended. */
  attempts: number
  ok: number
  /** Timeouts, refused or dead dials, aborts. */
  failed: number
  /** The peer did not serve this infohash (closed the connection, or no ut_metadata / size). */
  noMetadata: number
}

export interface SimFetcher extends MetadataFetcher {
  counters(): SimFetchCounts
  /** Closes every connection. Idempotent. */
  close(): Promise<void>
}

/** Enough for the harvester's fetch workers; the sim's seeds are the only peers. */
const FETCHER_MAX_CONNECTIONS = 1_024

export function createSimFetcher(opts: SimFetcherOptions): SimFetcher {
  const prefix = Buffer.from(PEER_ID_PREFIX, 'latin1')
  const peerId = Buffer.concat([prefix, seededRandom(opts.seed).bytes(20 - prefix.length)])
  const wire = createWireFetcher({
    host: {
      peerId,
      limits: SIM_WIRE_LIMITS,
      maxConnections: FETCHER_MAX_CONNECTIONS,
      dial: opts.wires.dialer(opts.address),
    },
  })
  const c: SimFetchCounts = { attempts: 0, ok: 0, failed: 0, noMetadata: 0 }
  return {
    async fetch(infohash: Uint8Array, peer: Endpoint, signal: AbortSignal): Promise<Uint8Array> {
      c.attempts++
      try {
        const info = await wire.fetch(infohash, peer, signal)
        c.ok++
        return info
      } catch (err) {
        if (err instanceof FetchError && err.reason === 'no-metadata') c.noMetadata++
        else c.failed++
        throw err
      }
    },
    counters: () => ({ ...c }),
    close: () => wire.close(),
  }
}
