// BEP 9 in the simulator over in-memory wires: mesh's wire fetcher against the seeds' real
// MetadataServers through SimWireNetwork, on virtual time. What a fetch costs (its round trips at
// the drawn latency), dead and absent peers, unknown infohashes, and that closing releases everything.
import { seededRandom } from '@bbmesh/dht'
import { FetchError } from '@bbmesh/mesh'
import { afterEach, describe, expect, it } from 'vitest'
import { createSimFetcher, type SimFetcher } from '../src/sim/fetcher.js'
import { SimWireNetwork, type SimWireOptions } from '../src/sim/wires.js'
import { VirtualClock } from '../src/sim/clock.js'
import { generateSimTorrents } from '../src/sim/content.js'
import { startSimSeeds, type SimSeeds } from '../src/sim/seeds.js'
import { liveResources, waitFor } from './helpers.js'

const PORT = 51413
const SEED_HOST = (i: number): string => `10.0.0.${i + 1}`
const torrents = generateSimTorrents(6, 2, seededRandom(1), 'wires')

interface World {
  clock: VirtualClock
  wires: SimWireNetwork
  seeds: SimSeeds
  fetcher: SimFetcher
}

const worlds: World[] = []
afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.fetcher.close()
    await w.seeds.close()
    w.wires.close()
  }
})

function world(opts: Partial<SimWireOptions> = {}): World {
  const clock = new VirtualClock()
  const wires = new SimWireNetwork({
    clock,
    random: seededRandom(2),
    latencyMs: 100,
    failureRate: 0,
    ...opts,
  })
  const seeds = startSimSeeds(wires, torrents, SEED_HOST, PORT)
  const fetcher = createSimFetcher({ wires, address: '10.9.9.9', seed: 3 })
  const w = { clock, wires, seeds, fetcher }
  worlds.push(w)
  return w
}

/** Fetches on virtual time with a deadline of `ms` (the harvester's per-peer timeout). */
async function fetchFrom(w: World, ih: string, host: string, ms = 3_000): Promise<Uint8Array> {
  const ac = new AbortController()
  const timer = w.clock.setTimeout(() => ac.abort(new FetchError('timeout', 'peer timeout')), ms)
  try {
    return await w.clock.drive(w.fetcher.fetch(Buffer.from(ih, 'hex'), { host, port: PORT }, ac.signal))
  } finally {
    timer.cancel()
  }
}

describe('BEP 9 over SimWireNetwork', () => {
  it('fetches the real info dict in 3 round trips of virtual time', async () => {
    const before = liveResources()
    const w = world()
    for (const t of torrents) {
      const start = w.clock.now()
      const info = await fetchFrom(w, t.infohash, SEED_HOST(t.seed))
      expect(Buffer.from(info).equals(t.info)).toBe(true)
      // Connect (1 RTT), BEP 3/10 handshakes (1 RTT), ut_metadata request and data (1 RTT), at 100 ms one way.
      expect(w.clock.now() - start).toBe(600)
    }
    expect(w.fetcher.counters()).toEqual({ attempts: 6, ok: 6, failed: 0, noMetadata: 0 })
    const s = w.wires.stats
    expect(s.dials).toBe(6)
    expect(s.connections).toBe(6)
    expect(s.bytes).toBeGreaterThan(torrents.reduce((n, t) => n + t.info.length, 0))
    // Each connection is closed by the fetcher; the seed's end closes when the FIN arrives.
    await w.clock.drive(new Promise<void>((r) => w.clock.setTimeout(r, 1_000)))
    expect(s.open).toBe(0)
    expect(w.seeds.servers.reduce((n, srv) => n + srv.host.connectionCount, 0)).toBe(0)
    expect(w.seeds.servers.reduce((n, srv) => n + srv.counters.closedFor('remote-closed'), 0)).toBe(6)
    await w.fetcher.close()
    await w.seeds.close()
    const same = (): boolean => [...liveResources()].every(([k, n]) => n <= (before.get(k) ?? 0))
    await waitFor(same, 3_000, 'wire timers released')
  })

  it('a dead peer hangs the dial until the deadline; an address with no seed refuses after one round trip', async () => {
    const dead = world({ failureRate: 1 })
    const t = torrents[0]!
    const start = dead.clock.now()
    await expect(fetchFrom(dead, t.infohash, SEED_HOST(t.seed), 2_500)).rejects.toMatchObject({
      reason: 'timeout',
    })
    expect(dead.clock.now() - start).toBe(2_500)
    expect(dead.wires.stats).toMatchObject({ dials: 1, dead: 1, connections: 0 })
    expect(dead.fetcher.counters()).toMatchObject({ attempts: 1, failed: 1 })

    const w = world()
    const t0 = w.clock.now()
    await expect(fetchFrom(w, t.infohash, '10.7.7.7')).rejects.toMatchObject({ reason: 'connect-failed' })
    expect(w.clock.now() - t0).toBe(200)
    expect(w.wires.stats).toMatchObject({ dials: 1, refused: 1, connections: 0 })
  })

  it('a seed that does not hold the infohash closes the connection: no-metadata', async () => {
    const w = world()
    const other = torrents.find((t) => t.seed === 1)!
    await expect(fetchFrom(w, other.infohash, SEED_HOST(0))).rejects.toMatchObject({ reason: 'no-metadata' })
    expect(w.fetcher.counters()).toMatchObject({ attempts: 1, noMetadata: 1 })
    expect(w.seeds.servers[0]!.counters.closedFor('unknown-infohash')).toBe(1)
  })

  it('latency is drawn per connection from the seed: the same seed, the same fetch times', async () => {
    const times = async (seed: number): Promise<number[]> => {
      const w = world({ random: seededRandom(seed), latencyMs: [25, 250] })
      const out: number[] = []
      for (const t of torrents) {
        const start = w.clock.now()
        await fetchFrom(w, t.infohash, SEED_HOST(t.seed))
        out.push(w.clock.now() - start)
      }
      return out
    }
    const a = await times(5)
    expect(await times(5)).toEqual(a)
    expect(await times(6)).not.toEqual(a)
    for (const ms of a) expect(ms).toBeGreaterThanOrEqual(150)
    for (const ms of a) expect(ms).toBeLessThanOrEqual(1_500)
    expect(new Set(a).size).toBeGreaterThan(1)
  })
})
