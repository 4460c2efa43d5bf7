// The secrets grep (docs/RELIABILITY.md): run the commands that make and use secrets — publisher key,
// community key, bus writer key — with --verbose, in text and --json, through a real crawl as a member
// on a loopback testnet; then look for each secret, whole or in part and in every usual encoding, in
// everything they printed. Only `community invite` may print the community key (that is its job), and
// it is the positive control: the same grep must find it there.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createTestnet, type Testnet } from '@bbmesh/testnet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempHome, type CliResult } from './run-cli.js'

let net: Testnet
const { home, cleanup } = tempHome()

beforeAll(async () => {
  net = await createTestnet({ nodes: 20, torrents: 10, seed: 23 })
}, 60_000)
afterAll(async () => {
  await net?.destroy()
  cleanup()
})

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  )
}

/**
 * The secret bytes in a key file: each run of 64+ hex digits, cut to its first 32 bytes (a 32-byte
 * key, or the seed half of a 64-byte ed25519 secret key, whose other half is the public key).
 */
function secretsIn(text: string): Buffer[] {
  return [...text.matchAll(/[0-9a-f]{64,}/gi)].map((m) => Buffer.from(m[0].slice(0, 64), 'hex'))
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
function base32(b: Buffer): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of b) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return bits > 0 ? out + BASE32[(value << (5 - bits)) & 31] : out
}

/** Forms a leak could take: whole (hex, base64, base64url, base32) and any 10-byte slice in hex. */
function forms(secret: Buffer): string[] {
  const whole = [
    secret.toString('hex'),
    secret.toString('base64'),
    secret.toString('base64url'),
    base32(secret),
  ]
  const slices = Array.from({ length: secret.length - 9 }, (_, i) =>
    secret.subarray(i, i + 10).toString('hex'),
  )
  return [...whole, ...slices]
}

function leaks(out: CliResult, secret: Buffer): string[] {
  const text = `${out.stdout}\n${out.stderr}`.toLowerCase()
  return forms(secret).filter((f) => text.includes(f.toLowerCase()))
}

describe('secrets stay secret', () => {
  it('no command prints a key it keeps, with --verbose, in text or --json; every key file is 0600', async () => {
    const outputs: [string, CliResult][] = []
    const run = async (args: string[], timeoutMs = 30_000): Promise<CliResult> => {
      const r = await runCli(args, { home, timeoutMs })
      outputs.push([args.join(' '), r])
      return r
    }
    // The first publisher key is replaced by the second run's --force: keep both to look for.
    const minted: Buffer[] = []
    for (const json of [[], ['--json']]) {
      const v = ['--verbose', ...json]
      expect((await run([...v, 'keys', 'mint', '--force'])).code).toBe(0)
      minted.push(...secretsIn(readFileSync(join(home, 'keys', 'publisher.key'), 'utf8')))
      expect((await run([...v, 'keys', 'show'])).code).toBe(0)
      await run([...v, 'community', 'create', 'lan'])
      expect((await run([...v, 'community', 'list'])).code).toBe(0)
      expect((await run([...v, 'config', 'show'])).code).toBe(0)
      const crawl = await run(
        [...v, 'crawl', '--bootstrap', net.bootstrap.join(','), '--duration', '6'].concat([
          '--community',
          'lan',
          '--feed-interval',
          '2',
        ]),
        90_000,
      )
      expect(crawl.code, crawl.stderr).toBe(0)
    }
    const invite = await runCli(['community', 'invite', 'lan'], { home })

    const keyFiles = files(home).filter((f) => /\.(key|writer)$/.test(f))
    expect(keyFiles.map((f) => f.slice(home.length)).sort()).toEqual([
      '/communities/lan.key',
      '/communities/lan.writer',
      '/keys/publisher.key',
    ])
    for (const f of keyFiles) expect(statSync(f).mode & 0o777, f).toBe(0o600)
    const secrets = [
      ...keyFiles.flatMap((f) => secretsIn(readFileSync(f, 'utf8')).map((s) => [f, s] as const)),
      ...minted.map((s) => ['the first publisher key', s] as const),
    ]
    expect(secrets.length).toBe(5)
    expect(minted[0]!.equals(minted[1]!)).toBe(false)
    for (const [file, secret] of secrets)
      for (const [cmd, out] of outputs) expect(leaks(out, secret), `${cmd} printed ${file}`).toEqual([])
    // Positive control: the invite carries the community key, and the grep sees it there.
    const communityKey = secretsIn(readFileSync(join(home, 'communities', 'lan.key'), 'utf8'))[0]!
    expect(invite.code).toBe(0)
    expect(leaks(invite, communityKey).length).toBeGreaterThan(0)
  }, 240_000)
})
