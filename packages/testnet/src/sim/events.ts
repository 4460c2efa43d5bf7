// The events and summary of a simulation run (their own module so options.ts and run.ts do not
// import each other).
import type { CoverageSnapshot, CoverageSummary } from '../coverage.js'
import type { SurveyEstimate } from './estimate.js'
import type { JoinMode, SimNetwork } from './network.js'
import type { PlacementReport } from './placement.js'

export interface SimReadyEvent {
  event: 'ready'
  nodes: number
  torrents: number
  buildMs: number
  join: JoinMode
  placement: PlacementReport
}

export type SimStatsEvent = CoverageSnapshot & { network: SimNetwork['network']['stats'] }

export interface SimSummary extends CoverageSummary {
  seed: number
  nodes: number
  torrents: number
  harvesterCount: number
  join: JoinMode
  buildMs: number
  placement: PlacementReport
  network: SimNetwork['network']['stats']
  /** Wall-clock ms: every time in this summary is wall time (see run.ts). */
  clock: 'wall'
  estimate: SurveyEstimate | null
}

export type SimEvent = SimReadyEvent | SimStatsEvent | SimSummary
