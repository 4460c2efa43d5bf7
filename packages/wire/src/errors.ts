// Named errors with stable codes. `code` is part of the public API; messages are for humans.

export type WireErrorCode =
  | 'ERR_BENCODE'
  | 'ERR_CODEC'
  | 'ERR_PROTOCOL'
  | 'ERR_MESSAGE_TOO_LARGE'
  | 'ERR_HANDSHAKE_TIMEOUT'
  | 'ERR_IDLE_TIMEOUT'
  | 'ERR_DIAL_TIMEOUT'
  | 'ERR_DIAL'
  | 'ERR_CONNECTION_LIMIT'
  | 'ERR_CLOSED'
  | 'ERR_ABORTED'
  | 'ERR_METADATA'
  | 'ERR_METADATA_TIMEOUT'
  | 'ERR_EXTENSION'
  | 'ERR_GATE'
  | 'ERR_INVALID_ARGUMENT'

export class WireError extends Error {
  override readonly name: string = 'WireError'
  readonly code: WireErrorCode
  constructor(code: WireErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export class BencodeError extends WireError {
  override readonly name = 'BencodeError'
  constructor(message: string) {
    super('ERR_BENCODE', message)
  }
}

/** A message decoded as bencode but failed its codec's validation. */
export class CodecError extends WireError {
  override readonly name = 'CodecError'
  constructor(message: string) {
    super('ERR_CODEC', message)
  }
}

/** The peer broke the wire protocol (bad handshake, wrong message length, unknown infohash...). */
export class ProtocolError extends WireError {
  override readonly name = 'ProtocolError'
  constructor(message: string) {
    super('ERR_PROTOCOL', message)
  }
}

export class MessageTooLargeError extends WireError {
  override readonly name = 'MessageTooLargeError'
  constructor(
    readonly length: number,
    readonly max: number,
  ) {
    super('ERR_MESSAGE_TOO_LARGE', `message length ${length} exceeds ${max}`)
  }
}

export class TimeoutError extends WireError {
  override readonly name = 'TimeoutError'
  constructor(
    code: 'ERR_HANDSHAKE_TIMEOUT' | 'ERR_IDLE_TIMEOUT' | 'ERR_DIAL_TIMEOUT' | 'ERR_METADATA_TIMEOUT',
    message: string,
  ) {
    super(code, message)
  }
}

export class DialError extends WireError {
  override readonly name = 'DialError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_DIAL', message, options)
  }
}

export class ConnectionLimitError extends WireError {
  override readonly name = 'ConnectionLimitError'
  constructor(message: string) {
    super('ERR_CONNECTION_LIMIT', message)
  }
}

export class AbortError extends WireError {
  override readonly name = 'AbortError'
  constructor(message = 'aborted') {
    super('ERR_ABORTED', message)
  }
}

/** Metadata could not be fetched; `failures` says why, per peer. */
export class MetadataError extends WireError {
  override readonly name = 'MetadataError'
  constructor(
    message: string,
    readonly failures: readonly { peer: string; reason: string }[] = [],
  ) {
    super('ERR_METADATA', message)
  }
}

export class ExtensionError extends WireError {
  override readonly name = 'ExtensionError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_EXTENSION', message, options)
  }
}

export class GateError extends WireError {
  override readonly name = 'GateError'
  constructor(message: string) {
    super('ERR_GATE', message)
  }
}

export class InvalidArgumentError extends WireError {
  override readonly name = 'InvalidArgumentError'
  constructor(message: string) {
    super('ERR_INVALID_ARGUMENT', message)
  }
}
