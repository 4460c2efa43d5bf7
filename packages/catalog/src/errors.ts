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

/** A publisher key file problem. Messages never contain key material. */
export class PublisherKeyError extends CatalogError {
  override readonly name = 'PublisherKeyError'
}
