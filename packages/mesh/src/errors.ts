/** Every error this package throws has a stable `code` callers can switch on. */
export class MeshError extends Error {
  override readonly name: string = 'MeshError'
  readonly code: string = 'MESH_ERROR'
}

/** A bounded queue or limiter was closed while the caller waited. */
export class ClosedError extends MeshError {
  override readonly name = 'ClosedError'
  override readonly code = 'CLOSED'
}

/** A limiter's waiting list is full: the caller should shed load rather than queue forever. */
export class LimiterFullError extends MeshError {
  override readonly name = 'LimiterFullError'
  override readonly code = 'LIMITER_FULL'
}

/** A batch could not be written; the items stay buffered (nothing accepted is dropped). */
export class PersistError extends MeshError {
  override readonly name = 'PersistError'
  override readonly code = 'PERSIST_FAILED'
  constructor(
    message: string,
    readonly unwritten: number,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** Why a metadata fetch failed; the harvester counts failures by these reasons. */
export type FetchFailureReason =
  | 'no-peers'
  | 'timeout'
  | 'connect-failed'
  | 'no-metadata'
  | 'bad-metadata'
  | 'too-large'
  | 'aborted'
  | 'other'

export const FETCH_FAILURE_REASONS: readonly FetchFailureReason[] = [
  'no-peers',
  'timeout',
  'connect-failed',
  'no-metadata',
  'bad-metadata',
  'too-large',
  'aborted',
  'other',
]

/** A metadata fetch that failed, with a reason from a fixed set. Fetchers throw this. */
export class FetchError extends MeshError {
  override readonly name = 'FetchError'
  override readonly code = 'FETCH_FAILED'
  constructor(
    readonly reason: FetchFailureReason,
    message: string = reason,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** An info dict that was verified by the fetcher but cannot be turned into an index row. */
export class InfoDictError extends MeshError {
  override readonly name = 'InfoDictError'
  override readonly code = 'BAD_INFO_DICT'
}

/** A community key file or invite is missing, malformed or unsafe. */
export class CommunityError extends MeshError {
  override readonly name = 'CommunityError'
  override readonly code: string
  constructor(
    message: string,
    code: 'BAD_INVITE' | 'NO_COMMUNITY' | 'COMMUNITY_EXISTS' | 'BAD_NAME' | 'BAD_KEY_FILE',
  ) {
    super(message)
    this.code = code
  }
}

/** A bb_near reply that breaks the spec (docs/PROTOCOL.md, "bb_near"), or a query we could not make. */
export class NearError extends MeshError {
  override readonly name = 'NearError'
  override readonly code: string
  constructor(message: string, code: 'BAD_NEAR_REPLY' | 'BAD_NEAR_ARGS') {
    super(message)
    this.code = code
  }
}
