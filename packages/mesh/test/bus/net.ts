// A small mixed loopback DHT for bus tests: our nodes and stock bittorrent-dht 11 nodes on
// 127.0.0.1 (port 0), members joining through a stock node. Everything is destroyed by `destroy`.
import { randomBytes } from 'node:crypto'
import DHT from 'bittorrent-dht'
import { DhtNode, createTestnet, generateKeyPair, verify, type KeyPair } from '@bbmesh/dht'
import { deriveCommunityKeys, type CommunityKeys } from '../../src/community/derive.js'

export interface StockDht {
  get(
    target: Buffer,
    opts: { salt?: Buffer; cache?: boolean },
    cb: (err: Error | null, item: StockItem | null) => void,
  ): void
  address(): { port: number }
  destroy(cb?: () => void): void
}
export interface StockItem {
  v: Buffer
  seq?: number
  k?: Buffer
}

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
  const d = new DHT({ bootstrap, verify, host: false }) as unknown as StockDht & {
    once(ev: string, f: () => void): void
    listen(port: number, host: string, cb: () => void): void
  }
  await new Promise<void>((resolve) => {
    let n = 0
    const done = (): void => void (++n === 2 && resolve())
    d.once('ready', done)
    d.listen(0, '127.0.0.1', done)
  })
  return d
}

export async function createNet(opts: { ours?: number; stock?: number } = {}): Promise<Net> {
  const stocks: StockDht[] = []
  const cleanup: (() => Promise<void>)[] = []
  const first = await stockNode(false)
  stocks.push(first)
  const bootstrap = [`127.0.0.1:${first.address().port}`]
  for (let i = 1; i < (opts.stock ?? 4); i++) stocks.push(await stockNode(bootstrap))
  for (const s of stocks) cleanup.push(() => new Promise((r) => s.destroy(() => r())))
  const ours = await createTestnet(opts.ours ?? 4, { bootstrap })
  cleanup.push(() => ours.destroy())
  return {
    keys: deriveCommunityKeys(randomBytes(32)),
    stocks,
    bootstrap,
    async member() {
      const dht = new DhtNode({ bootstrap, rateLimit: false, outboundQueriesPerSecond: false })
      cleanup.push(() => dht.destroy())
      await dht.listen(0, '127.0.0.1')
      await dht.bootstrap()
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
