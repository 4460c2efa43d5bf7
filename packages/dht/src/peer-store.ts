// Announced peers per infohash (BEP 5), bounded in infohashes and peers per infohash, expiring
// after PEER_TTL_MS. Map iteration order doubles as LRU order for eviction. Keys are the infohash
// bytes as a latin1 string: cheaper to make than hex on the get_peers hot path.
import { DEFAULT_MAX_INFOHASHES, DEFAULT_MAX_PEERS_PER_INFOHASH, PEER_TTL_MS } from './constants.js'
import { encodePeer } from './compact.js'
import { RawBencode, bencode } from './bencode.js'
import type { PeerAddress } from './transport/types.js'

export interface PeerStoreOptions {
  maxInfohashes?: number
  maxPeersPerInfohash?: number
  ttlMs?: number
  now?: () => number
}

interface Entry {
  compact: Buffer
  expires: number
}

interface Swarm {
  peers: Map<string, Entry>
  /** Earliest expiry among `peers`; nothing to purge before it. */
  nextExpiry: number
  /** The bencoded `values` list served last, until the swarm changes. */
  encoded: RawBencode | null
}

export class PeerStore {
  /** Created on the first announce: most nodes in a big testnet never store a peer. */
  private map: Map<string, Swarm> | null = null
  private readonly maxInfohashes: number
  private readonly maxPeers: number
  private readonly ttl: number
  private readonly now: () => number

  constructor(opts: PeerStoreOptions = {}) {
    this.maxInfohashes = opts.maxInfohashes ?? DEFAULT_MAX_INFOHASHES
    this.maxPeers = opts.maxPeersPerInfohash ?? DEFAULT_MAX_PEERS_PER_INFOHASH
    this.ttl = opts.ttlMs ?? PEER_TTL_MS
    this.now = opts.now ?? Date.now
  }

  add(infoHash: Buffer, peer: PeerAddress): void {
    const key = infoHash.toString('latin1')
    const map = (this.map ??= new Map())
    let swarm = map.get(key)
    if (swarm) {
      map.delete(key) // re-insert: most recently used last
    } else if (map.size >= this.maxInfohashes) {
      const oldest = map.keys().next().value
      if (oldest !== undefined) map.delete(oldest)
    }
    swarm ??= { peers: new Map(), nextExpiry: Infinity, encoded: null }
    map.set(key, swarm)
    const pk = `${peer.host}:${peer.port}`
    swarm.peers.delete(pk)
    if (swarm.peers.size >= this.maxPeers) {
      const oldest = swarm.peers.keys().next().value
      if (oldest !== undefined) swarm.peers.delete(oldest)
    }
    const expires = this.now() + this.ttl
    swarm.peers.set(pk, { compact: encodePeer(peer), expires })
    swarm.nextExpiry = Math.min(swarm.nextExpiry, expires)
    swarm.encoded = null
  }

  /** Up to `max` live compact peers for `infoHash`, most recent first. */
  get(infoHash: Buffer, max: number): Buffer[] {
    const swarm = this.live(infoHash.toString('latin1'))
    if (!swarm) return []
    const all = [...swarm.peers.values()]
    const out: Buffer[] = []
    for (let i = all.length - 1; i >= 0 && out.length < max; i--) out.push(all[i]!.compact)
    return out
  }

  /** Like get(), already bencoded as a list, cached until the swarm changes (get_peers hot path). */
  getEncoded(infoHash: Buffer, max: number): RawBencode | null {
    const swarm = this.live(infoHash.toString('latin1'))
    if (!swarm) return null
    swarm.encoded ??= new RawBencode(bencode(this.get(infoHash, max)))
    return swarm.encoded
  }

  /** Infohashes with at least one stored peer (expired ones are purged on the way). */
  infohashes(): Buffer[] {
    const out: Buffer[] = []
    if (!this.map) return out
    for (const key of [...this.map.keys()]) if (this.live(key)) out.push(Buffer.from(key, 'latin1'))
    return out
  }

  get size(): number {
    return this.map?.size ?? 0
  }

  clear(): void {
    this.map = null
  }

  private live(key: string): Swarm | null {
    const swarm = this.map?.get(key)
    if (!swarm) return null
    const t = this.now()
    if (t >= swarm.nextExpiry) {
      let next = Infinity
      for (const [pk, e] of swarm.peers) {
        if (e.expires <= t) swarm.peers.delete(pk)
        else next = Math.min(next, e.expires)
      }
      swarm.nextExpiry = next
      swarm.encoded = null
    }
    if (swarm.peers.size === 0) {
      this.map!.delete(key)
      return null
    }
    return swarm
  }
}
