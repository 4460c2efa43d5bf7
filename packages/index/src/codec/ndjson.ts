import { MAX_RAW_INFO_BYTES } from '../constants.js'
import { fromHex, isValidUtf8, toHex } from './bytes.js'
import { IndexError } from '../errors.js'
import type { TorrentDetail, TorrentFileInput, TorrentInput } from '../types.js'

// One torrent per line. Names and paths are JSON strings; when the raw bytes are not valid UTF-8 the
// exact bytes ride along as hex (`nameHex`, `pathHex`) and win on import, so the round trip is lossless.
// Timestamps are ISO-8601 strings (the index keeps whole seconds). An optional `info` carries the
// bencoded info dict as base64, so an import can fill the metadata cache (the index verifies its hash).

interface NdjsonFile {
  path: string
  pathHex?: string
  size: number
  piecesRoot?: string
}

interface NdjsonTorrent {
  infohashV1: string | null
  infohashV2: string | null
  name: string
  nameHex?: string
  totalSize: number
  pieceLength: number | null
  private: boolean
  firstSeen: string
  lastSeen: string
  seenCount: number
  metadataFetchedAt: string | null
  source: string
  files: NdjsonFile[]
  info?: string
}

// Base64 of at most MAX_RAW_INFO_BYTES, padded: checked before decoding so a huge field is refused cheaply.
const maxInfoChars = Math.ceil(MAX_RAW_INFO_BYTES / 3) * 4
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export function toNdjsonLine(t: TorrentDetail): string {
  return toNdjsonLineWithInfo(t, undefined)
}

/**
 * One export line with the cached info dict as base64 `info` (when given). Separate from toNdjsonLine
 * so that `details.map(toNdjsonLine)` keeps working: map's index argument must not land in rawInfo.
 */
export function toNdjsonLineWithInfo(t: TorrentDetail, rawInfo: Uint8Array | undefined): string {
  const line: NdjsonTorrent = {
    infohashV1: t.infohashV1,
    infohashV2: t.infohashV2,
    name: t.name,
    ...(isValidUtf8(t.nameRaw) ? {} : { nameHex: toHex(t.nameRaw) }),
    totalSize: t.totalSize,
    pieceLength: t.pieceLength,
    private: t.private,
    firstSeen: t.firstSeen.toISOString(),
    lastSeen: t.lastSeen.toISOString(),
    seenCount: t.seenCount,
    metadataFetchedAt: t.metadataFetchedAt === null ? null : t.metadataFetchedAt.toISOString(),
    source: t.source,
    files: t.files.map((f) => ({
      path: f.path,
      ...(isValidUtf8(f.pathRaw) ? {} : { pathHex: toHex(f.pathRaw) }),
      size: f.size,
      ...(f.piecesRoot === null ? {} : { piecesRoot: toHex(f.piecesRoot) }),
    })),
    ...(rawInfo === undefined ? {} : { info: Buffer.from(rawInfo).toString('base64') }),
  }
  return JSON.stringify(line)
}

function bad(reason: string): never {
  throw new IndexError('BAD_NDJSON', reason)
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function hexField(v: unknown, bytes: number, what: string): Uint8Array | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(v)) {
    bad(`${what} must be ${bytes * 2} hex characters`)
  }
  return fromHex(v, what)
}

function textOrHex(text: unknown, hex: unknown, what: string): string | Uint8Array {
  if (hex !== undefined) {
    if (typeof hex !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(hex)) bad(`${what}Hex must be hex`)
    return fromHex(hex, `${what}Hex`)
  }
  if (typeof text !== 'string') bad(`${what} must be a string`)
  return text
}

function count(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    bad(`${what} must be a non-negative integer`)
  return v
}

function when(v: unknown, what: string): Date | undefined {
  if (v === undefined || v === null) return undefined
  const d = typeof v === 'string' ? new Date(v) : undefined
  if (d === undefined || !Number.isFinite(d.getTime())) bad(`${what} must be an ISO date`)
  return d
}

/** Parses one exported line back into ingestable input; throws IndexError('BAD_NDJSON') saying why. */
export function parseNdjsonLine(line: string): TorrentInput {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch (err) {
    bad(`not JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  if (!isRecord(v)) bad('not a JSON object')
  const infohashV1 = hexField(v.infohashV1, 20, 'infohashV1')
  const infohashV2 = hexField(v.infohashV2, 32, 'infohashV2')
  if (infohashV1 === undefined && infohashV2 === undefined) bad('needs infohashV1 or infohashV2')
  if (!Array.isArray(v.files)) bad('files must be an array')
  const files: TorrentFileInput[] = v.files.map((f: unknown, i: number) => {
    if (!isRecord(f)) bad(`files[${i}] is not an object`)
    const piecesRoot = hexField(f.piecesRoot, 32, `files[${i}].piecesRoot`)
    return {
      path: textOrHex(f.path, f.pathHex, `files[${i}].path`),
      size: count(f.size, `files[${i}].size`),
      ...(piecesRoot === undefined ? {} : { piecesRoot }),
    }
  })
  if (typeof v.source !== 'string') bad('source must be a string')
  if (v.private !== undefined && typeof v.private !== 'boolean') bad('private must be a boolean')
  const out: TorrentInput = {
    name: textOrHex(v.name, v.nameHex, 'name'),
    files,
    source: v.source,
    private: v.private === true,
  }
  if (infohashV1 !== undefined) out.infohashV1 = infohashV1
  if (infohashV2 !== undefined) out.infohashV2 = infohashV2
  if (v.totalSize !== undefined) out.totalSize = count(v.totalSize, 'totalSize')
  if (v.pieceLength !== undefined && v.pieceLength !== null)
    out.pieceLength = count(v.pieceLength, 'pieceLength')
  const lastSeen = when(v.lastSeen, 'lastSeen')
  const firstSeen = when(v.firstSeen, 'firstSeen')
  const fetched = when(v.metadataFetchedAt, 'metadataFetchedAt')
  if (lastSeen !== undefined) out.seenAt = lastSeen
  if (firstSeen !== undefined) out.firstSeenAt = firstSeen
  if (fetched !== undefined) out.metadataFetchedAt = fetched
  if (v.info !== undefined) {
    if (
      typeof v.info !== 'string' ||
      v.info.length === 0 ||
      v.info.length > maxInfoChars ||
      !base64.test(v.info)
    )
      bad(`info must be base64 of 1..${MAX_RAW_INFO_BYTES} bytes`)
    out.rawInfo = new Uint8Array(Buffer.from(v.info, 'base64'))
  }
  if (v.seenCount !== undefined) {
    const n = count(v.seenCount, 'seenCount')
    if (n < 1) bad('seenCount must be at least 1')
    out.seenCount = n
  }
  return out
}
