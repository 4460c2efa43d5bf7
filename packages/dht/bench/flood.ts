// `pnpm flood`: a loopback flood at one DhtNode with its default (advertised) rate limits. A worker
// thread sends, on another core, as fast as it can: garbage and over-the-limit queries from many
// source ports of 127.0.0.1, and valid pings at 40/s from each of 16 other loopback addresses (within
// the 50/s-per-IP limit). Reports the share of those pings answered, drops by cause, and RSS before
// and after. Bounded: FLOOD_SECONDS (default 60), 127.0.0.0/8 only, stops by itself.
import { createSocket, type Socket } from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { DhtNode, bencode, constants } from '../src/index.js'

interface SenderResult {
  validSent: number
  validAnswered: number
  floodSent: number
}

const rssMb = (): number => Math.round(process.memoryUsage().rss / 2 ** 20)

async function main(): Promise<void> {
  const seconds = Number(process.env.FLOOD_SECONDS ?? 60)
  const node = new DhtNode({ bootstrap: false })
  const { port } = await node.listen(0, '127.0.0.1')
  const rssBefore = rssMb()
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { port, seconds } })
  const result = await new Promise<SenderResult>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await worker.terminate()
  const s = node.stats()
  const report = {
    seconds,
    limits: {
      perIpPerSecond: constants.DEFAULT_INBOUND_QUERIES_PER_IP_PER_S,
      burstPerIp: constants.DEFAULT_INBOUND_BURST_PER_IP,
    },
    ...result,
    validAnsweredShare: Number((result.validAnswered / Math.max(1, result.validSent)).toFixed(4)),
    floodPerSecond: Math.round(result.floodSent / seconds),
    datagramsIn: s.datagramsIn,
    queriesIn: s.queriesIn,
    dropped: s.dropped,
    handlerErrors: s.handlerErrors,
    rssMbBefore: rssBefore,
    rssMbAfter: rssMb(),
  }
  await node.destroy()
  console.log(JSON.stringify(report, null, 2))
}

/** The worker: flood sockets in a send loop with a bounded window, paced valid pingers. */
async function sender(port: number, seconds: number): Promise<void> {
  const bind = (host: string): Promise<Socket> =>
    new Promise((resolve) => {
      const s = createSocket('udp4')
      s.on('error', () => undefined)
      s.bind(0, host, () => resolve(s))
    })
  const end = Date.now() + seconds * 1000
  const id = Buffer.alloc(20, 0x42)
  const garbage = (i: number): Buffer => {
    switch (i % 6) {
      case 0:
        return randomBytes(1 + (i % 1400))
      case 1:
        return bencode({ t: 'aa', y: 'q', q: 'ping', a: { id } }) // over the per-IP limit
      case 2:
        return bencode({ t: 'ab', y: 'q', q: 'find_node', a: { id: Buffer.alloc(3), target: id } })
      case 3:
        return bencode({ t: 'ac', y: 'q', q: 'no_such_method', a: { id } })
      case 4:
        return bencode({ t: 'ad', y: 'r', r: { id } }) // a response nobody asked for
      default:
        return Buffer.from('d1:ad2:id20:' + 'x'.repeat(30))
    }
  }
  let validSent = 0
  let validAnswered = 0
  const pingers = await Promise.all(Array.from({ length: 16 }, (_, k) => bind(`127.0.0.${k + 2}`)))
  const outstanding = new Set<string>()
  for (const s of pingers) {
    s.on('message', (msg) => {
      const t = /1:t2:(..)/s.exec(msg.toString('latin1'))?.[1]
      const key = `${s.address().address}|${t}`
      if (t !== undefined && outstanding.delete(key)) validAnswered++
    })
  }
  let floodSent = 0
  const flooders = await Promise.all(Array.from({ length: 32 }, () => bind('127.0.0.1')))
  const floods = flooders.map(async (s, k) => {
    let i = k
    while (Date.now() < end) {
      // 64 datagrams in flight per socket at most: fast, with bounded memory.
      await Promise.all(
        Array.from(
          { length: 64 },
          () => new Promise<void>((r) => s.send(garbage(i++), port, '127.0.0.1', () => r())),
        ),
      )
      floodSent += 64
      // Loopback sends complete at once; yield so the pingers' timer and replies get their turn.
      await new Promise((r) => setImmediate(r))
    }
  })
  let tid = 0
  const pace = setInterval(() => {
    for (const s of pingers) {
      const t = Buffer.alloc(2)
      t.writeUInt16BE(tid++ & 0xffff)
      outstanding.add(`${s.address().address}|${t.toString('latin1')}`)
      s.send(bencode({ t, y: 'q', q: 'ping', a: { id: randomBytes(20) } }), port, '127.0.0.1')
      validSent++
    }
  }, 25)
  await Promise.all(floods)
  clearInterval(pace)
  await new Promise((r) => setTimeout(r, 1000)) // late answers
  for (const s of [...flooders, ...pingers]) s.close()
  parentPort!.postMessage({ validSent, validAnswered, floodSent } satisfies SenderResult)
}

if (isMainThread) void main()
else void sender((workerData as { port: number }).port, (workerData as { seconds: number }).seconds)
