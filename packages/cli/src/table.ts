/** Renders rows as aligned columns; one flexible column is truncated to fit maxWidth. */
export function renderTable(
  header: string[],
  rows: string[][],
  opts: { maxWidth: number; flexColumn: number },
): string {
  const all = [header, ...rows]
  const widths = header.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? '')].length)))
  const fixed = widths.reduce((a, w, c) => (c === opts.flexColumn ? a : a + w), 0) + 2 * (widths.length - 1)
  const flexMax = Math.max(10, opts.maxWidth - fixed)
  if ((widths[opts.flexColumn] ?? 0) > flexMax) widths[opts.flexColumn] = flexMax
  const fit = (s: string, w: number): string => {
    const chars = [...s]
    return chars.length > w ? chars.slice(0, w - 1).join('') + '…' : s + ' '.repeat(w - chars.length)
  }
  return all
    .map((r) =>
      r
        .map((cell, c) => fit(cell, widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** The table without its last column when no row has anything in it (an optional `flags` column). */
export function withoutEmptyLastColumn(header: string[], rows: string[][]): [string[], string[][]] {
  if (rows.some((r) => (r.at(-1) ?? '') !== '')) return [header, rows]
  return [header.slice(0, -1), rows.map((r) => r.slice(0, -1))]
}
