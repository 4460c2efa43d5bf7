// Extended messages that arrive while an asynchronous acceptInfoHash is pending (connection.ts): held,
// copied and capped (MAX_HELD_EXTENDED_MESSAGES / _BYTES), then replayed in order once we have answered
// the handshake, so the peer sees the same order as with a synchronous lookup.
import { MAX_HELD_EXTENDED_BYTES, MAX_HELD_EXTENDED_MESSAGES } from './constants.js'

interface Held {
  id: number
  payload: Uint8Array
}

export class HeldExtended {
  private held: Held[] | undefined
  private bytes = 0

  start(): void {
    this.held = []
  }

  /**
   * Offers a message that just arrived: 'pass' when not holding (handle it now), 'held' when a copy was
   * kept, 'overflow' when keeping it would pass the caps (the peer floods).
   */
  offer(id: number, payload: Uint8Array): 'pass' | 'held' | 'overflow' {
    const held = this.held
    if (!held) return 'pass'
    this.bytes += payload.length
    if (held.length >= MAX_HELD_EXTENDED_MESSAGES || this.bytes > MAX_HELD_EXTENDED_BYTES) return 'overflow'
    held.push({ id, payload: Buffer.from(payload) })
    return 'held'
  }

  /** Stops holding and returns what was held, oldest first. */
  release(): readonly Held[] {
    const held = this.held ?? []
    this.held = undefined
    return held
  }
}
