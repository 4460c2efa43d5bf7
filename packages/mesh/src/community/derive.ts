// Every value a community puts anywhere is derived from its key with HKDF-SHA256 under its own label
// (docs/PROTOCOL.md, "Community keys"); the key itself is never sent, logged or used directly.
import { createHash, hkdfSync } from 'node:crypto'
import { generateKeyPair, type KeyPair } from '@bbmesh/dht'

export const COMMUNITY_KEY_LENGTH = 32

const SALT = Buffer.from('bbmesh-community-v1')

export type DerivationLabel =
  'gate' | 'rendezvous' | 'bus-sign' | 'bus-encrypt' | 'member-mac' | 'near-mac' | 'fingerprint'

/** HKDF-SHA256(ikm = community key, salt = "bbmesh-community-v1", info = label), `length` bytes. */
export function deriveKey(communityKey: Uint8Array, label: DerivationLabel, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', communityKey, SALT, label, length))
}

/** The keys a member uses. Holds secrets: never log or serialise it (toJSON shows the fingerprint). */
export interface CommunityKeys {
  /** Handed to @bbmesh/wire's bb_gate. */
  readonly gateSecret: Buffer
  /** Keys the daily rendezvous infohash. */
  readonly rendezvousKey: Buffer
  /** The shared BEP 44 keypair of the gossip bus (every member can write; content is signed inside). */
  readonly busKeyPair: KeyPair
  /** XChaCha20-Poly1305 key of bus values. */
  readonly busEncryptionKey: Buffer
  /** MAC key for members-only KRPC queries. */
  readonly memberMacKey: Buffer
  /** MAC key of bb_near queries (near/mac.ts): its own label, so no other MAC verifies as one. */
  readonly nearMacKey: Buffer
  /** Public, short: safe to print and compare (`ab12-cd34-ef56-7890`). */
  readonly fingerprint: string
}

/** The public fingerprint alone (what `community list` shows), without deriving the secrets. */
export function communityFingerprint(communityKey: Uint8Array): string {
  const fp = createHash('sha256').update(deriveKey(communityKey, 'fingerprint')).digest('hex')
  return fp.slice(0, 16).replace(/(.{4})(?=.)/g, '$1-')
}

export function deriveCommunityKeys(communityKey: Uint8Array): CommunityKeys {
  const keys: CommunityKeys = {
    gateSecret: deriveKey(communityKey, 'gate'),
    rendezvousKey: deriveKey(communityKey, 'rendezvous'),
    busKeyPair: generateKeyPair(deriveKey(communityKey, 'bus-sign')),
    busEncryptionKey: deriveKey(communityKey, 'bus-encrypt'),
    memberMacKey: deriveKey(communityKey, 'member-mac'),
    nearMacKey: deriveKey(communityKey, 'near-mac'),
    fingerprint: communityFingerprint(communityKey),
  }
  // Keep secrets out of JSON.stringify and util.inspect of the object.
  Object.defineProperty(keys, 'toJSON', { value: () => ({ fingerprint: keys.fingerprint }) })
  Object.defineProperty(keys, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => `CommunityKeys { fingerprint: '${keys.fingerprint}' }`,
  })
  return keys
}
