// Piece transfer errors. Their own class (not WireError) because their codes are this module's own.
export type PieceErrorCode =
  | 'ERR_BAD_INFO'
  | 'ERR_PIECE_PROTOCOL'
  | 'ERR_PIECE_VERIFY'
  | 'ERR_PIECE_TIMEOUT'
  | 'ERR_NO_PEERS'
  | 'ERR_PIECE_ABORTED'
  | 'ERR_STORAGE'

export class PieceError extends Error {
  override readonly name = 'PieceError'
  constructor(
    readonly code: PieceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
