import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares a presented key with the configured one in constant time (both hashed first, so the
 * lengths match and the comparison leaks neither length nor prefix).
 */
export function keyMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(presented).digest()
  return timingSafeEqual(a, b)
}
