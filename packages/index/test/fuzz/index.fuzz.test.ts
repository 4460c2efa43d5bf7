// Fuzz targets of @bbmesh/index (test-support/fuzz-harness.ts): the NDJSON importer (line parser, then ingest
// of what it accepts into a real in-memory index, read back), and the file-list blob decoder that
// reads what is stored (a damaged database must give IndexError, not a crash).
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import {
  IndexError,
  decodeFileList,
  encodeFileList,
  openIndex,
  parseNdjsonLine,
  type PooledIndex,
} from '../../src/index.js'
import { FUZZ_TEST_TIMEOUT, fuzz, mutated } from '../../../../test-support/fuzz-harness.js'

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus')
const isIndexError = (err: unknown): boolean => err instanceof IndexError
const hex = (n: number) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'))
const odd = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
)

/** NDJSON lines as `bbmesh export` writes them, with every field sometimes wrong or missing. */
const line = fc
  .record(
    {
      infohashV1: fc.oneof(hex(20), hex(19), odd),
      infohashV2: fc.oneof(hex(32), odd),
      name: fc.oneof(fc.string({ maxLength: 30 }), odd),
      nameHex: fc.oneof(hex(4), fc.constant('zz'), odd),
      totalSize: fc.oneof(fc.nat(), fc.constant(-1), fc.constant(2 ** 60), odd),
      pieceLength: fc.oneof(fc.constantFrom(16_384, 0, 3), odd),
      private: fc.oneof(fc.boolean(), odd),
      files: fc.oneof(
        fc.array(
          fc.record(
            {
              path: fc.oneof(
                fc.string({ maxLength: 20 }),
                fc.constantFrom('a/b', '/x', '../y', '', 'a//b'),
                odd,
              ),
              pathHex: fc.oneof(hex(3), odd),
              size: fc.oneof(fc.nat(), fc.constant(-5), fc.constant(1.5), odd),
              piecesRoot: fc.oneof(hex(32), odd),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 4 },
        ),
        odd,
      ),
      source: fc.oneof(fc.constantFrom('import', 'dht'), odd),
      lastSeen: fc.oneof(fc.constant('2026-01-01T00:00:00.000Z'), fc.constant('yesterday'), odd),
      firstSeen: fc.oneof(fc.constant('2025-01-01T00:00:00.000Z'), odd),
      seenCount: fc.oneof(fc.integer({ min: 0, max: 5 }), odd),
      info: fc.oneof(
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
        fc.constant('!!'),
        odd,
      ),
    },
    { requiredKeys: [] },
  )
  .map((o) => new Uint8Array(Buffer.from(JSON.stringify(o))))

describe('fuzz @bbmesh/index', () => {
  let ix: PooledIndex
  beforeAll(async () => {
    ix = await openIndex({ path: ':memory:' })
  })
  afterAll(() => ix.close())

  it(
    'NDJSON line parser: an IndexError (BAD_NDJSON) or an ingestable input',
    async () => {
      await fuzz(corpus, {
        name: 'index-ndjson-line',
        inputs: fc.oneof(
          line,
          mutated(line),
          fc.string({ maxLength: 60 }).map((s) => new Uint8Array(Buffer.from(s))),
        ),
        run: (input) => {
          const t = parseNdjsonLine(Buffer.from(input).toString('utf8'))
          if (!t.infohashV1 && !t.infohashV2) throw new Error('accepted a line with no infohash')
        },
        expected: isIndexError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    'NDJSON importer: what the parser accepts is ingested or refused with IndexError, and reads back',
    async () => {
      await fuzz(corpus, {
        name: 'index-ndjson-ingest',
        inputs: fc.oneof(line, mutated(line)),
        async: true,
        scale: 0.5,
        run: async (input) => {
          const t = parseNdjsonLine(Buffer.from(input).toString('utf8'))
          await ix.ingest([t])
          const key = t.infohashV1 ?? t.infohashV2!
          if (!(await ix.has(key))) throw new Error('ingested but not found')
        },
        expected: isIndexError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )

  it(
    'file-list blobs: entries that survive a round trip (plain blobs canonical), or an IndexError',
    async () => {
      const files = fc.array(
        fc.record({
          path: fc.uint8Array({ maxLength: 20 }),
          size: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
          piecesRoot: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 })),
        }),
        { maxLength: 6 },
      )
      const blobs = files.map((fs) => encodeFileList(fs))
      await fuzz(corpus, {
        name: 'index-file-list',
        inputs: fc.oneof(blobs, mutated(blobs), fc.uint8Array({ maxLength: 64 })),
        run: (input) => {
          const got = decodeFileList(input)
          // A deflated blob has many encodings, so compare what it means; a plain one (below the
          // 96-byte deflate threshold) must be the one encoding.
          const again = decodeFileList(encodeFileList(got))
          const same = (a: typeof got, b: typeof got) =>
            a.length === b.length &&
            a.every(
              (f, i) =>
                f.size === b[i]!.size &&
                Buffer.from(f.path).equals(Buffer.from(b[i]!.path)) &&
                (f.piecesRoot === null
                  ? b[i]!.piecesRoot === null
                  : Buffer.from(f.piecesRoot).equals(Buffer.from(b[i]!.piecesRoot ?? []))),
            )
          if (!same(got, again)) throw new Error('round trip changed the list')
          if ((input[0]! & 0x0f) === 0 && encodeFileList(got).length !== input.length && input.length < 90)
            throw new Error('accepted a non-canonical plain blob')
        },
        expected: isIndexError,
      })
    },
    FUZZ_TEST_TIMEOUT,
  )
})
