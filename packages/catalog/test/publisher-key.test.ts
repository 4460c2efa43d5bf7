import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  CatalogError,
  loadPublisherKey,
  mintPublisherKey,
  parsePublicKey,
  PublisherKeyError,
  publisherKeyPath,
  publicKeyBytes,
  publicKeyHex,
  resolveStatePath,
  resolvedCopyDir,
  shareablePublicKey,
  verifySignature,
  type PublicKeyInput,
} from '../src/index.js'

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof PublisherKeyError ? e.code : String(e)),
  )
}

describe('publisher key', () => {
  let dataDir = ''
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'bbmesh-keys-'))
  })
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  it('mints a key file with mode 0600 in a 0700 directory', async () => {
    const key = await mintPublisherKey(dataDir)
    const path = publisherKeyPath(dataDir)
    expect(path).toBe(join(dataDir, 'keys', 'publisher.key'))
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700)
    expect(key.publicKey.byteLength).toBe(32)
  })

  it('refuses to overwrite without force, replaces with force', async () => {
    const first = await mintPublisherKey(dataDir)
    expect(await codeOf(mintPublisherKey(dataDir))).toBe('KEY_EXISTS')
    expect(publicKeyHex(await loadPublisherKey(dataDir))).toBe(first.publicKeyHex)
    const second = await mintPublisherKey(dataDir, { force: true })
    expect(second.publicKeyHex).not.toBe(first.publicKeyHex)
    expect((await loadPublisherKey(dataDir)).publicKeyHex).toBe(second.publicKeyHex)
    expect((await stat(publisherKeyPath(dataDir))).mode & 0o777).toBe(0o600)
  })

  it('round-trips: a loaded key signs what the minted public key verifies', async () => {
    const minted = await mintPublisherKey(dataDir)
    const loaded = await loadPublisherKey(dataDir)
    expect(loaded.publicKeyHex).toBe(minted.publicKeyHex)
    const msg = new TextEncoder().encode('3:seqi1e1:v2:ih')
    const sig = loaded.sign(msg)
    expect(sig.byteLength).toBe(64)
    expect(verifySignature(minted.publicKey, msg, sig)).toBe(true)
    expect(verifySignature(minted.publicKey, new TextEncoder().encode('other'), sig)).toBe(false)
    const other = await mintPublisherKey(dataDir, { force: true })
    expect(verifySignature(other.publicKey, msg, sig)).toBe(false)
    expect(verifySignature(minted.publicKey, msg, sig.subarray(0, 63))).toBe(false)
  })

  it('refuses a group- or world-readable key with a clear error', async () => {
    await mintPublisherKey(dataDir)
    const path = publisherKeyPath(dataDir)
    await chmod(path, 0o644)
    const err = await loadPublisherKey(dataDir).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PublisherKeyError)
    expect((err as PublisherKeyError).code).toBe('KEY_INSECURE')
    expect((err as Error).message).toContain('chmod 600')
    await chmod(path, 0o640)
    expect(await codeOf(loadPublisherKey(dataDir))).toBe('KEY_INSECURE')
  })

  it('reports a missing or damaged key without leaking key material', async () => {
    expect(await codeOf(loadPublisherKey(dataDir))).toBe('KEY_MISSING')
    const key = await mintPublisherKey(dataDir)
    const path = publisherKeyPath(dataDir)
    const text = await readFile(path, 'latin1')
    const secretHex = text.split('\n')[1]!
    expect(secretHex).toHaveLength(128)
    expect(Object.keys(key)).toEqual(['publicKey'])
    for (const shown of [inspect(key), JSON.stringify(key)]) {
      expect(shown).not.toContain(secretHex.slice(0, 64))
      expect(shown).toContain(key.publicKeyHex)
    }
    // Flip a seed digit: the stored public half no longer matches.
    const flipped = (secretHex[0] === '0' ? '1' : '0') + secretHex.slice(1)
    await writeFile(path, text.replace(secretHex, flipped), { mode: 0o600 })
    const err = await loadPublisherKey(dataDir).catch((e: unknown) => e)
    expect((err as PublisherKeyError).code).toBe('KEY_CORRUPT')
    expect((err as Error).message).not.toContain(flipped.slice(0, 16))
    await writeFile(path, 'garbage\n', { mode: 0o600 })
    expect(await codeOf(loadPublisherKey(dataDir))).toBe('KEY_CORRUPT')
  })

  it('has a shareable form that parses back', async () => {
    const key = await mintPublisherKey(dataDir)
    expect(key.shareable).toBe(`bbmesh:pub:${key.publicKeyHex}`)
    expect(shareablePublicKey(key.publicKey)).toBe(key.shareable)
    expect(publicKeyHex(parsePublicKey(key.shareable)!)).toBe(key.publicKeyHex)
    expect(publicKeyHex(parsePublicKey(key.publicKeyHex.toUpperCase())!)).toBe(key.publicKeyHex)
    expect(parsePublicKey('bbmesh:pub:1234')).toBeNull()
    expect(parsePublicKey('zz'.repeat(32))).toBeNull()
  })

  it('public key arguments: 32 bytes or 64 hex digits, else BAD_PUBLIC_KEY without echoing the input', async () => {
    const key = await mintPublisherKey(dataDir)
    const bytes = Buffer.from(key.publicKey)
    expect(publicKeyBytes(key.publicKey).equals(bytes)).toBe(true)
    expect(publicKeyBytes(key.publicKeyHex).equals(bytes)).toBe(true)
    expect(publicKeyBytes(key.publicKeyHex.toUpperCase()).equals(bytes)).toBe(true)
    expect(publicKeyHex(key.publicKeyHex.toUpperCase())).toBe(key.publicKeyHex)
    expect(shareablePublicKey(key.publicKeyHex)).toBe(key.shareable)
    const salt = Buffer.from('lib')
    expect(resolveStatePath(dataDir, key.publicKeyHex, salt)).toBe(resolveStatePath(dataDir, bytes, salt))
    expect(resolvedCopyDir(dataDir, key.publicKeyHex, salt)).toBe(resolvedCopyDir(dataDir, bytes, salt))

    const secretLooking = 'ab'.repeat(64) // 128 hex digits, the length of an ed25519 secret key
    const bad: unknown[] = [
      bytes.subarray(0, 31),
      Buffer.concat([bytes, Buffer.alloc(1)]),
      key.publicKeyHex.slice(1),
      key.publicKeyHex + '0',
      `bbmesh:pub:${key.publicKeyHex}`,
      'g'.repeat(64),
      secretLooking,
      '',
      42,
      null,
      undefined,
    ]
    for (const b of bad) {
      let err: unknown
      try {
        publicKeyBytes(b as PublicKeyInput)
      } catch (e) {
        err = e
      }
      expect(err, String(b)).toBeInstanceOf(PublisherKeyError)
      expect(err).toBeInstanceOf(CatalogError)
      expect((err as PublisherKeyError).code).toBe('BAD_PUBLIC_KEY')
      expect((err as Error).message).toMatch(/^a publisher public key is 32 bytes or 64 hex digits, got /)
      if (typeof b === 'string' && b.length > 0) expect((err as Error).message).not.toContain(b.slice(0, 8))
    }
    expect(() => publicKeyHex(bytes.subarray(1))).toThrow(PublisherKeyError)

    // A predicate stays one: a malformed key verifies nothing.
    const msg = new TextEncoder().encode('m')
    const sig = key.sign(msg)
    expect(verifySignature(key.publicKeyHex, msg, sig)).toBe(true)
    expect(verifySignature(bytes.subarray(1), msg, sig)).toBe(false)
    expect(verifySignature('nope', msg, sig)).toBe(false)
  })
})
