// Options of createTestnet, checked once.
import * as C from './constants.js'
import { TestnetError } from './errors.js'

export interface TestnetOptions {
  /** DHT nodes in all (default 30). */
  nodes?: number
  /** Share of them that are stock bittorrent-dht nodes, 0..1 (default 1/3). */
  stockShare?: number
  /** Generated torrents (default 30). */
  torrents?: number
  /** Seeding peers; torrents are dealt round-robin (default 6, at most `torrents`). */
  seeds?: number
  /** Share of seeds that are stock bittorrent-protocol + ut_metadata peers, 0..1 (default 1/3). */
  stockSeedShare?: number
  /** Seed of every random choice: node ids, layout, content, churn (default 1). */
  seed?: number
  /** Share of v2-only and of hybrid torrents (default 1/4 each; the rest v1). */
  v2Share?: number
  hybridShare?: number
  /** Announce while creating (default true); false lets observers join first, then call announce(). */
  announce?: boolean
  /** One node leaves and a fresh one joins about every this many ms; 0 = no churn (default). */
  churnIntervalMs?: number
  /** Seeds announce everything again every this many ms; 0 = never (default). */
  reannounceMs?: number
  /** Nodes joining at once while building (default 10). */
  joinBatch?: number
  /** announce_peer operations in flight (default 32, at most 4 per node). */
  announceConcurrency?: number
  /** BEP 51 `interval` of the bbmesh nodes, seconds (default 5). */
  sampleIntervalS?: number
}

export interface ResolvedOptions {
  nodes: number
  stockNodes: number
  torrents: number
  seeds: number
  stockSeeds: number
  seed: number
  v2Share: number
  hybridShare: number
  announce: boolean
  churnIntervalMs: number
  reannounceMs: number
  joinBatch: number
  announceConcurrency: number
  sampleIntervalS: number
}

export function resolveOptions(o: TestnetOptions): ResolvedOptions {
  const nodes = count('nodes', o.nodes ?? C.DEFAULT_NODES, 1)
  const torrents = count('torrents', o.torrents ?? C.DEFAULT_TORRENTS, 0)
  const seeds = Math.min(count('seeds', o.seeds ?? C.DEFAULT_SEEDS, 1), Math.max(1, torrents))
  const v2Share = share('v2Share', o.v2Share ?? C.DEFAULT_V2_SHARE)
  const hybridShare = share('hybridShare', o.hybridShare ?? C.DEFAULT_HYBRID_SHARE)
  if (v2Share + hybridShare > 1) throw bad('v2Share + hybridShare must be at most 1')
  const seed = o.seed ?? C.DEFAULT_SEED
  if (!Number.isSafeInteger(seed) || seed < 0) throw bad('seed must be a non-negative integer')
  return {
    nodes,
    stockNodes: Math.round(nodes * share('stockShare', o.stockShare ?? C.DEFAULT_STOCK_SHARE)),
    torrents,
    seeds,
    stockSeeds: Math.round(seeds * share('stockSeedShare', o.stockSeedShare ?? C.DEFAULT_STOCK_SEED_SHARE)),
    seed,
    v2Share,
    hybridShare,
    announce: o.announce ?? true,
    churnIntervalMs: count('churnIntervalMs', o.churnIntervalMs ?? 0, 0),
    reannounceMs: count('reannounceMs', o.reannounceMs ?? 0, 0),
    joinBatch: count('joinBatch', o.joinBatch ?? C.DEFAULT_JOIN_BATCH, 1),
    announceConcurrency: count(
      'announceConcurrency',
      o.announceConcurrency ?? C.DEFAULT_ANNOUNCE_CONCURRENCY,
      1,
    ),
    sampleIntervalS: count('sampleIntervalS', o.sampleIntervalS ?? C.DEFAULT_SAMPLE_INTERVAL_S, 0),
  }
}

const bad = (msg: string): TestnetError => new TestnetError('ERR_TESTNET_OPTIONS', msg)

function count(name: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) throw bad(`${name} must be an integer >= ${min}`)
  return v
}

function share(name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw bad(`${name} must be between 0 and 1`)
  return v
}
