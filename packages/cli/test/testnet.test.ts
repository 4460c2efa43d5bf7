// `bbmesh testnet` as a user runs it (the built binary, a child process): a small loopback run with
// --json ends with the summary line the issue specifies; bad flags exit 2 with one line.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

describe('bbmesh testnet', () => {
  it('--json: a ready line, then the summary line with coverage, metadataCoverage, fetchesPerInfohash', async () => {
    const r = await runCli(
      [
        'testnet',
        '--nodes',
        '20',
        '--torrents',
        '20',
        '--harvesters',
        '2',
        '--duration',
        '20',
        '--seed',
        '3',
        '--json',
      ],
      { timeoutMs: 60_000 },
    )
    expect(r.code).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[0]!.event).toBe('ready')
    const last = lines.at(-1)!
    expect(last.event).toBe('summary')
    expect(last.announced).toBe(20)
    expect(last.coverage as number).toBeGreaterThanOrEqual(0.9)
    expect(last.metadataCoverage as number).toBeGreaterThanOrEqual(0.9)
    // Two independent harvesters: about two BEP 9 fetches per unique infohash.
    expect(last.fetchesPerInfohash as number).toBeGreaterThanOrEqual(1.8)
    expect((last.harvesters as unknown[]).length).toBe(2)
  }, 90_000)

  it('rejects a bad --stock-share with exit 2 and one line', async () => {
    const r = await runCli(['testnet', '--stock-share', '1.5'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/--stock-share/)
  })

  it('--sim: the in-memory simulation ends with a virtual-time summary, its wall time and coverage', async () => {
    const args = ['testnet', '--sim', '--nodes', '100', '--torrents', '100', '--duration', '60', '--json']
    const r = await runCli(args, { timeoutMs: 90_000 })
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[0]!.event).toBe('ready')
    const last = lines.at(-1)!
    expect(last).toMatchObject({ event: 'summary', nodes: 100, torrents: 100, clock: 'virtual' })
    expect((last.wall as { durationMs: number }).durationMs).toBeGreaterThan(0)
    expect(last.coverage as number).toBeGreaterThanOrEqual(0.9)
    expect(last.metadataCoverage as number).toBeGreaterThanOrEqual(0.9)
    // The metadata came over in-memory wires: one successful fetch per infohash held, bytes carried.
    const bep9 = last.bep9 as { ok: number; wire: { connections: number; bytes: number } }
    expect(bep9.ok).toBeGreaterThanOrEqual(90)
    expect(bep9.wire.connections).toBeGreaterThanOrEqual(bep9.ok)
    expect(bep9.wire.bytes).toBeGreaterThan(bep9.ok * 100)
  }, 120_000)

  it('--sim rejects a reversed latency range and --index-dir with exit 2', async () => {
    const bad = await runCli(['testnet', '--sim', '--latency', '9-3'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe("bbmesh: --latency: the range is reversed: '9-3'")
    const dir = await runCli(['testnet', '--sim', '--index-dir', join(tmpdir(), 'bbmesh-unused-index-dir')])
    expect(dir.code).toBe(2)
  })
})
