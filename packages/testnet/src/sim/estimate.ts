// What a simulated run implies for the real DHT: a linear model on per-message yields, measured
// over the survey itself: harvester 0's discovery messages (find_node walks and BEP 51 samples)
// until it had sighted 95% (or the whole run if it never did). Counting the metadata lookups
// that follow, or the time after the small simulated network is exhausted, would measure
// saturation, not the yield of surveying a network far larger than the harvester's reach.

/** Harvester 0 at the end of its survey (see above). */
export interface SurveyMeasure {
  /** find_node + sample_infohashes queries sent. */
  messages: number
  sampleQueries: number
  nodesDiscovered: number
  sighted: number
  /** Simulated seconds since the harvest started. */
  seconds: number
  /** Sighted share when measured. */
  coverage: number
}

export interface SurveyEstimate {
  model: string
  assumptions: string[]
  measured: {
    simNodes: number
    simInfohashes: number
    seconds: number
    coverage: number
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
  realNodes?: number
  politeQueriesPerSecond?: number
}

/** ≈ 20 M nodes in the mainline DHT (published crawls range 15–28 M). */
export const REAL_DHT_NODES = 20_000_000
/** HARVESTER_DEFAULTS sample 10 nodes/s; walks and lookups add about as much again. */
export const POLITE_QUERIES_PER_SECOND = 20

const DAY = 86_400

export function estimateSurvey(m: SurveyMeasure, o: EstimateOptions): SurveyEstimate {
  const messages = m.messages
  const sightedInfohashes = m.sighted
  const realNodes = o.realNodes ?? REAL_DHT_NODES
  const polite = o.politeQueriesPerSecond ?? POLITE_QUERIES_PER_SECOND
  // Density is kept: infohashes stored per node in the simulation, scaled to the real node count.
  const realInfohashes = Math.round((o.simInfohashes / o.simNodes) * realNodes)
  const nodesPerMessage = messages > 0 ? m.nodesDiscovered / messages : 0
  const infohashesPerMessage = messages > 0 ? sightedInfohashes / messages : 0
  const messagesPerSecond = m.seconds > 0 ? messages / m.seconds : 0
  const days = (items: number, perMessage: number, rate: number): number | null =>
    perMessage > 0 && rate > 0 ? round(items / perMessage / rate / DAY) : null
  return {
    model:
      'days = items_real / (items discovered per message, measured) / (messages per second) / 86400, ' +
      'for items = nodes and items = infohashes (real infohashes = sim infohashes per node × real nodes)',
    assumptions: [
      'per-message yield stays what it was over the simulated survey (discovery messages until 95% sighted: it includes the slower tail up to 95%, not the saturation after it)',
      'only discovery messages count (find_node walks, sample_infohashes); fetching metadata costs get_peers queries on top: one to the node whose sample listed the infohash, and a whole lookup (~27 queries on 10,000 nodes) only when that node gives no working peer',
      'every real node answers like a simulated one: all speak BEP 51 and none are lost beyond the simulated loss (in reality a minority speaks BEP 51, which lowers infohash yield per message)',
      'infohash density per node as in the simulation; real nodes hold their share plus churn, which the model ignores',
      'one harvester with one node id at a polite, constant query rate; K independent harvesters do not divide the time (they duplicate)',
      'the real DHT is static during the survey (it is not: nodes churn in hours, so a multi-day survey is a rolling one)',
    ],
    measured: {
      simNodes: o.simNodes,
      simInfohashes: o.simInfohashes,
      seconds: round(m.seconds),
      coverage: m.coverage,
      messages,
      sampleQueries: m.sampleQueries,
      nodesDiscovered: m.nodesDiscovered,
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
