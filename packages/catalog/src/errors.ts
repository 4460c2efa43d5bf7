/** Stable codes for every failure the catalog package reports; callers switch on `code`, never on text. */
export type CatalogErrorCode =
  | 'BAD_BENCODE'
  | 'BAD_TORRENT'
  | 'BAD_INPUT'
  | 'BAD_PIECE_LENGTH'
  | 'INPUT_CHANGED'
  | 'KEY_EXISTS'
  | 'KEY_MISSING'
  | 'KEY_INSECURE'
  | 'KEY_CORRUPT'
  | 'BAD_PUBLIC_KEY'
  | 'BAD_CATALOG'
  | 'BAD_POINTER'
  | 'STALE_POINTER'
  | 'NOT_FOUND'
  | 'FETCH_FAILED'
  | 'BAD_STATE'

export class CatalogError extends Error {
  override readonly name: string = 'CatalogError'
  readonly code: CatalogErrorCode

  constructor(code: CatalogErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** Malformed bencode (syntax, leading zeros, duplicate keys, caps exceeded). */
export class BencodeError extends CatalogError {
  override readonly name = 'BencodeError'
  constructor(message: string) {
    super('BAD_BENCODE', message)
  }
}

/** A .torrent whose structure does not follow BEP 3 / BEP 52. */
export class TorrentFormatError extends CatalogError {
  override readonly name = 'TorrentFormatError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_TORRENT', message, options)
  }
}

/**
 * A publisher key problem: the key file (KEY_*), or a public key argument that is not 32 bytes or 64
 * hex digits (BAD_PUBLIC_KEY). Messages never contain key material.
 */
export class PublisherKeyError extends CatalogError {
  override readonly name = 'PublisherKeyError'
}

/** A catalog whose files do not follow the format in docs/PROTOCOL.md ("Catalog format"). */
export class CatalogFormatError extends CatalogError {
  override readonly name = 'CatalogFormatError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_CATALOG', message, options)
  }
}

/** Publish / resolve failures: BAD_POINTER, STALE_POINTER, NOT_FOUND, FETCH_FAILED, BAD_STATE. */
export class ResolveError extends CatalogError {
  override readonly name = 'ResolveError'
}
