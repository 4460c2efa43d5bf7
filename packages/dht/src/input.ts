// Checks and conversions for what library users pass the public API (issue 17): an address in
// either shape (`{host, port}` as the query methods always took, or `{address, port}` as
// `address()` returns) and bytes as any Uint8Array (catalog, index and wire hand out Uint8Array;
// k-rpc and bittorrent-dht need Buffers, so we convert here, once, at the boundary).
import { InvalidArgumentError } from './errors.js'
import type { PeerAddress } from './transport/types.js'

/** An address as a user may hold it: ours (`host`) or Node's/`address()`'s (`address`). */
export type AddressInput = PeerAddress | { address: string; port: number }

/** A `{host, port}` copy of `to`, or InvalidArgumentError: an empty host must never reach DNS. */
export function toPeerAddress(to: AddressInput): PeerAddress {
  const o = to as { host?: unknown; address?: unknown; port?: unknown } | null
  if (!o || typeof o !== 'object') throw new InvalidArgumentError('address must be {host, port}')
  const host = typeof o.host === 'string' && o.host ? o.host : o.address
  if (typeof host !== 'string' || host === '')
    throw new InvalidArgumentError('address needs a non-empty host (or address)')
  const port = o.port
  if (!isValidPort(port))
    throw new InvalidArgumentError(`port must be an integer 1..65535, got ${String(port)}`)
  return { host, port }
}

/** A UDP/TCP port a query can go to. */
export function isValidPort(p: unknown): p is number {
  return typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535
}

/** `b` as a Buffer (sharing memory, no copy), checked to be `length` bytes when given. */
export function toBuffer(b: Uint8Array, what: string, length?: number): Buffer {
  if (!(b instanceof Uint8Array)) throw new InvalidArgumentError(`${what} must be bytes (Uint8Array)`)
  if (length !== undefined && b.length !== length)
    throw new InvalidArgumentError(`${what} must be ${length} bytes`)
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}

/** Like toBuffer for an optional value. */
export function toOptBuffer(b: Uint8Array | undefined, what: string): Buffer | undefined {
  return b === undefined ? undefined : toBuffer(b, what)
}
