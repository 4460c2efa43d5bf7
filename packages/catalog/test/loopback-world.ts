// A loopback DHT testnet plus the publishers, resolvers, indexes and temp dirs a test creates, all
// released by close(). Shared by the publish/resolve tests.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DhtNode, createDhtTestnet, type DhtTestnet } from '@bbmesh/dht'
import { openIndex, type PooledIndex } from '@bbmesh/index'
import { CatalogPublisher, mintPublisherKey, resolveCatalog, type ResolveOptions } from '../src/index.js'

export class LoopbackWorld {
  testnet: DhtTestnet | undefined
  readonly nodes: DhtNode[] = []
  readonly dirs: string[] = []
  readonly indexes: PooledIndex[] = []
  readonly closers: (() => Promise<void>)[] = []

  async start(nodes = 8): Promise<void> {
    this.testnet = await createDhtTestnet(nodes)
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c()
    await Promise.all(this.nodes.map((n) => n.destroy()))
    await this.testnet?.destroy()
    await Promise.all(this.indexes.map((i) => i.close()))
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })))
  }

  async dhtNode(testnet = this.testnet as DhtTestnet, extraBootstrap: string[] = []): Promise<DhtNode> {
    return this.dhtNodeWith({ bootstrap: [...extraBootstrap, ...testnet.bootstrap] })
  }

  /** A joined node on any bootstrap list (closed with the world). */
  async dhtNodeWith(opts: { bootstrap: string[]; nodeId?: Buffer; timeoutMs?: number }): Promise<DhtNode> {
    const n = new DhtNode({
      bootstrap: opts.bootstrap,
      ...(opts.nodeId !== undefined && { nodeId: opts.nodeId }),
      ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
      rateLimit: false,
      outboundQueriesPerSecond: false,
    })
    this.nodes.push(n)
    await n.listen(0, '127.0.0.1')
    await n.bootstrap()
    return n
  }

  async dir(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'bbmesh-pubres-'))
    this.dirs.push(d)
    return d
  }

  async index(): Promise<PooledIndex> {
    const i = await openIndex({ path: ':memory:' })
    this.indexes.push(i)
    return i
  }

  /** A publisher (salt 'library') and one resolver with its own DHT node, index and data dir. */
  async setup(sharded: boolean) {
    const pubDir = await this.dir()
    const key = await mintPublisherKey(pubDir)
    const publisher = new CatalogPublisher({
      dht: await this.dhtNode(),
      key,
      dataDir: pubDir,
      host: '127.0.0.1',
      salt: 'library',
      build: { sharded },
    })
    this.closers.push(() => publisher.stop())
    const resDir = await this.dir()
    const resIndex = await this.index()
    const resDht = await this.dhtNode()
    const resolve = (extra: Partial<ResolveOptions> = {}) =>
      resolveCatalog({
        dht: resDht,
        index: resIndex,
        dataDir: resDir,
        publicKey: key.publicKey,
        salt: 'library',
        timeoutMs: 5000,
        ...extra,
      })
    return { key, publisher, pubDir, resDir, resIndex, resDht, resolve }
  }
}
