// The limits of one peer connection (connection.ts) and their defaults (constants.ts).
import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_MESSAGE_LENGTH,
  KEEP_ALIVE_INTERVAL_MS,
} from './constants.js'

export interface ConnectionLimits {
  /** Largest message accepted, checked on the length prefix before anything is buffered. */
  maxMessageLength: number
  /** Time allowed from connect until the peer's BEP-3 handshake has arrived. */
  handshakeTimeoutMs: number
  /** Close after this long without a byte from the peer (BEP-3 keep-alives come every ~2 min). */
  idleTimeoutMs: number
  /** How often we send a keep-alive. */
  keepAliveIntervalMs: number
}

export const defaultLimits: ConnectionLimits = {
  maxMessageLength: DEFAULT_MAX_MESSAGE_LENGTH,
  handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
  keepAliveIntervalMs: KEEP_ALIVE_INTERVAL_MS,
}
