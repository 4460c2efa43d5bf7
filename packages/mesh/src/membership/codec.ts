// bb_members messages (docs/PROTOCOL.md, "bb_members"): a members-only BEP-10 extension, so only peers
// that passed the gate ever see or may send these. Every list is capped like ut_pex (50 per message);
// addresses are compact (4 or 16 bytes), ids 20 bytes, all validated on decode.
import { isIPv4, isIPv6 } from 'node:net'
import {
  bytesField,
  CodecError,
  dict,
  intField,
  isDict,
  listField,
  optIntField,
  type BDict,
  type Codecs,
  type ExtensionProtocol,
} from '@bbmesh/wire'

export const MEMBERS_EXTENSION_NAME = 'bb_members'
export const MEMBERS_PROTOCOL_VERSION = 1
/** ut_pex's own bound (BEP 11): at most 50 added and 50 dropped entries in one message. */
export const MAX_ENTRIES_PER_MESSAGE = 50
export const NODE_ID_BYTES = 20
/** Ages are in seconds; nothing older than a day is worth gossiping. */
export const MAX_AGE_SECONDS = 86_400

/** What a member says of itself on a gated connection. */
export interface MemberHello {
  version: number
  /** Its DHT node id: the identity the partitioning of later issues keys on. */
  nodeId: Uint8Array
  wirePort: number
  dhtPort: number
  /** Capability bits (CAPABILITIES); unknown bits are kept and ignored. */
  caps: number
  /** Its gossip-bus writer id (SHA-1 of its writer key): where its feed slot is. */
  feedId?: Uint8Array
}

/** A member as gossiped by another member. */
export interface MemberEntry {
  nodeId: Uint8Array
  host: string
  wirePort: number
  dhtPort: number
  caps: number
  /** Seconds since the gossiping member last heard of it. */
  ageSeconds: number
  feedId?: Uint8Array
}

export interface MembersDelta {
  added: MemberEntry[]
  /** Members that left (said goodbye), by node id. */
  left: Uint8Array[]
}

export interface MembersMessages {
  hello: MemberHello
  delta: MembersDelta
  /** The sender is leaving the community for now (a clean shutdown). */
  leave: Record<string, never>
}

/** Capability bits a member can announce. */
export const CAPABILITIES = { bus: 1 } as const

function encodeHost(host: string): Uint8Array {
  if (isIPv4(host)) return Uint8Array.from(host.split('.').map(Number))
  if (isIPv6(host)) {
    // A dotted IPv4 tail (::ffff:a.b.c.d, what a dual-stack listener reports) is two 16-bit words.
    const v4 = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)
    const word = (hi?: string, lo?: string): string => ((Number(hi) << 8) | Number(lo)).toString(16)
    const h = v4 ? `${v4[1]}${word(v4[2], v4[3])}:${word(v4[4], v4[5])}` : host
    const [head = '', tail = ''] = h.split('::')
    const a = head ? head.split(':') : []
    const c = h.includes('::') && tail ? tail.split(':') : []
    const words = [...a, ...new Array<string>(8 - a.length - c.length).fill('0'), ...c]
    const out = Buffer.alloc(16)
    words.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16), 2 * i))
    return out
  }
  throw new CodecError(`not an IP address: ${host}`)
}

function decodeHost(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.')
  const buf = Buffer.from(b)
  const words = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(2 * i).toString(16))
  return new URL(`http://[${words.join(':')}]/`).hostname.slice(1, -1)
}

function port(d: BDict, key: string, min = 1): number {
  return intField(d, key, min, 65_535)
}

function decodeEntry(v: unknown): MemberEntry {
  if (!isDict(v as BDict)) throw new CodecError('member entry: expected dict')
  const d = v as BDict
  const addr = bytesField(d, 'h', 4, 16)
  if (addr.length !== 4 && addr.length !== 16) throw new CodecError('field h: 4 or 16 bytes')
  return {
    nodeId: bytesField(d, 'i', NODE_ID_BYTES, NODE_ID_BYTES),
    host: decodeHost(addr),
    wirePort: port(d, 'p'),
    dhtPort: port(d, 'd', 0),
    caps: optIntField(d, 'c', 0, 0xffff_ffff) ?? 0,
    ageSeconds: intField(d, 's', 0, MAX_AGE_SECONDS),
    ...feedIdOf(d),
  }
}

/** The optional `f` field: a 20-byte bus writer id. */
function feedIdOf(d: BDict): { feedId?: Uint8Array } {
  return d['f'] === undefined ? {} : { feedId: bytesField(d, 'f', NODE_ID_BYTES, NODE_ID_BYTES) }
}

function encodeEntry(e: MemberEntry): BDict {
  return dict({
    i: e.nodeId,
    h: encodeHost(e.host),
    p: e.wirePort,
    d: e.dhtPort,
    c: e.caps,
    s: Math.min(MAX_AGE_SECONDS, Math.max(0, Math.floor(e.ageSeconds))),
    f: e.feedId,
  })
}

export const membersCodecs: Codecs<MembersMessages> = {
  hello: {
    msgType: 0,
    maxBytes: 256,
    encode: (h) => ({
      dict: dict({ v: h.version, i: h.nodeId, p: h.wirePort, d: h.dhtPort, c: h.caps, f: h.feedId }),
    }),
    decode: (d) => ({
      version: intField(d, 'v', 1, 1_000),
      nodeId: bytesField(d, 'i', NODE_ID_BYTES, NODE_ID_BYTES),
      wirePort: port(d, 'p'),
      dhtPort: port(d, 'd', 0),
      caps: optIntField(d, 'c', 0, 0xffff_ffff) ?? 0,
      ...feedIdOf(d),
    }),
  },
  delta: {
    msgType: 1,
    // 50 entries of at most ~75 bytes plus 50 ids of 23: well under 8 KiB.
    maxBytes: 8 * 1024,
    encode: (m) => {
      if (m.added.length > MAX_ENTRIES_PER_MESSAGE || m.left.length > MAX_ENTRIES_PER_MESSAGE)
        throw new CodecError('bb_members delta over 50 entries')
      return { dict: dict({ a: m.added.map(encodeEntry), l: m.left.map((id) => Buffer.from(id)) }) }
    },
    decode: (d) => ({
      added: listField(d, 'a', MAX_ENTRIES_PER_MESSAGE).map(decodeEntry),
      left: listField(d, 'l', MAX_ENTRIES_PER_MESSAGE).map((v) => {
        if (!(v instanceof Uint8Array) || v.length !== NODE_ID_BYTES) throw new CodecError('field l: bad id')
        return v
      }),
    }),
  },
  leave: { msgType: 2, maxBytes: 64, encode: () => ({ dict: dict({}) }), decode: () => ({}) },
}

export const membersProtocol: ExtensionProtocol<MembersMessages> = {
  name: MEMBERS_EXTENSION_NAME,
  membersOnly: true,
  codecs: membersCodecs,
}
