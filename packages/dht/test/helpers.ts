import dgram from 'node:dgram'
import { bdecode, bencode } from '../src/bencode.js'
import type { BDict, BInput } from '../src/bencode.js'
import type { PeerAddress } from '../src/transport/types.js'

/** A raw UDP socket on 127.0.0.1 for sending hand-made datagrams and reading replies. */
export async function rawSocket(): Promise<{
  send(buf: Buffer, to: PeerAddress): void
  request(msg: BInput, to: PeerAddress, timeoutMs?: number): Promise<BDict>
  port: number
  close(): Promise<void>
}> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  const waiters: ((m: BDict) => void)[] = []
  s.on('message', (buf) => {
    try {
      const m = bdecode(buf) as BDict
      waiters.shift()?.(m)
    } catch {
      // ignore
    }
  })
  return {
    port: s.address().port,
    send: (buf, to) => s.send(buf, to.port, to.host),
    request: (msg, to, timeoutMs = 2000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reply')), timeoutMs)
        waiters.push((m) => {
          clearTimeout(timer)
          resolve(m)
        })
        const buf = bencode(msg)
        s.send(buf, to.port, to.host)
      }),
    close: () => new Promise((r) => s.close(() => r())),
  }
}

export function hex(b: Buffer | undefined): string {
  return b ? b.toString('hex') : ''
}
