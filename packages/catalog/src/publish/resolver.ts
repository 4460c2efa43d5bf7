// Resolve: publisher key (+ salt) → BEP 46 pointer (highest valid seq, signature checked) → peers from
// the DHT → metadata (BEP 9, verified against the infohash) → only the catalog files whose pieces
// root changed since the last resolve → pieces verified → catalog validated → index ingest with
// provenance `catalog:<publisher hex>:<seq>`, after removing what the publisher dropped (see
// apply-update.ts). Nothing is changed in the index unless every fetch and check succeeded. The
// verified catalog is kept under the data dir, to diff the next update against and to seed.
import { bencode, mutableTarget, type BInput, type DhtNode } from '@bbmesh/dht'
import type { PooledIndex } from '@bbmesh/index'
import {
  downloadPieces,
  fetchMetadata,
  filePath,
  layoutFromInfo,
  piecesOfFile,
  type MemoryStorage,
  type PeerAddress,
} from '@bbmesh/wire'
import { headerPath, libraryPath } from '../catalog/layout.js'
import { catalogFileRefs, readCatalog, type CatalogFileRef } from '../catalog/read.js'
import { MAX_TORRENT_BYTES } from '../constants.js'
import { CatalogError, ResolveError } from '../errors.js'
import { applyCatalogUpdate } from './apply-update.js'
import { saltBytes, verifyPointer } from './pointer.js'
import { publicKeyBytes, type PublicKeyInput } from '../keys/public-key.js'
import { ResolvedCopy } from './resolved-copy.js'
import {
  isResolveState,
  readState,
  resolveStatePath,
  resolvedCopyDir,
  writeState,
  type ResolveState,
} from './state.js'

export interface ResolveOptions {
  dht: DhtNode
  index: PooledIndex
  dataDir: string
  /** The publisher's key: 32 bytes or 64 hex digits (e.g. PublishResult.publicKey). */
  publicKey: PublicKeyInput
  salt?: string | Uint8Array
  /** Peers to try besides those the DHT returns. */
  peers?: readonly PeerAddress[]
  /**
   * Fetch and import every file even if this seq or these shards were imported before (e.g. into a
   * new index). A lower seq is still refused.
   */
  full?: boolean
  /** Deadline for the metadata and for the pieces, each; default 60 s. */
  timeoutMs?: number
  onProgress?: (stage: 'pointer' | 'peers' | 'metadata' | 'pieces' | 'import', detail?: string) => void
  /**
   * How far the two long stages are, for a progress bar with rate and ETA: pieces verified of the
   * pieces wanted, then entries ingested of the entries fetched.
   */
  onStep?: (stage: 'pieces' | 'import', done: number, total: number) => void
}

export interface ResolveResult {
  publicKey: string
  seq: number
  infohash: string
  /** Entries ingested (all of a whole catalog; those of changed shards for a sharded one). */
  imported: number
  /** Torrents deleted from the index because the publisher no longer lists them. */
  removed: number
  /** Torrents the publisher dropped that stay because the index knew them from another source. */
  retained: number
  /** Torrents whose catalog line changed, rewritten from the new line. */
  replaced: number
  /** Metadata plus piece payload bytes received. */
  bytesFetched: number
  filesFetched: number
  filesTotal: number
  /** Same seq and infohash as the last resolve: nothing fetched. */
  unchanged: boolean
}

