// Slots, the AEAD layer, the signed envelope and the stateless acceptance rules, without a network.
import { randomBytes } from 'node:crypto'
import { bdecode, bencode, generateKeyPair, type BDict } from '@bbmesh/dht'
import { describe, expect, it } from 'vitest'
import { busAad, open, seal } from '../../src/bus/aead.js'
import { decodeEnvelope, encodeEnvelope, signEnvelope } from '../../src/bus/envelope.js'
import { BusError } from '../../src/bus/errors.js'
import { decodeFeed, encodeFeed } from '../../src/bus/feed.js'
import { maxValueBytes, openItem, sealEnvelope, sealedSize } from '../../src/bus/sealed-item.js'
import { digestSlot, feedSlot, slotOwner, slotSalt, writerId } from '../../src/bus/slot.js'
import { deriveCommunityKeys } from '../../src/community/derive.js'

const keys = deriveCommunityKeys(randomBytes(32))
const seal1 = { busPublicKey: keys.busKeyPair.publicKey, busEncryptionKey: keys.busEncryptionKey }
const alice = generateKeyPair()
const nodeId = randomBytes(20)

function envelope(slot: string, seq: number, value = Buffer.from('hello bus'), writer = alice) {
  return signEnvelope({ nodeId, slot, seq, writtenAt: 1_700_000_000, value }, writer)
}

describe('slots', () => {
  it('names feeds after SHA-1 of the writer key and checks every slot', () => {
    const slot = feedSlot(alice.publicKey)
    expect(slot).toMatch(/^feed:[0-9a-f]{40}$/)
    expect(slotOwner(slot)).toEqual(writerId(alice.publicKey))
    expect(slotOwner(digestSlot('2026-12-02'))).toBeNull()
    expect(digestSlot(Date.UTC(2026, 11, 2, 23))).toBe('digest:2026-12-02')
    expect(slotSalt(slot).length).toBe(45)
    for (const bad of [
      '',
      'feed:ABC',
      `feed:${'0'.repeat(39)}`,
      'no-colon',
      `x:${'a'.repeat(70)}`,
      'a: space',
    ])
      expect(() => slotSalt(bad), bad).toThrow(BusError)
  })
})

describe('aead', () => {
  it('opens only under the same key and AAD, and notices any flipped bit', () => {
    const aad = busAad(keys.busKeyPair.publicKey, Buffer.from('digest:2026-12-02'), 7)
    const sealed = seal(keys.busEncryptionKey, aad, Buffer.from('secret words'))
    expect(sealed.length).toBe(24 + 12 + 16)
    expect(open(keys.busEncryptionKey, aad, sealed)?.toString()).toBe('secret words')
    // Two seals of the same plaintext differ (random nonce).
    expect(seal(keys.busEncryptionKey, aad, Buffer.from('secret words')).equals(sealed)).toBe(false)
    const other = busAad(keys.busKeyPair.publicKey, Buffer.from('digest:2026-12-02'), 8)
    expect(open(keys.busEncryptionKey, other, sealed)).toBeNull()
    expect(open(deriveCommunityKeys(randomBytes(32)).busEncryptionKey, aad, sealed)).toBeNull()
    for (let i = 0; i < sealed.length; i += 7) {
      const t = Buffer.from(sealed)
      t[i]! ^= 1
      expect(open(keys.busEncryptionKey, aad, t)).toBeNull()
    }
    expect(open(keys.busEncryptionKey, aad, sealed.subarray(0, 30))).toBeNull()
  })
})

describe('envelope and acceptance', () => {
  it('round-trips and accepts a well-formed item', () => {
    const slot = feedSlot(alice.publicKey)
    const env = envelope(slot, 3)
    expect(decodeEnvelope(encodeEnvelope(env))).toEqual(env)
    const entry = openItem(seal1, slot, 3, sealEnvelope(seal1, env))
    expect(entry).toMatchObject({ slot, seq: 3, nodeId, writerKey: alice.publicKey })
    expect(typeof entry !== 'string' && entry.value.toString()).toBe('hello bus')
  })

  it('rejects each kind of bad item with its own reason', () => {
    const slot = feedSlot(alice.publicKey)
    const good = sealEnvelope(seal1, envelope(slot, 3))
    expect(openItem(seal1, slot, 4, good)).toBe('undecryptable') // moved to another seq
    expect(openItem(seal1, 'digest:2026-12-02', 3, good)).toBe('undecryptable') // another slot
    expect(openItem(seal1, slot, 3, 42 as never)).toBe('undecryptable')
    // Re-sealed by a member under a newer seq: the AEAD opens, the inner seq gives it away.
    expect(openItem(seal1, slot, 9, sealEnvelope(seal1, envelope(slot, 3), 9))).toBe('mismatch')
    // Signed by bob, in alice's feed.
    const bob = generateKeyPair()
    expect(openItem(seal1, slot, 3, sealEnvelope(seal1, envelope(slot, 3, undefined, bob)))).toBe(
      'wrong-writer',
    )
    // A shared slot takes any writer, still signed.
    const digest = 'digest:2026-12-02'
    expect(typeof openItem(seal1, digest, 1, sealEnvelope(seal1, envelope(digest, 1, undefined, bob)))).toBe(
      'object',
    )
    const forged = { ...envelope(slot, 3), value: Buffer.from('forged') }
    expect(openItem(seal1, slot, 3, sealEnvelope(seal1, forged))).toBe('bad-signature')
    const aad = busAad(keys.busKeyPair.publicKey, slotSalt(slot), 3)
    expect(openItem(seal1, slot, 3, seal(keys.busEncryptionKey, aad, bencode({ a: 1 })))).toBe('malformed')
    expect(openItem(seal1, slot, 3, seal(keys.busEncryptionKey, aad, Buffer.from('not bencode')))).toBe(
      'malformed',
    )
    const extra = bencode({ ...(bdecode(encodeEnvelope(envelope(slot, 3))) as BDict), z: 1 })
    expect(openItem(seal1, slot, 3, seal(keys.busEncryptionKey, aad, extra))).toBe('malformed')
  })

  it('sizes: the largest value fits the 1000-byte BEP 44 cap at any seq, one more byte does not', () => {
    const slot = feedSlot(alice.publicKey)
    const max = maxValueBytes(slot)
    expect(max).toBeGreaterThanOrEqual(720)
    expect(sealedSize(slot, max)).toBeLessThanOrEqual(1000)
    expect(sealedSize(slot, max + 1)).toBeGreaterThan(1000)
    const real = sealEnvelope(seal1, envelope(slot, Number.MAX_SAFE_INTEGER, Buffer.alloc(max)))
    expect(bencode(real).length).toBeLessThanOrEqual(1000)
  })

  it('feed values are whole 20-byte infohashes', () => {
    const hs = [randomBytes(20), randomBytes(20)]
    expect(decodeFeed(encodeFeed(hs))).toEqual(hs)
    expect(decodeFeed(Buffer.alloc(21))).toBeNull()
    expect(() => encodeFeed([Buffer.alloc(19)])).toThrow(BusError)
  })
})
