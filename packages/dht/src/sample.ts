// BEP 51 sample_infohashes: the server's per-interval sample and the client's reply codec.
import { isBytes, isInt } from './bencode.js'
import type { BDict, BInput } from './bencode.js'
import { decodeNodes, encodeNodes } from './compact.js'
import type { NodeInfo } from './compact.js'
import { ID_LENGTH, MAX_SAMPLES, SAMPLE_MAX_INTERVAL_S } from './constants.js'
import { InvalidReplyError } from './errors.js'

export interface SampleSnapshot {
  interval: number
  num: number
  /** Concatenated 20-byte infohashes. */
  samples: Buffer
}

export interface SampleCacheOptions {
  intervalS: number
  maxSamples?: number
  now?: () => number
  random?: () => number
}

/**
 * BEP 51 suggests precomputing the sample once per interval, so repeated queries within the
 * interval see the same sample and a crawler gains nothing by asking sooner.
 */
export class SampleCache {
  private snapshot: SampleSnapshot | null = null
  private computedAt = 0
  private readonly intervalS: number
  private readonly max: number
  private readonly now: () => number
  private readonly random: () => number

  constructor(
    private readonly source: () => Buffer[],
    opts: SampleCacheOptions,
  ) {
    this.intervalS = Math.min(SAMPLE_MAX_INTERVAL_S, Math.max(0, Math.floor(opts.intervalS)))
    this.max = Math.min(MAX_SAMPLES, opts.maxSamples ?? MAX_SAMPLES)
    this.now = opts.now ?? Date.now
    this.random = opts.random ?? Math.random
  }

  current(): SampleSnapshot {
    const t = this.now()
    if (this.snapshot && t - this.computedAt < this.intervalS * 1000) return this.snapshot
    const all = this.source()
    // Partial Fisher-Yates: a uniform random subset of at most `max` infohashes.
    const n = Math.min(this.max, all.length)
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.random() * (all.length - i))
      ;[all[i], all[j]] = [all[j]!, all[i]!]
    }
    this.snapshot = { interval: this.intervalS, num: all.length, samples: Buffer.concat(all.slice(0, n)) }
    this.computedAt = t
    return this.snapshot
  }

  /** Forces the next query to recompute (e.g. in tests after storing peers). */
  invalidate(): void {
    this.snapshot = null
  }
}

/** A decoded BEP 51 reply. */
export interface SampleResult {
  id: Buffer
  interval: number
  num: number
  samples: Buffer[]
  nodes: NodeInfo[]
}

export function encodeSampleReply(res: SampleResult): { [key: string]: BInput } {
  return {
    id: res.id,
    interval: res.interval,
    num: res.num,
    samples: Buffer.concat(res.samples),
    nodes: encodeNodes(res.nodes),
  }
}

/** Validates a sample_infohashes `r` dict; throws InvalidReplyError on any wrong field. */
export function decodeSampleReply(r: BDict): SampleResult {
  const { id, interval, num, samples, nodes } = r
  if (!isBytes(id, ID_LENGTH)) throw new InvalidReplyError('sample reply: bad id')
  if (!isInt(interval) || interval < 0 || interval > SAMPLE_MAX_INTERVAL_S)
    throw new InvalidReplyError('sample reply: bad interval')
  if (!isInt(num) || num < 0) throw new InvalidReplyError('sample reply: bad num')
  if (!isBytes(samples) || samples.length % ID_LENGTH !== 0)
    throw new InvalidReplyError('sample reply: bad samples')
  const list: Buffer[] = []
  for (let o = 0; o < samples.length; o += ID_LENGTH)
    list.push(Buffer.from(samples.subarray(o, o + ID_LENGTH)))
  if (nodes !== undefined && (!isBytes(nodes) || nodes.length % 26 !== 0))
    throw new InvalidReplyError('sample reply: bad nodes')
  return { id: Buffer.from(id), interval, num, samples: list, nodes: decodeNodes(nodes) }
}
