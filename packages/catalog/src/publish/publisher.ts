// Publish: build the catalog, seed it (metadata + pieces), announce it in the DHT and move the BEP 46
// pointer under the publisher key to it with seq = last + 1 (persisted). refresh() re-puts the same
// signed pointer and re-announces, so the item outlives BEP 44's two-hour expiry.
import type { DhtNode } from '@bbmesh/dht'
import { MemoryStorage, PieceServer, layoutFromInfo } from '@bbmesh/wire'
import { buildCatalog, type BuildCatalogOptions, type BuiltCatalog } from '../catalog/build.js'
import type { CatalogEntry } from '../catalog/entry.js'
import { ResolveError } from '../errors.js'
import type { PublisherKey } from '../keys/publisher-key.js'
import { saltBytes } from './pointer.js'
import { isPublishState, publishStatePath, readState, writeState, type PublishState } from './state.js'

/** BEP 44 items expire after about two hours; re-put well within that. */
export const DEFAULT_REPUBLISH_INTERVAL_MS = 30 * 60 * 1000

export interface PublisherOptions {
  dht: DhtNode
  key: PublisherKey
  dataDir: string
  salt?: string | Uint8Array
  /** Seeds the catalog; default: our own PieceServer listening on `host:port`. */
  server?: PieceServer
  port?: number
  /** Default '0.0.0.0' (resolvers come from anywhere); tests pass '127.0.0.1'. */
  host?: string
  /** Port announced in the DHT; default the server's. */
  announcePort?: number
  build?: BuildCatalogOptions
  republishIntervalMs?: number
  onError?: (err: Error) => void
}

export interface PublishResult {
  publicKey: string
  seq: number
  /** v1 infohash (the BEP 46 `ih`), hex. */
  infohash: string
  infohashV2: string
  entries: number
  /** DHT nodes that stored the pointer. */
  stored: number
  port: number
  /** False when the library was unchanged and the same seq was re-put. */
  changed: boolean
}

export class CatalogPublisher {
  private readonly salt: Buffer
  private server: PieceServer | undefined
  private readonly ownServer: boolean
  private timer: NodeJS.Timeout | undefined
  private last: { built: BuiltCatalog; seq: number; key: string } | undefined
  private previousKey: string | undefined

  constructor(private readonly opts: PublisherOptions) {
    this.salt = saltBytes(opts.salt)
    this.server = opts.server
    this.ownServer = !opts.server
  }

  get catalog(): BuiltCatalog | undefined {
    return this.last?.built
  }

  private async listening(): Promise<{ server: PieceServer; port: number }> {
    if (!this.server) this.server = new PieceServer()
    const port =
      this.server.port ?? (await this.server.listen(this.opts.port ?? 0, this.opts.host ?? '0.0.0.0')).port
    return { server: this.server, port }
  }

  async publish(entries: Iterable<CatalogEntry> | AsyncIterable<CatalogEntry>): Promise<PublishResult> {
    const built = await buildCatalog(entries, this.opts.build)
    const ih = Buffer.from(built.torrent.infohashV1 as Uint8Array)
    const statePath = publishStatePath(this.opts.dataDir, this.salt)
    const prev = await readState<PublishState>(statePath, isPublishState)
    const changed = prev?.infohash !== ih.toString('hex')
    const seq = prev === undefined ? 1 : changed ? prev.seq + 1 : prev.seq
    const { server, port } = await this.listening()
    const key = server.add(
      built.torrent.info,
      MemoryStorage.seed(layoutFromInfo(built.torrent.info), built.files),
    )
    // Keep the previous catalog seeded too, so resolvers midway through it can finish.
    if (this.last && this.last.key !== key) {
      if (this.previousKey && this.previousKey !== key) server.remove(this.previousKey)
      this.previousKey = this.last.key
    }
    // The seq is persisted before the put: a crash after it can only skip a number, never reuse one.
    if (changed || !prev) await writeState(statePath, { seq, infohash: ih.toString('hex') })
    this.last = { built, seq, key }
    const stored = await this.refresh()
    return {
      publicKey: this.opts.key.publicKeyHex,
      seq,
      infohash: ih.toString('hex'),
      infohashV2: Buffer.from(built.torrent.infohashV2 as Uint8Array).toString('hex'),
      entries: built.entries,
      stored,
      port,
      changed,
    }
  }

  /** Re-puts the current pointer and re-announces the catalog; resolves with the nodes that stored it. */
  async refresh(): Promise<number> {
    if (!this.last) throw new ResolveError('BAD_STATE', 'nothing published yet')
    const { built, seq } = this.last
    const ih = Buffer.from(built.torrent.infohashV1 as Uint8Array)
    const { port } = await this.listening()
    await this.opts.dht.announce(ih, this.opts.announcePort ?? port)
    const res = await this.opts.dht.putPointer({
      keyPair: this.opts.key.dhtKeyPair(),
      infoHash: ih,
      seq,
      ...(this.salt.length > 0 && { salt: this.salt }),
    })
    return res.stored
  }

  /** Re-puts every `republishIntervalMs` until stop(). Idempotent. */
  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => {
      this.refresh().catch((err: Error) => this.opts.onError?.(err))
    }, this.opts.republishIntervalMs ?? DEFAULT_REPUBLISH_INTERVAL_MS)
    this.timer.unref()
  }

  /** Stops re-putting and closes the server if it is ours. Idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    if (this.ownServer && this.server) {
      const s = this.server
      this.server = undefined
      await s.close()
    }
  }
}
