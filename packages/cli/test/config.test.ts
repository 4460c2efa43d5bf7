// `bbmesh config` and the precedence CLI > BBMESH_* > config file > defaults, through the built
// binary with a config dir of the test's own.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDhtTestnet, type DhtTestnet } from '@bbmesh/dht'
import { maskSecret } from '../src/config/keys.js'
import { jsonLines, runCli, tempHome } from './run-cli.js'

let tmp: string
let cleanup: () => void
let configHome: string
beforeEach(() => {
  ;({ home: tmp, cleanup } = tempHome())
  configHome = join(tmp, 'xdg-config')
})
afterEach(() => cleanup())

const configFile = (): string => join(configHome, 'bbmesh', 'config.json')
function writeConfig(values: unknown): void {
  mkdirSync(join(configHome, 'bbmesh'), { recursive: true })
  writeFileSync(configFile(), JSON.stringify(values))
}
function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(args, { home: join(tmp, 'home'), env: { XDG_CONFIG_HOME: configHome, ...env } })
}
async function show(args: string[] = [], env: Record<string, string | undefined> = {}) {
  const res = await cli([...args, '--json', 'config', 'show'], env)
  expect(res.code, res.stderr).toBe(0)
  return jsonLines(res.stdout)[0] as {
    file: string
    settings: Record<string, { value: unknown; source: string }>
  }
}
function expectOneLineError(res: { code: number; stderr: string }, pattern: RegExp): void {
  expect(res.code).toBe(2)
  expect(res.stderr.trim().split('\n')).toHaveLength(1)
  expect(res.stderr).toMatch(pattern)
}

