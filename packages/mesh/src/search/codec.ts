// bb_search messages (docs/PROTOCOL.md, "bb_search"): a members-only keyword search. The asker sends a
// query with an id; each member answers from its own index in pages of hits, the last page marked, or
// says it is busy. Every field is capped so a page stays far below the wire's frame limit.
import {
  bytesField,
  CodecError,
  dict,
  intField,
  isDict,
  listField,
  optBytesField,
  optIntField,
  type BDict,
  type BValue,
  type Codecs,
  type ExtensionProtocol,
} from '@bbmesh/wire'
import { decodeFlags, encodeFlags, type QualityFlag } from './quality.js'

export const SEARCH_EXTENSION_NAME = 'bb_search'
/** Query text in UTF-8 bytes (the index reads at most 256 characters of it). */
export const MAX_QUERY_BYTES = 1024
/** Hits a member returns for one query, over all its pages. */
export const MAX_SEARCH_LIMIT = 100
/** Hits per page message. */
export const MAX_PAGE_HITS = 20
/** A hit's name, and each matched path, in UTF-8 bytes (longer ones are cut at a character). */
export const MAX_NAME_BYTES = 512
export const MAX_PATH_BYTES = 512
/** Matched file paths per hit. */
export const MAX_HIT_PATHS = 3
/** Longest deadline a query may carry. */
export const MAX_DEADLINE_MS = 30_000
const MAX_EXT_BYTES = 32
const MAX_INT = 2 ** 53 - 1
// Scores travel ×1000 as integers; this bound keeps that exact in a double.
const MAX_SCORE = 1e12

const MAX_FLAGS = 8
/** Peers one member can have seen in a swarm: far above any real get_peers answer. */
const MAX_PEERS_SEEN = 10_000_000

const optListField = (d: BDict, key: string, max: number): BValue[] =>
  d[key] === undefined ? [] : listField(d, key, max)
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')

export interface SearchRequest {
  /** Query id, chosen by the asker; duplicates of one id on a link are dropped. */
  id: number
  text: string
  /** Hits wanted (1..100). */
  limit: number
  minSize?: number
  maxSize?: number
  extension?: string
  /** Only torrents seen since, Unix seconds. */
  seenSince?: number
  /** Only torrents whose swarm was seen alive since, Unix seconds (older members ignore it). */
  aliveSince?: number
  /** How long the asker waits, ms; a member may skip work it cannot finish in time. */
  deadlineMs: number
}

export interface WireHit {
  /** Hex infohashes, at least one present. */
  infohashV1: string | null
  infohashV2: string | null
  name: string
  totalSize: number
  fileCount: number
  /** Unix seconds. */
  firstSeen: number
  lastSeen: number
  /** The member's local rank score (higher is better), ×1000 and rounded on the wire. */
  score: number
  matchedFiles: { path: string; size: number }[]
  /** Quality flags the answering member found checking its own copy (quality.ts). */
  flags: QualityFlag[]
  /** When the member last saw peers in its swarm, Unix seconds; absent: never (or an older member). */
  lastAlive?: number
  /** How many distinct peers that lookup found. */
  peersSeen?: number
}

export interface SearchHitsPage {
  id: number
  hits: WireHit[]
  /** The last page for this query. */
  done: boolean
}

export type BusyReason = 'rate' | 'load'
const REASONS: readonly BusyReason[] = ['rate', 'load']

export interface SearchBusy {
  id: number
  reason: BusyReason
}

export interface SearchMessages {
  query: SearchRequest
  hits: SearchHitsPage
  busy: SearchBusy
}

/** `s` cut to at most `max` UTF-8 bytes without splitting a character. */
export function utf8Cut(s: string, max: number): Buffer {
  const b = Buffer.from(s, 'utf8')
  if (b.length <= max) return b
  let end = max
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--
  return b.subarray(0, end)
}

function encodeHit(h: WireHit): BDict {
  if (h.infohashV1 === null && h.infohashV2 === null)
    throw new CodecError('bb_search hit without an infohash')
  return dict({
    '1': h.infohashV1 === null ? undefined : Buffer.from(h.infohashV1, 'hex'),
    '2': h.infohashV2 === null ? undefined : Buffer.from(h.infohashV2, 'hex'),
    n: utf8Cut(h.name, MAX_NAME_BYTES),
    s: h.totalSize,
    c: h.fileCount,
    f: h.firstSeen,
    l: h.lastSeen,
    r: Math.max(-MAX_SCORE, Math.min(MAX_SCORE, Math.round(h.score * 1000))),
    m: h.matchedFiles.slice(0, MAX_HIT_PATHS).map((f) => [utf8Cut(f.path, MAX_PATH_BYTES), f.size]),
    k: h.flags.length === 0 ? undefined : encodeFlags(h.flags),
    a: h.lastAlive,
    p: h.peersSeen,
  })
}

