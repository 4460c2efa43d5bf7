// A resolver seeds the catalog it last imported from a publisher: the copy resolveCatalog keeps under
// the data dir (info dict + payload files) is served by a @bbmesh/wire PieceServer (BEP 9 metadata and
// BEP 3 pieces) straight from disk, and its v1 infohash is announced in the DHT, so other resolvers
// can fetch the catalog from us when the publisher is offline or busy. Nothing here is trusted by a
// downloader: it checks the info dict against the pointer's infohash and every piece against it.
// The seeder also re-puts the publisher's signed BEP 46 pointer on each re-announce: BEP 44 items
// expire about 2 hours after their last put, and a subscribing node may re-put one with its original
// signature (storing nodes check it against `k`), so the pointer outlives the publisher's absence.
import { bdecode, type BValue, type DhtNode, type SignedItem } from '@bbmesh/dht'
import { DiskStorage, PieceServer, layoutFromInfo } from '@bbmesh/wire'
import { createHash } from 'node:crypto'
import { catalogFileRefs } from '../catalog/read.js'
import { publicKeyBytes, type PublicKeyInput } from '../keys/public-key.js'
import { ResolveError } from '../errors.js'
import { saltBytes } from './pointer.js'
import { ResolvedCopy } from './resolved-copy.js'
import { isResolveState, readState, resolveStatePath, resolvedCopyDir, type ResolveState } from './state.js'

/** Peers announced to a DHT node are dropped after about 30 minutes (BEP 5 practice); re-announce well within. */
export const DEFAULT_REANNOUNCE_INTERVAL_MS = 15 * 60 * 1000

export interface SeederOptions {
  dht: DhtNode
  dataDir: string
  /** The publisher's key: 32 bytes or 64 hex digits. */
  publicKey: PublicKeyInput
  salt?: string | Uint8Array
  /** Serve on this PieceServer (shared with other seeds); default: our own on `host:port`. */
  server?: PieceServer
  port?: number
  /** Default '0.0.0.0'; tests pass '127.0.0.1'. */
  host?: string
  /** Port announced in the DHT; default the server's. */
  announcePort?: number
  /** Re-announce and pointer re-put interval. */
  reannounceIntervalMs?: number
  onError?: (err: Error) => void
  /** Each pointer re-put (at seed() and on every re-announce). */
  onRePut?: (r: RePutResult) => void
}

export interface RePutResult {
  /**
   * `stored`: put to `stored` nodes; `newer`: the DHT holds a higher seq than ours (resolve again),
   * nothing put; `failed`: see `error`; `none`: no signed pointer kept (state from an older version:
   * resolve again).
   */
  status: 'stored' | 'newer' | 'failed' | 'none'
  seq: number
  stored: number
  newerSeq?: number
  error?: string
}

export interface RePutStats {
  stored: number
  newer: number
  failed: number
  /** Nodes that took the last successful re-put. */
  lastStored: number
}

export interface SeedResult {
  publicKey: string
  seq: number
  /** v1 infohash of the catalog torrent, hex. */
  infohash: string
  port: number
  files: number
  /** DHT nodes that took the announce. */
  announced: number
  /** The pointer re-put done with this seed. */
  rePut: RePutResult
}

export class CatalogSeeder {
  private readonly salt: Buffer
  private readonly pk: Buffer
  private server: PieceServer | undefined
  private readonly ownServer: boolean
  private timer: NodeJS.Timeout | undefined
  private current: { key: string; seq: number; infohash: Buffer; pointer?: SignedItem } | undefined
  private readonly counts: RePutStats = { stored: 0, newer: 0, failed: 0, lastStored: 0 }

  constructor(private readonly opts: SeederOptions) {
    this.salt = saltBytes(opts.salt)
    this.pk = publicKeyBytes(opts.publicKey)
    this.server = opts.server
    this.ownServer = !opts.server
  }

  private async listening(): Promise<{ server: PieceServer; port: number }> {
    if (!this.server) this.server = new PieceServer()
    const port =
      this.server.port ?? (await this.server.listen(this.opts.port ?? 0, this.opts.host ?? '0.0.0.0')).port
    return { server: this.server, port }
  }

