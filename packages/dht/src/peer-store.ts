// Announced peers per infohash (BEP 5), bounded in infohashes and peers per infohash, expiring
// after PEER_TTL_MS. Map iteration order doubles as LRU order for eviction.
import { DEFAULT_MAX_INFOHASHES, DEFAULT_MAX_PEERS_PER_INFOHASH, PEER_TTL_MS } from './constants.js'
import { encodePeer } from './compact.js'
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

export class PeerStore {
  private readonly map = new Map<string, Map<string, Entry>>()
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
    const key = infoHash.toString('hex')
    let peers = this.map.get(key)
    if (peers) {
      this.map.delete(key) // re-insert: most recently used last
    } else if (this.map.size >= this.maxInfohashes) {
      const oldest = this.map.keys().next().value
      if (oldest !== undefined) this.map.delete(oldest)
    }
    peers ??= new Map()
    this.map.set(key, peers)
    const pk = `${peer.host}:${peer.port}`
    peers.delete(pk)
    if (peers.size >= this.maxPeers) {
      const oldest = peers.keys().next().value
      if (oldest !== undefined) peers.delete(oldest)
    }
    peers.set(pk, { compact: encodePeer(peer), expires: this.now() + this.ttl })
  }

  /** Up to `max` live compact peers for `infoHash`, most recent first. */
  get(infoHash: Buffer, max: number): Buffer[] {
    const key = infoHash.toString('hex')
    const peers = this.map.get(key)
    if (!peers) return []
    const t = this.now()
    const out: Buffer[] = []
    for (const [pk, e] of peers) if (e.expires <= t) peers.delete(pk)
    if (peers.size === 0) {
      this.map.delete(key)
      return out
    }
    const all = [...peers.values()]
    for (let i = all.length - 1; i >= 0 && out.length < max; i--) out.push(all[i]!.compact)
    return out
  }

  /** Infohashes with at least one stored peer (expired ones are purged on the way). */
  infohashes(): Buffer[] {
    const t = this.now()
    const out: Buffer[] = []
    for (const [key, peers] of this.map) {
      for (const [pk, e] of peers) if (e.expires <= t) peers.delete(pk)
      if (peers.size === 0) this.map.delete(key)
      else out.push(Buffer.from(key, 'hex'))
    }
    return out
  }

  get size(): number {
    return this.map.size
  }

  clear(): void {
    this.map.clear()
  }
}
