// Seeds announce their torrents (BEP 5 announce_peer with their TCP port) through their DHT node:
// a bounded number in flight overall and per node. Announce time is mostly waiting on lost or
// dropped replies, so the overall cap is generous; the per-node cap keeps one node's lookups few.
import type { TestnetTorrent } from './content.js'
import type { TestnetSeed } from './seeds.js'

export interface AnnounceReport {
  attempted: number
  /** Announces that reached at least one node. */
  reached: number
  failed: number
  ms: number
}

/** Lookups one node runs at once while announcing. */
const PER_NODE = 4

export async function announceAll(
  seeds: readonly TestnetSeed[],
  concurrency: number,
  onDone: (t: TestnetTorrent, nodesReached: number) => void,
): Promise<AnnounceReport> {
  const started = Date.now()
  const report: AnnounceReport = { attempted: 0, reached: 0, failed: 0, ms: 0 }
  let slots = concurrency
  const waiting: (() => void)[] = []
  const acquire = async (): Promise<void> => {
    if (slots > 0) slots--
    else await new Promise<void>((r) => waiting.push(r))
  }
  const release = (): void => {
    const next = waiting.shift()
    if (next) next()
    else slots++
  }
  const perSeed = async (s: TestnetSeed): Promise<void> => {
    let i = 0
    const worker = async (): Promise<void> => {
      for (let t = s.torrents[i++]; t; t = s.torrents[i++]) {
        await acquire()
        report.attempted++
        let n = 0
        // A lookup that lost its replies reaches nobody; one more try, as a client re-announces.
        for (let attempt = 0; attempt < 2 && n === 0; attempt++) {
          try {
            n = await s.node.announce(Buffer.from(t.infohash, 'hex'), s.port)
          } catch {
            n = 0
          }
        }
        release()
        if (n > 0) report.reached++
        else report.failed++
        onDone(t, n)
      }
    }
    await Promise.all(Array.from({ length: Math.min(PER_NODE, s.torrents.length) }, worker))
  }
  await Promise.all(seeds.map(perSeed))
  report.ms = Date.now() - started
  return report
}
