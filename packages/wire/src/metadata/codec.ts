// BEP-9 ut_metadata messages: {msg_type, piece[, total_size]} with the piece bytes after the dict.
import { dict } from '../bencode/bencode.js'
import { intField, optIntField } from '../bencode/fields.js'
import { METADATA_MSG, METADATA_PIECE_SIZE } from '../constants.js'
import { CodecError } from '../errors.js'
import type { Codecs, ExtensionProtocol } from '../extensions/types.js'

export interface MetadataMessages {
  request: { piece: number }
  data: { piece: number; totalSize?: number; data: Uint8Array }
  reject: { piece: number }
}

/** Upper bound on pieces of any metadata we would touch (1 GiB of info dict); the fetch cap is lower. */
const MAX_PIECE_INDEX = 65_536
const SMALL = 96

export const metadataCodecs: Codecs<MetadataMessages> = {
  request: {
    msgType: METADATA_MSG.request,
    maxBytes: SMALL,
    encode: (v) => ({ dict: dict({ piece: v.piece }) }),
    decode: (d) => ({ piece: intField(d, 'piece', 0, MAX_PIECE_INDEX) }),
  },
  data: {
    msgType: METADATA_MSG.data,
    maxBytes: SMALL + METADATA_PIECE_SIZE,
    trailer: true,
    encode: (v) => ({ dict: dict({ piece: v.piece, total_size: v.totalSize }), trailer: v.data }),
    decode: (d, trailer) => {
      if (trailer.length === 0 || trailer.length > METADATA_PIECE_SIZE) {
        throw new CodecError(`data piece of ${trailer.length} bytes`)
      }
      const totalSize = optIntField(d, 'total_size', 1)
      return {
        piece: intField(d, 'piece', 0, MAX_PIECE_INDEX),
        ...(totalSize !== undefined && { totalSize }),
        data: trailer,
      }
    },
  },
  reject: {
    msgType: METADATA_MSG.reject,
    maxBytes: SMALL,
    encode: (v) => ({ dict: dict({ piece: v.piece }) }),
    decode: (d) => ({ piece: intField(d, 'piece', 0, MAX_PIECE_INDEX) }),
  },
}

export const metadataProtocol: ExtensionProtocol<MetadataMessages> = {
  name: 'ut_metadata',
  codecs: metadataCodecs,
}