describe('bbmesh config', () => {
  it('shows defaults, reads the XDG config file, and ranks CLI > env > file', async () => {
    const defaults = await show()
    expect(defaults.file).toBe(configFile())
    expect(defaults.settings.dhtPort).toEqual(expect.objectContaining({ value: 0, source: 'default' }))
    expect(defaults.settings.bootstrap!.source).toBe('default')

    writeConfig({ dhtPort: 1000, peerPort: 1001, dataDir: join(tmp, 'from-file'), storageBudget: '1GiB' })
    const fromFile = await show([], { BBMESH_HOME: undefined })
    expect(fromFile.settings.dhtPort).toEqual(expect.objectContaining({ value: 1000, source: 'file' }))
    expect(fromFile.settings.dataDir).toEqual(
      expect.objectContaining({ value: join(tmp, 'from-file'), source: 'file' }),
    )
    expect(fromFile.settings.storageBudget!.value).toBe(1024 ** 3)

    const ranked = await show(['--data-dir', join(tmp, 'from-cli')], { BBMESH_DHT_PORT: '2000' })
    expect(ranked.settings.dhtPort).toEqual(
      expect.objectContaining({ value: 2000, source: 'env BBMESH_DHT_PORT' }),
    )
    expect(ranked.settings.peerPort!.source).toBe('file')
    expect(ranked.settings.dataDir).toEqual(
      expect.objectContaining({ value: join(tmp, 'from-cli'), source: 'cli' }),
    )
  }, 60_000)

  it('puts the data dir and the database where the config says', async () => {
    writeConfig({ dataDir: join(tmp, 'data') })
    const stats = await cli(['--json', 'stats'], { BBMESH_HOME: undefined })
    expect(stats.code, stats.stderr).toBe(0)
    expect(jsonLines(stats.stdout)[0]!.db).toBe(join(tmp, 'data', 'index.db'))
    expect(statSync(join(tmp, 'data', 'index.db')).isFile()).toBe(true)

    const set = await cli(['config', 'set', 'databaseUrl', `sqlite://${join(tmp, 'other.db')}`])
    expect(set.code, set.stderr).toBe(0)
    const moved = await cli(['--json', 'stats'], { BBMESH_HOME: undefined })
    expect(jsonLines(moved.stdout)[0]!.db).toBe(join(tmp, 'other.db'))
    const cliWins = await cli(['--db', join(tmp, 'cli.db'), '--json', 'stats'])
    expect(jsonLines(cliWins.stdout)[0]!.db).toBe(join(tmp, 'cli.db'))
  }, 60_000)

  it('set writes a 0600 file that show reads back; unset removes a key', async () => {
    const res = await cli(['config', 'set', 'bootstrap', '127.0.0.1:7001, 127.0.0.1:7002'])
    expect(res.code, res.stderr).toBe(0)
    expect(statSync(configFile()).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(configFile(), 'utf8'))).toEqual({
      bootstrap: ['127.0.0.1:7001', '127.0.0.1:7002'],
    })
    const human = await cli(['config', 'show'])
    expect(human.stdout).toMatch(/bootstrap\s+127\.0\.0\.1:7001,127\.0\.0\.1:7002\s+file/)
    expect((await cli(['config', 'unset', 'bootstrap'])).code).toBe(0)
    expect((await show()).settings.bootstrap!.source).toBe('default')
  }, 60_000)

  it('masks credentials in config show', async () => {
    expect(maskSecret('file://admin:hunter2@localhost/x.db')).toBe('file://***@localhost/x.db')
    writeConfig({ databaseUrl: `file://admin:hunter2@localhost${join(tmp, 'x.db')}` })
    const json = await cli(['--json', 'config', 'show'])
    const human = await cli(['config', 'show'])
    for (const out of [json.stdout, human.stdout]) {
      expect(out).toContain('***@localhost')
      expect(out).not.toContain('hunter2')
    }
  }, 60_000)

  it('names the key in a one-line error with exit 2 for unknown keys and bad values', async () => {
    expectOneLineError(await cli(['config', 'set', 'dhtport', '1']), /^bbmesh: dhtport: unknown config key/)
    expectOneLineError(await cli(['config', 'set', 'dhtPort', '70000']), /^bbmesh: dhtPort: expected a port/)
    expectOneLineError(
      await cli(['config', 'set', 'bootstrap', 'nohost']),
      /^bbmesh: bootstrap: expected host:port/,
    )
    expectOneLineError(
      await cli(['config', 'set', 'databaseUrl', 'postgres://x/y']),
      /^bbmesh: databaseUrl: unsupported scheme/,
    )
    expectOneLineError(
      await cli(['stats'], { BBMESH_STORAGE_BUDGET: 'lots' }),
      /^bbmesh: BBMESH_STORAGE_BUDGET: expected a size/,
    )
  }, 60_000)

  it('rejects a config file with an unknown key, a bad value or bad JSON, and can repair it', async () => {
    writeConfig({ announceRate: -1 })
    expectOneLineError(await cli(['stats']), /config\.json: announceRate: expected a rate/)
    writeConfig({ colour: 'blue' })
    expectOneLineError(await cli(['stats']), /config\.json: unknown key 'colour'/)
    // The broken file can still be repaired with the config command itself.
    expect((await cli(['config', 'unset', 'colour'])).code).toBe(0)
    expect((await cli(['--json', 'stats'])).code).toBe(0)
    writeFileSync(configFile(), '{"dhtPort": ')
    expectOneLineError(await cli(['stats']), /config\.json: not valid JSON/)
  }, 60_000)
})

describe('config values reach the commands', () => {
  let net: DhtTestnet | null = null
  afterEach(async () => {
    await net?.destroy()
    net = null
  })

  it('--bootstrap defaults to the config file, overridden by BBMESH_BOOTSTRAP and the CLI', async () => {
    net = await createDhtTestnet(8)
    const real = net.bootstrap.join(',')
    // Port 9 (discard) on loopback: nothing answers, so a command using it reaches no node.
    const dead = '127.0.0.1:9'
    const announce = async (args: string[], env: Record<string, string> = {}) => {
      const ih = randomBytes(20).toString('hex')
      const res = await cli(['--json', 'dht', 'announce', ih, '--port', '6881', ...args], env)
      expect(res.code, res.stderr).toBe(0)
      return jsonLines(res.stdout)[0]!.nodes as number
    }
    writeConfig({ bootstrap: real.split(',') })
    expect(await announce([])).toBeGreaterThan(0)
    writeConfig({ bootstrap: [dead] })
    expect(await announce([], { BBMESH_BOOTSTRAP: real })).toBeGreaterThan(0)
    expect(await announce(['--bootstrap', real], { BBMESH_BOOTSTRAP: dead })).toBeGreaterThan(0)
  }, 60_000)
})
