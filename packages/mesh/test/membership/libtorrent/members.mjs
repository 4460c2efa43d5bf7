// Runs inside `unshare -n` (loopback only): six members of one community on a DHT of libtorrent's
// node (packages/dht's lt_dht.py), eight stock bittorrent-dht nodes and nothing else. Three members
// join through libtorrent alone, three through one stock node. Prints JSON lines for the test.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import DHT from 'bittorrent-dht'
import { DhtNode, verify } from '@bbmesh/dht'
import { deriveCommunityKeys, meshDht, startMesh } from '../../../dist/index.js'

const here = dirname(fileURLToPath(import.meta.url))
// libtorrent's side is the dht package's interop helper: one copy of the Python, not two.
const ltScript = join(here, '../../../../dht/test/libtorrent/lt_dht.py')
const py = spawn('/usr/bin/python3', [ltScript], { stdio: ['pipe', 'pipe', 'inherit'] })
const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]()
async function lt(cmd) {
  py.stdin.write(JSON.stringify(cmd) + '\n')
  const { value, done } = await lines.next()
  if (done) throw new Error('lt_dht.py exited')
  return JSON.parse(value)
}
const report = (name, result) => console.log(JSON.stringify({ case: name, result }))
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const stocks = []
const nodes = []
const meshes = []
const stockErrors = []
try {
  const { port: ltPort } = await lt({ cmd: 'port' })
  const stockNode = async (bootstrap) => {
    const d = new DHT({ bootstrap, verify, host: false })
    d.on('error', (e) => stockErrors.push(String(e)))
    d.on('warning', (e) => stockErrors.push(String(e)))
    await new Promise((r) => d.listen(0, '127.0.0.1', r))
    stocks.push(d)
    return d
  }
  const first = await stockNode(false)
  const firstAddr = `127.0.0.1:${first.address().port}`
  for (let i = 1; i < 8; i++) await stockNode([firstAddr])
  await lt({ cmd: 'add_node', host: '127.0.0.1', port: first.address().port })
  for (const s of stocks) s.addNode({ host: '127.0.0.1', port: ltPort })
  await sleep(500)

  const keys = deriveCommunityKeys(randomBytes(32))
  const t0 = Date.now()
  for (let i = 0; i < 6; i++) {
    const via = i < 3 ? `127.0.0.1:${ltPort}` : `127.0.0.1:${stocks[i].address().port}`
    const dht = new DhtNode({ bootstrap: [via], rateLimit: false, outboundQueriesPerSecond: false })
    nodes.push(dht)
    await dht.listen(0, '127.0.0.1')
    await dht.bootstrap()
    meshes.push(
      await startMesh({
        keys,
        dht: meshDht(dht),
        gossipIntervalMs: 200,
        rendezvous: { announceIntervalMs: 4_000, lookupMinMs: 300 },
      }),
    )
  }
  let converged = false
  while (Date.now() - t0 < 45_000 && !converged) {
    converged = meshes.every((m) => m.members().length === meshes.length - 1)
    if (!converged) await sleep(200)
  }
  report('converged', { converged, ms: Date.now() - t0, members: meshes.map((m) => m.members().length) })

  // libtorrent stored the members' announces like any peers: its get_peers on the rendezvous hash
  // finds their wire ports, and it still answers ordinary puts and gets.
  const ih = meshes[0].rendezvous.todayHash().toString('hex')
  const { peers } = await lt({ cmd: 'get_peers', ih })
  const ports = meshes.map((m) => m.host.port)
  report('libtorrent-sees-rendezvous-peers', {
    found: ports.filter((p) => peers.includes(`127.0.0.1:${p}`)).length,
  })
  const put = await lt({ cmd: 'put_immutable', v: 'still ordinary' })
  const got = await nodes[0].get(Buffer.from(put.target, 'hex'))
  report('libtorrent-still-stores', { stored: put.stored, v: got ? got.v.toString() : null })
  report('stock-errors', { errors: stockErrors })
} catch (err) {
  report('error', { message: String(err?.stack ?? err) })
} finally {
  await Promise.all(meshes.map((m) => m.close()))
  await Promise.all(nodes.map((n) => n.destroy()))
  await Promise.all(stocks.map((s) => new Promise((r) => s.destroy(r))))
  py.stdin.end()
  py.kill()
}
