// BEP 9 ut_metadata answers of the piece server (seed-connection.ts): a metadata request is answered
// with the piece of the info dict, or rejected when out of range.
import { decodePrefix, dict, encode, isDict } from '../bencode/bencode.js'
import { METADATA_MSG, METADATA_PIECE_SIZE, MSG } from '../constants.js'
import { encodeMessage } from './messages.js'
import type { PieceServerStats } from './server-options.js'

/** Answers one ut_metadata message `body` (sent to our id) to the peer's ut_metadata id `peerId`. */
export function serveMetadata(
  info: Uint8Array,
  body: Uint8Array,
  peerId: number,
  stats: PieceServerStats,
  send: (b: Uint8Array) => Promise<void>,
): void {
  let msg
  try {
    msg = decodePrefix(body)[0]
  } catch {
    return
  }
  if (!isDict(msg) || msg['msg_type'] !== METADATA_MSG.request || typeof msg['piece'] !== 'number') return
  const piece = msg['piece']
  const start = piece * METADATA_PIECE_SIZE
  const reply =
    start >= 0 && start < info.length
      ? [
          encode(dict({ msg_type: METADATA_MSG.data, piece, total_size: info.length })),
          info.subarray(start, start + METADATA_PIECE_SIZE),
        ]
      : [encode(dict({ msg_type: METADATA_MSG.reject, piece }))]
  if (reply.length === 2) stats.metadataPiecesServed++
  void send(encodeMessage(MSG.extended, Buffer.from([peerId]), ...reply))
}
