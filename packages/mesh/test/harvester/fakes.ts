// Stand-ins for the network side of the harvester (DHT queries, BEP-9 transfers). The pipeline is
// what these tests exercise; the real DHT and wire are exercised in test/adapters/ over loopback.
import { toHex } from '../../src/hex.js'
import type {
  DhtContact,
  Endpoint,
  HarvestDht,
  MetadataFetcher,
  Observation,
  SampleReply,
} from '../../src/harvester/types.js'
import { FetchError } from '../../src/errors.js'

export const key = (e: Endpoint): string => `${e.host}:${e.port}`

interface FakeNode {
  contact: DhtContact
  interval: number
  samples: Uint8Array[]
  neighbours: DhtContact[]
}

export class FakeDht implements HarvestDht {
  readonly listeners = new Set<(o: Observation) => void>()
  readonly nodes = new Map<string, FakeNode>()
  readonly swarms = new Map<string, Endpoint[]>()
  readonly sampleCalls: { node: string; at: number }[] = []
  readonly getPeersCalls: string[] = []
  /** Peers each node stores, by node key then infohash hex (answers to a single get_peers). */
  readonly stored = new Map<string, Map<string, Endpoint[]>>()
  readonly getPeersFromCalls: string[] = []
  table: DhtContact[] = []
  walks = 0

  constructor(private readonly now: () => number) {}

  addNode(contact: DhtContact, samples: Uint8Array[], interval = 600, neighbours: DhtContact[] = []): void {
    this.nodes.set(key(contact), { contact, samples, interval, neighbours })
  }

  emit(o: Observation): void {
    for (const l of this.listeners) l(o)
  }

  observe(listener: (o: Observation) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async findNodes(): Promise<DhtContact[]> {
    this.walks += 1
    return [...this.nodes.values()].map((n) => n.contact)
  }

  async sample(node: Endpoint): Promise<SampleReply> {
    this.sampleCalls.push({ node: key(node), at: this.now() })
    const n = this.nodes.get(key(node))
    if (n === undefined) throw new Error('no reply')
    return { interval: n.interval, num: n.samples.length, samples: n.samples, nodes: n.neighbours }
  }

  async getPeers(infohash: Uint8Array): Promise<Endpoint[]> {
    this.getPeersCalls.push(toHex(infohash))
    return this.swarms.get(toHex(infohash)) ?? []
  }

  async getPeersFrom(node: Endpoint, infohash: Uint8Array): Promise<Endpoint[]> {
    this.getPeersFromCalls.push(`${key(node)} ${toHex(infohash)}`)
    if (!this.nodes.has(key(node))) throw new Error('no reply')
    return this.stored.get(key(node))?.get(toHex(infohash)) ?? []
  }

  contacts(): DhtContact[] {
    return this.table
  }
}

/** Peers serving info dicts. A peer may serve the wrong bytes, never answer, or hold until released. */
export class FakeFetcher implements MetadataFetcher {
  readonly served = new Map<string, Map<string, Uint8Array>>()
  readonly silent = new Set<string>()
  readonly active = new Map<string, number>()
  maxActivePerPeer = 0
  calls = 0
  hold = false
  private readonly held: (() => void)[] = []
  private readonly portListeners = new Set<(n: Endpoint) => void>()

  serve(peer: Endpoint, infohash: Uint8Array, info: Uint8Array): void {
    const m = this.served.get(key(peer)) ?? new Map<string, Uint8Array>()
    m.set(toHex(infohash), info)
    this.served.set(key(peer), m)
  }

  release(): void {
    this.hold = false
    for (const r of this.held.splice(0)) r()
  }

  revealPort(node: Endpoint): void {
    for (const l of this.portListeners) l(node)
  }

  onDhtPort(listener: (n: Endpoint) => void): () => void {
    this.portListeners.add(listener)
    return () => this.portListeners.delete(listener)
  }

  async fetch(infohash: Uint8Array, peer: Endpoint, signal: AbortSignal): Promise<Uint8Array> {
    this.calls += 1
    const k = key(peer)
    const n = (this.active.get(k) ?? 0) + 1
    this.active.set(k, n)
    this.maxActivePerPeer = Math.max(this.maxActivePerPeer, n)
    try {
      if (this.silent.has(k)) await new Promise(() => undefined) // never answers, ignores the signal
      if (this.hold) {
        await new Promise<void>((resolve, reject) => {
          this.held.push(resolve)
          signal.addEventListener('abort', () => reject(signal.reason), { once: true })
        })
      }
      const info = this.served.get(k)?.get(toHex(infohash))
      if (info === undefined) throw new FetchError('no-metadata')
      return info
    } finally {
      this.active.set(k, (this.active.get(k) ?? 1) - 1)
    }
  }
}
