// What a catalog update dropped or changed, from the old and new contents of the files whose pieces
// root changed. Both sides are canonical lines in ascending key order (shard files taken in prefix
// order keep that order across files), so one merge walk finds the differences without holding
// either side in a map.
import { CatalogFormatError } from '../errors.js'

export interface LineDiff {
  /** Keys in the old lines and not in the new ones. */
  removed: string[]
  /** Keys in both whose line (content or provenance) differs. */
  changed: string[]
  /** Keys only in the new lines. */
  added: number
}

const V1_PREFIX = '{"v1":"'
const V2_PREFIX = '{"v1":null,"v2":"'

/** The entry key of a canonical line, read from its first field without parsing the JSON. */
export function lineKey(line: string): string {
  if (line.startsWith(V1_PREFIX)) return line.slice(V1_PREFIX.length, V1_PREFIX.length + 40)
  if (line.startsWith(V2_PREFIX)) return line.slice(V2_PREFIX.length, V2_PREFIX.length + 64)
  throw new CatalogFormatError('catalog line does not start with its key')
}

/**
 * The lines of an NDJSON file, without their '\n'. Decoded one at a time, so a file larger than the
 * longest string V8 allows (~512 MiB) can still be walked.
 */
export function* linesOf(data: Uint8Array): Generator<string> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  let start = 0
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start)
    if (end < 0) end = buf.length
    yield buf.toString('utf8', start, end)
    start = end + 1
  }
}

export async function diffLines(old: AsyncIterable<string>, next: AsyncIterable<string>): Promise<LineDiff> {
  const a = old[Symbol.asyncIterator]()
  const b = next[Symbol.asyncIterator]()
  const out: LineDiff = { removed: [], changed: [], added: 0 }
  let x = await a.next()
  let y = await b.next()
  while (!x.done || !y.done) {
    const kx = x.done ? undefined : lineKey(x.value)
    const ky = y.done ? undefined : lineKey(y.value)
    if (ky === undefined || (kx !== undefined && kx < ky)) {
      out.removed.push(kx as string)
      x = await a.next()
    } else if (kx === undefined || ky < kx) {
      out.added++
      y = await b.next()
    } else {
      if (x.value !== y.value) out.changed.push(kx)
      x = await a.next()
      y = await b.next()
    }
  }
  return out
}
