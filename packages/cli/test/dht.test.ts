// `bbmesh dht …` against a loopback testnet, run in-process on the real program tree.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createDhtTestnet, generateKeyPair, type DhtTestnet } from '@bbmesh/dht'
import { buildProgram } from '../src/program.js'

let net: DhtTestnet | null = null
afterEach(async () => {
  await net?.destroy()
  net = null
})

/** Runs `bbmesh --json dht …` in-process; resolves with the stdout JSON lines. */
async function dht(
  args: string[],
  onLine?: (rec: Record<string, unknown>) => void,
): Promise<Record<string, unknown>[]> {
  const program = buildProgram()
  program.exitOverride()
  const lines: Record<string, unknown>[] = []
  const write = process.stdout.write.bind(process.stdout)
  let pending = ''
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    pending += chunk.toString()
    let i
    while ((i = pending.indexOf('\n')) >= 0) {
      const rec = JSON.parse(pending.slice(0, i)) as Record<string, unknown>
      pending = pending.slice(i + 1)
      lines.push(rec)
      onLine?.(rec)
    }
    return true
  }) as typeof process.stdout.write
  try {
    await program.parseAsync(['node', 'bbmesh', '--json', '-q', 'dht', ...args])
  } finally {
    process.stdout.write = write
  }
  return lines
}

describe('bbmesh dht', () => {
  it('lookup, announce, sample, put and get against a testnet', async () => {
    net = await createDhtTestnet(10)
    const boot = net.bootstrap.join(',')
    const ih = randomBytes(20).toString('hex')
    const [ann] = await dht(['announce', ih, '--port', '6881', '--bootstrap', boot])
    expect(ann!.nodes).toBeGreaterThan(0)
    const [look] = await dht(['lookup', ih, '--bootstrap', boot])
    expect((look!.peers as { port: number }[]).some((p) => p.port === 6881)).toBe(true)

    const server = net.nodes[0]!
    const [sample] = await dht(['sample', `127.0.0.1:${server.address()!.port}`, '--target', 'ab'.repeat(20)])
    expect(sample!.interval).toBeTypeOf('number')
    expect(sample!.num).toBeTypeOf('number')
    expect(Array.isArray(sample!.samples)).toBe(true)
    expect((sample!.nodes as { id: string }[])[0]!.id).toMatch(/^[0-9a-f]{40}$/)

    const [imm] = await dht(['put', '--immutable', 'hello dht', '--bootstrap', boot])
    expect(imm!.target).toMatch(/^[0-9a-f]{40}$/)
    const [gotImm] = await dht(['get', imm!.target as string, '--bootstrap', boot])
    expect(gotImm).toEqual({ v: 'hello dht', seq: null, k: null, sig: null })

    const dir = mkdtempSync(join(tmpdir(), 'bbmesh-dht-'))
    try {
      const seed = randomBytes(32)
      writeFileSync(join(dir, 'key'), seed.toString('hex'))
      const pk = generateKeyPair(seed).publicKey.toString('hex')
      const [mut] = await dht([
        'put',
        '--mutable',
        '--key',
        join(dir, 'key'),
        '--seq',
        '3',
        '--salt',
        'x',
        'v3',
        '--bootstrap',
        boot,
      ])
      const [gotMut] = await dht([
        'get',
        mut!.target as string,
        '--salt',
        'x',
        '--key',
        pk,
        '--bootstrap',
        boot,
      ])
      expect(gotMut!.v).toBe('v3')
      expect(gotMut!.seq).toBe(3)
      expect(gotMut!.k).toBe(pk)
      expect(gotMut!.sig).toMatch(/^[0-9a-f]{128}$/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('node --observe prints listening then observed infohashes', async () => {
    net = await createDhtTestnet(3)
    const ih = randomBytes(20)
    let port = 0
    const done = dht(
      [
        'node',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--bootstrap',
        net.bootstrap[0]!,
        '--observe',
        '--duration',
        '2',
      ],
      (rec) => {
        if (rec.event === 'listening') {
          port = rec.port as number
          void net!.nodes[1]!.query({ host: '127.0.0.1', port }, 'get_peers', { info_hash: ih }).catch(
            () => {},
          )
        }
      },
    )
    const lines = await done
    expect(lines[0]).toMatchObject({ event: 'listening', host: '127.0.0.1', port })
    expect(lines[0]!.nodeId).toMatch(/^[0-9a-f]{40}$/)
    expect(lines).toContainEqual({
      event: 'infohash',
      infohash: ih.toString('hex'),
      via: 'get_peers',
      from: `127.0.0.1:${net.nodes[1]!.address()!.port}`,
    })
  })
})
