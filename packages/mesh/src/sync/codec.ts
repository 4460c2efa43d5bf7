// bb_sync messages (docs/PROTOCOL.md, "bb_sync"): a member catching up pages through another member's
// cached info dicts in key order (list/keys), asks for the ones it lacks (get), and receives them as
// one length-prefixed stream cut into chunks (data), so no message passes the wire's frame limit.
// The asker verifies every dict against its key before storing it.
import {
  bytesField,
  CodecError,
  dict,
  intField,
  listField,
  optBytesField,
  optIntField,
  type BDict,
  type Codecs,
  type ExtensionProtocol,
} from '@bbmesh/wire'

export const SYNC_EXTENSION_NAME = 'bb_sync'
export const SYNC_PROTOCOL_VERSION = 1
/** Most keys in one `keys` page or one `get` (2,000 x 44 bytes stays far under the 128 KiB frame). */
export const MAX_SYNC_PAGE_KEYS = 2_000
/** Largest info dict carried (as bb_relay): bigger ones are not listed. */
export const MAX_SYNC_INFO_BYTES = 4 * 1024 * 1024
/** Most dict bytes in one answer to `get`; the asker bounds its gets by the listed sizes. */
export const MAX_SYNC_GET_BYTES = 8 * 1024 * 1024
/** Bytes of the answer stream per `data` message. */
export const SYNC_CHUNK_BYTES = 64 * 1024
/** The answer stream: per asked key a 4-byte length and the dict, so at most this long. */
export const MAX_SYNC_STREAM_BYTES = MAX_SYNC_GET_BYTES + MAX_SYNC_INFO_BYTES + 4 * MAX_SYNC_PAGE_KEYS
const MAX_ID = 2 ** 31

export interface SyncHello {
  version: number
  /** A stable id of the sender (its bus writer id) under which askers keep their cursor. */
  memberId: Uint8Array
}

export interface SyncList {
  id: number
  /** List keys after this one (exclusive); empty: from the start. */
  cursor: Uint8Array
  limit: number
}

export interface SyncKeys {
  id: number
  /** Cache keys in ascending order, each after the cursor asked and at most `next`. */
  keys: Uint8Array[]
  /** Each key's dict size, in the same order. */
  sizes: number[]
  /** Where the next page starts (the last key the sender looked at); absent when the page is empty. */
  next: Uint8Array | undefined
  /** Nothing follows this page. */
  done: boolean
}

export interface SyncGet {
  id: number
  keys: Uint8Array[]
}

export interface SyncData {
  id: number
  /** Where this chunk starts in the answer stream. */
  offset: number
  /** The last chunk of the answer. */
  final: boolean
  data: Uint8Array
}

export interface SyncMessages {
  hello: SyncHello
  list: SyncList
  keys: SyncKeys
  get: SyncGet
  data: SyncData
}

const isKey = (v: unknown): v is Uint8Array => v instanceof Uint8Array && (v.length === 20 || v.length === 32)

function keysField(d: BDict, name: string): Uint8Array[] {
  const list = listField(d, name, MAX_SYNC_PAGE_KEYS)
  for (const k of list) if (!isKey(k)) throw new CodecError(`field ${name}: keys are 20 or 32 bytes`)
  return list as Uint8Array[]
}

function sizesField(d: BDict, count: number): number[] {
  const list = listField(d, 's', MAX_SYNC_PAGE_KEYS)
  if (list.length !== count) throw new CodecError('field s: one size per key')
  for (const s of list)
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_SYNC_INFO_BYTES)
      throw new CodecError(`field s: sizes are 1..${MAX_SYNC_INFO_BYTES}`)
  return list as number[]
}

/** Whether `keys` ascend strictly, all after `after` (memcmp order, as the cache pages them). */
export function ascendingAfter(keys: readonly Uint8Array[], after: Uint8Array, last: Uint8Array): boolean {
  let prev = after
  for (const k of keys) {
    if (prev.length > 0 && Buffer.compare(k, prev) <= 0) return false
    prev = k
  }
  return keys.length === 0 || Buffer.compare(prev, last) <= 0
}

export const syncCodecs: Codecs<SyncMessages> = {
  hello: {
    msgType: 0,
    maxBytes: 256,
    encode: (h) => ({ dict: dict({ v: h.version, m: h.memberId }) }),
    decode: (d) => ({ version: intField(d, 'v', 1, 2 ** 16), memberId: bytesField(d, 'm', 1, 64) }),
  },
  list: {
    msgType: 1,
    maxBytes: 256,
    encode: (l) => ({ dict: dict({ q: l.id, c: l.cursor, n: l.limit }) }),
    decode: (d) => ({
      id: intField(d, 'q', 0, MAX_ID),
      cursor: bytesField(d, 'c', 0, 32),
      limit: intField(d, 'n', 1, MAX_SYNC_PAGE_KEYS),
    }),
  },
  keys: {
    msgType: 2,
    maxBytes: 100 * 1024,
    encode: (k) => ({
      dict: dict({ q: k.id, i: k.keys, s: k.sizes, e: k.next, d: k.done ? 1 : undefined }),
    }),
    decode: (d) => {
      const keys = keysField(d, 'i')
      const next = optBytesField(d, 'e', 20, 32)
      if (next !== undefined && !isKey(next)) throw new CodecError('field e: 20 or 32 bytes')
      if (keys.length > 0 && next === undefined) throw new CodecError('field e: needed with keys')
      return {
        id: intField(d, 'q', 0, MAX_ID),
        keys,
        sizes: sizesField(d, keys.length),
        next,
        done: (optIntField(d, 'd', 0, 1) ?? 0) === 1,
      }
    },
  },
  get: {
    msgType: 3,
    maxBytes: 80 * 1024,
    encode: (g) => ({ dict: dict({ q: g.id, i: g.keys }) }),
    decode: (d) => {
      const keys = keysField(d, 'i')
      if (keys.length === 0) throw new CodecError('field i: at least one key')
      return { id: intField(d, 'q', 0, MAX_ID), keys }
    },
  },
  data: {
    msgType: 4,
    maxBytes: SYNC_CHUNK_BYTES + 128,
    trailer: true,
    encode: (c) => ({ dict: dict({ q: c.id, o: c.offset, f: c.final ? 1 : undefined }), trailer: c.data }),
    decode: (d, trailer) => {
      if (trailer.length > SYNC_CHUNK_BYTES) throw new CodecError('bb_sync data: chunk too long')
      return {
        id: intField(d, 'q', 0, MAX_ID),
        offset: intField(d, 'o', 0, MAX_SYNC_STREAM_BYTES),
        final: (optIntField(d, 'f', 0, 1) ?? 0) === 1,
        data: trailer,
      }
    },
  },
}

export const syncProtocol: ExtensionProtocol<SyncMessages> = {
  name: SYNC_EXTENSION_NAME,
  membersOnly: true,
  codecs: syncCodecs,
}
