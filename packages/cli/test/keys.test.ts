import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadPublisherKey, verifySignature } from '@bbmesh/catalog'
import { runInProcess } from './catalog-cli-harness.js'

describe('bbmesh keys', () => {
  let home = ''
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'bbmesh-cli-keys-'))
  })
  afterEach(() => rmSync(home, { recursive: true, force: true }))

  it('mints a 0600 key, refuses to overwrite without --force, and shows the same public key', async () => {
    const minted = await runInProcess(['--data-dir', home, '--json', 'keys', 'mint'])
    expect(minted.code).toBe('ok')
    const { publicKey } = JSON.parse(minted.stdout) as { publicKey: string }
    expect(publicKey).toMatch(/^[0-9a-f]{64}$/)
    expect(statSync(join(home, 'keys', 'publisher.key')).mode & 0o777).toBe(0o600)

    const again = await runInProcess(['--data-dir', home, '--json', 'keys', 'mint'])
    expect(again.code).toBe('KEY_EXISTS')
    const shown = await runInProcess(['--data-dir', home, '--json', 'keys', 'show'])
    expect(JSON.parse(shown.stdout)).toEqual({ publicKey })

    const human = await runInProcess(['--data-dir', home, 'keys', 'show'])
    expect(human.stdout).toContain(`bbmesh:pub:${publicKey}`)

    const key = await loadPublisherKey(home)
    const msg = new TextEncoder().encode('hello')
    expect(verifySignature(Buffer.from(publicKey, 'hex'), msg, key.sign(msg))).toBe(true)

    const forced = await runInProcess(['--data-dir', home, '--json', 'keys', 'mint', '--force'])
    expect((JSON.parse(forced.stdout) as { publicKey: string }).publicKey).not.toBe(publicKey)
  })

  it('fails with a coded error when the key is missing or readable by others', async () => {
    expect((await runInProcess(['--data-dir', home, 'keys', 'show'])).code).toBe('KEY_MISSING')
    await runInProcess(['--data-dir', home, 'keys', 'mint'])
    chmodSync(join(home, 'keys', 'publisher.key'), 0o644)
    const r = await runInProcess(['--data-dir', home, 'keys', 'show'])
    expect(r.code).toBe('KEY_INSECURE')
    expect(r.stdout).toBe('')
  })
})
