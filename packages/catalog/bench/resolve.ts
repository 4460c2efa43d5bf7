// `pnpm bench:resolve`: publish → resolve → update (1% each removed, changed and added) → resolve
// over a loopback DHT testnet and a real PieceServer, sharded and whole, into a real index on disk.
// BENCH_RESOLVE_N (default 20,000).
// Writes bench/results/resolve.{json,md}. Loopback only; nothing is asserted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DhtNode, createDhtTestnet, type DhtTestnet } from '@bbmesh/dht'
import { openIndex } from '@bbmesh/index'
import { CatalogPublisher, mintPublisherKey, resolveCatalog } from '../src/index.js'
import { benchEntry } from './catalog-entries.js'

const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', 'bench', 'results')
const N = Number(process.env.BENCH_RESOLVE_N ?? 20_000)

async function node(net: DhtTestnet): Promise<DhtNode> {
  const n = new DhtNode({ bootstrap: net.bootstrap, rateLimit: false, outboundQueriesPerSecond: false })
  await n.listen(0, '127.0.0.1')
  await n.bootstrap()
  return n
}

async function once(sharded: boolean): Promise<Record<string, unknown>> {
  const net = await createDhtTestnet(4)
  const pubDir = mkdtempSync(join(tmpdir(), 'bbmesh-bench-pub-'))
  const resDir = mkdtempSync(join(tmpdir(), 'bbmesh-bench-res-'))
  const key = await mintPublisherKey(pubDir)
  const pubDht = await node(net)
  const resDht = await node(net)
  const publisher = new CatalogPublisher({
    dht: pubDht,
    key,
    dataDir: pubDir,
    host: '127.0.0.1',
    build: { sharded },
  })
  const index = await openIndex({ path: join(resDir, 'index.db') })
  try {
    const lib = Array.from({ length: N }, (_, i) => benchEntry(i))
    const resolve = async (): Promise<Record<string, number>> => {
      const t0 = performance.now()
      const r = await resolveCatalog({
        dht: resDht,
        index,
        dataDir: resDir,
        publicKey: key.publicKey,
        timeoutMs: 600_000,
      })
      return {
        ms: Math.round(performance.now() - t0),
        bytes: r.bytesFetched,
        imported: r.imported,
        removed: r.removed,
        replaced: r.replaced,
        files: r.filesFetched,
        of: r.filesTotal,
      }
    }
    let t0 = performance.now()
    await publisher.publish(lib)
    const publishMs = Math.round(performance.now() - t0)
    const first = await resolve()
    t0 = performance.now()
    // Every 100th torrent dropped, every 100th (another residue) changed, and 1% new ones.
    await publisher.publish([
      ...lib.flatMap((e, i) => (i % 100 === 37 ? [] : [i % 100 === 71 ? benchEntry(i, 1) : e])),
      ...Array.from({ length: N / 100 }, (_, k) => benchEntry(10_000_000 + k)),
    ])
    const republishMs = Math.round(performance.now() - t0)
    const update = await resolve()
    return { layout: sharded ? 'sharded' : 'whole', entries: N, publishMs, republishMs, first, update }
  } finally {
    await publisher.stop()
    await index.close()
    await Promise.all([pubDht.destroy(), resDht.destroy(), net.destroy()])
    rmSync(pubDir, { recursive: true, force: true })
    rmSync(resDir, { recursive: true, force: true })
  }
}

const rows = [await once(true), await once(false)]
const env = { cpus: cpus().length, load1: Number(loadavg()[0]?.toFixed(1)), node: process.version }
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, 'resolve.json'), JSON.stringify({ env, rows }, null, 2) + '\n')
const mb = (b: unknown): string => ((b as number) / 1024 / 1024).toFixed(1)
const md = [
  `# Publish / resolve over loopback (${N} torrents; update: 1% each removed, changed, added; ${env.cpus} CPUs, load ${env.load1})`,
  '',
  '| layout | publish ms | first resolve ms / MB | republish ms | update resolve ms / MB | update files | imported | removed | replaced |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => {
    const f = r['first'] as Record<string, number>
    const u = r['update'] as Record<string, number>
    return `| ${String(r['layout'])} | ${String(r['publishMs'])} | ${f['ms']} / ${mb(f['bytes'])} | ${String(r['republishMs'])} | ${u['ms']} / ${mb(u['bytes'])} | ${u['files']} of ${u['of']} | ${u['imported']} | ${u['removed']} | ${u['replaced']} |`
  }),
  '',
].join('\n')
writeFileSync(join(resultsDir, 'resolve.md'), md)
process.stdout.write(md)
process.exit(0)
