// Invite strings: one copy-pasteable line carrying a community key and up to two host:port hints.
// `bbmesh-invite-v1.<key, base64url>.<check>[.<hint>,<hint>]`; the check (first 4 bytes of
// SHA-256 over the key and the hint text, hex) turns a truncated or mistyped invite into an error
// instead of a different community.
import { createHash } from 'node:crypto'
import { CommunityError } from '../errors.js'
import { COMMUNITY_KEY_LENGTH } from './derive.js'

export const INVITE_PREFIX = 'bbmesh-invite-v1'
const MAX_HINTS = 2

export interface Invite {
  key: Buffer
  /** `host:port` (IPv6 as `[addr]:port`) where a member may be reached; a hint, not trust. */
  hints: string[]
}

function check(key: Uint8Array, hintText: string): string {
  return createHash('sha256').update(key).update(hintText).digest('hex').slice(0, 8)
}

/** Validates `host:port`; returns it normalised or throws. */
export function parseHint(hint: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(hint)
  const port = m ? Number(m[3]) : 0
  if (!m || port < 1 || port > 65535)
    throw new CommunityError(`bad invite hint ${JSON.stringify(hint)}: expected host:port`, 'BAD_INVITE')
  return { host: (m[1] ?? m[2])!, port }
}

export function encodeInvite(invite: Invite): string {
  if (invite.key.length !== COMMUNITY_KEY_LENGTH)
    throw new CommunityError('community key must be 32 bytes', 'BAD_INVITE')
  if (invite.hints.length > MAX_HINTS) throw new CommunityError(`at most ${MAX_HINTS} hints`, 'BAD_INVITE')
  for (const h of invite.hints) parseHint(h)
  const hintText = invite.hints.join(',')
  const parts = [INVITE_PREFIX, invite.key.toString('base64url'), check(invite.key, hintText)]
  if (hintText) parts.push(hintText)
  return parts.join('.')
}

export function decodeInvite(text: string): Invite {
  const s = text.trim()
  const bad = (why: string): never => {
    throw new CommunityError(`bad invite: ${why}`, 'BAD_INVITE')
  }
  if (!s.startsWith(INVITE_PREFIX + '.')) bad(`it must start with ${INVITE_PREFIX}.`)
  const rest = s.slice(INVITE_PREFIX.length + 1)
  const [keyText = '', checkText = '', ...hintParts] = rest.split('.')
  if (!/^[A-Za-z0-9_-]{43}$/.test(keyText)) bad('the key part is truncated or damaged')
  const key = Buffer.from(keyText, 'base64url')
  if (key.length !== COMMUNITY_KEY_LENGTH) bad('the key part is truncated or damaged')
  // Hints may contain dots (IPv4 addresses); they are everything after the check.
  const hintText = hintParts.join('.')
  if (!/^[0-9a-f]{8}$/.test(checkText) || checkText !== check(key, hintText))
    bad('its check does not match (truncated or mistyped?)')
  const hints = hintText ? hintText.split(',') : []
  if (hints.length > MAX_HINTS) bad(`at most ${MAX_HINTS} hints`)
  for (const h of hints) parseHint(h)
  return { key, hints }
}
