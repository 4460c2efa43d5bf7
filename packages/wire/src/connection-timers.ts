// The timers of one peer connection (connection.ts): the deadline for the peer's handshake, the idle
// close counted from the last byte received, and our keep-alives. stop() clears them all.
import type { ConnectionLimits } from './connection-limits.js'

export type TimeoutReason = 'handshake-timeout' | 'idle-timeout'

export class ConnectionTimers {
  /** When the peer last sent a byte. */
  lastActivity = Date.now()
  private handshakeTimer: NodeJS.Timeout | undefined
  private idleTimer: NodeJS.Timeout | undefined
  private keepAliveTimer: NodeJS.Timeout | undefined

  start(limits: ConnectionLimits, onTimeout: (reason: TimeoutReason) => void, keepAlive: () => void): void {
    this.handshakeTimer = setTimeout(() => onTimeout('handshake-timeout'), limits.handshakeTimeoutMs)
    this.armIdle(limits.idleTimeoutMs, onTimeout)
    // BEP-3: peers drop connections silent for ~2 minutes, so we speak at least once a minute.
    this.keepAliveTimer = setInterval(keepAlive, limits.keepAliveIntervalMs)
    this.keepAliveTimer.unref()
  }

  /** The peer's handshake arrived (or was answered) in time. */
  handshakeDone(): void {
    clearTimeout(this.handshakeTimer)
  }

  stop(): void {
    clearTimeout(this.handshakeTimer)
    clearTimeout(this.idleTimer)
    clearInterval(this.keepAliveTimer)
  }

  private armIdle(ms: number, onTimeout: (reason: TimeoutReason) => void): void {
    this.idleTimer = setTimeout(() => {
      const idle = Date.now() - this.lastActivity
      if (idle >= ms) onTimeout('idle-timeout')
      else this.armIdle(ms, onTimeout)
    }, ms)
    this.idleTimer.unref()
  }
}
