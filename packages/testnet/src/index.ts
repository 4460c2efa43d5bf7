// Public API of @bbmesh/testnet.
export { createTestnet } from './testnet.js'
export type { Testnet, TestnetStats } from './testnet.js'
export type { TestnetOptions } from './options.js'
export type { TestnetTorrent, TestnetFile } from './content.js'
export type { TestnetSeed } from './seeds.js'
export type { TestnetNode, NodeKind } from './node-types.js'
export type { AnnounceReport } from './announce.js'
export type { ChurnCounters } from './churn.js'
export { TestnetError } from './errors.js'
export type { TestnetErrorCode } from './errors.js'
export * as constants from './constants.js'
export { CoverageTracker } from './coverage.js'
export type {
  HarvesterProbe,
  HarvesterCoverage,
  CoverageSnapshot,
  CoverageSummary,
  CoverageTrackerOptions,
} from './coverage.js'
export { startHarvester, TESTNET_HARVESTER_TUNING } from './harvester.js'
export type { TestnetHarvester, TestnetHarvesterOptions } from './harvester.js'
export { runTestnet } from './run.js'
export type { RunOptions, RunEvent, RunSummary, ReadyEvent, StatsEvent } from './run.js'
export {
  runSimulation,
  SIM_HARVESTER_TUNING,
  createSimFetcher,
  estimateSurvey,
  REAL_DHT_NODES,
  SimWireNetwork,
  SIM_WIRE_LIMITS,
} from './sim/index.js'
export { VirtualClock } from './sim/clock.js'
export type {
  SimOptions,
  SimTuning,
  SimSummary,
  SimEvent,
  SimReadyEvent,
  SimStatsEvent,
  SimWallTimes,
  TrafficCounts,
  SimFetcher,
  SimFetcherOptions,
  SimFetchCounts,
  SimBep9Counts,
  SimWireOptions,
  SimWireStats,
  SurveyEstimate,
  PlacementReport,
  PlacementMode,
  JoinMode,
} from './sim/index.js'
export { startCommunity, TESTNET_MESH_TUNING } from './community.js'
export type { CommunitySummary, CommunityMember, PoolSummary, TestnetCommunity } from './community.js'
