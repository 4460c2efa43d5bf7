import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { bdecode, bencode } from '../src/bencode.js'
import type { BDict, BValue } from '../src/bencode.js'
import { immutableTarget, mutableTarget, signatureBuffer } from '../src/bep44.js'
import { generateKeyPair, sign, verify } from '../src/adapter/ed25519.js'
import {
  ERR_CAS_MISMATCH,
  ERR_INVALID_SIGNATURE,
  ERR_MESSAGE_TOO_BIG,
  ERR_PROTOCOL,
  ERR_SALT_TOO_BIG,
  ERR_SEQ_TOO_LOW,
} from '../src/constants.js'
import { KrpcRemoteError } from '../src/errors.js'
import { createDhtTestnet } from '../src/testnet.js'
import type { DhtTestnet } from '../src/testnet.js'
import type { DhtNode } from '../src/node.js'
import { rawSocket } from './helpers.js'

interface Vector {
  name: string
  value: string
  seq?: number
  salt?: string
  signedBuffer?: string
  target: string
  signature?: string
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/bep44-vectors.json', import.meta.url), 'utf8'),
) as {
  publicKey: string
  vectors: Vector[]
}

describe('BEP 44 test vectors', () => {
  const pk = Buffer.from(fixture.publicKey, 'hex')
  for (const vec of fixture.vectors) {
    it(vec.name, () => {
      // The vectors give v already bencoded.
      const v = bdecode(Buffer.from(vec.value)) as BValue
      const salt = vec.salt ? Buffer.from(vec.salt) : undefined
      if (vec.seq === undefined) {
        expect(immutableTarget(v).toString('hex')).toBe(vec.target)
        return
      }
      expect(mutableTarget(pk, salt).toString('hex')).toBe(vec.target)
      const buf = signatureBuffer(vec.seq, v, salt)
      expect(buf.toString()).toBe(vec.signedBuffer)
      const sig = Buffer.from(vec.signature!, 'hex')
      expect(verify(sig, buf, pk)).toBe(true)
      const tampered = Buffer.from(buf)
      tampered[tampered.length - 1] ^= 1
      expect(verify(sig, tampered, pk)).toBe(false)
    })
  }
})

let net: DhtTestnet | null = null
afterEach(async () => {
  await net?.destroy()
  net = null
})
const addr = (n: DhtNode): { host: string; port: number } => ({ host: '127.0.0.1', port: n.address()!.port })

describe('BEP 44 put/get between our nodes', () => {
  it('immutable, mutable, salt, seq and cas', async () => {
    net = await createDhtTestnet(12)
    const [a, b] = [net.nodes[2]!, net.nodes[9]!]
    const imm = await a.putImmutable('hello bbmesh')
    expect(imm.stored).toBeGreaterThan(0)
    expect(imm.target.equals(immutableTarget('hello bbmesh'))).toBe(true)
    const gotImm = await b.get(imm.target)
    expect(gotImm!.v.toString()).toBe('hello bbmesh')

    const keyPair = generateKeyPair()
    const salt = Buffer.from('chan')
    const m1 = await a.putMutable({ keyPair, v: 'one', seq: 1, salt })
    expect(m1.target.equals(mutableTarget(keyPair.publicKey, salt))).toBe(true)
    const g1 = await b.get(m1.target, { salt })
    expect(g1!.v.toString()).toBe('one')
    expect(g1!.seq).toBe(1)
    await a.putMutable({ keyPair, v: 'two', seq: 2, salt, cas: 1 })
    expect((await b.get(m1.target, { salt }))!.v.toString()).toBe('two')
    const casErr = await a.putMutable({ keyPair, v: 'three', seq: 3, salt, cas: 1 }).catch((e: unknown) => e)
    expect(casErr).toBeInstanceOf(KrpcRemoteError)
    expect((casErr as KrpcRemoteError).krpcCode).toBe(ERR_CAS_MISMATCH)
    const seqErr = await a.putMutable({ keyPair, v: 'old', seq: 1, salt }).catch((e: unknown) => e)
    expect((seqErr as KrpcRemoteError).krpcCode).toBe(ERR_SEQ_TOO_LOW)
    expect((await b.get(m1.target, { salt }))!.v.toString()).toBe('two')
  })

  it('BEP 46 pointers', async () => {
    net = await createDhtTestnet(8)
    const keyPair = generateKeyPair()
    const ih = randomBytes(20)
    await net.nodes[1]!.putPointer({ keyPair, infoHash: ih, seq: 5, salt: Buffer.from('n') })
    const got = await net.nodes[6]!.getPointer(keyPair.publicKey, Buffer.from('n'))
    expect(got!.infoHash.equals(ih)).toBe(true)
    expect(got!.seq).toBe(5)
    expect(await net.nodes[6]!.getPointer(keyPair.publicKey, Buffer.from('other'))).toBeNull()
  })
})

