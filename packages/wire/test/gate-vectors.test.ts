// bb_gate test vectors: fixed inputs, and outputs computed from docs/PROTOCOL.md with node:crypto
// alone (helpers/gate-spec.ts, hex pinned below), checked against the implementation's exports.
import { describe, expect, it } from 'vitest'
import { gateKey, gateMembersTag, gateProof } from '../src/index.js'
import { specGateKey, specGateProof, specGateTag } from './helpers/gate-spec.js'

const secret = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex')
const t = {
  ih: Buffer.alloc(20, 0xaa),
  prover: Buffer.alloc(20, 0x11),
  verifier: Buffer.alloc(20, 0x22),
  proverNonce: Buffer.alloc(32, 0x33),
  verifierNonce: Buffer.alloc(32, 0x44),
}
const transcript = {
  infoHash: t.ih,
  proverId: t.prover,
  verifierId: t.verifier,
  proverNonce: t.proverNonce,
  verifierNonce: t.verifierNonce,
}
const K = '068723f450991e5261c16fc8cfa827b4e29bb662700f4ded73be5739ac711483'
const PROOF = '578e80a48957234c0462209db93c7037b2b36f29147d2852243abf98ef88f2f0'
// M = { bb_echo: 2, bb_pool: 3 }, bencoded with sorted keys.
const TAG = '9ee631a429f8aed4a40c8fa65492656a3ca97c27413c797c9f019d5e2dffc23b'

describe('bb_gate vectors (docs/PROTOCOL.md, node:crypto only)', () => {
  it('the spec helpers reproduce the pinned vectors', () => {
    const k = specGateKey(secret)
    expect(k.toString('hex')).toBe(K)
    expect(specGateProof(k, t).toString('hex')).toBe(PROOF)
    expect(specGateTag(k, t, 'd7:bb_echoi2e7:bb_pooli3ee').toString('hex')).toBe(TAG)
  })

  it('the implementation matches them, including key order of M and proof direction', () => {
    const k = gateKey(secret)
    expect(k.toString('hex')).toBe(K)
    expect(gateProof(k, transcript).toString('hex')).toBe(PROOF)
    // Insertion order must not matter: M is bencoded with sorted keys.
    const m = new Map([
      ['bb_pool', 3],
      ['bb_echo', 2],
    ])
    expect(gateMembersTag(k, transcript, m).toString('hex')).toBe(TAG)
    const reversed = { ...transcript, proverId: t.verifier, verifierId: t.prover }
    expect(gateProof(k, reversed).toString('hex')).not.toBe(PROOF)
  })
})
