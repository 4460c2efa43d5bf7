// The candidate set of one iterative lookup: nodes sorted by XOR distance to the target, deduped
// by host:port and capped (the farthest fall off). k-rpc keeps a whole KBucket per lookup and
// sorts it on every wake-up; a lookup only ever needs the head of a short sorted list.

/**
 * fresh: known, not queried yet; failed: timed out, errored or answered without a usable reply,
 * and no longer counted among the closest.
 */
export type CandidateState = 'fresh' | 'inflight' | 'answered' | 'failed'

export interface Candidate {
  id: Buffer
  host: string
  port: number
  state: CandidateState
  /** Hops from the seeds: 0 for routing-table and bootstrap nodes, n+1 for nodes a depth-n node named. */
  depth: number
  /** First 32 bits of id XOR target: most comparisons end here. */
  readonly d0: number
}

export function addressKey(p: { host: string; port: number }): string {
  return `${p.host}:${p.port}`
}

export class CandidateList {
  /** Sorted, closest first. */
  readonly items: Candidate[] = []
  private readonly byAddress = new Map<string, Candidate>()
  private readonly t0: number

  constructor(
    readonly target: Buffer,
    readonly cap: number,
  ) {
    this.t0 = target.readUInt32BE(0)
  }

  get size(): number {
    return this.items.length
  }

  get(p: { host: string; port: number }): Candidate | undefined {
    return this.byAddress.get(addressKey(p))
  }

  /**
   * Inserts by binary search. Returns the new candidate, or null when its address is already
   * listed or the list is full and it is not closer than the farthest (which is then dropped).
   */
  add(
    node: { id: Buffer; host: string; port: number },
    state: CandidateState,
    depth: number,
    /** `addressKey(node)` when the caller has it already (one string per node named in a reply). */
    key = addressKey(node),
  ): Candidate | null {
    if (this.byAddress.has(key)) return null
    const c: Candidate = {
      id: node.id,
      host: node.host,
      port: node.port,
      state,
      depth,
      d0: (node.id.readUInt32BE(0) ^ this.t0) >>> 0,
    }
    const items = this.items
    let lo = 0
    let hi = items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.compare(items[mid]!, c) <= 0) lo = mid + 1
      else hi = mid
    }
    if (lo >= this.cap) return null
    items.splice(lo, 0, c)
    this.byAddress.set(key, c)
    if (items.length > this.cap) this.byAddress.delete(addressKey(items.pop()!))
    return c
  }

  /** Negative when `a` is closer to the target than `b`. */
  private compare(a: Candidate, b: Candidate): number {
    if (a.d0 !== b.d0) return a.d0 < b.d0 ? -1 : 1
    const t = this.target
    for (let i = 4; i < t.length; i++) {
      const x = (a.id[i]! ^ t[i]!) - (b.id[i]! ^ t[i]!)
      if (x !== 0) return x
    }
    return 0
  }
}
