// putSigned: a node that is not the signer keeps a BEP 46 pointer alive by re-putting the signed
// item as received. The original storers are destroyed first, so only the re-put can answer.
import { randomBytes } from 'node:crypto'
import DHT from 'bittorrent-dht'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyPair, sign, verify } from '../src/adapter/ed25519.js'
import { mutableTarget, signatureBuffer } from '../src/bep44.js'
import { bencode } from '../src/bencode.js'
import type { BDict } from '../src/bencode.js'
import { InvalidArgumentError } from '../src/errors.js'
import { DhtNode } from '../src/node.js'
import { createDhtTestnet } from '../src/testnet.js'
import { rawSocket } from './helpers.js'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()))
})

async function ourNode(bootstrap: string[]): Promise<DhtNode> {
  // Short query timeouts: the test destroys nodes that others still have in their tables.
  const n = new DhtNode({ bootstrap, rateLimit: false, outboundQueriesPerSecond: false, timeoutMs: 400 })
  cleanup.push(() => n.destroy())
  await n.listen(0, '127.0.0.1')
  if (bootstrap.length) await n.bootstrap()
  return n
}
const hostPort = (n: DhtNode): string => `127.0.0.1:${n.address()!.port}`

describe('putSigned (re-put of a signed mutable item)', () => {
  it('keeps a pointer resolvable after the publisher and every original storer are gone', async () => {
    const net = await createDhtTestnet(14, { timeoutMs: 400 })
    cleanup.push(() => net.destroy())
    const keyPair = generateKeyPair()
    const salt = Buffer.from('catalog')
    const ih = randomBytes(20)
    const target = mutableTarget(keyPair.publicKey, salt)
    const a = net.nodes[3]!
    const put = await a.putPointer({ keyPair, infoHash: ih, seq: 7, salt })
    expect(put.stored).toBeGreaterThan(0)
    // The resolver is a node that did not store the publisher's put.
    const b = net.nodes.find((n) => n !== a && !n.hasItem(target))!
    const got = await b.get(target, { salt })
    expect(got!.seq).toBe(7)

    // The publisher and every node that stored its put go away.
    const storers = net.nodes.filter((n) => n !== b && n.hasItem(target))
    expect(storers.length).toBeGreaterThan(0)
    expect(b.hasItem(target)).toBe(false)
    await Promise.all([a, ...storers].map((n) => n.destroy()))
    // Fresh nodes that never saw the publisher's put join through b.
    const fresh = await Promise.all(Array.from({ length: 8 }, () => ourNode([hostPort(b)])))

    const re = await b.putSigned({ v: got!.v, k: got!.k!, sig: got!.sig!, seq: got!.seq!, salt: got!.salt })
    expect(re.target.equals(target)).toBe(true)
    expect(re.stored).toBeGreaterThan(0)
    expect(b.hasItem(target)).toBe(true)
    expect(fresh.filter((n) => n.hasItem(target)).length).toBeGreaterThan(0)

    // b goes too; a node joined after all this still resolves the pointer with the original signature.
    const c = await ourNode([hostPort(fresh[0]!)])
    await b.destroy()
    const item = await c.get(target, { salt })
    expect(item!.seq).toBe(7)
    expect(item!.sig!.equals(got!.sig!)).toBe(true)
    expect(verify(item!.sig!, signatureBuffer(7, item!.v, salt), keyPair.publicKey)).toBe(true)
    expect((await c.getPointer(keyPair.publicKey, salt))!.infoHash.equals(ih)).toBe(true)
  })

  it('never overwrites a newer seq the signer has put since', async () => {
    const net = await createDhtTestnet(8, { timeoutMs: 400 })
    cleanup.push(() => net.destroy())
    const keyPair = generateKeyPair()
    const target = mutableTarget(keyPair.publicKey)
    await net.nodes[1]!.putPointer({ keyPair, infoHash: randomBytes(20), seq: 5 })
    const old = (await net.nodes[5]!.get(target))!
    const ih = randomBytes(20)
    await net.nodes[1]!.putPointer({ keyPair, infoHash: ih, seq: 6 })
    const res = await net.nodes[5]!.putSigned({ v: old.v, k: old.k!, sig: old.sig!, seq: old.seq! })
    expect(res).toMatchObject({ stored: 0, newerSeq: 6 })
    const now = await net.nodes[7]!.getPointer(keyPair.publicKey)
    expect(now!.seq).toBe(6)
    expect(now!.infoHash.equals(ih)).toBe(true)
  })

  it('rejects tampered or malformed items locally and puts nothing', async () => {
    const n = await ourNode([])
    const keyPair = generateKeyPair()
    const v = { ih: randomBytes(20) }
    const sig = sign(signatureBuffer(3, v, undefined), keyPair.secretKey)
    const k = keyPair.publicKey
    const cases = [
      { v: { ih: randomBytes(20) }, k, sig, seq: 3 },
      { v, k, sig, seq: 4 },
      { v, k, sig, seq: 3, salt: Buffer.from('s') },
      { v, k: generateKeyPair().publicKey, sig, seq: 3 },
      { v, k, sig: sig.subarray(0, 63), seq: 3 },
      { v, k, sig, seq: -1 },
      { v, k, sig, seq: 3.5 },
    ]
    for (const item of cases) {
      await expect(n.putSigned(item)).rejects.toBeInstanceOf(InvalidArgumentError)
    }
    expect(n.hasItem(mutableTarget(k))).toBe(false)
    expect(n.hasItem(mutableTarget(k, Buffer.from('s')))).toBe(false)
  })

  it('a stock bittorrent-dht node gets the re-put item, with its original signature', async () => {
    const first = await ourNode([])
    const stocks: InstanceType<typeof DHT>[] = []
    for (let i = 0; i < 6; i++) {
      const d = new DHT({ bootstrap: [hostPort(first)], verify, host: false })
      cleanup.push(() => new Promise((r) => d.destroy(() => r())))
      await new Promise<void>((resolve) => {
        let k = 0
        const done = (): void => void (++k === 2 && resolve())
        d.once('ready', done)
        d.listen(0, '127.0.0.1', done)
      })
      stocks.push(d)
    }
    const b = await ourNode([hostPort(first)])
    // Signed elsewhere; b only ever sees the item, never the secret key.
    const keyPair = generateKeyPair()
    const salt = Buffer.from('x')
    const v: BDict = { ih: randomBytes(20) }
    const sig = sign(signatureBuffer(2, v, salt), keyPair.secretKey)
    const res = await b.putSigned({ v, k: keyPair.publicKey, sig, seq: 2, salt })
    expect(res.stored).toBeGreaterThan(0)
    const theirs = await new Promise<{ v: BDict; seq: number; sig: Buffer } | null>((resolve, reject) =>
      stocks[4]!.get(res.target, { salt, cache: false }, (err, val) =>
        err ? reject(err) : resolve(val as never),
      ),
    )
    expect(theirs!.seq).toBe(2)
    expect(theirs!.sig.equals(sig)).toBe(true)
    expect((theirs!.v.ih as Buffer).equals(v.ih as Buffer)).toBe(true)

    // Had a forged item got past us, a stock node would not store it either: v changed, sig kept.
    const raw = await rawSocket()
    cleanup.push(() => raw.close())
    const stock = {
      host: '127.0.0.1',
      port: (stocks[0] as unknown as { address(): { port: number } }).address().port,
    }
    const kp2 = generateKeyPair()
    const target2 = mutableTarget(kp2.publicKey)
    const sig2 = sign(signatureBuffer(1, 'genuine', undefined), kp2.secretKey)
    const ask = (q: string, a: BDict): Promise<BDict> =>
      raw.request({ t: q, y: 'q', q, a: { id: randomBytes(20), ...a } }, stock)
    const token = ((await ask('get', { target: target2 })).r as BDict).token as Buffer
    // bittorrent-dht drops a bad signature without replying, so this one is only sent.
    const forged = { v: 'forged', k: kp2.publicKey, seq: 1, sig: sig2, token, id: randomBytes(20) }
    raw.send(bencode({ t: 'f', y: 'q', q: 'put', a: forged }), stock)
    await new Promise((r) => setTimeout(r, 200))
    expect(((await ask('get', { target: target2 })).r as BDict).v).toBeUndefined()
    await ask('put', { v: 'genuine', k: kp2.publicKey, seq: 1, sig: sig2, token })
    expect(((await ask('get', { target: target2 })).r as BDict).v!.toString()).toBe('genuine')
  })
})
