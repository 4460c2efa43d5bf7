// The datagram transport a node runs on: real UDP or the in-memory network (same node code).

export interface PeerAddress {
  host: string
  port: number
}

export interface BoundAddress {
  address: string
  port: number
  family: 'IPv4'
}

export type DatagramHandler = (buf: Buffer, from: PeerAddress) => void

export interface Transport {
  /** Binds; resolves with the bound address. Port 0 picks a free port. */
  bind(port: number, host: string): Promise<BoundAddress>
  send(buf: Buffer, to: PeerAddress): void
  onMessage(handler: DatagramHandler): void
  onError(handler: (err: Error) => void): void
  address(): BoundAddress | null
  /** Releases the socket; safe to call twice. */
  close(): Promise<void>
}

export type TransportFactory = () => Transport
