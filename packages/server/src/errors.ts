/** Stable codes of ServerError; the JSON API sends them as `error.code`. */
export type ServerErrorCode =
  | 'BAD_PARAMETER'
  | 'MISSING_PARAMETER'
  | 'BAD_API_KEY'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'TOO_LARGE'
  | 'BAD_METRIC'
  | 'BAD_OPTIONS'
  | 'API_KEY_FILE'
  | 'INTERNAL'

export class ServerError extends Error {
  override readonly name = 'ServerError'
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    /** The HTTP status this error answers with. */
    readonly status = 400,
  ) {
    super(message)
  }
}
