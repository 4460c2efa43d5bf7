// What a simulated run implies for the real DHT: a linear model on per-message yields.
import type { SimHarvester } from './harvester.js'

export interface SurveyEstimate {
  model: string
  assumptions: string[]
  measured: {
    simNodes: number
    simInfohashes: number
    seconds: number
    messages: number
    sampleQueries: number
    nodesDiscovered: number
    infohashesDiscovered: number
    nodesPerMessage: number
    infohashesPerMessage: number
    messagesPerSecond: number
  }
  realNodes: number
  realInfohashes: number
  politeQueriesPerSecond: number
  /** Time for one harvester to meet every real node / sight every real infohash, at the polite rate. */
  nodeSurveyDays: number | null
  infohashSurveyDays: number | null
  /** Same, at the message rate the simulation sustained (an upper bound on speed, not polite). */
  nodeSurveyDaysAtSimRate: number | null
  infohashSurveyDaysAtSimRate: number | null
}

export interface EstimateOptions {
  simNodes: number
  simInfohashes: number
  seconds: number
  realNodes?: number
  politeQueriesPerSecond?: number
}

/** ≈ 20 M nodes in the mainline DHT (published crawls range 15–28 M). */
export const REAL_DHT_NODES = 20_000_000
/** HARVESTER_DEFAULTS sample 10 nodes/s; walks and lookups add about as much again. */
export const POLITE_QUERIES_PER_SECOND = 20

const DAY = 86_400

export function estimateSurvey(
  h: SimHarvester,
  sightedInfohashes: number,
  o: EstimateOptions,
): SurveyEstimate {
  const s = h.harvester.stats()
  const messages = h.nodes.reduce((n, d) => n + d.stats().queriesOut, 0)
  const realNodes = o.realNodes ?? REAL_DHT_NODES
  const polite = o.politeQueriesPerSecond ?? POLITE_QUERIES_PER_SECOND
  // Density is kept: infohashes stored per node in the simulation, scaled to the real node count.
  const realInfohashes = Math.round((o.simInfohashes / o.simNodes) * realNodes)
  const nodesPerMessage = messages > 0 ? s.nodes.added / messages : 0
  const infohashesPerMessage = messages > 0 ? sightedInfohashes / messages : 0
  const messagesPerSecond = o.seconds > 0 ? messages / o.seconds : 0
  const days = (items: number, perMessage: number, rate: number): number | null =>
    perMessage > 0 && rate > 0 ? round(items / perMessage / rate / DAY) : null
  return {
    model:
      'days = items_real / (items discovered per message, measured) / (messages per second) / 86400, ' +
      'for items = nodes and items = infohashes (real infohashes = sim infohashes per node × real nodes)',
    assumptions: [
      'per-message yield stays what it was over the simulated run (an average over that run: a run stopped at high coverage includes the slow tail, a short one only the fast start)',
      'every real node answers like a simulated one: all speak BEP 51 and none are lost beyond the simulated loss (in reality a minority speaks BEP 51, which lowers infohash yield per message)',
      'infohash density per node as in the simulation; real nodes hold their share plus churn, which the model ignores',
      'one harvester with one node id at a polite, constant query rate; K independent harvesters do not divide the time (they duplicate)',
      'the real DHT is static during the survey (it is not: nodes churn in hours, so a multi-day survey is a rolling one)',
    ],
    measured: {
      simNodes: o.simNodes,
      simInfohashes: o.simInfohashes,
      seconds: round(o.seconds),
      messages,
      sampleQueries: s.sampler.sampleQueries,
      nodesDiscovered: s.nodes.added,
      infohashesDiscovered: sightedInfohashes,
      nodesPerMessage: round(nodesPerMessage),
      infohashesPerMessage: round(infohashesPerMessage),
      messagesPerSecond: round(messagesPerSecond),
    },
    realNodes,
    realInfohashes,
    politeQueriesPerSecond: polite,
    nodeSurveyDays: days(realNodes, nodesPerMessage, polite),
    infohashSurveyDays: days(realInfohashes, infohashesPerMessage, polite),
    nodeSurveyDaysAtSimRate: days(realNodes, nodesPerMessage, messagesPerSecond),
    infohashSurveyDaysAtSimRate: days(realInfohashes, infohashesPerMessage, messagesPerSecond),
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000
