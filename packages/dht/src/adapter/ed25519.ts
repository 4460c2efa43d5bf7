// ed25519 through sodium-native (BEP 44 signatures). The only module importing sodium-native.
import sodium from 'sodium-native'

export interface KeyPair {
  /** 32-byte public key (BEP 44 `k`). */
  publicKey: Buffer
  /** 64-byte libsodium secret key (seed followed by public key). */
  secretKey: Buffer
}

export function generateKeyPair(seed?: Buffer): KeyPair {
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  if (seed) {
    if (seed.length !== sodium.crypto_sign_SEEDBYTES) throw new RangeError('seed must be 32 bytes')
    sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  } else sodium.crypto_sign_keypair(publicKey, secretKey)
  return { publicKey, secretKey }
}

export function sign(message: Buffer, secretKey: Buffer): Buffer {
  const sig = Buffer.alloc(sodium.crypto_sign_BYTES)
  sodium.crypto_sign_detached(sig, message, secretKey)
  return sig
}

export function verify(signature: Buffer, message: Buffer, publicKey: Buffer): boolean {
  if (
    signature.length !== sodium.crypto_sign_BYTES ||
    publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES
  ) {
    return false
  }
  return sodium.crypto_sign_verify_detached(signature, message, publicKey)
}
