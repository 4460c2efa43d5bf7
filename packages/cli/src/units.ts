import { UsageError } from './errors.js'

const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
}

/** Parses "700MB", "1.5GiB", "4096" into bytes. */
export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = m ? sizeUnits[m[2]!.toLowerCase()] : undefined
  if (!m || unit === undefined)
    throw new UsageError(`${flag}: not a size: '${text}' (try 700MB, 1.5GiB or a byte count)`)
  return Math.round(Number(m[1]) * unit)
}

const durationUnits: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 }

/** Parses "7d", "12h" (a time ago) or an ISO date into a Date. */
export function parseSince(text: string, flag: string, now = Date.now()): Date {
  const m = /^\s*(\d+)\s*([smhdw])\s*$/i.exec(text)
  if (m) return new Date(now - Number(m[1]) * durationUnits[m[2]!.toLowerCase()]!)
  const t = Date.parse(text)
  if (Number.isNaN(t))
    throw new UsageError(`${flag}: not a date or duration: '${text}' (try 7d, 12h or 2026-01-31)`)
  return new Date(t)
}

/** Parses a positive integer option within bounds. */
export function parseCount(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: not a whole number: '${text}'`)
  const n = Number(text)
  if (n < min || n > max) throw new UsageError(`${flag}: must be between ${min} and ${max}`)
  return n
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = bytes
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i += 1
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`
}

/** Accepts a 40- or 64-hex-digit infohash, or a magnet link carrying one (btih or btmh 1220…). */
export function parseInfohash(text: string): string {
  const t = text.trim()
  if (/^[0-9a-f]{40}$/i.test(t) || /^[0-9a-f]{64}$/i.test(t)) return t.toLowerCase()
  if (t.startsWith('magnet:?')) {
    const params = new URLSearchParams(t.slice('magnet:?'.length))
    for (const xt of params.getAll('xt')) {
      const v1 = /^urn:btih:([0-9a-f]{40})$/i.exec(xt)
      if (v1) return v1[1]!.toLowerCase()
      const v2 = /^urn:btmh:1220([0-9a-f]{64})$/i.exec(xt)
      if (v2) return v2[1]!.toLowerCase()
    }
  }
  throw new UsageError(`not an infohash: '${text}' (40 or 64 hex digits, or a magnet link)`)
}
