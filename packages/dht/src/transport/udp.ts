import dgram from 'node:dgram'
import type { BoundAddress, DatagramHandler, PeerAddress, Transport } from './types.js'

/** IPv4 UDP transport over node:dgram. */
export class UdpTransport implements Transport {
  private readonly socket = dgram.createSocket('udp4')
  private bound: BoundAddress | null = null
  private closed = false
  private closing: Promise<void> | null = null

  bind(port: number, host: string): Promise<BoundAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.socket.once('error', onError)
      this.socket.bind(port, host, () => {
        this.socket.off('error', onError)
        const a = this.socket.address()
        this.bound = { address: a.address, port: a.port, family: 'IPv4' }
        resolve(this.bound)
      })
    })
  }

  send(buf: Buffer, to: PeerAddress): void {
    if (this.closed) return
    // No callback: it would cost a nextTick per datagram. Send errors (EHOSTUNREACH etc.) then
    // arrive as socket 'error' events, which KrpcSocket turns into warnings.
    this.socket.send(buf, to.port, to.host)
  }

  onMessage(handler: DatagramHandler): void {
    this.socket.on('message', (buf, rinfo) => handler(buf, { host: rinfo.address, port: rinfo.port }))
  }

  onError(handler: (err: Error) => void): void {
    this.socket.on('error', handler)
  }

  address(): BoundAddress | null {
    return this.bound
  }

  close(): Promise<void> {
    if (this.closing) return this.closing
    this.closed = true
    this.closing = new Promise((resolve) => {
      try {
        this.socket.close(() => resolve())
      } catch {
        resolve() // never bound: nothing to release
      }
    })
    return this.closing
  }
}
