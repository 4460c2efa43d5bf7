// bb_roots messages (docs/PROTOCOL.md, "bb_roots"): a member tells linked members which BEP 52 pieces
// roots (a v2 file's merkle root, 32 bytes) it can serve, as bb_pool's `have` does for infohashes, so
// a member wanting a file asks those members first (a file may be served under any torrent holding
// it: cross-seeding). One message kind; the first ones after the gate opens carry the whole set,
// later ones the roots added since. Roots are a fixed-width byte string: no lists to decode.
import { bytesField, CodecError, dict, type Codecs, type ExtensionProtocol } from '@bbmesh/wire'

export const ROOTS_EXTENSION_NAME = 'bb_roots'
/** BEP 52: a file's pieces root is a SHA-256 merkle root. */
export const ROOT_BYTES = 32
/** Roots per message: 300 × 32 bytes ≈ 9.6 KiB, well under the wire's frame limit. */
export const MAX_ROOTS_ENTRIES = 300

export interface RootsMessages {
  roots: { roots: Uint8Array[] }
}

export const rootsCodecs: Codecs<RootsMessages> = {
  roots: {
    msgType: 0,
    maxBytes: 64 + MAX_ROOTS_ENTRIES * ROOT_BYTES,
    encode: ({ roots }) => {
      if (roots.length > MAX_ROOTS_ENTRIES) throw new CodecError(`bb_roots over ${MAX_ROOTS_ENTRIES} entries`)
      const r = Buffer.alloc(roots.length * ROOT_BYTES)
      roots.forEach((root, k) => {
        if (root.length !== ROOT_BYTES) throw new CodecError('bb_roots carries 32-byte pieces roots')
        r.set(root, k * ROOT_BYTES)
      })
      return { dict: dict({ r }) }
    },
    decode: (d) => {
      const r = bytesField(d, 'r', 0, MAX_ROOTS_ENTRIES * ROOT_BYTES)
      if (r.length % ROOT_BYTES !== 0) throw new CodecError(`field r: not a multiple of ${ROOT_BYTES} bytes`)
      const roots: Uint8Array[] = []
      for (let at = 0; at < r.length; at += ROOT_BYTES) roots.push(r.slice(at, at + ROOT_BYTES))
      return { roots }
    },
  },
}

export const rootsProtocol: ExtensionProtocol<RootsMessages> = {
  name: ROOTS_EXTENSION_NAME,
  membersOnly: true,
  codecs: rootsCodecs,
}