function decodeHit(v: BValue): WireHit {
  if (!isDict(v)) throw new CodecError('bb_search hit: expected dict')
  const v1 = optBytesField(v, '1', 20, 20)
  const v2 = optBytesField(v, '2', 32, 32)
  if (v1 === undefined && v2 === undefined) throw new CodecError('bb_search hit without an infohash')
  const matchedFiles = listField(v, 'm', MAX_HIT_PATHS).map((f) => {
    if (!Array.isArray(f) || f.length !== 2 || !(f[0] instanceof Uint8Array) || typeof f[1] !== 'number')
      throw new CodecError('bb_search hit: a matched file is [path, size]')
    if (f[0].length > MAX_PATH_BYTES || f[1] < 0) throw new CodecError('bb_search hit: bad matched file')
    return { path: text(f[0]), size: f[1] }
  })
  const lastAlive = optIntField(v, 'a', 0, MAX_INT)
  const peersSeen = optIntField(v, 'p', 0, MAX_PEERS_SEEN)
  return {
    ...(lastAlive !== undefined && { lastAlive }),
    ...(peersSeen !== undefined && { peersSeen }),
    infohashV1: v1 === undefined ? null : Buffer.from(v1).toString('hex'),
    infohashV2: v2 === undefined ? null : Buffer.from(v2).toString('hex'),
    name: text(bytesField(v, 'n', 0, MAX_NAME_BYTES)),
    totalSize: intField(v, 's', 0, MAX_INT),
    fileCount: intField(v, 'c', 0, 10_000_000),
    firstSeen: intField(v, 'f', 0, MAX_INT),
    lastSeen: intField(v, 'l', 0, MAX_INT),
    score: intField(v, 'r', -MAX_SCORE, MAX_SCORE) / 1000,
    matchedFiles,
    flags: decodeFlags(
      optListField(v, 'k', MAX_FLAGS).map((c) => {
        if (typeof c !== 'number') throw new CodecError('bb_search hit: a flag is an integer')
        return c
      }),
    ),
  }
}

const HIT_BYTES = 190 + MAX_FLAGS * 4 + MAX_NAME_BYTES + MAX_HIT_PATHS * (MAX_PATH_BYTES + 24)

export const searchCodecs: Codecs<SearchMessages> = {
  query: {
    msgType: 0,
    maxBytes: MAX_QUERY_BYTES + 256,
    encode: (q) => ({
      dict: dict({
        q: q.id,
        t: utf8Cut(q.text, MAX_QUERY_BYTES),
        l: q.limit,
        a: q.minSize,
        b: q.maxSize,
        x: q.extension === undefined ? undefined : utf8Cut(q.extension, MAX_EXT_BYTES),
        s: q.seenSince,
        v: q.aliveSince,
        d: q.deadlineMs,
      }),
    }),
    decode: (d) => {
      const ext = optBytesField(d, 'x', 1, MAX_EXT_BYTES)
      const minSize = optIntField(d, 'a', 0, MAX_INT)
      const maxSize = optIntField(d, 'b', 0, MAX_INT)
      const seenSince = optIntField(d, 's', 0, MAX_INT)
      const aliveSince = optIntField(d, 'v', 0, MAX_INT)
      return {
        id: intField(d, 'q', 0, 2 ** 31),
        text: text(bytesField(d, 't', 1, MAX_QUERY_BYTES)),
        limit: intField(d, 'l', 1, MAX_SEARCH_LIMIT),
        deadlineMs: intField(d, 'd', 1, MAX_DEADLINE_MS),
        ...(minSize !== undefined && { minSize }),
        ...(maxSize !== undefined && { maxSize }),
        ...(ext !== undefined && { extension: text(ext) }),
        ...(seenSince !== undefined && { seenSince }),
        ...(aliveSince !== undefined && { aliveSince }),
      }
    },
  },
  hits: {
    msgType: 1,
    maxBytes: 64 + MAX_PAGE_HITS * HIT_BYTES,
    encode: (p) => {
      if (p.hits.length > MAX_PAGE_HITS) throw new CodecError(`bb_search page over ${MAX_PAGE_HITS} hits`)
      return { dict: dict({ q: p.id, h: p.hits.map(encodeHit), e: p.done ? 1 : 0 }) }
    },
    decode: (d) => ({
      id: intField(d, 'q', 0, 2 ** 31),
      hits: listField(d, 'h', MAX_PAGE_HITS).map(decodeHit),
      done: intField(d, 'e', 0, 1) === 1,
    }),
  },
  busy: {
    msgType: 2,
    maxBytes: 64,
    encode: (b) => ({ dict: dict({ q: b.id, w: REASONS.indexOf(b.reason) }) }),
    decode: (d) => ({
      id: intField(d, 'q', 0, 2 ** 31),
      reason: REASONS[intField(d, 'w', 0, REASONS.length - 1)]!,
    }),
  },
}

export const searchProtocol: ExtensionProtocol<SearchMessages> = {
  name: SEARCH_EXTENSION_NAME,
  membersOnly: true,
  codecs: searchCodecs,
}
