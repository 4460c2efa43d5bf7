import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTorrentFile } from '@bbmesh/catalog'
import { createTestnet, type Testnet } from '@bbmesh/dht'
import { openIndex, type TorrentInput } from '@bbmesh/index'

const here = dirname(fileURLToPath(import.meta.url))
const dist = resolve(here, '../dist')
const temps: string[] = []
const temp = (): string => {
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
let testnet: Testnet
const children = new Set<ChildProcess>()

function start(args: string[]): {
  child: ChildProcess
  lines: string[]
  next(): Promise<string>
  done: Promise<number>
} {
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

async function run(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const p = start(args)
  const code = await p.done
  return { code, json: JSON.parse(p.lines.at(-1) ?? '{}') as Record<string, unknown> }
}

function torrents(from: number, n: number): TorrentInput[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k
    const h = (alg: string) => new Uint8Array(createHash(alg).update(`cli ${i}`).digest())
    return {
      infohashV1: h('sha1'),
      infohashV2: h('sha256'),
      name: `Torrent ${i}`,
      pieceLength: 16384,
      files: [{ path: `Torrent ${i}/file-${i}.bin`, size: 1000 + i, piecesRoot: h('sha256') }],
      source: 'import',
    }
  })
}

async function ingest(home: string, rows: TorrentInput[]): Promise<void> {
  const index = await openIndex({ path: join(home, 'index.db') })
  try {
    await index.ingest(rows)
  } finally {
    await index.close()
  }
}

beforeAll(async () => {
  script = harness()
  testnet = await createTestnet(6)
})
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL')
  await testnet?.destroy()
  for (const d of temps) rmSync(d, { recursive: true, force: true })
})

describe('bbmesh catalog build', () => {
  it('writes the catalog torrent and files, prints both infohashes, and is deterministic', async () => {
    const home = temp()
    await ingest(home, torrents(0, 40))
    const out = temp()
    const a = await run(['--data-dir', home, '--json', 'catalog', 'build', '--out', out, '--sharded'])
    expect(a.code).toBe(0)
    expect(a.json).toMatchObject({
      torrent: join(out, 'bbmesh-catalog.torrent'),
      layout: 'sharded',
      entries: 40,
    })
    const parsed = parseTorrentFile(readFileSync(a.json['torrent'] as string))
    expect(Buffer.from(parsed.infohashV1!).toString('hex')).toBe(a.json['infohashV1'])
    expect(Buffer.from(parsed.infohashV2!).toString('hex')).toBe(a.json['infohashV2'])
    expect(readFileSync(join(out, 'bbmesh-catalog', 'catalog.json'), 'utf8')).toContain('"entries":40')
    const b = await run(['--data-dir', home, '--json', 'catalog', 'build', '--out', temp(), '--sharded'])
    expect(b.json['infohashV1']).toBe(a.json['infohashV1'])
    const whole = await run(['--data-dir', home, '--json', 'catalog', 'build', '--out', temp()])
    expect(whole.json['layout']).toBe('whole')
    expect(whole.json['infohashV1']).not.toBe(a.json['infohashV1'])
    const none = await run(['--data-dir', temp(), '--json', 'catalog', 'build', '--out', temp()])
    expect(none.code).toBe(1)
    expect(none.json).toMatchObject({ error: { code: 'NO_INDEX' } })
  })
})

describe('bbmesh publish / resolve (loopback DHT, separate processes)', () => {
  it('a second process resolves the published library; --once republishes with a higher seq', async () => {
    const bootstrap = testnet.bootstrap.join(',')
    const pub = temp()
    const minted = await run(['--data-dir', pub, '--json', 'keys', 'mint'])
    const publicKey = minted.json['publicKey'] as string
    await ingest(pub, torrents(0, 60))

    const seeding = start([
      '--data-dir',
      pub,
      '--json',
      'publish',
      '--salt',
      'lib',
      '--bootstrap',
      bootstrap,
      '--host',
      '127.0.0.1',
      '--sharded',
    ])
    const first = JSON.parse(await seeding.next()) as Record<string, unknown>
    expect(first).toMatchObject({ publicKey, seq: 1, entries: 60 })

    const res = temp()
    const resolveArgs = [
      '--data-dir',
      res,
      '--json',
      'resolve',
      `bbmesh:pub:${publicKey}`,
      '--salt',
      'lib',
      '--bootstrap',
      bootstrap,
      '--host',
      '127.0.0.1',
      '--timeout',
      '10',
    ]
    const r1 = await run(resolveArgs)
    expect(r1.code).toBe(0)
    expect(Object.keys(r1.json).sort()).toEqual(['bytesFetched', 'imported', 'infohash', 'publicKey', 'seq'])
    expect(r1.json).toMatchObject({ publicKey, seq: 1, infohash: first['infohash'], imported: 60 })
    expect(r1.json['bytesFetched']).toBeGreaterThan(0)
    const index = await openIndex({ path: join(res, 'index.db'), readonly: true })
    expect((await index.stats()).torrents).toBe(60)
    await index.close()

    seeding.child.kill('SIGTERM')
    expect(await seeding.done).toBe(0)

    await ingest(pub, torrents(60, 1))
    const again = await run([
      '--data-dir',
      pub,
      '--json',
      'publish',
      '--salt',
      'lib',
      '--bootstrap',
      bootstrap,
      '--host',
      '127.0.0.1',
      '--sharded',
      '--once',
    ])
    expect(again.code).toBe(0)
    expect(again.json).toMatchObject({ seq: 2, entries: 61, changed: true })

    const bad = await run(['--data-dir', res, '--json', 'resolve', 'nope', '--bootstrap', bootstrap])
    expect(bad.code).toBe(1)
    expect(bad.json).toMatchObject({ error: { code: 'USAGE' } })
  })
})
