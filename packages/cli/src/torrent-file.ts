import bencode, { type Bencoded } from 'bencode'
import { files as torrentFiles, hashes, info as torrentInfo } from '@ctrl/torrent-file'
import { bdecodeWithSpans } from '@bbmesh/catalog'
import type { TorrentInput } from '@bbmesh/index'

/** A .torrent file that could not be read, with the reason. */
export class TorrentFileError extends Error {
  override readonly name = 'TorrentFileError'
  readonly code = 'BAD_TORRENT'
}

type Dict = { [key: string]: Bencoded }
const isDict = (v: Bencoded | undefined): v is Dict =>
  typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v)
const lossy = new TextDecoder('utf-8', { fatal: false })
const isBytes = (v: Bencoded | undefined): v is Uint8Array => v instanceof Uint8Array

/**
 * Parses a v1, v2 or hybrid .torrent into index input. Structure, hashes and file lists come from
 * @ctrl/torrent-file; the raw name and path bytes come from the bencoded dict itself so that names
 * which are not valid UTF-8 are kept exactly (the parser decodes them lossily).
 */
export function parseTorrentForIndex(bytes: Uint8Array, source: string): TorrentInput {
  let root: Bencoded
  try {
    root = bencode.decode(bytes)
  } catch (err) {
    throw new TorrentFileError(`not bencoded: ${(err as Error).message}`)
  }
  const info = isDict(root) ? root.info : undefined
  if (!isDict(info)) throw new TorrentFileError('no info dictionary')
  if (!isBytes(info.name)) throw new TorrentFileError('info has no name')
  let ids: ReturnType<typeof hashes>
  let meta: ReturnType<typeof torrentInfo>
  let list: ReturnType<typeof torrentFiles>
  try {
    ids = hashes(bytes)
    meta = torrentInfo(bytes)
    list = torrentFiles(bytes)
  } catch (err) {
    throw new TorrentFileError((err as Error).message.split('\n')[0] ?? 'unreadable torrent')
  }
  if (list.files.length === 0) throw new TorrentFileError('torrent lists no files')
  // Lossy text → raw bytes, so a path that did not decode cleanly is stored as the torrent has it.
  const rawByText = new Map((rawV1Paths(info) ?? [info.name]).map((raw) => [lossy.decode(raw), raw]))
  // BEP-47 pad files of a hybrid torrent's v1 list are alignment, not content.
  const pads = padPaths(info)
  const listed = list.files.filter((f) => !pads.has(relativePath(f.path, meta.name, list.files.length)))
  const files = listed.map((f) => {
    const text = relativePath(f.path, meta.name, list.files.length)
    return {
      path: text.includes('\uFFFD') ? (rawByText.get(text) ?? text) : text,
      size: f.length,
      ...(f.piecesRoot !== undefined && { piecesRoot: Buffer.from(f.piecesRoot, 'hex') }),
    }
  })
  for (const f of files) {
    if (!Number.isSafeInteger(f.size) || f.size < 0)
      throw new TorrentFileError('a file has an invalid length')
  }
  return {
    ...(ids.infoHash !== undefined && { infohashV1: Buffer.from(ids.infoHash, 'hex') }),
    ...(ids.infoHashV2 !== undefined && { infohashV2: Buffer.from(ids.infoHashV2, 'hex') }),
    name: info.name,
    totalSize: files.reduce((sum, f) => sum + f.size, 0),
    pieceLength: list.pieceLength,
    private: meta.private === true,
    files,
    source,
    ...rawInfoOf(bytes),
  }
}

/**
 * The info dict's bytes exactly as they sit in the file: the infohashes are digests of these, so the
 * index can keep them in its metadata cache and serve them over BEP 9 like fetched metadata (the index
 * verifies the hash and drops a dict that does not match, e.g. from a non-canonical re-encoding).
 */
function rawInfoOf(bytes: Uint8Array): { rawInfo?: Uint8Array } {
  try {
    const span = bdecodeWithSpans(bytes, { strictOrder: false }).spans.get('info')
    return span === undefined ? {} : { rawInfo: bytes.slice(span[0], span[1]) }
  } catch {
    return {} // the torrent parsed above; only its exact info bytes could not be located
  }
}

/** The parser joins the torrent name in front of multi-file paths; the index stores paths inside it. */
function relativePath(path: string, name: string, count: number): string {
  const p = path.replace(/\\/g, '/')
  if (count > 1 && p.startsWith(name + '/')) return p.slice(name.length + 1)
  return p
}

/** Lossy paths of the v1 entries marked as BEP-47 pad files (attr contains 'p'). */
function padPaths(info: Dict): Set<string> {
  const out = new Set<string>()
  if (!Array.isArray(info.files)) return out
  for (const entry of info.files) {
    if (!isDict(entry) || !Array.isArray(entry.path) || !isBytes(entry.attr)) continue
    if (!Buffer.from(entry.attr).toString('latin1').includes('p')) continue
    out.add(
      entry.path
        .filter(isBytes)
        .map((p) => lossy.decode(p))
        .join('/'),
    )
  }
  return out
}

/** v1 `files` paths as raw bytes joined by '/', without BEP-47 pad files (as the parser lists them). */
function rawV1Paths(info: Dict): Uint8Array[] | undefined {
  const list = info.files
  if (!Array.isArray(list)) return undefined
  const out: Uint8Array[] = []
  for (const entry of list) {
    if (!isDict(entry) || !Array.isArray(entry.path)) return undefined
    const attr = entry.attr
    if (isBytes(attr) && Buffer.from(attr).toString('latin1').includes('p')) continue
    const parts = entry.path.filter(isBytes)
    out.push(Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('/'), p]))))
  }
  return out
}
