// `bbmesh resolve` on a real terminal: the progress bar (rate, ETA) appears on an interactive stderr,
// and --json / --quiet stay silent of it even there. util-linux `script` gives the child a pty, the
// only way to get a TTY without a native module; stdout and stderr share it.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { openIndex } from '@bbmesh/index'
import { join } from 'node:path'
import { ingest, run, start, temp, torrents, useCatalogTestnet } from './catalog-process.js'
import { binPath } from './run-cli.js'

const SCRIPT = '/usr/bin/script'
const hasPty = process.platform === 'linux' && existsSync(SCRIPT)

const sh = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`

/** Runs the built CLI with stdout and stderr on a pseudo-terminal; resolves to what the terminal got. */
function onTerminal(args: string[]): Promise<{ code: number; screen: string }> {
  const command = [process.execPath, binPath, ...args].map(sh).join(' ')
  return new Promise((resolve) => {
    const child = execFile(
      SCRIPT,
      ['--quiet', '--return', '--command', command, '/dev/null'],
      { env: { ...process.env, NO_COLOR: '1', BBMESH_DB: undefined }, timeout: 30_000, encoding: 'utf8' },
      (err, stdout) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        // The terminal turns \n into \r\n.
        resolve({ code, screen: stdout.replaceAll('\r\n', '\n') })
      },
    )
    child.stdin?.end()
  })
}

const testnet = useCatalogTestnet()

describe.skipIf(!hasPty)('bbmesh resolve on a terminal', () => {
  it(
    'draws the bar with rate and ETA; --json and --quiet print only their result',
    { timeout: 90_000 },
    async () => {
      const pub = temp()
      const publicKey = (await run(['--data-dir', pub, '--json', 'keys', 'mint'])).json['publicKey'] as string
      await ingest(pub, torrents(0, 1200))
      const net = ['--bootstrap', testnet().bootstrap.join(','), '--host', '127.0.0.1']
      const seeding = start(['--data-dir', pub, '--json', 'publish', ...net])
      expect(JSON.parse(await seeding.next())).toMatchObject({ seq: 1, entries: 1200 })
      const resolve = (home: string, flags: string[]) =>
        onTerminal(['--data-dir', home, ...flags, 'resolve', publicKey, ...net, '--timeout', '10'])

      const plain = temp()
      const tty = await resolve(plain, [])
      expect(tty.code).toBe(0)
      const frames = tty.screen.split('\r\x1b[2K').filter((f) => f !== '')
      expect(frames).toContainEqual(
        expect.stringMatching(/^fetching catalog \[[█░]{24}\] +\d+% +[\d,]+\/[\d,]+ +[\d,]+\/s +ETA /),
      )
      expect(frames).toContainEqual(
        expect.stringMatching(/^importing \[[█░]{24}\] +\d+% +[\d,]+\/1,200 +[\d,]+\/s +ETA /),
      )
      // The bar is cleared before the result, which ends up alone on its line.
      expect(tty.screen.split('\r\x1b[2K').at(-1)).toMatch(
        /^seq 1 {2}[0-9a-f]{40} {2}imported 1200 torrents[^\n]*\n$/,
      )

      const json = await resolve(temp(), ['--json'])
      expect(json.code).toBe(0)
      expect(json.screen).not.toContain('\x1b')
      expect(json.screen).not.toContain('\r')
      const lines = json.screen.split('\n').filter((l) => l !== '')
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0] as string)).toMatchObject({ publicKey, seq: 1, imported: 1200 })

      const quiet = await resolve(temp(), ['--quiet'])
      expect(quiet.code).toBe(0)
      expect(quiet.screen).toMatch(/^seq 1 {2}[0-9a-f]{40} {2}imported 1200 torrents[^\n]*\n$/)

      const index = await openIndex({ path: join(plain, 'index.db'), readonly: true })
      expect((await index.stats()).torrents).toBe(1200)
      await index.close()
      seeding.child.kill('SIGTERM')
      expect(await seeding.done).toBe(0)
    },
  )
})
