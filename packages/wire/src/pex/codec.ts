// BEP-11 ut_pex message: compact IPv4 (6 bytes) and IPv6 (18 bytes) peer lists plus one flag byte per
// added peer. A single message type, so no msg_type key.
import { isIPv4, isIPv6 } from 'node:net'
import { dict, type BDict } from '../bencode/bencode.js'
import { optBytesField } from '../bencode/fields.js'
import { CodecError } from '../errors.js'
import type { Codecs, ExtensionProtocol } from '../extensions/types.js'

export interface PexPeer {
  host: string
  port: number
  /** BEP-11 flags byte (PEX_FLAGS). */
  flags: number
}

export interface PexMessage {
  added: PexPeer[]
  dropped: { host: string; port: number }[]
}

export interface PexMessages {
  pex: PexMessage
}

/** BEP-11 asks for at most 50 per list; we accept a little more from others and never send more. */
const MAX_DECODED_PER_LIST = 200

function decodeCompact(buf: Uint8Array | undefined, v6: boolean): { host: string; port: number }[] {
  if (!buf) return []
  const size = v6 ? 18 : 6
  if (buf.length % size !== 0)
    throw new CodecError(`compact peer list length ${buf.length} not a multiple of ${size}`)
  if (buf.length / size > MAX_DECODED_PER_LIST) throw new CodecError('too many peers in one PEX message')
  const out: { host: string; port: number }[] = []
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  for (let i = 0; i < b.length; i += size) {
    const host = v6
      ? Array.from({ length: 8 }, (_, k) => b.readUInt16BE(i + 2 * k).toString(16)).join(':')
      : `${b[i]}.${b[i + 1]}.${b[i + 2]}.${b[i + 3]}`
    out.push({ host: v6 ? normalizeV6(host) : host, port: b.readUInt16BE(i + size - 2) })
  }
  return out
}

function normalizeV6(h: string): string {
  return new URL(`http://[${h}]/`).hostname.slice(1, -1)
}

function encodeCompact(peers: readonly { host: string; port: number }[], v6: boolean): Buffer {
  return Buffer.concat(
    peers.map((p) => {
      const b = Buffer.alloc(v6 ? 18 : 6)
      if (v6) {
        const full = expandV6(p.host)
        full.forEach((w, k) => b.writeUInt16BE(w, 2 * k))
      } else p.host.split('.').forEach((o, k) => (b[k] = Number(o)))
      b.writeUInt16BE(p.port, v6 ? 16 : 4)
      return b
    }),
  )
}

function expandV6(h: string): number[] {
  const [head = '', tail = ''] = h.split('::')
  const a = head ? head.split(':') : []
  const c = h.includes('::') ? (tail ? tail.split(':') : []) : []
  const zeros = new Array<string>(8 - a.length - c.length).fill('0')
  return [...a, ...(h.includes('::') ? zeros : []), ...c].map((x) => parseInt(x, 16))
}

function decodePex(d: BDict): PexMessage {
  const a4 = decodeCompact(optBytesField(d, 'added'), false)
  const a6 = decodeCompact(optBytesField(d, 'added6'), true)
  const f4 = optBytesField(d, 'added.f')
  const f6 = optBytesField(d, 'added6.f')
  return {
    added: [
      ...a4.map((p, i) => ({ ...p, flags: f4?.[i] ?? 0 })),
      ...a6.map((p, i) => ({ ...p, flags: f6?.[i] ?? 0 })),
    ],
    dropped: [
      ...decodeCompact(optBytesField(d, 'dropped'), false),
      ...decodeCompact(optBytesField(d, 'dropped6'), true),
    ],
  }
}

function encodePex(m: PexMessage): BDict {
  const a4 = m.added.filter((p) => isIPv4(p.host))
  const a6 = m.added.filter((p) => isIPv6(p.host))
  return dict({
    added: encodeCompact(a4, false),
    'added.f': Buffer.from(a4.map((p) => p.flags & 0xff)),
    added6: encodeCompact(a6, true),
    'added6.f': Buffer.from(a6.map((p) => p.flags & 0xff)),
    dropped: encodeCompact(
      m.dropped.filter((p) => isIPv4(p.host)),
      false,
    ),
    dropped6: encodeCompact(
      m.dropped.filter((p) => isIPv6(p.host)),
      true,
    ),
  })
}

export const pexCodecs: Codecs<PexMessages> = {
  pex: { msgType: null, maxBytes: 16 * 1024, encode: (m) => ({ dict: encodePex(m) }), decode: decodePex },
}

export const pexProtocol: ExtensionProtocol<PexMessages> = { name: 'ut_pex', codecs: pexCodecs }
