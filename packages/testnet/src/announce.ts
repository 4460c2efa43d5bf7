// Seeds announce their torrents (BEP 5 announce_peer with their TCP port) through their DHT node,
// a bounded number at a time.
import type { TestnetTorrent } from './content.js'
import type { TestnetSeed } from './seeds.js'

export interface AnnounceReport {
  attempted: number
  /** Announces that reached at least one node. */
  reached: number
  failed: number
  ms: number
}

export async function announceAll(
  seeds: readonly TestnetSeed[],
  concurrency: number,
  onDone: (t: TestnetTorrent, nodesReached: number) => void,
): Promise<AnnounceReport> {
  const started = Date.now()
  const jobs = seeds.flatMap((s) => s.torrents.map((t) => ({ s, t })))
  const report: AnnounceReport = { attempted: jobs.length, reached: 0, failed: 0, ms: 0 }
  let next = 0
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job; job = jobs[next++]) {
      let n = 0
      try {
        n = await job.s.node.announce(Buffer.from(job.t.infohash, 'hex'), job.s.port)
      } catch {
        n = 0
      }
      if (n > 0) report.reached++
      else report.failed++
      onDone(job.t, n)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker))
  report.ms = Date.now() - started
  return report
}
