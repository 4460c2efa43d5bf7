/**
 * A magnet link for a torrent: `urn:btih:` (BEP 9) for the v1 infohash and `urn:btmh:1220…` (BEP 52,
 * a SHA-256 multihash) for the v2 one; a hybrid carries both. `dn` is the display name.
 */
export function magnetLink(t: {
  infohashV1: Uint8Array | null
  infohashV2: Uint8Array | null
  name?: Uint8Array | string
}): string {
  const parts: string[] = []
  if (t.infohashV1) parts.push(`xt=urn:btih:${Buffer.from(t.infohashV1).toString('hex')}`)
  if (t.infohashV2) parts.push(`xt=urn:btmh:1220${Buffer.from(t.infohashV2).toString('hex')}`)
  if (parts.length === 0) throw new RangeError('a magnet link needs at least one infohash')
  if (t.name !== undefined) {
    const name = typeof t.name === 'string' ? t.name : Buffer.from(t.name).toString('utf8')
    parts.push(`dn=${encodeURIComponent(name)}`)
  }
  return `magnet:?${parts.join('&')}`
}
