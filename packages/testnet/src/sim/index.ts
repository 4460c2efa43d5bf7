// The simulator's public surface (re-exported by the package index).
export { runSimulation } from './run.js'
export type {
  SimBep9Counts,
  SimSummary,
  SimEvent,
  SimReadyEvent,
  SimStatsEvent,
  SimWallTimes,
} from './events.js'
export { SIM_HARVESTER_TUNING } from './options.js'
export type { SimOptions, SimTuning } from './options.js'
export { createSimFetcher } from './fetcher.js'
export type { SimFetchCounts, SimFetcher, SimFetcherOptions } from './fetcher.js'
export { SimWireNetwork, SIM_WIRE_LIMITS } from './wires.js'
export type { SimWireOptions, SimWireStats } from './wires.js'
export { estimateSurvey, REAL_DHT_NODES } from './estimate.js'
export type { SurveyEstimate } from './estimate.js'
export type { PlacementReport, PlacementMode } from './placement.js'
export type { JoinMode } from './network.js'
export type { TrafficCounts } from './traffic.js'
