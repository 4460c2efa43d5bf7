// `bbmesh testnet --sim`: the same DHT node and harvester code on an in-memory network of up to
// 50,000 nodes (latency, loss, seeded), with simulated BEP 9, on virtual time: --duration and the
// times to coverage are simulated seconds; the wall-clock seconds it took are reported next to them.
import { runSimulation, type SimEvent, type SimSummary } from '@bbmesh/testnet'
import type { CommandContext } from '../context.js'
import { UsageError } from '../errors.js'

export interface SimCommandOptions {
  nodes: number
  torrents: number
  harvesters: number
  durationS: number
  seed: number
  latency: string
  loss: string
  wallLimitS: number
  /** The harvesters as one pooling community (in-memory member links on the virtual clock). */
  community: boolean
}

/** Parses "20" or "5-50" (one-way milliseconds). */
function parseLatency(text: string): number | [number, number] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(text)
  if (!m) throw new UsageError(`--latency: not a latency in ms or a range like 5-50: '${text}'`)
  const lo = Number(m[1])
  const hi = m[2] !== undefined ? Number(m[2]) : undefined
  if (hi !== undefined && hi < lo) throw new UsageError(`--latency: the range is reversed: '${text}'`)
  return hi === undefined ? lo : [lo, hi]
}

export async function runSimCommand(ctx: CommandContext, o: SimCommandOptions): Promise<void> {
  const latencyMs = parseLatency(o.latency)
  const loss = Number(o.loss)
  if (!/^\d*\.?\d+$/.test(o.loss.trim()) || !(loss >= 0 && loss < 1))
    throw new UsageError(`--loss: must be a number from 0 to below 1: '${o.loss}'`)
  if (o.nodes < 10) throw new UsageError('--nodes: a simulation needs at least 10 nodes')
  const abort = new AbortController()
  const stop = (): void => abort.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const onEvent = (e: SimEvent): void => {
    if (ctx.out.json) return ctx.out.record(e)
    if (e.event === 'ready') {
      ctx.out.info(
        `simulated DHT up in ${(e.buildMs / 1000).toFixed(1)} s: ${e.nodes} nodes, ${e.torrents} infohashes`,
      )
    } else if (e.event === 'stats') {
      ctx.out.info(
        `${(e.t / 1000).toFixed(0)} s simulated (${(e.wallMs / 1000).toFixed(0)} s real): ` +
          `sighted ${pct(e.coverage)}, metadata ${pct(e.metadataCoverage)}`,
      )
    }
  }
  let s: SimSummary
  try {
    s = await runSimulation({
      nodes: o.nodes,
      torrents: o.torrents,
      harvesters: o.harvesters,
      community: o.community,
      seed: o.seed,
      durationMs: o.durationS * 1000,
      wallLimitMs: o.wallLimitS * 1000,
      latencyMs,
      loss,
      statsIntervalMs: 5_000,
      signal: abort.signal,
      onEvent,
    })
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
  if (ctx.out.json) return
  ctx.out.text(`infohashes           ${s.torrents} on ${s.nodes} simulated nodes`)
  ctx.out.text(
    `harvest              ${sec(s.durationMs)} simulated, ${sec(s.wall.durationMs)} real (ended by ${s.wall.stoppedBy})`,
  )
  ctx.out.text(`sighted (union)      ${pct(s.coverage)}${reached(s.timeToCoverage, s.wall.timeToCoverage)}`)
  ctx.out.text(
    `metadata (union)     ${pct(s.metadataCoverage)}${reached(s.timeToMetadataCoverage, s.wall.timeToMetadataCoverage)}`,
  )
  ctx.out.text(`messages/infohash    ${s.messagesPerInfohash ?? '-'}`)
  ctx.out.text(`fetches/infohash     ${s.fetchesPerInfohash ?? '-'}`)
  const est = populationLine(s)
  if (est) ctx.out.text(est)
  const c = s.community
  if (c) {
    ctx.out.text(
      `slowest member       ${pct(Math.min(...s.harvesters.map((h) => h.metadataCoverage)))} metadata` +
        `${reached(s.slowestTimeToMetadataCoverage, NO_WALL)}`,
    )
    ctx.out.text(
      `pooling              ${c.members} members, ${c.pool.forwarded} sightings and ${c.pool.nodesForwarded} nodes ` +
        `handed to their owner, ${c.pool.relayedIn} torrents relayed (${c.pool.relayBytesPerMember} B out per member)`,
    )
  }
  const b = s.bep9
  ctx.out.text(
    `BEP 9 over wires     ${b.ok}/${b.attempts} ok (${b.failed} failed, ${b.noMetadata} without metadata), ` +
      `${b.wire.connections} connections, ${(b.wire.bytes / 1e6).toFixed(1)} MB carried`,
  )
  if (s.estimate !== null) {
    ctx.out.text(`real DHT estimate    ${days(s.estimate.nodeSurveyDays)} to meet its nodes,`)
    ctx.out.text(
      `                     ${days(s.estimate.infohashSurveyDays)} to sight its infohashes (one polite harvester)`,
    )
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
type Levels = Record<'50' | '90' | '95', number | null>
/** Levels with no wall-clock time recorded (the slowest member's are simulated only). */
const NO_WALL: Levels = { '50': null, '90': null, '95': null }
/** ", 95% after 23.1 s simulated (55.2 s real)" for the highest level reached. */
function reached(virtual: Levels, wall: Levels): string {
  const level = (['95', '90', '50'] as const).find((l) => virtual[l] !== null)
  if (level === undefined) return ''
  const w = wall[level]
  return `, ${level}% after ${sec(virtual[level]!)} simulated${w === null ? '' : ` (${sec(w)} real)`}`
}
const days = (d: number | null): string => (d === null ? 'unknown' : `${d.toFixed(1)} days`)

/** The harvesters' capture–recapture guess at the population, beside the truth; K >= 2 only. */
export function populationLine(
  s: Pick<SimSummary, 'population' | 'announced' | 'harvesters'>,
): string | undefined {
  const p = s.population
  if (!p) return undefined
  return (
    `population (est.)    ${p.estimatedPopulation} by ${p.method} over ${s.harvesters.length} harvesters' ` +
    `sightings (truth ${s.announced}; estimated coverage ${(p.estimatedCoverage * 100).toFixed(1)}%)`
  )
}
