// Seeded churn: every interval one unprotected node leaves and a fresh node of the same kind joins,
// so the network size stays constant while routing tables and stored announces go stale.
import type { RandomSource } from '@bbmesh/dht'
import type { TestnetNode } from './node-types.js'

export interface ChurnOptions {
  intervalMs: number
  random: RandomSource
  /** The live node list; churn replaces entries in place. */
  nodes: TestnetNode[]
  /** Nodes never churned (bootstrap nodes, the nodes seeds announce through). */
  isProtected: (node: TestnetNode) => boolean
  /** Creates and joins a node of the same kind as the one that left. */
  replace: (gone: TestnetNode) => Promise<TestnetNode>
}

export interface ChurnCounters {
  left: number
  joined: number
  failedJoins: number
}

export class Churn {
  readonly counters: ChurnCounters = { left: 0, joined: 0, failedJoins: 0 }
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = false

  constructor(private readonly opts: ChurnOptions) {}

  start(): void {
    if (this.stopped || this.timer) return
    this.schedule()
  }

  /** Clears the timer and waits for a step in progress. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  private schedule(): void {
    // Jitter (0.5x..1.5x) from the seeded source, so the schedule is reproducible.
    const delay = this.opts.intervalMs * (0.5 + this.opts.random.next())
    this.timer = setTimeout(() => {
      this.running = this.step().finally(() => {
        this.running = undefined
        if (!this.stopped) this.schedule()
      })
    }, delay)
  }

  private async step(): Promise<void> {
    const { nodes } = this.opts
    const candidates = nodes.map((n, i) => [n, i] as const).filter(([n]) => !this.opts.isProtected(n))
    if (candidates.length === 0) return
    const [gone, at] = candidates[Math.floor(this.opts.random.next() * candidates.length)]!
    await gone.destroy()
    this.counters.left++
    if (this.stopped) return
    try {
      const fresh = await this.opts.replace(gone)
      if (this.stopped) {
        await fresh.destroy()
        return
      }
      nodes[at] = fresh
      this.counters.joined++
    } catch {
      this.counters.failedJoins++
    }
  }
}
