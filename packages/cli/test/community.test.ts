// `bbmesh community`: keys on disk (0600 in 0700, never printed but by invite), the invite round trip,
// bad invites as exit 2, and `members` run as two real processes that find each other through a
// loopback DHT testnet's rendezvous swarm.
import { readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDhtTestnet, type DhtTestnet } from '@bbmesh/dht'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

let home = ''
let other = ''
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'bbmesh-cli-community-'))
  other = mkdtempSync(join(tmpdir(), 'bbmesh-cli-community-b-'))
})
afterEach(() => {
  rmSync(home, { recursive: true, force: true })
  rmSync(other, { recursive: true, force: true })
})

const keyHex = (dir: string, name: string): string =>
  (JSON.parse(readFileSync(join(dir, 'communities', `${name}.key`), 'utf8')) as { key: string }).key

describe('bbmesh community', () => {
  it('create, invite, join and list: 0600 keys, the key printed only by invite', async () => {
    const created = await runCli(['--json', 'community', 'create', 'friends'], { home })
    expect(created.code, created.stderr).toBe(0)
    const { fingerprint } = JSON.parse(created.stdout) as { fingerprint: string }
    expect(fingerprint).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/)
    expect(statSync(join(home, 'communities', 'friends.key')).mode & 0o777).toBe(0o600)
    expect(statSync(join(home, 'communities')).mode & 0o777).toBe(0o700)
    const key = keyHex(home, 'friends')

    const again = await runCli(['community', 'create', 'friends'], { home })
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already exists/)

    const invite = await runCli(['community', 'invite', 'friends'], { home })
    expect(invite.code).toBe(0)
    expect(invite.stderr).toMatch(/warning: .*community key/)
    const text = invite.stdout.trim()
    expect(text.startsWith('bbmesh-invite-v1.')).toBe(true)

    const joined = await runCli(['--json', 'community', 'join', text, '--name', 'pals'], { home: other })
    expect(joined.code, joined.stderr).toBe(0)
    expect((JSON.parse(joined.stdout) as { fingerprint: string }).fingerprint).toBe(fingerprint)
    expect(keyHex(other, 'pals')).toBe(key)
    const unnamed = await runCli(['community', 'join', text], { home })
    expect(unnamed.code, unnamed.stderr).toBe(0)
    expect(unnamed.stdout).toContain(`community-${fingerprint.slice(0, 9)}`)

    const list = await runCli(['--json', 'community', 'list'], { home })
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string })
    expect(rows.map((r) => r.name)).toEqual([`community-${fingerprint.slice(0, 9)}`, 'friends'])
    // Nothing but invite ever prints the key, in any form.
    const b64 = Buffer.from(key, 'hex').toString('base64url')
    for (const r of [created, list, joined, unnamed])
      for (const s of [r.stdout, r.stderr]) {
        expect(s).not.toContain(key)
        expect(s).not.toContain(b64)
      }
  })

  it('bad or truncated invites and names: one line, exit 2', async () => {
    const made = await runCli(['community', 'create', 'x'], { home })
    expect(made.code).toBe(0)
    const invite = (await runCli(['community', 'invite', 'x'], { home })).stdout.trim()
    for (const bad of [
      invite.slice(0, -3),
      'bbmesh-invite-v9.abc.def',
      'hello',
      invite.replace(/\.(.)/, '.A$1'),
    ]) {
      const r = await runCli(['community', 'join', bad, '--name', 'y'], { home: other })
      expect(r.code, bad).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
    expect((await runCli(['community', 'create', '../evil'], { home })).code).toBe(2)
    const missing = await runCli(['community', 'invite', 'nope'], { home })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/no community named nope/)
  })

  it('a command with no community named takes the configured one (config file, then BBMESH_COMMUNITY)', async () => {
    await runCli(['community', 'create', 'cfg'], { home })
    const named = (await runCli(['community', 'invite', 'cfg'], { home })).stdout.trim()
    const none = await runCli(['community', 'invite'], { home })
    expect(none.code).toBe(2)
    expect(none.stderr.trim()).toBe('bbmesh: name a community, or set one: bbmesh config set community NAME')
    const byEnv = await runCli(['community', 'invite'], { home, env: { BBMESH_COMMUNITY: 'cfg' } })
    expect(byEnv.stdout.trim()).toBe(named)
    const config = { XDG_CONFIG_HOME: join(home, 'xdg') }
    expect((await runCli(['config', 'set', 'community', 'cfg'], { home, env: config })).code).toBe(0)
    const byFile = await runCli(['--json', 'community', 'invite'], { home, env: config })
    expect(JSON.parse(byFile.stdout)).toEqual({ name: 'cfg', invite: named })
    // The name given on the command line wins over the configured one.
    const missing = await runCli(['community', 'invite', 'nope'], { home, env: config })
    expect(missing.stderr).toMatch(/no community named nope/)
  })
})

describe('bbmesh community members (two processes, loopback DHT)', () => {
  let net: DhtTestnet | undefined
  afterAll(async () => net?.destroy())

  it('each member lists the other', { timeout: 90_000 }, async () => {
    net = await createDhtTestnet(12)
    await runCli(['community', 'create', 'lan'], { home })
    const invite = (await runCli(['community', 'invite', 'lan'], { home })).stdout.trim()
    await runCli(['community', 'join', invite, '--name', 'lan'], { home: other })
    const args = [
      '--json',
      'community',
      'members',
      'lan',
      '--bootstrap',
      net.bootstrap[0]!,
      '--duration',
      '60',
    ]
    const [a, b] = await Promise.all([
      runCli([...args, '--settle', '4'], { home, timeoutMs: 80_000 }),
      runCli([...args, '--settle', '4'], { home: other, timeoutMs: 80_000 }),
    ])
    for (const r of [a, b]) {
      expect(r.code, r.stderr).toBe(0)
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      const members = lines.filter((l) => l['event'] === 'member')
      const summary = lines.find((l) => l['event'] === 'summary')!
      expect(members).toHaveLength(1)
      expect(summary['found']).toBe(1)
      expect(summary['settled']).toBe(true)
    }
    const idOf = (r: typeof a) => (JSON.parse(r.stdout.trim().split('\n')[0]!) as { nodeId: string }).nodeId
    expect(idOf(a)).not.toBe(idOf(b))
    for (const r of [a, b]) expect(r.stderr).not.toContain(keyHex(home, 'lan'))
  })
})
