// Shared test helpers: resource accounting and a bounded wait.
import { DhtNode } from '@bbmesh/dht'

/** Handles and timers that keep a process alive, by kind (stdio pipes excluded). */
export function liveResources(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const r of process.getActiveResourcesInfo()) {
    if (r === 'PipeWrap' || r === 'TTYWrap' || r === 'FSReqCallback') continue
    counts.set(r, (counts.get(r) ?? 0) + 1)
  }
  return counts
}

/** Polls until `cond` holds; libuv closes handles one loop turn after their close callbacks. */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** An independent observer: one of our nodes joined through the testnet's bootstrap list. */
export async function observer(bootstrap: readonly string[]): Promise<DhtNode> {
  const n = new DhtNode({ bootstrap: [...bootstrap], rateLimit: false, outboundQueriesPerSecond: false })
  await n.listen(0, '127.0.0.1')
  await n.bootstrap()
  return n
}
