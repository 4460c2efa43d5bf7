import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateKeyPair, sign, signatureBuffer } from '@bbmesh/dht'
import { saltBytes, verifyPointer } from '../src/index.js'
import { isPublishState, readState, writeState } from '../src/publish/state.js'

const salt = Buffer.from('library')
const v = { ih: Buffer.alloc(20, 1) }

describe('BEP 46 pointer checks', () => {
  const a = generateKeyPair()
  const b = generateKeyPair()
  const item = (o: { k?: Buffer; secret?: Buffer; seq?: number; v?: unknown; s?: Buffer }) => ({
    k: o.k ?? a.publicKey,
    seq: o.seq ?? 3,
    v: (o.v ?? v) as never,
    sig: sign(signatureBuffer(o.seq ?? 3, (o.v ?? v) as never, o.s ?? salt), o.secret ?? a.secretKey),
  })

  it('accepts a pointer signed by the key and returns ih and seq', () => {
    expect(verifyPointer(item({}), a.publicKey, salt)).toEqual({ infohash: new Uint8Array(v.ih), seq: 3 })
  })

  it('rejects another signer, another key, another salt, and non-pointer values', () => {
    const cases: [string, ReturnType<typeof item>, RegExp][] = [
      ['signed by another key', item({ secret: b.secretKey }), /signature does not verify/],
      ['under another key', item({ k: b.publicKey, secret: b.secretKey }), /another public key/],
      ['signed for another salt', item({ s: Buffer.from('other') }), /signature does not verify/],
      ['short ih', item({ v: { ih: Buffer.alloc(19) } }), /not a BEP 46/],
      ['not a dict', item({ v: Buffer.from('x') }), /not a BEP 46/],
    ]
    for (const [what, it, re] of cases) {
      expect(() => verifyPointer(it, a.publicKey, salt), what).toThrow(re)
      try {
        verifyPointer(it, a.publicKey, salt)
      } catch (err) {
        expect((err as { code: string }).code).toBe('BAD_POINTER')
      }
    }
    expect(() => saltBytes('x'.repeat(65))).toThrow(/64 bytes/)
  })

  it('state files are written atomically with mode 0600 and a corrupt one is a typed error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbmesh-state-'))
    try {
      const p = join(dir, 'catalog', 'published.json')
      expect(await readState(p, isPublishState)).toBeUndefined()
      await writeState(p, { seq: 4, infohash: 'ab' })
      expect(await readState(p, isPublishState)).toEqual({ seq: 4, infohash: 'ab' })
      expect((await stat(p)).mode & 0o777).toBe(0o600)
      expect(JSON.parse(await readFile(p, 'utf8'))).toEqual({ seq: 4, infohash: 'ab' })
      await writeFile(p, '{"seq":-1}')
      await expect(readState(p, isPublishState)).rejects.toMatchObject({ code: 'BAD_STATE' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
