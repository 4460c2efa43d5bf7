// Routing-table upkeep on an injected clock, for the adapter (client-dht.ts).
// Kept in the emitted .d.ts (the package ships types/) so that consumers type-check
// without skipLibCheck: these modules ship no types of their own.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an import would not reach the .d.ts
/// <reference path="../../types/untyped-modules.d.ts" preserve="true" />
import type { KBucketContact } from 'k-bucket'
import type { RPC } from 'k-rpc'
import { isDict } from '../bencode.js'
import type { Clock } from '../clock.js'
import type { KrpcSocket } from '../krpc/socket.js'
import type { KrpcMessage } from '../krpc/types.js'

/**
 * k-rpc and bittorrent-dht keep the routing table on Date.now, Math.random and Node's timers,
 * which would leak wall time into a virtual-time simulation. On an injected clock we take that
 * upkeep over: a contact's `seen` is clock time (stamped after k-rpc's own), a full bucket pings
 * its contacts not seen for `questionableMs`, one at a time, and swaps in the newcomer for the
 * first that fails to answer (bittorrent-dht's rule). The adapter also turns off the periodic
 * bucket check (a random 1–1.5 min timer that pings the whole table after 15 quiet minutes).
 */
export function useClock(
  rpc: RPC,
  socket: KrpcSocket,
  clock: Clock,
  questionableMs: number,
  destroyed: () => boolean,
): void {
  const touch = (id: unknown): void => {
    if (!Buffer.isBuffer(id)) return
    const c = rpc.nodes.get(id)
    if (c) c.seen = clock.now()
  }
  rpc.nodes.on('added', (c: KBucketContact) => {
    // addNode() contacts have never been heard from; k-rpc stamps the others with Date.now.
    if (c.seen !== undefined) c.seen = clock.now()
  })
  socket.on('query', (msg: KrpcMessage) => touch(msg.a?.id))
  socket.on('response', (msg: KrpcMessage) => touch(msg.r?.id))
  // bittorrent-dht's own handler pings on Date.now stamps; ours replaces it.
  rpc.removeAllListeners('ping')
  let checking = false
  rpc.on('ping', (older: KBucketContact[], swap: (dead: KBucketContact) => void) => {
    // One check at a time; a newcomer arriving meanwhile is dropped, as when the old contacts answer.
    if (checking) return
    const stale = older.filter((c) => clock.now() - (c.seen ?? 0) > questionableMs)
    checking = true
    const next = (): void => {
      const c = stale.pop()
      if (!c || destroyed()) return void (checking = false)
      rpc.query({ host: c.host, port: c.port }, { q: 'ping', a: {} }, (err, res) => {
        const m = res as KrpcMessage | null
        const r = m && isDict(m.r) ? m.r : null
        if (err || !r || !Buffer.isBuffer(r.id) || !r.id.equals(c.id)) {
          checking = false
          return swap(c)
        }
        c.seen = clock.now()
        next()
      })
    }
    next()
  })
}
