import { isBytes, isInt } from '../bencode.js'
import { ERR_PROTOCOL, ID_LENGTH } from '../constants.js'
import type { BuiltinHandler } from './types.js'

/**
 * BEP 5 announce_peer: needs a token we issued to this IP; implied_port=1 uses the UDP port.
 * Every announce with a well-formed info_hash is observed (a harvester wants those with a bad
 * token too), but only valid ones are stored and acknowledged.
 */
export const announcePeer: BuiltinHandler = (q, ctx) => {
  const { info_hash: infoHash, token, port, implied_port: implied } = q.args
  if (!isBytes(infoHash, ID_LENGTH)) return { e: [ERR_PROTOCOL, 'announce_peer needs a 20-byte info_hash'] }
  const impliedPort = isInt(implied) && implied !== 0
  const announced = isInt(port) ? port : null
  const stored = impliedPort ? q.from.port : announced
  const validPort = stored !== null && stored >= 1 && stored <= 65535
  const tokenValid = isBytes(token) && ctx.tokens.verify(q.from.host, token)
  if (validPort) {
    ctx.onAnnounce({
      infoHash,
      from: q.from,
      nodeId: q.senderId,
      port: stored,
      announcedPort: announced,
      impliedPort,
      tokenValid,
    })
  }
  if (!tokenValid) return { e: [ERR_PROTOCOL, 'bad token'] }
  if (!validPort) return { e: [ERR_PROTOCOL, 'announce_peer needs a valid port'] }
  ctx.peers.add(infoHash, { host: q.from.host, port: stored })
  return { r: {} }
}
