// A raw UDP socket on 127.0.0.1 for hand-made KRPC datagrams (a tid of our choosing, a MAC for
// another tid): what a replaying stranger can send. `close` releases it.
import dgram from 'node:dgram'
import { bdecode, bencode, type BDict, type BInput } from '@bbmesh/dht'

export interface RawSocket {
  /** Sends `msg` to `port` on 127.0.0.1; resolves the decoded reply, or undefined after `ms`. */
  request(msg: BInput, port: number, ms?: number): Promise<BDict | undefined>
  close(): Promise<void>
}

export async function rawSocket(): Promise<RawSocket> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  const waiters = new Map<string, (m: BDict) => void>()
  s.on('message', (buf) => {
    try {
      const m = bdecode(buf) as BDict
      const t = Buffer.isBuffer(m.t) ? m.t.toString('hex') : ''
      waiters.get(t)?.(m)
    } catch {
      // not bencode: nothing waits for it
    }
  })
  return {
    request: (msg, port, ms = 1_500) =>
      new Promise((resolve) => {
        const t = Buffer.from((msg as { t: Buffer }).t).toString('hex')
        const timer = setTimeout(() => (waiters.delete(t), resolve(undefined)), ms)
        waiters.set(t, (m) => (clearTimeout(timer), waiters.delete(t), resolve(m)))
        s.send(bencode(msg), port, '127.0.0.1')
      }),
    close: () => new Promise((r) => s.close(() => r())),
  }
}
