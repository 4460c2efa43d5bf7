// BEP 44 item rules: targets, the signed buffer, and validation of a put (error codes per the BEP).
import { createHash } from 'node:crypto'
import { bencode, isBytes, isInt } from './bencode.js'
import type { BDict, BInput, BValue } from './bencode.js'
import {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  ERR_INVALID_SIGNATURE,
  ERR_MESSAGE_TOO_BIG,
  ERR_PROTOCOL,
  ERR_SALT_TOO_BIG,
  MAX_ITEM_VALUE_BYTES,
  MAX_SALT_BYTES,
} from './constants.js'
import { verify } from './adapter/ed25519.js'

export function sha1(b: Buffer): Buffer {
  return createHash('sha1').update(b).digest()
}

/** BEP 44: immutable target = SHA-1 of the bencoded value. */
export function immutableTarget(v: BInput): Buffer {
  return sha1(bencode(v))
}

/** BEP 44: mutable target = SHA-1(k + salt). */
export function mutableTarget(k: Buffer, salt?: Buffer): Buffer {
  return sha1(salt && salt.length ? Buffer.concat([k, salt]) : k)
}

/** BEP 44: the signed buffer is the bencoded dict {salt?, seq, v} without its outer `d`/`e`. */
export function signatureBuffer(seq: number, v: BInput, salt?: Buffer): Buffer {
  const d: { [key: string]: BInput } = { seq, v }
  if (salt && salt.length) d.salt = salt
  const enc = bencode(d)
  return enc.subarray(1, enc.length - 1)
}

/** A stored or served item. */
export interface StoredItem {
  v: BValue
  /** Mutable only. */
  k?: Buffer
  sig?: Buffer
  seq?: number
  salt?: Buffer
}

export type PutCheck =
  { ok: true; target: Buffer; item: StoredItem } | { ok: false; code: number; message: string }

/** Validates the arguments of an incoming `put` (everything except token, cas and seq order). */
export function checkPut(a: BDict): PutCheck {
  const v = a.v
  if (v === undefined) return { ok: false, code: ERR_PROTOCOL, message: 'put without v' }
  const encoded = bencode(v)
  if (encoded.length > MAX_ITEM_VALUE_BYTES)
    return { ok: false, code: ERR_MESSAGE_TOO_BIG, message: 'message (v field) too big' }
  const isMutable = a.k !== undefined || a.sig !== undefined
  if (!isMutable) return { ok: true, target: sha1(encoded), item: { v } }
  if (!isBytes(a.k, ED25519_PUBLIC_KEY_BYTES) || !isBytes(a.sig, ED25519_SIGNATURE_BYTES) || !isInt(a.seq)) {
    return {
      ok: false,
      code: ERR_PROTOCOL,
      message: 'mutable put needs k (32 bytes), sig (64 bytes) and seq',
    }
  }
  if (a.salt !== undefined && !isBytes(a.salt))
    return { ok: false, code: ERR_PROTOCOL, message: 'salt must be a string' }
  const salt = a.salt as Buffer | undefined
  if (salt && salt.length > MAX_SALT_BYTES)
    return { ok: false, code: ERR_SALT_TOO_BIG, message: 'salt (salt field) too big' }
  if (!verify(a.sig, signatureBuffer(a.seq, v, salt), a.k)) {
    return { ok: false, code: ERR_INVALID_SIGNATURE, message: 'invalid signature' }
  }
  const item: StoredItem = { v, k: a.k, sig: a.sig, seq: a.seq }
  if (salt && salt.length) item.salt = salt
  return { ok: true, target: mutableTarget(a.k, salt), item }
}
