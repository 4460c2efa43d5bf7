// BEP 5 compact encodings: peers (6 bytes) and nodes (26 bytes), IPv4 only.
import { isBytes } from './bencode.js'
import type { BValue } from './bencode.js'
import { COMPACT_NODE_LENGTH, COMPACT_PEER_LENGTH, ID_LENGTH } from './constants.js'
import type { PeerAddress } from './transport/types.js'

export interface NodeInfo {
  id: Buffer
  host: string
  port: number
}

export function encodePeer(p: PeerAddress): Buffer {
  const b = Buffer.allocUnsafe(COMPACT_PEER_LENGTH)
  writeIp(b, 0, p.host)
  b.writeUInt16BE(p.port, 4)
  return b
}

export function decodePeer(b: Buffer, offset = 0): PeerAddress {
  return {
    host: `${b[offset]}.${b[offset + 1]}.${b[offset + 2]}.${b[offset + 3]}`,
    port: b.readUInt16BE(offset + 4),
  }
}

/** Decodes a `values` list, skipping entries that are not 6 bytes or have port 0. */
export function decodePeers(values: BValue | undefined): PeerAddress[] {
  if (!Array.isArray(values)) return []
  const out: PeerAddress[] = []
  for (const v of values) {
    if (!isBytes(v, COMPACT_PEER_LENGTH)) continue
    const p = decodePeer(v)
    if (p.port) out.push(p)
  }
  return out
}

export function encodeNodes(nodes: readonly NodeInfo[]): Buffer {
  const b = Buffer.allocUnsafe(nodes.length * COMPACT_NODE_LENGTH)
  let o = 0
  for (const n of nodes) {
    if (n.id.length !== ID_LENGTH) continue
    n.id.copy(b, o)
    writeIp(b, o + ID_LENGTH, n.host)
    b.writeUInt16BE(n.port, o + ID_LENGTH + 4)
    o += COMPACT_NODE_LENGTH
  }
  return o === b.length ? b : b.subarray(0, o)
}

/** Decodes a compact `nodes` string; a length that is not a multiple of 26 yields []. */
export function decodeNodes(buf: BValue | undefined): NodeInfo[] {
  if (!isBytes(buf) || buf.length % COMPACT_NODE_LENGTH !== 0) return []
  const out: NodeInfo[] = []
  for (let o = 0; o < buf.length; o += COMPACT_NODE_LENGTH) {
    const { host, port } = decodePeer(buf, o + ID_LENGTH)
    if (port) out.push({ id: Buffer.from(buf.subarray(o, o + ID_LENGTH)), host, port })
  }
  return out
}

function writeIp(b: Buffer, o: number, host: string): void {
  const parts = host.split('.')
  for (let i = 0; i < 4; i++) b[o + i] = Number(parts[i] ?? 0) & 255
}
