// The built CLI in child processes, the way a shell runs it, for the catalog publish/resolve tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { libraryFromIndex, type CatalogEntry } from '@bbmesh/catalog'
import { createDhtTestnet, type DhtTestnet } from '@bbmesh/dht'
import { openIndex, type TorrentInput } from '@bbmesh/index'
import { afterAll, beforeAll } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const dist = resolve(here, '../dist')
const temps: string[] = []
export const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bbmesh-cli-catalog-'))
  temps.push(d)
  return d
}

/**
 * The built program in a child process, the way a shell runs it; every failure is reported as a
 * JSON error line with exit 1 so the tests can read the error code whatever the flags.
 */
function harness(): string {
  const path = join(temp(), 'bbmesh-harness.mjs')
  writeFileSync(
    path,
    `import { buildProgram } from ${JSON.stringify(join(dist, 'program.js'))}
const program = buildProgram()
try {
  await program.parseAsync(process.argv)
} catch (err) {
  process.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message } }) + '\\n')
  process.exitCode = 1
}
`,
  )
  return path
}

let script = ''
const children = new Set<ChildProcess>()

export function start(args: string[]): {
  child: ChildProcess
  lines: string[]
  next(): Promise<string>
  done: Promise<number>
} {
  if (!script) script = harness()
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  const lines: string[] = []
  let buf = ''
  const waiters: (() => void)[] = []
  child.stdout?.on('data', (c: Buffer) => {
    buf += c.toString('utf8')
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i))
      buf = buf.slice(i + 1)
      waiters.splice(0).forEach((w) => w())
    }
  })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  const done = new Promise<number>((r) =>
    child.on('close', (code) => {
      children.delete(child)
      waiters.splice(0).forEach((w) => w())
      r(code ?? -1)
    }),
  )
  let read = 0
  const next = async (): Promise<string> => {
    const deadline = Date.now() + 20_000
    while (lines.length <= read) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no output line; stderr: ${stderr}`)
      await new Promise<void>((r) => {
        waiters.push(r)
        setTimeout(r, 200)
      })
    }
    return lines[read++] as string
  }
  return { child, lines, next, done }
}

export async function run(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const p = start(args)
  const code = await p.done
  return { code, json: JSON.parse(p.lines.at(-1) ?? '{}') as Record<string, unknown> }
}

/** Kills children still running and removes the temp dirs (afterAll). */
export function cleanUp(): void {
  for (const c of children) c.kill('SIGKILL')
  for (const d of temps) rmSync(d, { recursive: true, force: true })
}

/** Torrents from..from+n; `rev` changes a torrent's name and file but not its infohashes. */
export function torrents(from: number, n: number, rev = 0): TorrentInput[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k
    const h = (alg: string) => new Uint8Array(createHash(alg).update(`cli ${i}`).digest())
    const name = rev ? `Torrent ${i} rev ${rev}` : `Torrent ${i}`
    return {
      infohashV1: h('sha1'),
      infohashV2: h('sha256'),
      name,
      pieceLength: 16384,
      files: [{ path: `${name}/file-${i}.bin`, size: 1000 + i + rev, piecesRoot: h('sha256') }],
      source: 'import',
    }
  })
}

/** An index's library as catalog entries in key order, provenance left out. */
export async function exportedLibrary(dbPath: string): Promise<Omit<CatalogEntry, 'source'>[]> {
  const index = await openIndex({ path: dbPath, readonly: true })
  try {
    const key = (e: CatalogEntry): string => e.infohashV1 ?? e.infohashV2 ?? ''
    return (await libraryFromIndex(index))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1))
      .map(({ source: _s, ...rest }) => rest)
  } finally {
    await index.close()
  }
}

export async function ingest(home: string, rows: TorrentInput[]): Promise<void> {
  const index = await openIndex({ path: join(home, 'index.db') })
  try {
    await index.ingest(rows)
  } finally {
    await index.close()
  }
}

/**
 * A 6-node loopback DHT for a test file's catalog processes: built before its tests, destroyed after
 * them together with the temporary data dirs (`cleanUp`). Read it inside tests: `testnet()`.
 */
export function useCatalogTestnet(): () => DhtTestnet {
  let testnet: DhtTestnet | undefined
  beforeAll(async () => {
    testnet = await createDhtTestnet(6)
  })
  afterAll(async () => {
    cleanUp()
    await testnet?.destroy()
  })
  return () => testnet!
}
