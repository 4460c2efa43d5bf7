// One 'peer' listener for all get_peers lookups: bittorrent-dht emits every peer found on one
// emitter, and a listener per lookup would hand each peer to every concurrent lookup.
import type { PeerAddress } from '../transport/types.js'

export type PeerHandler = (peer: PeerAddress) => void

export class PeerWaiters {
  private readonly byInfoHash = new Map<string, Set<PeerHandler>>()

  add(infoHash: Buffer, h: PeerHandler): void {
    const key = infoHash.toString('hex')
    let set = this.byInfoHash.get(key)
    if (!set) this.byInfoHash.set(key, (set = new Set()))
    set.add(h)
  }

  remove(infoHash: Buffer, h: PeerHandler): void {
    const key = infoHash.toString('hex')
    const set = this.byInfoHash.get(key)
    if (set?.delete(h) && set.size === 0) this.byInfoHash.delete(key)
  }

  dispatch(peer: PeerAddress, infoHash: Buffer): void {
    if (this.byInfoHash.size === 0) return
    const set = this.byInfoHash.get(infoHash.toString('hex'))
    if (set) for (const h of set) h(peer)
  }
}
