// Verified info dicts we can serve, indexed by every 20-byte hash a peer may handshake with.
import { decode, isDict, rawDictValue } from '../bencode/bencode.js'
import { InvalidArgumentError } from '../errors.js'
import { sha1, sha256 } from './infohash.js'

export interface MetadataLookup {
  /** Raw bencoded info dict for a 20-byte handshake hash, or undefined. */
  get(infoHash: Uint8Array): Uint8Array | undefined
}

export interface StoredInfo {
  /** SHA-1 of the info dict, when it is a v1 or hybrid dict. */
  v1?: Buffer
  /** SHA-256 of the info dict, when it is a v2 or hybrid dict (`meta version` 2). */
  v2?: Buffer
}

export class MetadataStore implements MetadataLookup {
  private readonly byHash = new Map<string, Uint8Array>()

  /** Adds a raw info dict; returns the hashes it is served under. */
  addInfo(info: Uint8Array): StoredInfo {
    const d = decode(info)
    if (!isDict(d)) throw new InvalidArgumentError('info is not a dict')
    const out: StoredInfo = {}
    const copy = Buffer.from(info)
    // BEP-52: `meta version` 2 marks v2 (and, with `pieces`, hybrid) dicts; otherwise it is v1.
    if (d['meta version'] === 2) {
      out.v2 = sha256(copy)
      this.byHash.set(out.v2.subarray(0, 20).toString('hex'), copy)
    }
    if (d['pieces'] instanceof Uint8Array || d['meta version'] !== 2) {
      out.v1 = sha1(copy)
      this.byHash.set(out.v1.toString('hex'), copy)
    }
    return out
  }

  /** Adds the info dict of a .torrent file, byte-exact (never re-encoded). */
  addTorrent(torrent: Uint8Array): StoredInfo {
    const info = rawDictValue(torrent, 'info')
    if (!info) throw new InvalidArgumentError('torrent has no info dict')
    return this.addInfo(info)
  }

  get(infoHash: Uint8Array): Uint8Array | undefined {
    return this.byHash.get(Buffer.from(infoHash).toString('hex'))
  }

  get size(): number {
    return this.byHash.size
  }
}
