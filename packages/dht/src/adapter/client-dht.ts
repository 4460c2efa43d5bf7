// bittorrent-dht reduced to the client side for the engine (bittorrent-dht.ts): lookup, announce
// with cached tokens, BEP 44 get/put and bucket refresh stay; its query side, token timer and peer
// store go, and with an injected clock its routing upkeep moves to clock-upkeep.ts.
// Adapter-only: it patches bittorrent-dht members.
// Kept in the emitted .d.ts (the package ships types/) so that consumers type-check
// without skipLibCheck: these modules ship no types of their own.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an import would not reach the .d.ts
/// <reference path="../../types/untyped-modules.d.ts" preserve="true" />
import DHT from 'bittorrent-dht'
import type { RPC } from 'k-rpc'
import { QUESTIONABLE_AFTER_MS } from '../constants.js'
import type { KrpcSocket } from '../krpc/socket.js'
import type { KrpcMessage, RemoteInfo } from '../krpc/types.js'
import type { Clock } from '../clock.js'
import { useClock } from './clock-upkeep.js'

export interface ClientDhtOptions {
  socket: KrpcSocket
  verify: (sig: Buffer, msg: Buffer, pk: Buffer) => boolean
  onQuery: (msg: KrpcMessage, from: RemoteInfo) => void
  /** Routing-table upkeep on this clock instead of the libraries' own (see useClock). */
  clock?: Clock
  questionableAfterMs?: number
}

/** Stands in for bittorrent-dht's peer store: its lookup() merges local peers, which live in ours. */
const NO_PEERS: DHT['_peers'] = { get: () => [], add: () => {}, destroy: () => {} }

export function createClientDht(rpc: RPC, opts: ClientDhtOptions): DHT {
  // bootstrap:false stops bittorrent-dht from populating before we have bound; we call
  // populate() ourselves after listen().
  const dht = new DHT({ krpc: rpc, bootstrap: false, verify: opts.verify, host: false })
  // The query side is ours: bittorrent-dht drops unknown methods, lets get_peers overflow a
  // datagram and skips BEP 44 errors 206/207, so its handler is replaced by our dispatcher.
  dht._onquery = (msg, from) => opts.onQuery(msg as KrpcMessage, from as RemoteInfo)
  // Its token secrets and peer store only serve those handlers (tokens.ts and peer-store.ts do
  // it for us), so each node would hold a 5-minute timer and an empty record-cache for nothing.
  clearInterval(dht._interval)
  dht._peers.destroy()
  dht._peers = NO_PEERS
  dht.on('warning', () => {})
  dht.on('error', () => {})
  if (opts.clock) {
    useClock(rpc, opts.socket, opts.clock, opts.questionableAfterMs ?? QUESTIONABLE_AFTER_MS, () => {
      return dht.destroyed
    })
    // bittorrent-dht's periodic bucket check runs on Date.now and Math.random timers.
    dht._setBucketCheckInterval = () => undefined
  }
  return dht
}
