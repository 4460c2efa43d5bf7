import { META_VERSION, PAD_ATTR, PAD_DIR } from '../constants.js'
import { bencode } from '../bencode/encode.js'
import { bdict, bkey, utf8, type BDict, type BValue } from '../bencode/types.js'
import { sha1, sha256, V2FileHasher } from './merkle.js'
import { autoPieceLength, checkPieceLength } from './piece-length.js'
import { resolveSource, type TorrentSource } from './sources.js'
import { V1PieceHasher } from './v1-pieces.js'

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
  const padded = version === 'hybrid' && !single
  const tailPadding = options.tailPadding ?? true

  const v1 = wantV1 ? new V1PieceHasher(pieceLength) : null
  const v1Files: BValue[] = []
  const built: BuiltFile[] = []
  const pieceLayers = new Map<string, Uint8Array>()
  let pendingPad = 0
  for (const file of files) {
    if (pendingPad > 0 && file.length > 0) {
      addPad(pendingPad)
      pendingPad = 0
    }
    const v2 = wantV2 && file.length > 0 ? new V2FileHasher(pieceLength) : null
    for await (const chunk of file.read()) {
      v2?.update(chunk)
      v1?.update(chunk)
    }
    const merkle = v2?.digest()
    const root = merkle?.piecesRoot ? new Uint8Array(merkle.piecesRoot) : null
    built.push({ path: file.path, size: file.length, piecesRoot: root })
    if (merkle?.pieceLayer && merkle.piecesRoot) {
      pieceLayers.set(merkle.piecesRoot.toString('hex'), new Uint8Array(merkle.pieceLayer))
    }
    v1Files.push(bdict({ length: file.length, path: file.path }))
    // BEP 47 + BEP 52 "Upgrade Path": the next file must start on a piece boundary in v1 too.
    const gap = (pieceLength - (file.length % pieceLength)) % pieceLength
    if (padded && file.length > 0 && gap > 0) {
      // Where the pad goes is left open by the BEPs; we place it as libtorrent 2.0 does: right after
      // the file with tail padding, else just before the next non-empty file (never at the end).
      if (tailPadding) addPad(gap)
      else pendingPad = gap
    }
  }
  function addPad(gap: number): void {
    v1?.zeroFill(gap)
    v1Files.push(bdict({ attr: utf8(PAD_ATTR), length: gap, path: [utf8(PAD_DIR), utf8(String(gap))] }))
  }

  const info = bdict({ name, 'piece length': pieceLength, private: options.private ? 1 : undefined })
  if (wantV2) {
    info.set('meta version', META_VERSION)
    info.set('file tree', fileTree(built))
  }
  if (v1) {
    info.set('pieces', v1.finish())
    if (single) info.set('length', totalSize)
    else info.set('files', v1Files)
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

/** BEP 52 `file tree`: nested dicts keyed by path element; the '' key holds length and pieces root. */
function fileTree(files: readonly BuiltFile[]): BDict {
  const root: BDict = new Map()
  for (const f of files) {
    let node = root
    for (const element of f.path) {
      const key = bkey(element)
      let child = node.get(key)
      if (!(child instanceof Map)) {
        child = new Map()
        node.set(key, child)
      }
      node = child
    }
    node.set('', bdict({ length: f.size, 'pieces root': f.piecesRoot ?? undefined }))
  }
  return root
}
