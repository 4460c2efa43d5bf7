import dgram from 'node:dgram'
import type { BoundAddress, DatagramHandler, PeerAddress, Transport } from './types.js'

// The kernel's default UDP receive buffer (about 208 KiB on Linux) holds ~150 full-size datagrams:
// a burst of garbage from one flooder fills it in a moment, and then the next datagrams — other
// nodes' valid queries among them — are dropped before the node can read them, however idle it is.
// A bigger buffer absorbs bursts; the kernel caps it at net.core.rmem_max without an error.
const RECV_BUFFER_BYTES = 4 * 1024 * 1024

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
        try {
          this.socket.setRecvBufferSize(RECV_BUFFER_BYTES)
        } catch {
          // Refused by the platform: the default buffer works, it only absorbs less of a burst.
        }
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
