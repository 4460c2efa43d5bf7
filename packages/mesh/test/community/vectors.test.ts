// Community derivations (docs/PROTOCOL.md, "Community keys") against vectors computed with node:crypto
// alone from the spec text: HKDF labels, the fingerprint, the rendezvous hash, the bus keypair seed and
// the invite check. The recomputation is here, the hex is pinned, and the implementation must match both.
import { createHash, createHmac, createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  communityFingerprint,
  decodeInvite,
  deriveCommunityKeys,
  encodeInvite,
  rendezvousInfoHash,
  type DerivationLabel,
} from '../../src/index.js'

const key = Buffer.alloc(32, 7)
const spec = (label: string): Buffer =>
  Buffer.from(hkdfSync('sha256', key, Buffer.from('bbmesh-community-v1'), label, 32))

const DERIVED: Record<DerivationLabel, string> = {
  gate: 'fcfaa41316358b30335a3d2099b040f0dd098b88783e75d5a80bc7b9e0bfbbab',
  rendezvous: '56dd706f7a590833ee975c9bb8d78c9dd988a1873926dcb80f41802f98813a43',
  'bus-sign': 'a8366a1a3bba4899646338d07a2727319e5edb3339846463c498635747cfd9a8',
  'bus-encrypt': 'f618b35efbcaac597198c448addebc0ccae5565d93ce8b1f6430405b6c4c2f2c',
  'member-mac': '7b3448f098a3e64413382682ce890e9389bb0c191c583e81e152204c1ff36a93',
  'near-mac': '8b5e91efea74bf967475d9d3c78f8c19bc8ec990879ffdc8929411334525611b',
  fingerprint: '758082f0e74bc368beed8a127141f80cd8d38feafa6d22a405bf8d2734d1a55a',
}

/** The ed25519 public key of a 32-byte seed, via node:crypto's PKCS#8 import (RFC 8410 prefix). */
function ed25519Public(seed: Buffer): string {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  const priv = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  return createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(12).toString('hex')
}

describe('community vectors (node:crypto only)', () => {
  it('every HKDF label, recomputed from the spec, matches its pinned hex', () => {
    for (const [label, hex] of Object.entries(DERIVED)) expect(spec(label).toString('hex'), label).toBe(hex)
  })

  it('the implementation derives the same keys, fingerprint, bus keypair and rendezvous hash', () => {
    const k = deriveCommunityKeys(key)
    expect(k.gateSecret.toString('hex')).toBe(DERIVED.gate)
    expect(k.rendezvousKey.toString('hex')).toBe(DERIVED.rendezvous)
    expect(k.busEncryptionKey.toString('hex')).toBe(DERIVED['bus-encrypt'])
    expect(k.memberMacKey.toString('hex')).toBe(DERIVED['member-mac'])
    expect(k.nearMacKey.toString('hex')).toBe(DERIVED['near-mac'])
    // fingerprint: first 16 hex digits of SHA-256(derive("fingerprint")), in groups of 4.
    const fp = createHash('sha256').update(spec('fingerprint')).digest('hex').slice(0, 16)
    expect(fp).toBe('bc4bf7ff6a2a27b5')
    expect(k.fingerprint).toBe('bc4b-f7ff-6a2a-27b5')
    expect(communityFingerprint(key)).toBe(k.fingerprint)
    // The bus keypair is the ed25519 key seeded with derive("bus-sign").
    const pub = ed25519Public(spec('bus-sign'))
    expect(pub).toBe('4b5f9d7c02259dfabe02eccb91f5d77ae1aec44d8258e29bdc00403f839c3fd0')
    expect(Buffer.from(k.busKeyPair.publicKey).toString('hex')).toBe(pub)
    // rendezvous(D) = first 20 bytes of HMAC-SHA256(derive("rendezvous"), label || 0x00 || D).
    const rv = createHmac('sha256', spec('rendezvous'))
      .update('bbmesh-rendezvous-v1')
      .update(Buffer.of(0))
      .update('2026-12-02')
      .digest()
      .subarray(0, 20)
      .toString('hex')
    expect(rv).toBe('75ddf1749e4f02b977c60832d0ada034cdf50a24')
    expect(rendezvousInfoHash(k.rendezvousKey, '2026-12-02').toString('hex')).toBe(rv)
  })

  it('the invite check is the first 8 hex digits of SHA-256(key || hint text)', () => {
    const hints = ['127.0.0.1:6881', '[::1]:7000']
    const check = createHash('sha256').update(key).update(hints.join(',')).digest('hex').slice(0, 8)
    expect(check).toBe('939fabb7')
    const text = `bbmesh-invite-v1.${key.toString('base64url')}.${check}.${hints.join(',')}`
    expect(encodeInvite({ key, hints })).toBe(text)
    expect(decodeInvite(text)).toEqual({ key, hints })
  })
})
