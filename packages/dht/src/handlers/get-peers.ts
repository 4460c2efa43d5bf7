import { isBytes } from '../bencode.js'
import { encodeNodes } from '../compact.js'
import { ERR_PROTOCOL, ID_LENGTH, K, MAX_PEERS_PER_REPLY } from '../constants.js'
import type { BuiltinHandler, QueryReply } from './types.js'

/**
 * BEP 5 get_peers: a token and either stored peers (capped at MAX_PEERS_PER_REPLY so
 * the reply always fits one datagram; bittorrent-dht lists every stored peer) or the closest nodes.
 */
export const getPeers: BuiltinHandler = (q, ctx): QueryReply => {
  const infoHash = q.args.info_hash
  if (!isBytes(infoHash, ID_LENGTH)) return { e: [ERR_PROTOCOL, 'get_peers needs a 20-byte info_hash'] }
  ctx.onGetPeers({ infoHash, from: q.from, nodeId: q.senderId })
  const token = ctx.tokens.issue(q.from.host)
  // BEP 5: `values` when we have peers, otherwise the closest `nodes`.
  const values = ctx.peers.getEncoded(infoHash, MAX_PEERS_PER_REPLY)
  if (values) return { r: { token, values } }
  return { r: { token, nodes: encodeNodes(ctx.closestNodes(infoHash, K)) } }
}
