import { parseInfoDict } from '@bbmesh/catalog'
import type { TorrentInput } from '@bbmesh/index'
import { InfoDictError } from '../errors.js'

const SLASH = new Uint8Array([0x2f])

/**
 * Turns a fetched, verified info dict into index input. Paths keep their raw bytes (names need not
 * be UTF-8). Throws InfoDictError when the dict is malformed or does not hash to `infohash` (a
 * fetcher bug we refuse to store).
 */
export function infoToTorrent(raw: Uint8Array, infohash: Uint8Array, source: string, at: Date): TorrentInput {
  let parsed: ReturnType<typeof parseInfoDict>
  try {
    parsed = parseInfoDict(raw)
  } catch (err) {
    throw new InfoDictError(`unusable info dict: ${(err as Error).message}`, { cause: err })
  }
  if (!matches(parsed.infohashV1, infohash) && !matches(parsed.infohashV2, infohash))
    throw new InfoDictError('info dict does not hash to the requested infohash')
  return {
    ...(parsed.infohashV1 !== null && { infohashV1: parsed.infohashV1 }),
    ...(parsed.infohashV2 !== null && { infohashV2: parsed.infohashV2 }),
    name: parsed.name,
    totalSize: parsed.totalSize,
    pieceLength: parsed.pieceLength,
    private: parsed.private,
    files: parsed.files.map((f) => ({
      path: joinPath(f.path),
      size: f.size,
      ...(f.piecesRoot !== null && { piecesRoot: f.piecesRoot }),
    })),
    source,
    seenAt: at,
    metadataFetchedAt: at,
    rawInfo: parsed.info,
  }
}

/** A v1 infohash matches whole; a v2 one also by its 20-byte truncation (what the DHT carries, BEP 52). */
function matches(full: Uint8Array | null, ih: Uint8Array): boolean {
  if (full === null || ih.length > full.length) return false
  return (
    Buffer.compare(full.subarray(0, ih.length), ih) === 0 && (ih.length === 20 || ih.length === full.length)
  )
}

function joinPath(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [SLASH, p])))
}
