// bb_pool messages (docs/PROTOCOL.md, "bb_pool"): what members send each other to crawl as one. A
// member says which node id it partitions by (hello); hands sightings and DHT nodes to the member
// that owns them (sightings, nodes); and tells every member which infohashes it now holds metadata
// for (have), so they take it by bb_relay instead of from the swarm. Arrays are fixed-width byte
// strings (compact like BEP 5) so a full message stays a few kilobytes and decodes without lists.
import {
  bytesField,
  CodecError,
  dict,
  intField,
  optIntField,
  type BDict,
  type Codecs,
  type ExtensionProtocol,
} from '@bbmesh/wire'

export const POOL_EXTENSION_NAME = 'bb_pool'
export const POOL_PROTOCOL_VERSION = 1
/** Entries per sightings / nodes message. */
export const MAX_POOL_ENTRIES = 200
/** Infohashes per have message. */
export const MAX_HAVE_ENTRIES = 500
import { MAX_PARTITION_POINTS } from './ownership.js'

const IH = 20
const COMPACT = 6
const NODE = IH + COMPACT

export interface PoolEndpoint {
  host: string
  port: number
}

export interface PoolHello {
  version: number
  /** The node id this member partitions the keyspace by (its DHT node id). */
  nodeId: Uint8Array
  /** How many partition ids it derives from it (pool/ownership.ts, 1..64; absent: 1). */
  points: number
}

export interface PooledSighting {
  /** A v1 infohash (20 bytes, as the DHT carries it). */
  infohash: Uint8Array
  via: 'sample' | 'get_peers' | 'announce'
  /** The node whose BEP-51 sample listed it (it stores the peers). */
  storer?: PoolEndpoint
  /** The peer that announced it. */
  peer?: PoolEndpoint
}

export interface PoolNode {
  id: Uint8Array
  host: string
  port: number
}

export interface PoolMessages {
  hello: PoolHello
  sightings: { entries: PooledSighting[] }
  nodes: { nodes: PoolNode[] }
  have: { infohashes: Uint8Array[] }
}

const VIAS = ['sample', 'get_peers', 'announce'] as const

/** IPv4 host:port as 6 bytes; anything else (IPv6, absent) as zeros, read back as absent. */
function compact(e: PoolEndpoint | undefined, out: Buffer, at: number): void {
  if (e === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(e.host)) return
  e.host.split('.').forEach((b, i) => out.writeUInt8(Number(b) & 0xff, at + i))
  out.writeUInt16BE(e.port & 0xffff, at + 4)
}

function uncompact(b: Uint8Array, at: number): PoolEndpoint | undefined {
  const port = (b[at + 4]! << 8) | b[at + 5]!
  if (port === 0) return undefined
  return { host: `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`, port }
}

/** A byte string holding `width`-byte records, at most `max` of them. */
function records(d: BDict, key: string, width: number, max: number): Uint8Array {
  const v = bytesField(d, key, 0, width * max)
  if (v.length % width !== 0) throw new CodecError(`field ${key}: not a multiple of ${width} bytes`)
  return v
}

function over(n: number, max: number, what: string): void {
  if (n > max) throw new CodecError(`bb_pool ${what} over ${max} entries`)
}

export const poolCodecs: Codecs<PoolMessages> = {
  hello: {
    msgType: 0,
    maxBytes: 128,
    encode: (h) => ({ dict: dict({ v: h.version, i: h.nodeId, w: h.points }) }),
    decode: (d) => ({
      version: intField(d, 'v', 1, 1_000),
      nodeId: bytesField(d, 'i', IH, IH),
      points: optIntField(d, 'w', 1, MAX_PARTITION_POINTS) ?? 1,
    }),
  },
  sightings: {
    msgType: 1,
    maxBytes: 64 + MAX_POOL_ENTRIES * (IH + 2 * COMPACT + 1) + 64,
    encode: ({ entries }) => {
      over(entries.length, MAX_POOL_ENTRIES, 'sightings')
      const i = Buffer.alloc(entries.length * IH)
      const n = Buffer.alloc(entries.length * COMPACT)
      const p = Buffer.alloc(entries.length * COMPACT)
      const v = Buffer.alloc(entries.length)
      entries.forEach((e, k) => {
        if (e.infohash.length !== IH) throw new CodecError('bb_pool sightings carry 20-byte infohashes')
        i.set(e.infohash, k * IH)
        compact(e.storer, n, k * COMPACT)
        compact(e.peer, p, k * COMPACT)
        v[k] = VIAS.indexOf(e.via)
      })
      return { dict: dict({ i, n, p, v }) }
    },
    decode: (d) => {
      const i = records(d, 'i', IH, MAX_POOL_ENTRIES)
      const count = i.length / IH
      const n = records(d, 'n', COMPACT, MAX_POOL_ENTRIES)
      const p = records(d, 'p', COMPACT, MAX_POOL_ENTRIES)
      const v = bytesField(d, 'v', count, count)
      if (n.length !== count * COMPACT || p.length !== count * COMPACT)
        throw new CodecError('bb_pool sightings: fields of different lengths')
      const entries: PooledSighting[] = []
      for (let k = 0; k < count; k++) {
        const via = VIAS[v[k]!]
        if (via === undefined) throw new CodecError(`bb_pool sightings: unknown via ${v[k]}`)
        const storer = uncompact(n, k * COMPACT)
        const peer = uncompact(p, k * COMPACT)
        entries.push({
          infohash: i.slice(k * IH, (k + 1) * IH),
          via,
          ...(storer && { storer }),
          ...(peer && { peer }),
        })
      }
      return { entries }
    },
  },
  nodes: {
    msgType: 2,
    maxBytes: 64 + MAX_POOL_ENTRIES * NODE,
    encode: ({ nodes }) => {
      over(nodes.length, MAX_POOL_ENTRIES, 'nodes')
      const n = Buffer.alloc(nodes.length * NODE)
      nodes.forEach((x, k) => {
        if (x.id.length !== IH) throw new CodecError('bb_pool nodes carry 20-byte ids')
        n.set(x.id, k * NODE)
        compact(x, n, k * NODE + IH)
      })
      return { dict: dict({ n }) }
    },
    decode: (d) => {
      const n = records(d, 'n', NODE, MAX_POOL_ENTRIES)
      const nodes: PoolNode[] = []
      for (let at = 0; at < n.length; at += NODE) {
        const e = uncompact(n, at + IH)
        if (e) nodes.push({ id: n.slice(at, at + IH), ...e })
      }
      return { nodes }
    },
  },
  have: {
    msgType: 3,
    maxBytes: 64 + MAX_HAVE_ENTRIES * IH,
    encode: ({ infohashes }) => {
      over(infohashes.length, MAX_HAVE_ENTRIES, 'have')
      const i = Buffer.alloc(infohashes.length * IH)
      infohashes.forEach((ih, k) => i.set(ih.subarray(0, IH), k * IH))
      return { dict: dict({ i }) }
    },
    decode: (d) => {
      const i = records(d, 'i', IH, MAX_HAVE_ENTRIES)
      const infohashes: Uint8Array[] = []
      for (let at = 0; at < i.length; at += IH) infohashes.push(i.slice(at, at + IH))
      return { infohashes }
    },
  },
}

export const poolProtocol: ExtensionProtocol<PoolMessages> = {
  name: POOL_EXTENSION_NAME,
  membersOnly: true,
  codecs: poolCodecs,
}
