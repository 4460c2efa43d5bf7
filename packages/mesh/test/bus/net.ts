// A small mixed loopback DHT for bus tests: our nodes and stock bittorrent-dht 11 nodes on
// 127.0.0.1 (port 0), members joining through a stock node. Everything is destroyed by `destroy`.
import { randomBytes } from 'node:crypto'
import DHT, { type StockItem } from 'bittorrent-dht'
import { DhtNode, generateKeyPair, verify, type KeyPair } from '@bbmesh/dht'
import { deriveCommunityKeys, type CommunityKeys } from '../../src/community/derive.js'

export type StockDht = DHT
export type { StockItem }

export interface Member {
  dht: DhtNode
  writer: { id: Buffer; keyPair: KeyPair }
}

export interface Net {
  keys: CommunityKeys
  stocks: StockDht[]
  bootstrap: string[]
  member(): Promise<Member>
  destroy(): Promise<void>
}

async function stockNode(bootstrap: string[] | false): Promise<StockDht> {
  const d = new DHT({ bootstrap, verify, host: false })
  await new Promise<void>((resolve) => {
    let n = 0
    const done = (): void => void (++n === 2 && resolve())
    d.once('ready', done)
    d.listen(0, '127.0.0.1', done)
  })
  return d
}

async function ourNode(bootstrap: string[], cleanup: (() => Promise<void>)[]): Promise<DhtNode> {
  // Every node shares 127.0.0.1 here, so the per-IP limits are off.
  const dht = new DhtNode({ bootstrap, rateLimit: false, outboundQueriesPerSecond: false })
  cleanup.push(() => dht.destroy())
  await dht.listen(0, '127.0.0.1')
  await dht.bootstrap()
  return dht
}

export async function createNet(opts: { ours?: number; stock?: number } = {}): Promise<Net> {
  const stocks: StockDht[] = []
  const cleanup: (() => Promise<void>)[] = []
  const first = await stockNode(false)
  stocks.push(first)
  const bootstrap = [`127.0.0.1:${first.address().port}`]
  for (let i = 1; i < (opts.stock ?? 4); i++) stocks.push(await stockNode(bootstrap))
  for (const s of stocks) cleanup.push(() => new Promise((r) => s.destroy(() => r())))
  for (let i = 0; i < (opts.ours ?? 4); i++) await ourNode(bootstrap, cleanup)
  return {
    keys: deriveCommunityKeys(randomBytes(32)),
    stocks,
    bootstrap,
    async member() {
      const dht = await ourNode(bootstrap, cleanup)
      return { dht, writer: { id: Buffer.from(dht.nodeIdHex, 'hex'), keyPair: generateKeyPair() } }
    },
    async destroy() {
      await Promise.all(cleanup.splice(0).map((f) => f()))
    },
  }
}

export function stockGet(d: StockDht, target: Buffer, salt: Buffer): Promise<StockItem | null> {
  return new Promise((resolve, reject) =>
    d.get(target, { salt, cache: false }, (err, item) => (err ? reject(err) : resolve(item))),
  )
}

export async function until(what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