export async function resolveCatalog(opts: ResolveOptions): Promise<ResolveResult> {
  const salt = saltBytes(opts.salt)
  const pk = publicKeyBytes(opts.publicKey)
  const publicKey = pk.toString('hex')
  const statePath = resolveStatePath(opts.dataDir, pk, salt)
  const copy = new ResolvedCopy(resolvedCopyDir(opts.dataDir, pk, salt))
  const stored = await readState<ResolveState>(statePath, isResolveState)
  // With `full`, the old state only guards against rollback; nothing counts as already fetched.
  const prev = opts.full && stored ? { ...stored, infohash: '', roots: {} } : stored

  opts.onProgress?.('pointer')
  const item = await opts.dht
    .get(mutableTarget(pk, salt.length ? salt : undefined), salt.length ? { salt } : {})
    .catch((err: Error) => {
      throw new ResolveError('FETCH_FAILED', `DHT get of the pointer failed: ${err.message}`, { cause: err })
    })
  if (!item) throw new ResolveError('NOT_FOUND', `no valid pointer signed by ${publicKey} found in the DHT`)
  const pointer = verifyPointer(item, pk, salt)
  const infohash = Buffer.from(pointer.infohash).toString('hex')
  if (stored && pointer.seq < stored.seq)
    throw new ResolveError(
      'STALE_POINTER',
      `pointer seq ${pointer.seq} is lower than seq ${stored.seq} already imported`,
    )
  const base = { publicKey, seq: pointer.seq, infohash }
  // Kept for the seeder, which re-puts it so the pointer outlives the publisher's last put.
  const signed = {
    seq: pointer.seq,
    v: bencode(item.v as BInput).toString('hex'),
    sig: Buffer.from(item.sig!).toString('hex'),
  }
  if (prev && pointer.seq === prev.seq && prev.infohash === infohash && (await copy.hasInfo())) {
    if (stored && stored.pointer?.sig !== signed.sig)
      await writeState(statePath, { ...stored, pointer: signed })
    return {
      ...base,
      imported: 0,
      removed: 0,
      retained: 0,
      replaced: 0,
      bytesFetched: 0,
      filesFetched: 0,
      filesTotal: Object.keys(prev.roots).length,
      unchanged: true,
    }
  }
  if (stored && pointer.seq === stored.seq && stored.infohash !== infohash)
    throw new ResolveError(
      'BAD_POINTER',
      `seq ${pointer.seq} now points at another catalog: refusing an equivocating publisher`,
    )

  opts.onProgress?.('peers')
  const found = await opts.dht.lookup(Buffer.from(pointer.infohash)).catch((err: Error) => {
    throw new ResolveError('FETCH_FAILED', `DHT lookup of catalog ${infohash} failed: ${err.message}`, {
      cause: err,
    })
  })
  const peers = dedupe([...(opts.peers ?? []), ...found])
  if (peers.length === 0) throw new ResolveError('NOT_FOUND', `no peers for catalog ${infohash}`)

  opts.onProgress?.('metadata', `${peers.length} peers`)
  let info: Uint8Array
  try {
    info = (
      await fetchMetadata({
        infoHash: pointer.infohash,
        peers,
        timeoutMs: opts.timeoutMs ?? 60_000,
        // Large sharded catalogs have big info dicts (one file entry per shard); 10 MB is too tight.
        maxSize: MAX_TORRENT_BYTES,
      })
    ).info
  } catch (err) {
    throw new ResolveError('FETCH_FAILED', `catalog ${infohash}: metadata: ${(err as Error).message}`, {
      cause: err,
    })
  }
  const { refs } = catalogFileRefs(info)
  const layout = layoutFromInfo(info)
  // Only files whose pieces root changed and that the copy holds (so all of them on a first resolve);
  // catalog.json always.
  const header = headerPath().join('/')
  const wanted: CatalogFileRef[] = []
  for (const r of refs.values())
    if (
      r.path === header ||
      prev?.roots[r.path] === undefined ||
      prev.roots[r.path] !== r.piecesRoot ||
      !(await copy.hasFile(r.path, r.size))
    )
      wanted.push(r)
  const wantedPaths = new Set(wanted.map((r) => r.path))
  const pieces = new Set<number>()
  for (const f of layout.files)
    if (!f.pad && wantedPaths.has(filePath(f))) for (const p of piecesOfFile(layout, f)) pieces.add(p)

  opts.onProgress?.('pieces', `${wanted.length} of ${refs.size} files`)
  let storage: MemoryStorage
  let pieceBytes: number
  try {
    const res = await downloadPieces({
      info,
      peers,
      pieces,
      timeoutMs: opts.timeoutMs ?? 60_000,
      onProgress: (p) => opts.onStep?.('pieces', p.piecesDone, p.piecesWanted),
    })
    storage = res.storage as MemoryStorage
    pieceBytes = res.bytesFetched
  } catch (err) {
    throw new ResolveError('FETCH_FAILED', `catalog ${infohash}: pieces: ${(err as Error).message}`, {
      cause: err,
    })
  }
  const files = new Map<string, Uint8Array>()
  for (const p of wantedPaths) files.set(p, storage.file(p) ?? new Uint8Array(0))
  const shards = [...wantedPaths]
    .filter((p) => p.startsWith('shards/'))
    .map((p) => p.slice(7, -'.ndjson'.length))
  const whole = wantedPaths.has(libraryPath().join('/'))
  let read
  try {
    read = readCatalog(info, files, whole ? { collect: false } : { shards, collect: false })
  } catch (err) {
    if (err instanceof CatalogError && err.code === 'BAD_INPUT')
      throw new ResolveError('FETCH_FAILED', `catalog ${infohash}: ${err.message}`, { cause: err })
    throw err
  }

  opts.onProgress?.('import', `${read.entryCount} entries`)
  const counts = await applyCatalogUpdate({
    index: opts.index,
    copy,
    source: `catalog:${publicKey}:${pointer.seq}`,
    sourcePrefix: `catalog:${publicKey}:`,
    info,
    pieceLength: read.info.pieceLength,
    oldRoots: stored?.roots,
    refs,
    files,
    onImported: (n) => opts.onStep?.('import', n, read.entryCount),
  })
  const roots: Record<string, string | null> = {}
  for (const r of refs.values()) roots[r.path] = r.piecesRoot
  await writeState(statePath, { seq: pointer.seq, infohash, roots, pointer: signed })
  return {
    ...base,
    imported: counts.imported,
    removed: counts.removed,
    retained: counts.retained,
    replaced: counts.replaced,
    bytesFetched: info.length + pieceBytes,
    filesFetched: wanted.length,
    filesTotal: refs.size,
    unchanged: false,
  }
}

function dedupe(peers: readonly PeerAddress[]): PeerAddress[] {
  const seen = new Map<string, PeerAddress>()
  for (const p of peers) seen.set(`${p.host}:${p.port}`, { host: p.host, port: p.port })
  return [...seen.values()]
}
