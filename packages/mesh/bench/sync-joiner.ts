// The member that catches up, in its own process so its peak RSS is its own: an empty (or, after a
// kill, partial) index, a DHT node on 127.0.0.1 bootstrapped from the bench's stock node, a mesh and
// a CatchUpSync. Prints one JSON line per 10 pages and a last one when the pass is done; with
// KILL_AT_PAGES it SIGKILLs itself at that page, as a crash would (nothing flushed, nothing closed).
import { join } from 'node:path'
import { DhtNode } from '@bbmesh/dht'
import { openIndex } from '@bbmesh/index'
import { meshDht } from '../src/adapters/mesh-dht.js'
import { deriveCommunityKeys } from '../src/community/derive.js'
import { CommunityMesh } from '../src/membership/mesh.js'
import { indexCatchUpSync } from '../src/sync/index-adapter.js'
import type { SyncCounters } from '../src/sync/types.js'

const env = (k: string): string => {
  const v = process.env[k]
  if (v === undefined) throw new Error(`sync-joiner: ${k} not set`)
  return v
}
const dir = env('SYNC_DIR')
const killAt = Number(process.env.KILL_AT_PAGES ?? 0)
const started = performance.now()
let passStart: number | undefined
const line = (event: string, c: SyncCounters): void =>
  void process.stdout.write(
    JSON.stringify({
      event,
      ms: Math.round(performance.now() - (passStart ?? started)),
      sinceStartMs: Math.round(performance.now() - started),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      counters: c,
    }) + '\n',
  )

const index = await openIndex({ path: join(dir, 'joiner.db'), cacheBudgetBytes: 16 * 1024 ** 3 })
const sync = indexCatchUpSync(index, {
  memberId: Buffer.from('bench-joiner'),
  cursorPath: join(dir, 'joiner-cursors.json'),
  onPage: (_m, c) => {
    if (c.pagesIn % 10 === 0) line('progress', c)
    if (killAt > 0 && c.pagesIn >= killAt) {
      line('killed', c)
      process.kill(process.pid, 'SIGKILL')
    }
  },
})
const dht = new DhtNode({ bootstrap: [env('SYNC_BOOT')], rateLimit: false, outboundQueriesPerSecond: false })
await dht.listen(0, '127.0.0.1')
await dht.bootstrap()
const mesh = new CommunityMesh({
  keys: deriveCommunityKeys(Buffer.from(env('SYNC_SECRET'), 'hex')),
  dht: meshDht(dht),
  rendezvous: { announceIntervalMs: 4_000, lookupMinMs: 300 },
  registerExtensions: (r) => r.register(sync.definition()),
})
await mesh.start()
while (sync.counters.completed === 0) {
  passStart ??= sync.counters.runs > 0 ? performance.now() : undefined
  await new Promise((r) => setTimeout(r, 20))
}
line('done', sync.counters)
await sync.stop()
await mesh.close()
await dht.destroy()
await index.close()
