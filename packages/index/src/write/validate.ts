import { INFOHASH_V1_BYTES, INFOHASH_V2_BYTES, PIECES_ROOT_BYTES, SIGHTING_VIAS } from '../constants.js'
import { lossyText, rawBytes, splitName, toSeconds } from '../codec/bytes.js'
import { IndexError } from '../errors.js'
import type { LivenessInput, SightingInput, TorrentInput } from '../types.js'

/** A TorrentInput checked and converted to what the tables store. */
export interface NormalizedTorrent {
  ih1: Uint8Array | null
  ih2: Uint8Array | null
  name: string
  nameRaw: Uint8Array | null
  totalSize: number
  pieceLength: number | null
  private: number
  files: NormalizedFile[]
  /** Lossy text of each path, for the full-text index. */
  pathTexts: string[]
  source: string
  firstSeen: number
  lastSeen: number
  seenCount: number | undefined
  fetchedAt: number | null
  rawInfo: Uint8Array | undefined
}

export interface NormalizedFile {
  path: Uint8Array
  size: number
  piecesRoot: Uint8Array | null
}

const MAX_SOURCE_CHARS = 200

function bad(where: string, why: string): never {
  throw new IndexError('BAD_INPUT', `${where}: ${why}`)
}

function bytesOf(v: unknown, len: number, where: string, what: string): Uint8Array | null {
  if (v === undefined || v === null) return null
  if (!(v instanceof Uint8Array) || v.length !== len) bad(where, `${what} must be ${len} bytes`)
  return v
}

function size(v: unknown, where: string, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    bad(where, `${what} must be a non-negative integer`)
  return v
}

function date(v: unknown, where: string, what: string): number | undefined {
  if (v === undefined) return undefined
  if (!(v instanceof Date) || !Number.isFinite(v.getTime())) bad(where, `${what} must be a valid Date`)
  return toSeconds(v)
}

export function normalizeTorrent(t: TorrentInput, where: string, nowSeconds: number): NormalizedTorrent {
  if (typeof t !== 'object' || t === null) bad(where, 'not an object')
  const ih1 = bytesOf(t.infohashV1, INFOHASH_V1_BYTES, where, 'infohashV1')
  const ih2 = bytesOf(t.infohashV2, INFOHASH_V2_BYTES, where, 'infohashV2')
  if (ih1 === null && ih2 === null) bad(where, 'needs infohashV1 or infohashV2')
  if (typeof t.name !== 'string' && !(t.name instanceof Uint8Array))
    bad(where, 'name must be a string or bytes')
  const name = splitName(t.name)
  if (!Array.isArray(t.files)) bad(where, 'files must be an array')
  const files: NormalizedFile[] = []
  const pathTexts: string[] = []
  let sum = 0
  for (const [i, f] of t.files.entries()) {
    const fw = `${where} file ${i}`
    if (typeof f !== 'object' || f === null) bad(fw, 'not an object')
    if (typeof f.path !== 'string' && !(f.path instanceof Uint8Array))
      bad(fw, 'path must be a string or bytes')
    const path = rawBytes(f.path)
    files.push({
      path,
      size: size(f.size, fw, 'size'),
      piecesRoot: bytesOf(f.piecesRoot, PIECES_ROOT_BYTES, fw, 'piecesRoot'),
    })
    pathTexts.push(typeof f.path === 'string' ? f.path : lossyText(path))
    sum += f.size
  }
  const totalSize = t.totalSize === undefined ? sum : size(t.totalSize, where, 'totalSize')
  if (!Number.isSafeInteger(totalSize)) bad(where, 'total size overflows')
  if (typeof t.source !== 'string' || t.source.length > MAX_SOURCE_CHARS) {
    bad(where, `source must be a string of at most ${MAX_SOURCE_CHARS} characters`)
  }
  const lastSeen = date(t.seenAt, where, 'seenAt') ?? nowSeconds
  const firstSeen = Math.min(date(t.firstSeenAt, where, 'firstSeenAt') ?? lastSeen, lastSeen)
  if (t.seenCount !== undefined && (!Number.isSafeInteger(t.seenCount) || t.seenCount < 1)) {
    bad(where, 'seenCount must be a positive integer')
  }
  if (t.rawInfo !== undefined && !(t.rawInfo instanceof Uint8Array)) bad(where, 'rawInfo must be bytes')
  return {
    ih1,
    ih2,
    name: name.text,
    nameRaw: name.raw,
    totalSize,
    pieceLength: t.pieceLength === undefined ? null : size(t.pieceLength, where, 'pieceLength'),
    private: t.private === true ? 1 : 0,
    files,
    pathTexts,
    source: t.source,
    firstSeen,
    lastSeen,
    seenCount: t.seenCount,
    fetchedAt: date(t.metadataFetchedAt, where, 'metadataFetchedAt') ?? null,
    rawInfo: t.rawInfo,
  }
}

export function checkSighting(s: SightingInput, where: string): void {
  if (typeof s !== 'object' || s === null) bad(where, 'not an object')
  if (
    !(s.infohash instanceof Uint8Array) ||
    (s.infohash.length !== INFOHASH_V1_BYTES && s.infohash.length !== INFOHASH_V2_BYTES)
  ) {
    bad(where, 'infohash must be 20 or 32 bytes')
  }
  if (!(SIGHTING_VIAS as readonly string[]).includes(s.via))
    bad(where, `via must be one of ${SIGHTING_VIAS.join(', ')}`)
  if (s.fromNode !== undefined && typeof s.fromNode !== 'string') bad(where, 'fromNode must be a string')
  date(s.at, where, 'at')
}

/** A liveness entry's checked form: seconds, and whether it counts (0 peers is not a sign of life). */
export function checkLiveness(
  l: LivenessInput,
  where: string,
  nowSeconds: number,
): { at: number; peers: number } {
  if (typeof l !== 'object' || l === null) bad(where, 'not an object')
  if (
    !(l.infohash instanceof Uint8Array) ||
    (l.infohash.length !== INFOHASH_V1_BYTES && l.infohash.length !== INFOHASH_V2_BYTES)
  ) {
    bad(where, 'infohash must be 20 or 32 bytes')
  }
  if (!Number.isSafeInteger(l.peers) || l.peers < 0) bad(where, 'peers must be an integer >= 0')
  return { at: date(l.at, where, 'at') ?? nowSeconds, peers: l.peers }
}
