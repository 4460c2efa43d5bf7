// The bb_gate MACs written from docs/PROTOCOL.md with node:crypto alone, so tests that use them check
// the implementation against the spec rather than against itself. Nothing here imports src/.
import { createHmac } from 'node:crypto'

const hmac = (key: Uint8Array, ...parts: (Uint8Array | string)[]): Buffer => {
  const h = createHmac('sha256', key)
  for (const p of parts) h.update(p)
  return h.digest()
}

/** K = HMAC(secret, "bbmesh-gate-v1 key") */
export const specGateKey = (secret: Uint8Array): Buffer => hmac(secret, 'bbmesh-gate-v1 key')

/** T(P, V) = ih || peer_id(P) || peer_id(V) || nonce(P) || nonce(V) */
export interface SpecTranscript {
  ih: Uint8Array
  prover: Uint8Array
  verifier: Uint8Array
  proverNonce: Uint8Array
  verifierNonce: Uint8Array
}

const T = (t: SpecTranscript): Uint8Array[] => [t.ih, t.prover, t.verifier, t.proverNonce, t.verifierNonce]

/** proof(P → V) = HMAC(K, "bbmesh-gate-v1 proof" || 0x00 || T(P, V)) */
export const specGateProof = (K: Uint8Array, t: SpecTranscript): Buffer =>
  hmac(K, 'bbmesh-gate-v1 proof', Buffer.of(0), ...T(t))

/** tag(P → V, M) = HMAC(K, "bbmesh-gate-v1 members" || 0x00 || T(P, V) || bencode(M)); M given as bytes. */
export const specGateTag = (K: Uint8Array, t: SpecTranscript, bencodedM: Uint8Array | string): Buffer =>
  hmac(K, 'bbmesh-gate-v1 members', Buffer.of(0), ...T(t), bencodedM)
