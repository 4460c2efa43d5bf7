import { MAX_QUERY_CHARS, MAX_QUERY_TERMS, MIN_PREFIX_TOKEN_CHARS } from '../constants.js'

// A JavaScript mirror of FTS5's `unicode61 remove_diacritics 2` tokenizer: a token is a run of letters,
// digits or private-use characters, case-folded, with diacritics removed. Query text and matched-file
// highlighting both go through this, so what we ask FTS5 for is exactly what it indexed.
const SEPARATORS = /[^\p{L}\p{N}\p{Co}]+/u
const MARKS = /\p{M}/gu

export function tokenize(text: string): string[] {
  const folded = text.normalize('NFD').replace(MARKS, '').toLowerCase()
  return folded.split(SEPARATORS).filter((t) => t.length > 0)
}

/** One typed word ("24.04", "ubuntu") as a phrase of tokens; the last token may be a prefix. */
export interface QueryPhrase {
  tokens: string[]
  prefix: boolean
}

/**
 * Splits user text at whitespace into phrases: "ubuntu 24.04" -> [ubuntu] [24 04]. Punctuation inside a
 * word becomes a token boundary within the phrase, so "24.04" matches the adjacent tokens 24 04 of
 * "24.04.1". The last word is a prefix (it may still be being typed: "ubunt" finds ubuntu), unless its
 * last token is short: without a prefix index FTS5 merges every matching term's doclist, and "1*" or
 * "mk*" would touch most of the index. Earlier words are complete words and match exactly.
 */
export function parseQueryText(text: string): QueryPhrase[] {
  const phrases: QueryPhrase[] = []
  for (const word of text.slice(0, MAX_QUERY_CHARS).split(/\s+/)) {
    const tokens = tokenize(word)
    if (tokens.length === 0) continue
    phrases.push({ tokens, prefix: false })
    if (phrases.length >= MAX_QUERY_TERMS) break
  }
  const last = phrases.at(-1)
  if (last !== undefined && last.tokens.at(-1)!.length >= MIN_PREFIX_TOKEN_CHARS) last.prefix = true
  return phrases
}

/** The normalised extension token for a filter value ('.MKV' -> 'mkv'); undefined when it has none. */
export function extensionToken(ext: string): string | undefined {
  return tokenize(ext).at(-1)
}

/** Extension of the last path component, as a token; undefined when the file name has no dot. */
export function fileExtension(path: string): string | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  if (dot <= 0 || dot === base.length - 1) return undefined
  const ext = tokenize(base.slice(dot + 1))
  // "file.tar.gz" -> "gz"; an "extension" with spaces or several words is not one.
  return ext.length === 1 && ext[0]!.length <= 16 ? ext[0] : undefined
}

// eslint-disable-next-line no-control-regex -- "every byte is ASCII" is exactly the test wanted
const ASCII = /^[\x00-\x7f]*$/
const ASCII_SEPARATORS = /[^a-z0-9]+/

/** How many query phrases occur in a path; used to pick and order matched files. */
export function countPhraseMatches(path: string, phrases: readonly QueryPhrase[]): number {
  let tokens: string[]
  if (ASCII.test(path)) {
    // Fast path for the common case: no normalisation needed, and a substring test rules most files out.
    const lower = path.toLowerCase()
    if (!phrases.some((p) => lower.includes(p.tokens[0]!))) return 0
    tokens = lower.split(ASCII_SEPARATORS).filter((t) => t.length > 0)
  } else {
    tokens = tokenize(path)
  }
  let n = 0
  for (const p of phrases) if (containsPhrase(tokens, p)) n++
  return n
}

function containsPhrase(tokens: readonly string[], p: QueryPhrase): boolean {
  const len = p.tokens.length
  outer: for (let i = 0; i + len <= tokens.length; i++) {
    for (let j = 0; j < len; j++) {
      const want = p.tokens[j]!
      const have = tokens[i + j]!
      const ok = j === len - 1 && p.prefix ? have.startsWith(want) : have === want
      if (!ok) continue outer
    }
    return true
  }
  return false
}
