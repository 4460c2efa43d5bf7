// Named error classes with stable codes (STYLE.md point 5).

export class DhtError extends Error {
  override name = 'DhtError'
  readonly code: string
  constructor(message: string, code = 'ERR_DHT') {
    super(message)
    this.code = code
  }
}

/** A KRPC `e` reply from a remote node; `krpcCode` is the BEP number (201-204, 205-207, 301-302). */
export class KrpcRemoteError extends DhtError {
  override name = 'KrpcRemoteError'
  readonly krpcCode: number
  constructor(krpcCode: number, message: string) {
    super(`remote error ${krpcCode}: ${message}`, 'ERR_KRPC_REMOTE')
    this.krpcCode = krpcCode
  }
}

export class QueryTimeoutError extends DhtError {
  override name = 'QueryTimeoutError'
  constructor() {
    // 'ETIMEDOUT' is what k-rpc checks to evict an unresponsive node from the routing table.
    super('query timed out', 'ETIMEDOUT')
  }
}

export class QueueFullError extends DhtError {
  override name = 'QueueFullError'
  constructor() {
    super('outgoing query queue is full', 'ERR_QUEUE_FULL')
  }
}

export class DestroyedError extends DhtError {
  override name = 'DestroyedError'
  constructor() {
    super('node is destroyed', 'ERR_DESTROYED')
  }
}

export class NotListeningError extends DhtError {
  override name = 'NotListeningError'
  constructor() {
    super('node is not listening', 'ERR_NOT_LISTENING')
  }
}

export class InvalidReplyError extends DhtError {
  override name = 'InvalidReplyError'
  constructor(message: string) {
    super(message, 'ERR_INVALID_REPLY')
  }
}

export class InvalidArgumentError extends DhtError {
  override name = 'InvalidArgumentError'
  constructor(message: string) {
    super(message, 'ERR_INVALID_ARGUMENT')
  }
}

export class BencodeError extends DhtError {
  override name = 'BencodeError'
  constructor(message: string) {
    super(message, 'ERR_BENCODE')
  }
}

export class AbortError extends DhtError {
  override name = 'AbortError'
  constructor() {
    super('operation aborted', 'ABORT_ERR')
  }
}
