const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** 1536 -> "1.5 KiB"; binary units, as the CLI prints them. */
export function formatSize(bytes: number): string {
  let v = bytes
  let u = 0
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024
    u += 1
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[u]}`
}

/** "2024-06-01 12:30" in UTC. */
export function formatDate(d: Date | null): string {
  return d === null ? '-' : d.toISOString().slice(0, 16).replace('T', ' ')
}