  /**
   * Seeds the catalog the last resolve imported (call again after each resolve: the previous one is
   * replaced) and announces it. NOT_FOUND if nothing was resolved from this publisher yet.
   */
  async seed(): Promise<SeedResult> {
    const { dataDir } = this.opts
    const state = await readState<ResolveState>(resolveStatePath(dataDir, this.pk, this.salt), isResolveState)
    const copy = new ResolvedCopy(resolvedCopyDir(dataDir, this.pk, this.salt))
    const info = await copy.readInfo()
    const publicKey = this.pk.toString('hex')
    if (!state || !info)
      throw new ResolveError('NOT_FOUND', `nothing resolved from ${publicKey} yet: resolve before seeding`)
    const infohash = createHash('sha1').update(info).digest()
    if (infohash.toString('hex') !== state.infohash)
      throw new ResolveError('BAD_STATE', `the stored catalog is not seq ${state.seq}'s: resolve again`)
    // Every payload file must be there with its size; pieces are read from disk as peers ask.
    const { refs } = catalogFileRefs(info)
    for (const r of refs.values())
      if (!(await copy.hasFile(r.path, r.size)))
        throw new ResolveError('BAD_STATE', `the stored catalog lacks ${r.path}: resolve again with --full`)
    const { server, port } = await this.listening()
    const key = server.add(info, new DiskStorage(layoutFromInfo(info), copy.filesRoot, true))
    if (this.current && this.current.key !== key) server.remove(this.current.key)
    this.current = { key, seq: state.seq, infohash, pointer: this.signedPointer(state) }
    const [announced, rePut] = await Promise.all([this.announce(), this.rePut()])
    return { publicKey, seq: state.seq, infohash: state.infohash, port, files: refs.size, announced, rePut }
  }

  private signedPointer(state: ResolveState): SignedItem | undefined {
    if (!state.pointer) return undefined
    const item: SignedItem = {
      v: bdecode(Buffer.from(state.pointer.v, 'hex')) as BValue,
      k: this.pk,
      sig: Buffer.from(state.pointer.sig, 'hex'),
      seq: state.pointer.seq,
    }
    if (this.salt.length) item.salt = this.salt
    return item
  }

  /**
   * Re-puts the publisher's signed pointer as resolved (never a lower seq over a higher one: the DHT
   * layer gets first and reports `newer`). Never throws; the result also goes to `onRePut`.
   */
  async rePut(): Promise<RePutResult> {
    const item = this.current?.pointer
    const seq = item?.seq ?? this.current?.seq ?? 0
    let r: RePutResult
    if (!item) r = { status: 'none', seq, stored: 0 }
    else
      try {
        const res = await this.opts.dht.putSigned(item)
        r =
          res.newerSeq !== undefined
            ? { status: 'newer', seq, stored: 0, newerSeq: res.newerSeq }
            : { status: 'stored', seq, stored: res.stored }
      } catch (err) {
        r = { status: 'failed', seq, stored: 0, error: (err as Error).message }
      }
    if (r.status === 'stored') {
      this.counts.stored++
      this.counts.lastStored = r.stored
    } else if (r.status === 'newer') this.counts.newer++
    else if (r.status === 'failed') this.counts.failed++
    this.opts.onRePut?.(r)
    return r
  }

  /** How the pointer re-puts went since construction. */
  rePutStats(): RePutStats {
    return { ...this.counts }
  }

  /** Re-announces the seeded catalog; resolves with the DHT nodes that took it. */
  async announce(): Promise<number> {
    if (!this.current) throw new ResolveError('BAD_STATE', 'nothing seeded yet')
    const { port } = await this.listening()
    return this.opts.dht.announce(this.current.infohash, this.opts.announcePort ?? port)
  }

  /** Re-announces and re-puts the pointer every `reannounceIntervalMs` until stop(). Idempotent. */
  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => {
      this.announce().catch((err: Error) => this.opts.onError?.(err))
      if (this.current) void this.rePut()
    }, this.opts.reannounceIntervalMs ?? DEFAULT_REANNOUNCE_INTERVAL_MS)
    this.timer.unref()
  }

  /** Stops re-announcing, stops serving, and closes the server if it is ours. Idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    if (this.current && this.server) this.server.remove(this.current.key)
    this.current = undefined
    if (this.ownServer && this.server) {
      const s = this.server
      this.server = undefined
      await s.close()
    }
  }
}
