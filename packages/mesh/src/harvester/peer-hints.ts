import { toHex } from '../hex.js'
import type { Endpoint } from './types.js'

/**
 * Peers we already know for an infohash — the announcer of an observed announce_peer — so the
 * fetch can try them before spending a get_peers lookup. Bounded: a few peers per infohash, and the
 * oldest infohashes are dropped past `maxInfohashes`.
 */
export class PeerHints {
  private readonly hints = new Map<string, Endpoint[]>()

  constructor(
    private readonly maxInfohashes: number,
    private readonly maxPerInfohash = 4,
  ) {}

  add(infohash: Uint8Array, peer: Endpoint): void {
    if (!(Number.isInteger(peer.port) && peer.port > 0 && peer.port < 65536)) return
    const hex = toHex(infohash)
    const list = this.hints.get(hex) ?? []
    if (list.length >= this.maxPerInfohash || list.some((p) => p.host === peer.host && p.port === peer.port))
      return
    list.push({ host: peer.host, port: peer.port })
    this.hints.delete(hex)
    this.hints.set(hex, list)
    if (this.hints.size > this.maxInfohashes) this.hints.delete(this.hints.keys().next().value as string)
  }

  /** The hints for an infohash (hex), removed: they are used once. */
  take(hex: string): Endpoint[] {
    const list = this.hints.get(hex) ?? []
    this.hints.delete(hex)
    return list
  }

  get size(): number {
    return this.hints.size
  }
}
