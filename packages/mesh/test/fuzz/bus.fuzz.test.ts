// Fuzz targets of @bbmesh/mesh (test-support/fuzz-harness.ts): the gossip bus's acceptance path for values a
// hostile member (who holds the bus keys) can put: sealed plaintexts that are mutated envelopes,
// opened under random slots and seqs, and the feed value decoder. openItem must never throw.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@bbmesh/dht'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { busAad, seal } from '../../src/bus/aead.js'
import { encodeEnvelope, signEnvelope } from '../../src/bus/envelope.js'
import { decodeFeed, encodeFeed } from '../../src/bus/feed.js'
import { openItem } from '../../src/bus/sealed-item.js'
import { feedSlot, slotSalt } from '../../src/bus/slot.js'
import { deriveCommunityKeys } from '../../src/index.js'
import { FUZZ_TEST_TIMEOUT, bencodeNoise, fuzz, mutated } from '../../../../test-support/fuzz-harness.js'

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus')
const community = deriveCommunityKeys(Buffer.alloc(32, 5))
const keys = { busPublicKey: community.busKeyPair.publicKey, busEncryptionKey: community.busEncryptionKey }
const writer = generateKeyPair(Buffer.alloc(32, 6))
const slots = [feedSlot(writer.publicKey), 'digest:2026-12-02', 'x:y']

describe('fuzz @bbmesh/mesh gossip bus', () => {
  it(
    'openItem on member-sealed mutated envelopes: an entry for exactly that slot and seq, or a rejection',
    async () => {
      const envelope = fc
        .record({ slot: fc.constantFrom(...slots), seq: fc.nat(), value: fc.uint8Array({ maxLength: 60 }) })
        .map(({ slot, seq, value }) =>
          encodeEnvelope(
            signEnvelope(
              { nodeId: Buffer.alloc(20, 1), slot, seq, writtenAt: 1_800_000_000, value: Buffer.from(value) },
              writer,
            ),
          ),
        )
        .map((b) => new Uint8Array(b))
      // The sealed input is (slot index, seq choice, plaintext), so the corpus holds plain bytes.
      const inputs = fc
        .tuple(
          fc.nat({ max: slots.length - 1 }),
          fc.nat({ max: 3 }),
          fc.oneof(envelope, mutated(envelope), bencodeNoise()),
        )
        .map(([s, q, p]) => new Uint8Array(Buffer.concat([Buffer.from([s, q]), p])))
      let accepted = 0
      await fuzz(corpus, {
        name: 'mesh-bus-open',
        scale: 0.3,
        inputs,
        run: (input) => {
          const slot = slots[input[0]! % slots.length]!
          const plaintext = Buffer.from(input.subarray(2))
          // Even second byte: seal under the envelope's own seq (so intact ones are accepted); odd: under
          // the byte itself.
          const own = /1:qi(\d+)e/.exec(plaintext.toString('latin1'))
          const outer = input[1]! % 2 === 0 && own ? Number(own[1]) : input[1]!
          const v = seal(keys.busEncryptionKey, busAad(keys.busPublicKey, slotSalt(slot), outer), plaintext)
          const got = openItem(keys, slot, outer, v)
          if (typeof got === 'string') return
          accepted++
          if (got.slot !== slot || got.seq !== outer) throw new Error('accepted for another slot or seq')
        },
        expected: () => false,
      })
      expect(accepted).toBeGreaterThan(0) // the generator does reach the acceptance path
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    'feed values: null or infohashes that re-encode to the same bytes',
    async () => {
      await fuzz(corpus, {
        name: 'mesh-bus-feed',
        inputs: fc.uint8Array({ maxLength: 800 }),
        run: (input) => {
          const ihs = decodeFeed(input)
          if (ihs !== null && !encodeFeed(ihs).equals(Buffer.from(input))) throw new Error('feed round trip')
        },
        expected: () => false,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )
})
