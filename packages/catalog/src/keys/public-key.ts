// A publisher's public key as the API takes it. PublishResult and PublisherKey hand it out as hex
// (publicKey, publicKeyHex) while the DHT works in bytes, so every function that takes one accepts
// either form and converts here, once.
import { PUBLIC_KEY_LENGTH } from '../constants.js'
import { PublisherKeyError } from '../errors.js'

/** The 32 ed25519 public key bytes, or the same as 64 hex digits (either case). */
export type PublicKeyInput = Uint8Array | string

const HEX = new RegExp(`^[0-9a-fA-F]{${PUBLIC_KEY_LENGTH * 2}}$`)

/**
 * The key as bytes. Anything else is PublisherKeyError BAD_PUBLIC_KEY, whose message gives only the
 * length (never the text: a secret key pasted by mistake must not end up in a log). The
 * `bbmesh:pub:` form is for people; parse it with parsePublicKey first.
 */
export function publicKeyBytes(key: PublicKeyInput): Buffer {
  const b = publicKeyOrUndefined(key)
  if (b) return b
  if (key instanceof Uint8Array) throw bad(`${key.length} bytes`)
  if (typeof key === 'string')
    throw bad(`a string of ${key.length} characters that is not ${PUBLIC_KEY_LENGTH * 2} hex digits`)
  throw bad(key === null ? 'null' : typeof key)
}

/** The same without the error, for predicates (a malformed key verifies nothing). */
export function publicKeyOrUndefined(key: PublicKeyInput): Buffer | undefined {
  if (key instanceof Uint8Array) return key.length === PUBLIC_KEY_LENGTH ? Buffer.from(key) : undefined
  return typeof key === 'string' && HEX.test(key) ? Buffer.from(key, 'hex') : undefined
}

function bad(got: string): PublisherKeyError {
  return new PublisherKeyError(
    'BAD_PUBLIC_KEY',
    `a publisher public key is ${PUBLIC_KEY_LENGTH} bytes or ${PUBLIC_KEY_LENGTH * 2} hex digits, got ${got}`,
  )
}
