// Keyspace regions: an id prefix of n bits.
import type { RandomSource } from './rng.js'
import { ID_LENGTH } from './constants.js'
import { randomBytes } from 'node:crypto'

export interface Region {
  /** The prefix bits are read from the start of this buffer. */
  prefix: Buffer
  /** Number of leading bits that define the region (0..160). */
  bits: number
}

export function inRegion(id: Buffer, r: Region): boolean {
  const full = r.bits >> 3
  for (let i = 0; i < full; i++) if (id[i] !== r.prefix[i]) return false
  const rest = r.bits & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((id[full]! ^ r.prefix[full]!) & mask) === 0
}

/** A uniformly random id inside the region. */
export function randomIdIn(r: Region, random?: RandomSource): Buffer {
  const id = random ? random.bytes(ID_LENGTH) : randomBytes(ID_LENGTH)
  const full = r.bits >> 3
  r.prefix.copy(id, 0, 0, full)
  const rest = r.bits & 7
  if (rest) {
    const mask = (0xff << (8 - rest)) & 0xff
    id[full] = (r.prefix[full]! & mask) | (id[full]! & ~mask & 0xff)
  }
  return id
}
