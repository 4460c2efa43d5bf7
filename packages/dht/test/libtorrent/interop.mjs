// Runs inside `unshare -n` (loopback only): our built package (dist/) against libtorrent's DHT
// (lt_dht.py). Prints one JSON line per case; test/libtorrent.test.ts checks them.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { DhtNode, generateKeyPair, mutableTarget } from '../../dist/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const py = spawn('/usr/bin/python3', [join(here, 'lt_dht.py')], { stdio: ['pipe', 'pipe', 'inherit'] })
const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]()
async function lt(cmd) {
  py.stdin.write(JSON.stringify(cmd) + '\n')
  const { value, done } = await lines.next()
  if (done) throw new Error('lt_dht.py exited')
  return JSON.parse(value)
}
const report = (name, result) => console.log(JSON.stringify({ case: name, result }))

const node = new DhtNode({ bootstrap: false, rateLimit: false })
const announces = []
node.on('announce_peer', (o) => announces.push(o))
try {
  const { port: ltPort } = await lt({ cmd: 'port' })
  const ltAddr = { host: '127.0.0.1', port: ltPort }
  const ours = await node.listen(0, '127.0.0.1')
  const pong = await node.ping(ltAddr)
  node.addNode({ id: pong.id, host: '127.0.0.1', port: ltPort })
  await lt({ cmd: 'add_node', host: '127.0.0.1', port: ours.port })
  await new Promise((r) => setTimeout(r, 500))
  report('ping', { ok: pong.id.length === 20 })

  const unknown = await node.query(ltAddr, 'bb_no_such_method').catch((e) => e)
  report('unknown-method-from-libtorrent', { krpcCode: unknown.krpcCode ?? null })

  const ih1 = randomBytes(20).toString('hex')
  const { port: ltTcp } = await lt({ cmd: 'announce', ih: ih1 })
  let seen
  for (let i = 0; i < 100 && !seen; i++) {
    seen = announces.find((a) => a.infoHash.toString('hex') === ih1)
    if (!seen) await new Promise((r) => setTimeout(r, 100))
  }
  const found1 = await node.lookup(Buffer.from(ih1, 'hex'))
  report('libtorrent-announce-our-lookup', {
    observed: seen ? { port: seen.port, expected: ltTcp } : null,
    found: found1.some((p) => p.port === seen?.port),
  })

  const ih2 = randomBytes(20)
  const reached = await node.announce(ih2, 6002)
  const { peers } = await lt({ cmd: 'get_peers', ih: ih2.toString('hex') })
  report('our-announce-libtorrent-lookup', { reached, found: peers.includes('127.0.0.1:6002') })

  const put1 = await lt({ cmd: 'put_immutable', v: 'from libtorrent' })
  const got1 = await node.get(Buffer.from(put1.target, 'hex'))
  report('libtorrent-put-our-get-immutable', { stored: put1.stored, v: got1 ? got1.v.toString() : null })

  const { target: t2 } = await node.putImmutable('from bbmesh')
  const got2 = await lt({ cmd: 'get_immutable', target: t2.toString('hex') })
  report('our-put-libtorrent-get-immutable', { v: got2.v })

  const seed = randomBytes(32)
  const kp = generateKeyPair(seed)
  await node.putMutable({ keyPair: kp, v: 'mutable from bbmesh', seq: 7, salt: Buffer.from('s1') })
  const got3 = await lt({ cmd: 'get_mutable', k: kp.publicKey.toString('hex'), salt: 's1' })
  report('our-put-libtorrent-get-mutable', got3)

  const seed2 = randomBytes(32)
  const kp2 = generateKeyPair(seed2)
  const put4 = await lt({
    cmd: 'put_mutable',
    seed: seed2.toString('hex'),
    pk: kp2.publicKey.toString('hex'),
    salt: 's2',
    v: 'mutable from libtorrent',
  })
  const got4 = await node.get(mutableTarget(kp2.publicKey, Buffer.from('s2')), { salt: Buffer.from('s2') })
  report('libtorrent-put-our-get-mutable', {
    stored: put4.stored,
    v: got4 ? got4.v.toString() : null,
    seq: got4?.seq ?? null,
  })

  const s1 = await node.sample(ltAddr, randomBytes(20))
  report('our-sample-of-libtorrent', {
    num: s1.num,
    interval: s1.interval,
    hasIh2: s1.samples.some((s) => s.equals(ih2)),
  })
  const s2 = await lt({
    cmd: 'sample',
    host: '127.0.0.1',
    port: ours.port,
    target: randomBytes(20).toString('hex'),
  })
  report('libtorrent-sample-of-ours', { num: s2.num, hasIh1: (s2.samples ?? []).includes(ih1) })
} catch (err) {
  console.error(err)
  process.exitCode = 1
} finally {
  py.stdin.end()
  py.kill()
  await node.destroy()
}
