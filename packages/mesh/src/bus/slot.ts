// Slot names: the BEP 44 salt of a bus item under the shared bus key (docs/PROTOCOL.md, "Gossip bus").
//   feed:<40 hex>      owned: only the writer whose id (SHA-1 of its public key) is <40 hex> may write
//   digest:YYYY-MM-DD  shared: any member may write; the content still names and is signed by its writer
import { createHash } from 'node:crypto'
import { BusError } from './errors.js'
import { MAX_SLOT_BYTES, PUBLIC_KEY_BYTES } from './constants.js'

const FEED = /^feed:([0-9a-f]{40})$/
const DIGEST = /^digest:\d{4}-\d{2}-\d{2}$/
const SHARED = /^[a-z][a-z0-9-]*:[\x21-\x7e]+$/

/**
 * A writer's bus id: SHA-1 of its ed25519 public key. Self-certifying, so a feed slot needs no
 * first-come registration that another member could squat: whoever holds the key owns the slot.
 */
export function writerId(publicKey: Uint8Array): Buffer {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new BusError('BAD_ARGUMENT', 'public key must be 32 bytes')
  return createHash('sha1').update(publicKey).digest()
}

/** The feed slot of the writer with this public key. */
export function feedSlot(publicKey: Uint8Array): string {
  return `feed:${writerId(publicKey).toString('hex')}`
}

/** The shared daily digest slot of a UTC day (`YYYY-MM-DD`, or a Date / epoch ms). */
export function digestSlot(day: string | Date | number): string {
  const d = typeof day === 'string' ? day : new Date(day).toISOString().slice(0, 10)
  const slot = `digest:${d}`
  if (!DIGEST.test(slot)) throw new BusError('BAD_SLOT', 'a digest day is YYYY-MM-DD')
  return slot
}

/** The owner id of an owned slot (`feed:<id>`), or null for a shared slot. */
export function slotOwner(slot: string): Buffer | null {
  const m = FEED.exec(slot)
  return m ? Buffer.from(m[1]!, 'hex') : null
}

/** Checks a slot name and returns its salt bytes. */
export function slotSalt(slot: string): Buffer {
  const salt = Buffer.from(slot, 'utf8')
  if (salt.length === 0 || salt.length > MAX_SLOT_BYTES)
    throw new BusError('BAD_SLOT', `a slot is 1..${MAX_SLOT_BYTES} bytes`)
  // A `feed:` slot that is not exactly 40 lower-case hex would be a shared slot posing as owned.
  if (slot.startsWith('feed:') ? !FEED.test(slot) : !SHARED.test(slot))
    throw new BusError('BAD_SLOT', 'a slot is "<kind>:<printable ascii>"; feed slots are feed:<40 hex>')
  return salt
}
