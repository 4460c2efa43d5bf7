import { availableParallelism } from 'node:os'
import { META_VERSION } from '../constants.js'
import { bencode } from '../bencode/encode.js'
import { bdict, bkey, utf8, type BDict } from '../bencode/types.js'
import { hashInThread } from './hash-in-thread.js'
import { hashWithWorkers } from './hash-pool.js'
import { fileTree, planLayout } from './layout.js'
import { sha1, sha256 } from './merkle.js'
import { autoPieceLength, checkPieceLength } from './piece-length.js'
import { resolveSource, type SourceFile, type TorrentSource } from './sources.js'

/** Payloads from this size up are hashed on worker threads by default. */
const AUTO_WORKERS_MIN_BYTES = 64 * 1024 * 1024

/** v1 = BEP 3 only; v2 = BEP 52 only; hybrid = both over the same piece-aligned layout (BEP 52 "Upgrade Path"). */
export type TorrentVersion = 'v1' | 'v2' | 'hybrid'

export interface BuildOptions {
  version?: TorrentVersion
  /** Power of two ≥ 16 KiB; default chosen from the payload size (autoPieceLength). */
  pieceLength?: number
  /**
   * Hybrid only: also pad the last file to a piece boundary. Default true, as libtorrent 2.0 does;
   * false gives the BEP 52 reference creator's layout (libtorrent's canonical_files_no_tail_padding).
   */
  tailPadding?: boolean
  /** Sets the info dict's `private` flag (BEP 27); changes the infohash. */
  private?: boolean
  /**
   * Hashing threads for files on disk: 0 hashes on this thread; default: with 4 or more CPUs and a
   * payload of at least 64 MiB, one per CPU but one (at most 4), else none. v1 multi-file torrents
   * (pieces span files) and in-memory sources always hash on this thread.
   */
  workers?: number
  /** Progress: payload bytes hashed so far out of the total (per read chunk, or per worker job). */
  onProgress?: (hashedBytes: number, totalBytes: number) => void
  /** Outside the info dict; absent unless given, so output stays deterministic. */
  creationDate?: number
  comment?: string
  createdBy?: string
  announce?: string
}

export interface BuiltFile {
  /** Path inside the torrent (for a single-file torrent, just its name). */
  path: Uint8Array[]
  size: number
  /** BEP 52 `pieces root`; null for empty files and v1 torrents. */
  piecesRoot: Uint8Array | null
}

export interface BuiltTorrent {
  /** The .torrent file. */
  torrent: Uint8Array
  /** The bencoded info dictionary exactly as it appears in `torrent`. */
  info: Uint8Array
  infohashV1: Uint8Array | null
  infohashV2: Uint8Array | null
  version: TorrentVersion
  name: Uint8Array
  pieceLength: number
  /** Payload files, pad files excluded. */
  fileCount: number
  totalSize: number
  files: BuiltFile[]
  /** BEP 52 `piece layers`: keyed by the hex pieces root. */
  pieceLayers: Map<string, Uint8Array>
}

/** Builds a deterministic v1, v2 or hybrid torrent: same input and options, byte-identical output. */
export async function buildTorrent(source: TorrentSource, options: BuildOptions = {}): Promise<BuiltTorrent> {
  const version = options.version ?? 'hybrid'
  const { name, single, files } = await resolveSource(source)
  const totalSize = files.reduce((n, f) => n + f.length, 0)
  const pieceLength = checkPieceLength(options.pieceLength ?? autoPieceLength(totalSize))
  const wantV1 = version !== 'v2'
  const wantV2 = version !== 'v1'

  const layout = planLayout(files, pieceLength, version === 'hybrid' && !single, options.tailPadding ?? true)
  let hashedBytes = 0
  const onProgress = options.onProgress
  const onBytes = onProgress && ((n: number) => onProgress((hashedBytes += n), totalSize))
  const plan = { pieceLength, wantV1, wantV2, padAfter: layout.padAfter, ...(onBytes && { onBytes }) }
  const threads = workerCount(options.workers, files, totalSize, version, single)
  const hashed = threads > 0 ? await hashWithWorkers(files, plan, threads) : await hashInThread(files, plan)
  const built: BuiltFile[] = files.map((f, i) => ({
    path: f.path,
    size: f.length,
    piecesRoot: hashed.files[i]?.piecesRoot ?? null,
  }))
  const pieceLayers = new Map<string, Uint8Array>()
  for (const h of hashed.files) {
    if (h.piecesRoot && h.pieceLayer) pieceLayers.set(Buffer.from(h.piecesRoot).toString('hex'), h.pieceLayer)
  }

  const info = bdict({ name, 'piece length': pieceLength, private: options.private ? 1 : undefined })
  if (wantV2) {
    info.set('meta version', META_VERSION)
    info.set('file tree', fileTree(built))
  }
  if (hashed.v1Pieces) {
    info.set('pieces', hashed.v1Pieces)
    if (single) info.set('length', totalSize)
    else info.set('files', layout.v1Files)
  }
  const infoBytes = bencode(info)
  const layers: BDict = new Map()
  for (const [root, layer] of pieceLayers) layers.set(bkey(Buffer.from(root, 'hex')), layer)
  const top = bdict({
    announce: options.announce === undefined ? undefined : utf8(options.announce),
    comment: options.comment === undefined ? undefined : utf8(options.comment),
    'created by': options.createdBy === undefined ? undefined : utf8(options.createdBy),
    'creation date': options.creationDate,
    info,
    'piece layers': wantV2 ? layers : undefined,
  })
  return {
    torrent: bencode(top),
    info: infoBytes,
    infohashV1: wantV1 ? new Uint8Array(sha1(infoBytes)) : null,
    infohashV2: wantV2 ? new Uint8Array(sha256(infoBytes)) : null,
    version,
    name,
    pieceLength,
    fileCount: built.length,
    totalSize,
    files: built,
    pieceLayers,
  }
}

/**
 * Worker threads only pay off for big inputs read from disk, and only where pieces never span files
 * (v2, hybrid, or a single file). `requested` 0 forces this thread.
 */
function workerCount(
  requested: number | undefined,
  files: readonly SourceFile[],
  totalSize: number,
  version: TorrentVersion,
  single: boolean,
): number {
  const eligible =
    files.every((f) => f.diskPath !== undefined || f.length === 0) && (version !== 'v1' || single)
  if (!eligible) return 0
  if (requested !== undefined) return Math.max(0, Math.floor(requested))
  // On two shared cores the bench shows no gain (bench/results), so threads are used only with headroom.
  const cpus = availableParallelism()
  return totalSize >= AUTO_WORKERS_MIN_BYTES && cpus >= 4 ? Math.min(4, cpus - 1) : 0
}
