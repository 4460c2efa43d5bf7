// The outer layer of a bus value: XChaCha20-Poly1305 under busEncryptionKey, so DHT storers and
// strangers see only opaque bytes. The AAD binds the ciphertext to the BEP 44 item it travels in.
import { randomBytes } from 'node:crypto'
import sodium from 'sodium-native'
import { AAD_LABEL, KEY_BYTES, NONCE_BYTES, TAG_BYTES } from './constants.js'
import { BusError } from './errors.js'

/**
 * AAD = "bbmesh-bus-v1\0" ‖ bus public key (32) ‖ len(salt) (1 byte) ‖ salt ‖ seq (8 bytes, big
 * endian). A ciphertext moved to another slot or re-put under another seq no longer opens.
 */
export function busAad(busPublicKey: Uint8Array, salt: Uint8Array, seq: number): Buffer {
  const seqBytes = Buffer.alloc(8)
  seqBytes.writeBigUInt64BE(BigInt(seq))
  return Buffer.concat([AAD_LABEL, busPublicKey, Buffer.of(salt.length), salt, seqBytes])
}

/** nonce (24, random) ‖ ciphertext ‖ tag (16). */
export function seal(key: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  checkKey(key)
  // Random nonces are safe with XChaCha's 192 bits even though every member shares the key.
  const nonce = randomBytes(NONCE_BYTES)
  const out = Buffer.alloc(NONCE_BYTES + plaintext.length + TAG_BYTES)
  nonce.copy(out)
  sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    out.subarray(NONCE_BYTES),
    plaintext,
    aad,
    null,
    nonce,
    key,
  )
  return out
}

/** The plaintext, or null when the bytes were not sealed under this key and AAD (or were altered). */
export function open(key: Buffer, aad: Buffer, sealed: Uint8Array): Buffer | null {
  checkKey(key)
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return null
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
  const out = Buffer.alloc(buf.length - NONCE_BYTES - TAG_BYTES)
  try {
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      out,
      null,
      buf.subarray(NONCE_BYTES),
      aad,
      buf.subarray(0, NONCE_BYTES),
      key,
    )
  } catch {
    return null
  }
  return out
}

/** Bytes the AEAD adds to a plaintext. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new BusError('BAD_ARGUMENT', 'the bus encryption key must be 32 bytes')
}
