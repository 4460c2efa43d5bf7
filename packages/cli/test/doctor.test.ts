// `bbmesh doctor` on a healthy data dir and on one with each kind of problem, through the binary.
import { createSocket, type Socket } from 'node:dgram'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDhtTestnet, type DhtTestnet } from '@bbmesh/dht'
import { fixtures, jsonLines, runCli, tempHome } from './run-cli.js'

interface Report {
  problems: number
  findings: { check: string; status: string; detail: string; fix?: string }[]
}

let tmp: string
let cleanup: () => void
let net: DhtTestnet | null = null
let held: (Server | Socket)[] = []
beforeEach(() => ({ home: tmp, cleanup } = tempHome()))
afterEach(async () => {
  for (const h of held) h.close()
  held = []
  await net?.destroy()
  net = null
  cleanup()
})

const dataDir = (): string => join(tmp, 'data')
function writeConfig(values: unknown): void {
  mkdirSync(join(tmp, 'xdg', 'bbmesh'), { recursive: true })
  writeFileSync(join(tmp, 'xdg', 'bbmesh', 'config.json'), JSON.stringify(values))
}
function cli(args: string[]) {
  return runCli(args, { home: dataDir(), env: { XDG_CONFIG_HOME: join(tmp, 'xdg') }, timeoutMs: 40_000 })
}
async function doctor(args: string[] = []): Promise<{ code: number; report: Report }> {
  const res = await cli(['--json', 'doctor', '--host', '127.0.0.1', ...args])
  expect(res.stderr).not.toMatch(/\n\s+at /)
  return { code: res.code, report: jsonLines(res.stdout)[0] as unknown as Report }
}
const finding = (r: Report, check: string) => r.findings.find((f) => f.check === check)

describe('bbmesh doctor', () => {
  it('finds no problem in a fresh set-up and in one with an imported index', async () => {
    const fresh = await doctor()
    expect(fresh.code).toBe(0)
    expect(fresh.report.problems).toBe(0)
    expect(finding(fresh.report, 'DHT bootstrap')!.status).toBe('skipped')

    expect((await cli(['import', join(fixtures, 'torrents')])).code).toBe(0)
    const { code, report } = await doctor()
    expect(code).toBe(0)
    expect(finding(report, 'index')!.detail).toMatch(/integrity ok, \d+ torrents/)
    expect(finding(report, 'data dir')!.status).toBe('ok')
  }, 60_000)

  it('reports readable keys, a damaged index and ports in use, each with a fix, and exits 1', async () => {
    mkdirSync(join(dataDir(), 'keys'), { recursive: true, mode: 0o700 })
    mkdirSync(join(dataDir(), 'communities'), { recursive: true, mode: 0o700 })
    chmodSync(dataDir(), 0o700)
    writeFileSync(join(dataDir(), 'keys', 'publisher.key'), 'not read by doctor', { mode: 0o644 })
    writeFileSync(join(dataDir(), 'communities', 'club.key'), 'not read by doctor', { mode: 0o640 })
    writeFileSync(join(dataDir(), 'index.db'), Buffer.alloc(8192, 0x5a))
    const tcp = createServer()
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()))
    const udp = createSocket('udp4')
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()))
    held.push(tcp, udp)
    writeConfig({ peerPort: (tcp.address() as AddressInfo).port, dhtPort: udp.address().port })

    const { code, report } = await doctor()
    expect(code).toBe(1)
    const expectProblem = (check: string, detail: RegExp, fix: RegExp): void => {
      const f = finding(report, check)
      expect(f, check).toBeDefined()
      expect(f!.status, check).toBe('problem')
      expect(f!.detail).toMatch(detail)
      expect(f!.fix).toMatch(fix)
    }
    expectProblem('publisher key', /mode 0644/, /chmod 600 .*publisher\.key/)
    expectProblem('community key club', /mode 0640/, /chmod 600 .*club\.key/)
    expectProblem('index', /does not open|integrity/, /re-import|export/)
    expectProblem('peerPort (TCP)', /in use/, /config set peerPort/)
    expectProblem('dhtPort (UDP)', /in use/, /config set dhtPort/)
    expect(report.problems).toBe(5)
    expect(JSON.stringify(report)).not.toContain('not read by doctor')

    const human = await cli(['doctor', '--host', '127.0.0.1'])
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/^problem\s+publisher key/m)
    expect(human.stdout).toMatch(/5 problems found/)
  }, 60_000)

  it('with --online, says whether the configured bootstrap nodes answer', async () => {
    net = await createDhtTestnet(6)
    writeConfig({ bootstrap: net.bootstrap })
    const up = await doctor(['--online', '--timeout', '10'])
    expect(up.code).toBe(0)
    expect(finding(up.report, 'DHT bootstrap')).toMatchObject({ status: 'ok' })

    writeConfig({ bootstrap: ['127.0.0.1:9'] })
    const down = await doctor(['--online', '--timeout', '3'])
    expect(down.code).toBe(1)
    expect(finding(down.report, 'DHT bootstrap')).toMatchObject({ status: 'problem' })
    expect(finding(down.report, 'DHT bootstrap')!.fix).toMatch(/UDP/)
  }, 60_000)
})
