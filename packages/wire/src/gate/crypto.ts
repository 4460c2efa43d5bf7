// The gate's MACs (docs/PROTOCOL.md). Pure functions so another implementation can be checked against them.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { encode } from '../bencode/bencode.js'
import { encodeMembersDict } from './codec.js'

const KEY_LABEL = 'bbmesh-gate-v1 key'
const PROOF_LABEL = 'bbmesh-gate-v1 proof'
const MEMBERS_LABEL = 'bbmesh-gate-v1 members'

/** K = HMAC-SHA256(secret, "bbmesh-gate-v1 key"): the caller's secret is never used directly. */
export function gateKey(secret: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(KEY_LABEL).digest()
}

/** What a proof is bound to: the prover's and verifier's peer ids and fresh nonces, and the infohash. */
export interface GateTranscript {
  infoHash: Uint8Array
  proverId: Uint8Array
  verifierId: Uint8Array
  proverNonce: Uint8Array
  verifierNonce: Uint8Array
}

function mac(key: Uint8Array, label: string, t: GateTranscript, extra?: Uint8Array): Buffer {
  const h = createHmac('sha256', key)
  h.update(label).update(Buffer.from([0]))
  h.update(t.infoHash).update(t.proverId).update(t.verifierId).update(t.proverNonce).update(t.verifierNonce)
  if (extra) h.update(extra)
  return h.digest()
}

export function gateProof(key: Uint8Array, t: GateTranscript): Buffer {
  return mac(key, PROOF_LABEL, t)
}

/** Authenticates the members-only id map the prover sends after the proofs. */
export function gateMembersTag(key: Uint8Array, t: GateTranscript, m: ReadonlyMap<string, number>): Buffer {
  return mac(key, MEMBERS_LABEL, t, encode(encodeMembersDict(m)))
}

export function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