describe('BEP 44 server errors', () => {
  it('replies 203/205/206/207/301/302 exactly and stores nothing forged', async () => {
    net = await createDhtTestnet(1)
    const n = net.nodes[0]!
    const raw = await rawSocket()
    const kp = generateKeyPair()
    let t = 0
    const ask = async (q: string, a: BDict | Record<string, unknown>): Promise<BDict> =>
      raw.request({ t: `t${t++}`, y: 'q', q, a: { id: randomBytes(20), ...(a as BDict) } }, addr(n))
    const code = (m: BDict): number | undefined => (m.e ? ((m.e as BValue[])[0] as number) : undefined)
    const signed = (seq: number, v: string, salt?: Buffer): Buffer =>
      sign(signatureBuffer(seq, v, salt), kp.secretKey)
    try {
      const target = mutableTarget(kp.publicKey)
      const token = ((await ask('get', { target })).r as BDict).token as Buffer
      expect(code(await ask('put', { v: 'x', token: randomBytes(20) }))).toBe(ERR_PROTOCOL)
      expect(code(await ask('put', { v: Buffer.alloc(1000), token }))).toBe(ERR_MESSAGE_TOO_BIG)
      const forged = randomBytes(64)
      expect(code(await ask('put', { v: 'x', k: kp.publicKey, seq: 1, sig: forged, token }))).toBe(
        ERR_INVALID_SIGNATURE,
      )
      const big = Buffer.alloc(65, 1)
      expect(
        code(
          await ask('put', { v: 'x', k: kp.publicKey, seq: 1, salt: big, sig: signed(1, 'x', big), token }),
        ),
      ).toBe(ERR_SALT_TOO_BIG)
      expect(n.hasItem(target)).toBe(false)
      expect(
        (await ask('put', { v: 'x', k: kp.publicKey, seq: 4, sig: signed(4, 'x'), token })).r,
      ).toBeDefined()
      expect(n.hasItem(target)).toBe(true)
      expect(
        code(await ask('put', { v: 'y', k: kp.publicKey, seq: 5, cas: 3, sig: signed(5, 'y'), token })),
      ).toBe(ERR_CAS_MISMATCH)
      expect(code(await ask('put', { v: 'y', k: kp.publicKey, seq: 3, sig: signed(3, 'y'), token }))).toBe(
        ERR_SEQ_TOO_LOW,
      )
      const got = (await ask('get', { target })).r as BDict
      expect((got.v as Buffer).toString()).toBe('x')
      expect(got.seq).toBe(4)
      // seq in the query: an item not newer than it is not sent.
      const notNewer = (await ask('get', { target, seq: 4 })).r as BDict
      expect(notNewer.v).toBeUndefined()
      expect(notNewer.seq).toBe(4)
      expect(bencode(got).length).toBeLessThan(1400)
      // Each refusal is counted under the code it was answered with; the accepted put is not.
      expect(n.stats().putsRefused).toEqual({ 203: 1, 205: 1, 206: 1, 207: 1, 301: 1, 302: 1 })
    } finally {
      await raw.close()
    }
  })
})
