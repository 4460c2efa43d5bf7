// Node ids: random, chosen, or derived from the external IP as BEP 42 specifies.
import { randomBytes } from 'node:crypto'
import { isIPv4 } from 'node:net'
import { InvalidArgumentError } from './errors.js'

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    t[i] = c >>> 0
  }
  return t
})()

function crc32c(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC32C_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** BEP 42: crc32c((ip & 0x030f3fff) | (r << 29)) for an IPv4 address and r in 0..7. */
function bep42Crc(ip: string, r: number): number {
  if (!isIPv4(ip)) throw new InvalidArgumentError('BEP 42 derivation needs an IPv4 address')
  const b = Buffer.from(ip.split('.').map(Number))
  const masked = (b.readUInt32BE(0) & 0x030f3fff) | ((r & 7) << 29)
  const m = Buffer.alloc(4)
  m.writeUInt32BE(masked >>> 0, 0)
  return crc32c(m)
}

/** BEP 42: a node id whose first 21 bits are tied to `ip`; `rand` (0..255) becomes the last byte. */
export function deriveNodeId(
  ip: string,
  rand: number = randomBytes(1)[0]!,
  tail: Buffer = randomBytes(20),
): Buffer {
  const crc = bep42Crc(ip, rand)
  const id = Buffer.from(tail.subarray(0, 20))
  id[0] = (crc >>> 24) & 0xff
  id[1] = (crc >>> 16) & 0xff
  id[2] = ((crc >>> 8) & 0xf8) | (id[2]! & 0x7)
  id[19] = rand & 0xff
  return id
}

/** BEP 42: whether `id` is a valid id for a node at `ip`. */
export function isNodeIdValidForIp(id: Buffer, ip: string): boolean {
  const crc = bep42Crc(ip, id[19]!)
  return (
    id[0] === ((crc >>> 24) & 0xff) &&
    id[1] === ((crc >>> 16) & 0xff) &&
    (id[2]! & 0xf8) === ((crc >>> 8) & 0xf8)
  )
}
