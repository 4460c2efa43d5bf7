// The events and summary of a simulation run (their own module so options.ts and run.ts do not
// import each other).
import type { PoolSummary } from '../community.js'
import type { MemberLinkStats } from './member-links.js'
import type { CoverageSnapshot, CoverageSummary } from '../coverage.js'
import type { SurveyEstimate } from './estimate.js'
import type { JoinMode, SimNetwork } from './network.js'
import type { PlacementReport } from './placement.js'
import type { TrafficCounts } from './traffic.js'
import type { SimWireStats } from './wires.js'

/** BEP 9 fetches of all harvesters (one attempt per peer tried), and how they ended. */
export interface SimBep9Counts {
  attempts: number
  ok: number
  /** Timed out, refused, dead peer, aborted. */
  failed: number
  /** The peer did not serve the infohash. */
  noMetadata: number
}

export interface SimReadyEvent {
  event: 'ready'
  nodes: number
  torrents: number
  buildMs: number
  join: JoinMode
  placement: PlacementReport
}

export type SimStatsEvent = CoverageSnapshot & {
  network: SimNetwork['network']['stats']
  /** Wall-clock ms since the harvest started (`t` is virtual). */
  wallMs: number
}

/** Wall-clock figures of the harvest, next to the virtual ones of the summary. */
export interface SimWallTimes {
  durationMs: number
  /** Wall ms at the first sample that reached 50/90/95% (union); null if never. */
  timeToCoverage: Record<'50' | '90' | '95', number | null>
  timeToMetadataCoverage: Record<'50' | '90' | '95', number | null>
  /** Why the harvest ended. */
  stoppedBy: 'coverage' | 'duration' | 'wall-limit' | 'abort'
}

export interface SimSummary extends CoverageSummary {
  seed: number
  nodes: number
  torrents: number
  harvesterCount: number
  join: JoinMode
  buildMs: number
  placement: PlacementReport
  network: SimNetwork['network']['stats']
  /** Every time in this summary is virtual ms, except `wall` and `buildMs`/`placement.ms` (see run.ts). */
  clock: 'virtual'
  wall: SimWallTimes
  /** Timers the virtual clock fired (datagram deliveries, timeouts, harvester timers). */
  events: number
  /** Datagrams sent by the simulated nodes and by the harvesters, by kind (build, placement and harvest). */
  traffic: { nodes: TrafficCounts; harvesters: TrafficCounts }
  /** BEP 9 over the in-memory wires: fetch outcomes, and dials, connections and bytes carried. */
  bep9: SimBep9Counts & { wire: SimWireStats }
  estimate: SurveyEstimate | null
  /** With `community`: what pooling moved, and the member links' traffic. */
  community?: { members: number; pool: PoolSummary; links: MemberLinkStats }
}

export type SimEvent = SimReadyEvent | SimStatsEvent | SimSummary
