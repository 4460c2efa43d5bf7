// One published torrent as a catalog line: canonical JSON with a fixed key order, so the same
// library always gives the same bytes (docs/PROTOCOL.md "Catalog format").
import type { TorrentDetail, TorrentInput } from '@bbmesh/index'
import { CatalogFormatError } from '../errors.js'
import { magnetLink } from '../torrent/magnet.js'

export interface CatalogFile {
  /** Path elements joined by '/', raw bytes (names need not be UTF-8). */
  path: Uint8Array
  size: number
  /** BEP 52 pieces root, lower-case hex, when known. */
  piecesRoot: string | null
}

export interface CatalogEntry {
  /** Lower-case hex; at least one of the two is set. */
  infohashV1: string | null
  infohashV2: string | null
  name: Uint8Array
  totalSize: number
  pieceLength: number | null
  private: boolean
  files: CatalogFile[]
  /** Provenance: where the publisher got it ('dht', 'import', 'catalog:<key>:<seq>', …). */
  source: string
  /** Provenance: when the publisher first saw it, ISO 8601 to the second. */
  firstSeen: string
}

const HEX40 = /^[0-9a-f]{40}$/
const HEX64 = /^[0-9a-f]{64}$/
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
const fatal = new TextDecoder('utf-8', { fatal: true })

/** The key entries are sorted and sharded by: the v1 infohash, else the v2 one. */
export const entryKey = (e: CatalogEntry): string => e.infohashV1 ?? (e.infohashV2 as string)

const isoSecond = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Maps an index row (PooledIndex.exportAll) to a catalog entry. */
export function entryFromDetail(d: TorrentDetail): CatalogEntry {
  return {
    infohashV1: d.infohashV1?.toLowerCase() ?? null,
    infohashV2: d.infohashV2?.toLowerCase() ?? null,
    name: new Uint8Array(d.nameRaw),
    totalSize: d.totalSize,
    pieceLength: d.pieceLength,
    private: d.private,
    files: d.files.map((f) => ({
      path: new Uint8Array(f.pathRaw),
      size: f.size,
      piecesRoot: f.piecesRoot ? Buffer.from(f.piecesRoot).toString('hex') : null,
    })),
    source: d.source,
    firstSeen: isoSecond(d.firstSeen),
  }
}

/** Maps a catalog entry to an index ingest row carrying the resolver's provenance. */
export function entryToTorrentInput(e: CatalogEntry, source: string, seenAt = new Date()): TorrentInput {
  const hex = (h: string | null): Uint8Array | undefined =>
    h === null ? undefined : new Uint8Array(Buffer.from(h, 'hex'))
  const first = new Date(e.firstSeen)
  return {
    ...(e.infohashV1 !== null && { infohashV1: hex(e.infohashV1) }),
    ...(e.infohashV2 !== null && { infohashV2: hex(e.infohashV2) }),
    name: e.name,
    totalSize: e.totalSize,
    ...(e.pieceLength !== null && { pieceLength: e.pieceLength }),
    private: e.private,
    files: e.files.map((f) => ({
      path: f.path,
      size: f.size,
      ...(f.piecesRoot !== null && { piecesRoot: hex(f.piecesRoot) }),
    })),
    source,
    seenAt,
    firstSeenAt: first < seenAt ? first : seenAt,
  }
}

/** Text plus, when the bytes are not valid UTF-8, their base64 (so nothing is lost). */
function textOf(raw: Uint8Array): { text: string; b64?: string } {
  try {
    return { text: fatal.decode(raw) }
  } catch {
    return { text: Buffer.from(raw).toString('utf8'), b64: Buffer.from(raw).toString('base64') }
  }
}

/** Canonical line, '\n' included. Key order is part of the format. */
export function encodeEntryLine(e: CatalogEntry): string {
  const name = textOf(e.name)
  const obj: Record<string, unknown> = {
    v1: e.infohashV1,
    v2: e.infohashV2,
    name: name.text,
    ...(name.b64 !== undefined && { nameB64: name.b64 }),
    size: e.totalSize,
    pieceLength: e.pieceLength,
    ...(e.private && { private: true }),
    files: e.files.map((f) => {
      const p = textOf(f.path)
      return {
        path: p.text,
        ...(p.b64 !== undefined && { pathB64: p.b64 }),
        size: f.size,
        ...(f.piecesRoot !== null && { root: f.piecesRoot }),
      }
    }),
    magnet: magnetLink({
      infohashV1: e.infohashV1 === null ? null : Buffer.from(e.infohashV1, 'hex'),
      infohashV2: e.infohashV2 === null ? null : Buffer.from(e.infohashV2, 'hex'),
      name: e.name,
    }),
    source: e.source,
    firstSeen: e.firstSeen,
  }
  return JSON.stringify(obj) + '\n'
}

const bad = (why: string): never => {
  throw new CatalogFormatError(why)
}
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const size = (v: unknown, what: string): number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : bad(`${what} is not a size`)
const str = (v: unknown, what: string): string => (typeof v === 'string' ? v : bad(`${what} is not a string`))

function rawOf(text: unknown, b64: unknown, what: string): Uint8Array {
  const t = str(text, what)
  if (b64 === undefined) return new Uint8Array(Buffer.from(t, 'utf8'))
  const raw = Buffer.from(str(b64, `${what}B64`), 'base64')
  if (raw.toString('utf8') !== t) bad(`${what} does not match ${what}B64`)
  return new Uint8Array(raw)
}

/**
 * Parses one line (without its '\n') and insists it is canonical: re-encoding must give the same
 * bytes, which also checks key order, the magnet link and that `size` is the sum of the files.
 */
export function parseEntryLine(line: string): CatalogEntry {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return bad('catalog line is not JSON')
  }
  if (!isObj(v)) return bad('catalog line is not an object')
  const ih = (x: unknown, re: RegExp, what: string): string | null =>
    x === null ? null : typeof x === 'string' && re.test(x) ? x : bad(`${what} is not lower-case hex`)
  const infohashV1 = ih(v['v1'], HEX40, 'v1')
  const infohashV2 = ih(v['v2'], HEX64, 'v2')
  if (infohashV1 === null && infohashV2 === null) bad('entry has no infohash')
  if (!Array.isArray(v['files']) || v['files'].length === 0) bad('entry has no files')
  const files = (v['files'] as unknown[]).map((f): CatalogFile => {
    if (!isObj(f)) return bad('file is not an object')
    const root = f['root']
    if (root !== undefined && (typeof root !== 'string' || !HEX64.test(root))) bad('file root is not hex')
    return {
      path: rawOf(f['path'], f['pathB64'], 'path'),
      size: size(f['size'], 'file size'),
      piecesRoot: (root as string | undefined) ?? null,
    }
  })
  const pl = v['pieceLength']
  const entry: CatalogEntry = {
    infohashV1,
    infohashV2,
    name: rawOf(v['name'], v['nameB64'], 'name'),
    totalSize: size(v['size'], 'size'),
    pieceLength: pl === null ? null : size(pl, 'pieceLength'),
    private: v['private'] === true,
    files,
    source: str(v['source'], 'source'),
    firstSeen: str(v['firstSeen'], 'firstSeen'),
  }
  if (!ISO.test(entry.firstSeen) || Number.isNaN(Date.parse(entry.firstSeen)))
    bad('firstSeen is not ISO 8601')
  if (files.reduce((s, f) => s + f.size, 0) !== entry.totalSize) bad('size is not the sum of the file sizes')
  if (encodeEntryLine(entry) !== line + '\n') bad(`entry ${entryKey(entry)} is not in canonical form`)
  return entry
}
