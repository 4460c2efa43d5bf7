// ed25519 through sodium-native. The only module of this package importing sodium-native.
import sodium from 'sodium-native'
import { PUBLIC_KEY_LENGTH, SECRET_KEY_LENGTH, SIGNATURE_LENGTH } from '../constants.js'

const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

/** A secret key lives in sodium's guarded memory (sodium_malloc), away from the ordinary heap. */
export function secureBuffer(size: number): Buffer {
  return sodium.sodium_malloc(size)
}

export function wipe(buf: Buffer): void {
  sodium.sodium_memzero(buf)
}

export function generateKeypair(): { publicKey: Buffer; secretKey: Buffer } {
  const publicKey = Buffer.alloc(PUBLIC_KEY_LENGTH)
  const secretKey = secureBuffer(SECRET_KEY_LENGTH)
  sodium.crypto_sign_keypair(publicKey, secretKey)
  return { publicKey, secretKey }
}

/** libsodium secret keys are seed ‖ public key; re-deriving from the seed detects a damaged file. */
export function publicKeyOf(secretKey: Buffer): Buffer {
  const publicKey = Buffer.alloc(PUBLIC_KEY_LENGTH)
  const again = secureBuffer(SECRET_KEY_LENGTH)
  sodium.crypto_sign_seed_keypair(publicKey, again, secretKey.subarray(0, 32))
  wipe(again)
  return publicKey
}

export function signDetached(message: Uint8Array, secretKey: Buffer): Uint8Array {
  const sig = Buffer.alloc(SIGNATURE_LENGTH)
  sodium.crypto_sign_detached(sig, view(message), secretKey)
  return new Uint8Array(sig)
}

export function verifyDetached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.byteLength !== SIGNATURE_LENGTH || publicKey.byteLength !== PUBLIC_KEY_LENGTH) return false
  return sodium.crypto_sign_verify_detached(view(signature), view(message), view(publicKey))
}
