// Datagrams by kind: every simulated node's transport is wrapped so a run can say where its
// messages went (harvester lookups and samples, or routing upkeep among the simulated nodes: the
// ping storm that once drowned the simulator showed up only as a total). Reads the last bytes of
// each datagram instead of decoding it: @bbmesh/dht and k-rpc encode dictionaries with sorted keys,
// so a KRPC message ends in "1:y1:<q|r|e>e" and a query's method is the "1:q" entry before it.
import type { BoundAddress, PeerAddress, Transport } from '@bbmesh/dht'

type DatagramHandler = Parameters<Transport['onMessage']>[0]

export interface TrafficCounts {
  /** Queries sent, by method. */
  queries: Record<string, number>
  responses: number
  errors: number
  /** Anything not shaped like a KRPC message from our encoder. */
  other: number
}

const Y_TAIL = Buffer.from('1:y1:')
const Q_KEY = Buffer.from('1:q')
const COLON = 0x3a

export class TrafficCounter {
  readonly counts: TrafficCounts = { queries: {}, responses: 0, errors: 0, other: 0 }

  /** `inner`, counting what it sends. */
  wrap(inner: Transport): Transport {
    return new CountingTransport(inner, (buf) => this.count(buf))
  }

  count(buf: Buffer): void {
    const n = buf.length
    if (n < 8 || buf[n - 1] !== 0x65 || buf.compare(Y_TAIL, 0, 5, n - 7, n - 2) !== 0) {
      this.counts.other++
      return
    }
    const y = buf[n - 2]
    if (y === 0x72) this.counts.responses++
    else if (y === 0x65) this.counts.errors++
    else if (y === 0x71) {
      const method = methodOf(buf, n - 7)
      this.counts.queries[method] = (this.counts.queries[method] ?? 0) + 1
    } else this.counts.other++
  }

  snapshot(): TrafficCounts {
    return { ...this.counts, queries: { ...this.counts.queries } }
  }
}

/** The method in "1:q<len>:<name>", the last such entry before `end`; '?' if none. */
function methodOf(buf: Buffer, end: number): string {
  const at = buf.lastIndexOf(Q_KEY, end - 1)
  if (at < 0) return '?'
  let i = at + 3
  let len = 0
  while (i < end && buf[i] !== COLON && len < 100) len = len * 10 + (buf[i++]! - 0x30)
  if (buf[i] !== COLON || !(len > 0) || i + 1 + len > end) return '?'
  return buf.toString('latin1', i + 1, i + 1 + len)
}

class CountingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly onSend: (buf: Buffer) => void,
  ) {}

  bind(port: number, host: string): Promise<BoundAddress> {
    return this.inner.bind(port, host)
  }

  send(buf: Buffer, to: PeerAddress): void {
    this.onSend(buf)
    this.inner.send(buf, to)
  }

  onMessage(handler: DatagramHandler): void {
    this.inner.onMessage(handler)
  }

  onError(handler: (err: Error) => void): void {
    this.inner.onError(handler)
  }

  address(): BoundAddress | null {
    return this.inner.address()
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
