// Infohash forms (BEP-3 v1: SHA-1 of the bencoded info dict; BEP-52 v2: SHA-256 of it, truncated to
// 20 bytes in the handshake and in BEP-9/DHT traffic) and verification of fetched metadata.
import { createHash } from 'node:crypto'
import { INFO_HASH_LENGTH, V2_INFO_HASH_LENGTH } from '../constants.js'
import { InvalidArgumentError } from '../errors.js'

export type InfoHashVersion = 'v1' | 'v2'

export interface InfoHashTarget {
  /** The 20 bytes sent in the BEP-3 handshake. */
  readonly handshakeHash: Uint8Array
  /** The full 32-byte v2 hash, when the caller gave one. */
  readonly v2Full?: Uint8Array
}

/** Accepts 20 or 32 bytes, or 40/64 hex characters. */
export function parseInfoHash(input: Uint8Array | string): InfoHashTarget {
  const bytes = typeof input === 'string' ? hexToBytes(input) : input
  if (bytes.length === INFO_HASH_LENGTH) return { handshakeHash: bytes }
  if (bytes.length === V2_INFO_HASH_LENGTH) return { handshakeHash: bytes.subarray(0, 20), v2Full: bytes }
  throw new InvalidArgumentError(`infohash must be 20 or 32 bytes, got ${bytes.length}`)
}

function hexToBytes(hex: string): Uint8Array {
  if (!/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(hex))
    throw new InvalidArgumentError('infohash must be 40 or 64 hex characters')
  return Buffer.from(hex, 'hex')
}

export function sha1(data: Uint8Array): Buffer {
  return createHash('sha1').update(data).digest()
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest()
}

/**
 * Which hash `info` matches: a 32-byte target must equal SHA-256(info); a 20-byte target may be a v1
 * hash (SHA-1) or a truncated v2 hash (first 20 bytes of SHA-256), which BEP-52 makes indistinguishable.
 */
export function verifyInfo(target: InfoHashTarget, info: Uint8Array): InfoHashVersion | undefined {
  if (target.v2Full) return sha256(info).equals(target.v2Full) ? 'v2' : undefined
  if (sha1(info).equals(target.handshakeHash)) return 'v1'
  if (sha256(info).subarray(0, 20).equals(target.handshakeHash)) return 'v2'
  return undefined
}
