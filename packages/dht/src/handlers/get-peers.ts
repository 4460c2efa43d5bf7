import { isBytes } from '../bencode.js'
import { encodeNodes } from '../compact.js'
import { ERR_PROTOCOL, ID_LENGTH, K, MAX_PEERS_PER_REPLY } from '../constants.js'
import type { BuiltinHandler } from './types.js'

/**
 * BEP 5 get_peers: a token, the closest nodes, and stored peers capped at MAX_PEERS_PER_REPLY so
 * the reply always fits one datagram (bittorrent-dht lists every stored peer).
 */
export const getPeers: BuiltinHandler = (q, ctx) => {
  const infoHash = q.args.info_hash
  if (!isBytes(infoHash, ID_LENGTH)) return { e: [ERR_PROTOCOL, 'get_peers needs a 20-byte info_hash'] }
  ctx.onGetPeers({ infoHash, from: q.from, nodeId: q.senderId })
  const r: { [key: string]: Buffer | Buffer[] } = {
    token: ctx.tokens.issue(q.from.host),
    nodes: encodeNodes(ctx.closestNodes(infoHash, K)),
  }
  const values = ctx.peers.get(infoHash, MAX_PEERS_PER_REPLY)
  if (values.length) r.values = values
  return { r }
}
