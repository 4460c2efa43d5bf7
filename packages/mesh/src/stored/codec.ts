// bb_stored messages (docs/PROTOCOL.md, "bb_stored"): a members-only way to read the COMPLETE list of
// infohashes a member's DHT node stores, where BEP 51 shows a stranger 20 random ones per interval.
// Paged by a cursor (the last infohash of the previous page; pages are in byte order) so a page is
// bounded (500 x 20 bytes, under the wire's frame limit) and a list that changes between pages is
// neither repeated nor restarted.
import {
  bytesField,
  CodecError,
  dict,
  intField,
  optBytesField,
  type Codecs,
  type ExtensionProtocol,
} from '@bbmesh/wire'

export const STORED_EXTENSION_NAME = 'bb_stored'
/** Infohashes per page at most. */
export const MAX_STORED_PAGE = 500

const IH = 20

export interface StoredAsk {
  /** Request id, echoed in the page. */
  id: number
  /** Only infohashes after this one (byte order); absent: from the start. */
  cursor?: Uint8Array
  /** Page size wanted, 1..500 (the answer may be shorter). */
  limit: number
}

export interface StoredPage {
  id: number
  /** Strictly ascending, each after the cursor asked with. */
  infohashes: Uint8Array[]
  /** Whether infohashes past the last one remain (ask again with it as the cursor). */
  more: boolean
  /** How many infohashes the node stores in all, now. */
  total: number
  /** The UDP port of the member's DHT node (0: none): it is the storer for get_peers. */
  dhtPort: number
}

export interface StoredMessages {
  ask: StoredAsk
  page: StoredPage
}

export const storedCodecs: Codecs<StoredMessages> = {
  ask: {
    msgType: 0,
    maxBytes: 128,
    encode: (a) => ({ dict: dict({ q: a.id, c: a.cursor, n: a.limit }) }),
    decode: (d) => {
      const cursor = optBytesField(d, 'c', IH, IH)
      return {
        id: intField(d, 'q', 0, 2 ** 31),
        ...(cursor && { cursor }),
        limit: intField(d, 'n', 1, MAX_STORED_PAGE),
      }
    },
  },
  page: {
    msgType: 1,
    maxBytes: 128 + MAX_STORED_PAGE * IH,
    encode: (p) => {
      if (p.infohashes.length > MAX_STORED_PAGE)
        throw new CodecError(`bb_stored page over ${MAX_STORED_PAGE}`)
      const i = Buffer.alloc(p.infohashes.length * IH)
      p.infohashes.forEach((ih, k) => {
        if (ih.length !== IH) throw new CodecError('bb_stored pages carry 20-byte infohashes')
        i.set(ih, k * IH)
      })
      return { dict: dict({ q: p.id, i, m: p.more ? 1 : 0, t: p.total, d: p.dhtPort }) }
    },
    decode: (d) => {
      const i = bytesField(d, 'i', 0, MAX_STORED_PAGE * IH)
      if (i.length % IH !== 0) throw new CodecError('field i: not a multiple of 20 bytes')
      const infohashes: Uint8Array[] = []
      for (let at = 0; at < i.length; at += IH) {
        const ih = i.slice(at, at + IH)
        // Ascending order is what makes the cursor work: a page out of order is a protocol error.
        if (at > 0 && Buffer.compare(infohashes[infohashes.length - 1]!, ih) >= 0)
          throw new CodecError('bb_stored page: infohashes not strictly ascending')
        infohashes.push(ih)
      }
      return {
        id: intField(d, 'q', 0, 2 ** 31),
        infohashes,
        more: intField(d, 'm', 0, 1) === 1,
        total: intField(d, 't', 0, 2 ** 31),
        dhtPort: intField(d, 'd', 0, 65_535),
      }
    },
  },
}

export const storedProtocol: ExtensionProtocol<StoredMessages> = {
  name: STORED_EXTENSION_NAME,
  membersOnly: true,
  codecs: storedCodecs,
}
