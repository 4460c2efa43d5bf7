// Community keys on disk and invites: modes, round trips, refusal of damaged input, and no key in
// anything printable.
import { mkdtemp, rm, stat, chmod, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { CommunityError } from '../../src/errors.js'
import { decodeInvite, encodeInvite } from '../../src/community/invite.js'
import {
  createCommunity,
  inviteFor,
  joinCommunity,
  listCommunities,
  loadCommunity,
} from '../../src/community/key-store.js'
import { rendezvousDays, rendezvousInfoHash } from '../../src/community/rendezvous-hash.js'

const dirs: string[] = []
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true })
})
async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'bbmesh-community-'))
  dirs.push(d)
  return d
}

describe('community keys', () => {
  it('creates a 0600 key in a 0700 directory, and an invite joins the same community elsewhere', async () => {
    const a = await dataDir()
    const b = await dataDir()
    const c = await createCommunity(a, 'friends', ['127.0.0.1:6881'])
    expect((await stat(join(a, 'communities'))).mode & 0o777).toBe(0o700)
    expect((await stat(join(a, 'communities', 'friends.key'))).mode & 0o777).toBe(0o600)
    const invite = await inviteFor(a, 'friends')
    const joined = await joinCommunity(b, invite, 'pals')
    expect(joined.fingerprint).toBe(c.fingerprint)
    expect(joined.hints).toEqual(['127.0.0.1:6881'])
    expect(joined.keys.gateSecret.equals(c.keys.gateSecret)).toBe(true)
    expect(joined.keys.busKeyPair.publicKey.equals(c.keys.busKeyPair.publicKey)).toBe(true)
    expect(await listCommunities(b)).toEqual([{ name: 'pals', fingerprint: c.fingerprint }])
    // The derived keys differ per label, and none of them is the key itself.
    const key = Buffer.from(
      JSON.parse(await readFile(join(a, 'communities', 'friends.key'), 'utf8')).key,
      'hex',
    )
    const derived = [
      c.keys.gateSecret,
      c.keys.rendezvousKey,
      c.keys.busEncryptionKey,
      c.keys.memberMacKey,
      c.keys.nearMacKey,
    ]
    expect(new Set(derived.map((d) => d.toString('hex'))).size).toBe(5)
    for (const d of derived) expect(d.equals(key)).toBe(false)
    // Nothing printable carries the key or a derived secret.
    const printed = JSON.stringify(c) + inspect(c, { depth: 5 }) + JSON.stringify(c.keys)
    for (const s of [key, ...derived]) expect(printed).not.toContain(s.toString('hex'))
    expect(printed).toContain(c.fingerprint)
  })

  it('refuses damaged invites, a second key under one name, bad names and readable key files', async () => {
    const a = await dataDir()
    await createCommunity(a, 'x')
    const invite = await inviteFor(a, 'x')
    for (const bad of [invite.slice(0, -3), invite.replace('v1', 'v9'), 'hello', invite.slice(0, 40)])
      expect(() => decodeInvite(bad)).toThrow(CommunityError)
    const flipped = invite.slice(0, 20) + (invite[20] === 'A' ? 'B' : 'A') + invite.slice(21)
    expect(() => decodeInvite(flipped)).toThrow(/check does not match/)
    await expect(createCommunity(a, 'x')).rejects.toMatchObject({ code: 'COMMUNITY_EXISTS' })
    await expect(createCommunity(a, '../evil')).rejects.toMatchObject({ code: 'BAD_NAME' })
    await expect(loadCommunity(a, 'nope')).rejects.toMatchObject({ code: 'NO_COMMUNITY' })
    await chmod(join(a, 'communities', 'x.key'), 0o644)
    await expect(loadCommunity(a, 'x')).rejects.toMatchObject({ code: 'BAD_KEY_FILE' })
    expect(() => encodeInvite({ key: Buffer.alloc(32), hints: ['nohost'] })).toThrow(CommunityError)
    expect(
      decodeInvite(encodeInvite({ key: Buffer.alloc(32, 7), hints: ['[::1]:9', '10.0.0.1:1'] })).hints,
    ).toEqual(['[::1]:9', '10.0.0.1:1'])
  })

  it('rotates the rendezvous hash daily, with both days near midnight', async () => {
    const c = await createCommunity(await dataDir(), 'r')
    const other = await createCommunity(await dataDir(), 'r')
    const day = rendezvousInfoHash(c.keys.rendezvousKey, '2026-12-02')
    expect(day).toHaveLength(20)
    expect(day.equals(rendezvousInfoHash(c.keys.rendezvousKey, '2026-12-03'))).toBe(false)
    expect(day.equals(rendezvousInfoHash(other.keys.rendezvousKey, '2026-12-02'))).toBe(false)
    const noon = Date.parse('2026-12-02T12:00:00Z')
    const hour = 3_600_000
    expect(rendezvousDays(noon, hour)).toEqual(['2026-12-02'])
    expect(rendezvousDays(Date.parse('2026-12-02T23:30:00Z'), hour)).toEqual(['2026-12-02', '2026-12-03'])
    expect(rendezvousDays(Date.parse('2026-12-03T00:10:00Z'), hour)).toEqual(['2026-12-03', '2026-12-02'])
  })
})
