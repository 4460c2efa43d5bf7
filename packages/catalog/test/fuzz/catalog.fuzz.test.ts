// Fuzz targets of @bbmesh/catalog (test-support/fuzz-harness.ts): the bencode decoder (strict and lenient key
// order), the .torrent parser on mutated real torrents (the repo's libtorrent-checked fixtures and
// torrents we build), and the catalog header and entry-lines readers.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { beforeAll, describe, it } from 'vitest'
import {
  CatalogError,
  bdecode,
  bencode,
  buildTorrent,
  encodeEntryLine,
  encodeHeader,
  parseHeader,
  parseLines,
  parseTorrentFile,
  type CatalogEntry,
} from '../../src/index.js'
import { FUZZ_TEST_TIMEOUT, bencodeNoise, fuzz, mutated } from '../../../../test-support/fuzz-harness.js'

const here = dirname(fileURLToPath(import.meta.url))
const corpus = join(here, 'corpus')
const fixtures = join(here, '../../../../fixtures/torrents')
const isCatalogError = (err: unknown): boolean => err instanceof CatalogError

describe('fuzz @bbmesh/catalog', () => {
  const torrents: Uint8Array[] = []
  beforeAll(async () => {
    for (const f of readdirSync(fixtures).filter((n) => n.endsWith('.torrent')))
      torrents.push(new Uint8Array(readFileSync(join(fixtures, f))))
    for (const version of ['v1', 'v2', 'hybrid'] as const) {
      const t = await buildTorrent(
        {
          name: `fuzz-${version}`,
          files: [
            { path: ['a', 'one.bin'], data: new Uint8Array(40_000).fill(1) },
            { path: ['b.txt'], data: new Uint8Array(10).fill(2) },
          ],
        },
        { version, pieceLength: 16_384 },
      )
      torrents.push(t.torrent)
    }
  })

  it(
    'bencode: strict decoding accepts exactly the canonical encoding; lenient round-trips at its length',
    async () => {
      await fuzz(corpus, {
        name: 'catalog-bencode',
        inputs: fc.oneof(bencodeNoise(), fc.uint8Array({ maxLength: 64 })),
        run: (input) => {
          let lenient
          try {
            lenient = bdecode(input, { strictOrder: false })
          } catch (err) {
            // Whatever the lenient decoder refuses, the strict one must refuse too.
            if (!isCatalogError(err)) throw err
            try {
              bdecode(input)
            } catch (strictErr) {
              if (isCatalogError(strictErr)) return
              throw strictErr
            }
            throw new Error('strict accepted what lenient refused')
          }
          const again = bencode(lenient)
          if (again.length !== input.length) throw new Error('accepted a non-canonical encoding')
          const strict = bdecode(input) // throws only for key order
          if (!Buffer.from(bencode(strict)).equals(Buffer.from(input)))
            throw new Error('strict not canonical')
        },
        expected: isCatalogError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    '.torrent parser: a TorrentFormatError/BencodeError, or a torrent whose hashes and sizes add up',
    async () => {
      const seeds = fc.integer({ min: 0, max: torrents.length - 1 }).map((i) => torrents[i]!)
      await fuzz(corpus, {
        name: 'catalog-torrent',
        inputs: fc.oneof(mutated(seeds), mutated(seeds), bencodeNoise()),
        scale: 0.5,
        run: (input) => {
          const t = parseTorrentFile(input)
          const sha1 = createHash('sha1').update(t.info).digest()
          if (t.infohashV1 && !sha1.equals(Buffer.from(t.infohashV1))) throw new Error('v1 infohash')
          const sum = t.files.reduce((n, f) => n + f.size, 0)
          if (
            !Number.isSafeInteger(t.totalSize) ||
            t.files.some((f) => !Number.isSafeInteger(f.size) || f.size < 0)
          )
            throw new Error('sizes')
          if (sum > t.totalSize) throw new Error(`files sum ${sum} over total ${t.totalSize}`)
        },
        expected: isCatalogError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    'catalog header and entry lines: a CatalogFormatError or a value',
    async () => {
      const header = fc
        .record({ entries: fc.nat(), bits: fc.integer({ min: 0, max: 20 }) })
        .map(({ entries, bits }) =>
          encodeHeader(
            bits === 0
              ? { layout: 'whole', entries }
              : {
                  layout: 'sharded',
                  entries,
                  prefixBits: bits,
                  shards: [{ prefix: '0'.repeat(Math.ceil(bits / 4)), entries }],
                },
          ),
        )
      const entry = fc.record({
        infohashV1: fc
          .uint8Array({ minLength: 20, maxLength: 20 })
          .map((b) => Buffer.from(b).toString('hex')),
        infohashV2: fc.constant(null),
        name: fc.uint8Array({ maxLength: 20 }),
        totalSize: fc.nat(),
        pieceLength: fc.constantFrom(null, 16_384),
        private: fc.boolean(),
        files: fc.array(
          fc.record({
            path: fc.uint8Array({ maxLength: 10 }),
            size: fc.nat(),
            piecesRoot: fc.constant(null),
          }),
          { maxLength: 3 },
        ),
        source: fc.constantFrom('dht', 'import'),
        firstSeen: fc.constant('2026-01-01T00:00:00Z'),
      })
      const lines = fc.array(entry, { maxLength: 5 }).map((es) => {
        const sorted = [...es].sort((a, b) => (a.infohashV1 < b.infohashV1 ? -1 : 1))
        return new Uint8Array(
          Buffer.from(sorted.map((e) => encodeEntryLine(e as CatalogEntry) + '\n').join('')),
        )
      })
      await fuzz(corpus, {
        name: 'catalog-shards',
        inputs: fc.oneof(mutated(header), mutated(lines), fc.uint8Array({ maxLength: 100 })),
        run: (input) => {
          try {
            parseHeader(input)
          } catch (err) {
            if (!isCatalogError(err)) throw err
          }
          parseLines('fuzz.ndjson', input)
        },
        expected: isCatalogError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )
})
