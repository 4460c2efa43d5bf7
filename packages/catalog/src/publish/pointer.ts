// BEP 46 pointer checks on our side too (the DHT layer already drops bad signatures): the item must
// be under the requested key, carry a valid ed25519 signature over (salt, seq, v), and be {ih: 20 bytes}.
import { signatureBuffer, type BInput, type DhtItem } from '@bbmesh/dht'
import { ResolveError } from '../errors.js'
import { publicKeyBytes, type PublicKeyInput } from '../keys/public-key.js'
import { verifySignature } from '../keys/publisher-key.js'

export interface Pointer {
  infohash: Uint8Array
  seq: number
}

/** Salt as bytes: a name is its UTF-8 (BEP 44 allows up to 64 bytes). */
export function saltBytes(salt: string | Uint8Array | undefined): Buffer {
  const b =
    salt === undefined
      ? Buffer.alloc(0)
      : typeof salt === 'string'
        ? Buffer.from(salt, 'utf8')
        : Buffer.from(salt)
  if (b.length > 64) throw new ResolveError('BAD_POINTER', 'salt is longer than 64 bytes (BEP 44)')
  return b
}

export function verifyPointer(item: DhtItem, publicKey: PublicKeyInput, salt: Uint8Array): Pointer {
  const pk = publicKeyBytes(publicKey)
  const { k, sig, seq, v } = item
  if (!k || !sig || seq === undefined) throw new ResolveError('BAD_POINTER', 'the item is not a mutable item')
  if (!Buffer.from(k).equals(pk))
    throw new ResolveError('BAD_POINTER', 'the pointer is under another public key')
  const msg = signatureBuffer(seq, v as BInput, salt.length ? Buffer.from(salt) : undefined)
  if (!verifySignature(pk, msg, sig))
    throw new ResolveError('BAD_POINTER', 'the pointer signature does not verify under the publisher key')
  const ih = typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) ? v['ih'] : undefined
  if (!(ih instanceof Uint8Array) || ih.length !== 20)
    throw new ResolveError('BAD_POINTER', 'the pointer is not a BEP 46 {ih: <20 bytes>} value')
  return { infohash: new Uint8Array(ih), seq }
}
