// A small fuzz harness over fast-check, shared by every package's test/fuzz/ targets (test support of
// the repository, not a package: no package's code imports it). A target takes bytes and either returns or throws an error the
// target calls expected (its typed decode error); anything else is a crash. Each run first replays
// the saved corpus (corpus/<target>/*), then tries BBMESH_FUZZ_RUNS new inputs (1,000 in the normal
// suite, 10^6 under `pnpm fuzz`) within BBMESH_FUZZ_TIME_MS, and reports how many it really ran.
import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'

export const FUZZ_RUNS = Number(process.env.BBMESH_FUZZ_RUNS ?? 1_000)
export const FUZZ_TIME_MS = Number(process.env.BBMESH_FUZZ_TIME_MS ?? 20_000)
/** Vitest timeout for one target: its time budget plus room for the corpus and shrinking. */
export const FUZZ_TEST_TIMEOUT = FUZZ_TIME_MS + 60_000

export interface FuzzTarget {
  name: string
  inputs: fc.Arbitrary<Uint8Array>
  /** One input; may throw only errors `expected` accepts. Async targets set `async: true`. */
  run(input: Uint8Array): void | Promise<void>
  async?: boolean
  /** Share of BBMESH_FUZZ_RUNS for a costly target (one TCP connection per input, say). Default 1. */
  scale?: number
  expected(err: unknown): boolean
}

export interface FuzzReport {
  target: string
  corpus: number
  runs: number
  ms: number
  failed: boolean
  heapMb: number
}

class Crash extends Error {
  constructor(
    readonly input: Uint8Array,
    readonly failure: unknown,
  ) {
    super(
      `crash on ${Buffer.from(input).toString('hex').slice(0, 2000)}: ${String((failure as Error)?.stack ?? failure)}`,
    )
  }
}

async function once(t: FuzzTarget, input: Uint8Array): Promise<void> {
  try {
    await t.run(input)
  } catch (err) {
    if (!t.expected(err)) throw new Crash(input, err)
  }
}

function onceSync(t: FuzzTarget, input: Uint8Array): void {
  try {
    void t.run(input)
  } catch (err) {
    if (!t.expected(err)) throw new Crash(input, err)
  }
}

/** Replays corpus/<name>/ then fuzzes; throws a Crash (and, under `pnpm fuzz`, saves the input). */
export async function fuzz(corpusRoot: string, t: FuzzTarget): Promise<FuzzReport> {
  const dir = join(corpusRoot, t.name)
  const saved = existsSync(dir) ? readdirSync(dir).sort() : []
  for (const f of saved) await once(t, readFileSync(join(dir, f)))
  const started = performance.now()
  const params = {
    numRuns: Math.max(1, Math.ceil(FUZZ_RUNS * (t.scale ?? 1))),
    interruptAfterTimeLimit: FUZZ_TIME_MS,
    markInterruptAsFailure: false,
    ...(process.env.BBMESH_FUZZ_SEED !== undefined && { seed: Number(process.env.BBMESH_FUZZ_SEED) }),
  }
  // Synchronous targets run as a synchronous property: several times faster per input.
  const details = t.async
    ? await fc.check(
        fc.asyncProperty(t.inputs, (input) => once(t, input)),
        params,
      )
    : fc.check(
        fc.property(t.inputs, (input) => onceSync(t, input)),
        params,
      )
  const report: FuzzReport = {
    target: t.name,
    corpus: saved.length,
    runs: details.numRuns,
    ms: Math.round(performance.now() - started),
    failed: details.failed,
    heapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  }
  console.log(`fuzz ${JSON.stringify(report)}`)
  if (process.env.BBMESH_FUZZ_REPORT)
    appendFileSync(process.env.BBMESH_FUZZ_REPORT, JSON.stringify(report) + '\n')
  if (details.failed) {
    const input = details.counterexample?.[0]
    if (input && process.env.BBMESH_FUZZ_SAVE === '1') {
      mkdirSync(dir, { recursive: true })
      const name = createHash('sha1').update(input).digest('hex').slice(0, 16)
      writeFileSync(join(dir, `crash-${name}`), input)
    }
    throw details.errorInstance ?? new Error(`fuzz ${t.name} failed (seed ${details.seed})`)
  }
  return report
}

// Input generators shared by targets.

/** Bencode-shaped noise: tokens of the grammar (i e l d digits ':' '-') and strings, in any order. */
export const bencodeNoise = (): fc.Arbitrary<Uint8Array> =>
  fc
    .array(
      fc.oneof(
        fc.constantFrom('i', 'e', 'l', 'd', ':', '-', '0', 'i-0e', 'i01e', 'i9999999999999999999e', '4:spam'),
        fc.integer({ min: -1e6, max: 1e6 }).map((n) => `i${n}e`),
        fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.concat([Buffer.from(`${b.length}:`), b])),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
      ),
      { maxLength: 40 },
    )
    .map(
      (parts) =>
        new Uint8Array(
          Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))),
        ),
    )

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; n: number }
  | { op: 'truncate'; at: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
)

function apply(seed: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Buffer.from(seed)
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1)
    if (m.op === 'flip' && at < b.length) b[at]! ^= 1 << m.bit
    else if (m.op === 'set' && at < b.length) b[at] = m.byte
    else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)])
    else if (m.op === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)])
    else if (m.op === 'truncate') b = b.subarray(0, at)
  }
  return new Uint8Array(b)
}

/** Valid inputs with a few byte-level mutations each (the seeds themselves included). */
export const mutated = (seeds: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> =>
  fc.tuple(seeds, fc.array(mutation, { maxLength: 4 })).map(([s, ms]) => apply(s, ms))
