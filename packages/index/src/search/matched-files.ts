import { decodeFileListColumns } from '../codec/file-list.js'
import type { FileListColumns } from '../codec/file-list.js'
import { MAX_FILE_CANDIDATES, MAX_MATCHED_FILES } from '../constants.js'
import type { MatchedFile } from '../types.js'
import { countPhraseMatches, fileExtension } from './tokenize.js'
import type { QueryPhrase } from './tokenize.js'

const utf8 = new TextDecoder('utf-8', { fatal: false })
const ASCII_TOKEN = /^[a-z0-9]+$/

/**
 * The files of one torrent whose paths match the query (most phrases first, then list order), or with
 * the filtered extension when there is no text. A torrent may list 2,000 files, so candidates are found
 * with one regular-expression scan over all its path bytes (read as latin1: one character per byte, so
 * offsets are byte offsets) and only those are tokenized. A path with non-ASCII bytes is always a
 * candidate: diacritic folding ("crème" -> creme) defeats a plain substring test. At most
 * MAX_FILE_CANDIDATES paths are tokenized per torrent, so a huge list costs a bounded amount.
 */
export function matchFilesInList(
  blob: Uint8Array,
  phrases: readonly QueryPhrase[],
  ext: string | undefined,
): MatchedFile[] {
  const c = decodeFileListColumns(blob)
  return matchedFileIndexes(c, phrases, ext).map((i) => ({
    path: utf8.decode(c.paths.subarray(c.starts[i]!, c.starts[i + 1]!)),
    size: c.sizes[i]!,
  }))
}

/** The same match as matchFilesInList, as file indexes into a decoded list (the v2 file search needs roots). */
export function matchedFileIndexes(
  c: FileListColumns,
  phrases: readonly QueryPhrase[],
  ext: string | undefined,
): number[] {
  const lower = Buffer.from(c.paths.buffer, c.paths.byteOffset, c.paths.byteLength)
    .toString('latin1')
    .toLowerCase()
  const needles = phrases.length > 0 ? phrases.map((p) => p.tokens[0]!) : ext !== undefined ? [`.${ext}`] : []
  if (needles.length === 0) return []
  const alternatives = needles.every((n) => ASCII_TOKEN.test(n.replace(/^\./, '')))
    ? needles.map((n) => n.replace('.', '\\.'))
    : ['[\\s\\S]'] // a non-ASCII query token: test every path
  const re = new RegExp(`${alternatives.join('|')}|[\\x80-\\xff]`, 'g')
  const want = Math.max(phrases.length, 1)
  const found: { n: number; idx: number }[] = []
  let complete = 0
  let file = 0
  let tried = 0
  for (let m = re.exec(lower); m !== null && tried < MAX_FILE_CANDIDATES; m = re.exec(lower), tried++) {
    while (c.starts[file + 1]! <= m.index) file++
    const path = utf8.decode(c.paths.subarray(c.starts[file]!, c.starts[file + 1]!))
    const n = phrases.length > 0 ? countPhraseMatches(path, phrases) : fileExtension(path) === ext ? 1 : 0
    if (n > 0) {
      found.push({ n, idx: file })
      // The first files matching every phrase are the answer; skip the rest of a long list.
      if (n === want && ++complete === MAX_MATCHED_FILES) break
    }
    re.lastIndex = c.starts[file + 1]!
    file++
    if (file >= c.count) break
  }
  found.sort((a, b) => b.n - a.n || a.idx - b.idx)
  return found.slice(0, MAX_MATCHED_FILES).map((f) => f.idx)
}
