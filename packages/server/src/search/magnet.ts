/** The key a torrent is addressed by in URLs: its v1 infohash, else its v2 one (lower-case hex). */
export function primaryInfohash(t: { infohashV1: string | null; infohashV2: string | null }): string {
  return t.infohashV1 ?? t.infohashV2 ?? ''
}

/**
 * A magnet link (BEP 9) with both infohashes when known: `xt=urn:btih:` for v1, `xt=urn:btmh:1220…`
 * (multihash sha2-256) for v2 (BEP 52), and the display name.
 */
export function magnetLink(t: {
  infohashV1: string | null
  infohashV2: string | null
  name: string
}): string {
  const parts: string[] = []
  if (t.infohashV1 !== null) parts.push(`xt=urn:btih:${t.infohashV1}`)
  if (t.infohashV2 !== null) parts.push(`xt=urn:btmh:1220${t.infohashV2}`)
  parts.push(`dn=${encodeURIComponent(t.name)}`)
  return `magnet:?${parts.join('&')}`
}

const INFOHASH_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i

/** True for a 40- or 64-digit hex infohash (v1 or v2). */
export function isInfohash(s: string): boolean {
  return INFOHASH_RE.test(s)
}
