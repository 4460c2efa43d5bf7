// bb_relay messages (docs/PROTOCOL.md, "bb_relay"): a members-only way to ask a member for the info
// dict of a torrent it indexed, one 16 KiB piece at a time like BEP 9, so no message passes the wire's
// frame limit. The receiver verifies the whole dict against the infohash before using it.
import {
  bytesField,
  CodecError,
  METADATA_PIECE_SIZE,
  dict,
  intField,
  type BDict,
  type Codecs,
  type ExtensionProtocol,
} from '@bbmesh/wire'

export const RELAY_EXTENSION_NAME = 'bb_relay'
export const RELAY_PIECE_SIZE = METADATA_PIECE_SIZE
/** Largest info dict relayed (4 MiB, 256 pieces); bigger ones come from the swarm. */
export const MAX_RELAY_INFO_BYTES = 4 * 1024 * 1024
const MAX_PIECES = MAX_RELAY_INFO_BYTES / RELAY_PIECE_SIZE

export interface RelayWant {
  /** Request id, echoed in the answer. */
  id: number
  /** v1 (20 bytes) or v2 (32 bytes) infohash. */
  infohash: Uint8Array
  piece: number
}

export interface RelayPiece {
  id: number
  piece: number
  /** Size of the whole info dict. */
  total: number
  data: Uint8Array
}

export interface RelayNone {
  id: number
}

export interface RelayMessages {
  want: RelayWant
  piece: RelayPiece
  none: RelayNone
}

const infohashField = (d: BDict): Uint8Array => {
  const v = bytesField(d, 'i', 20, 32)
  if (v.length !== 20 && v.length !== 32) throw new CodecError('field i: 20 or 32 bytes')
  return v
}

export const relayCodecs: Codecs<RelayMessages> = {
  want: {
    msgType: 0,
    maxBytes: 128,
    encode: (w) => ({ dict: dict({ q: w.id, i: w.infohash, n: w.piece }) }),
    decode: (d) => ({
      id: intField(d, 'q', 0, 2 ** 31),
      infohash: infohashField(d),
      piece: intField(d, 'n', 0, MAX_PIECES - 1),
    }),
  },
  piece: {
    msgType: 1,
    maxBytes: RELAY_PIECE_SIZE + 128,
    trailer: true,
    encode: (p) => ({ dict: dict({ q: p.id, n: p.piece, s: p.total }), trailer: p.data }),
    decode: (d, trailer) => {
      const total = intField(d, 's', 1, MAX_RELAY_INFO_BYTES)
      const piece = intField(d, 'n', 0, MAX_PIECES - 1)
      const expected = Math.min(RELAY_PIECE_SIZE, total - piece * RELAY_PIECE_SIZE)
      if (expected <= 0 || trailer.length !== expected) throw new CodecError('bb_relay piece: wrong length')
      return { id: intField(d, 'q', 0, 2 ** 31), piece, total, data: trailer }
    },
  },
  none: {
    msgType: 2,
    maxBytes: 64,
    encode: (n) => ({ dict: dict({ q: n.id }) }),
    decode: (d) => ({ id: intField(d, 'q', 0, 2 ** 31) }),
  },
}

export const relayProtocol: ExtensionProtocol<RelayMessages> = {
  name: RELAY_EXTENSION_NAME,
  membersOnly: true,
  codecs: relayCodecs,
}
