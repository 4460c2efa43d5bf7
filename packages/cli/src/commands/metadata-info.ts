// Summaries of a raw BEP-9 info dict for `bbmesh metadata`: name and file list (v1 `files`/`length`,
// or the v2 `file tree`), paths relative to the torrent's name as `bbmesh show` prints them.
import { bdecode, isDict, type BDict, type BValue } from '@bbmesh/wire'

export interface InfoSummary {
  name: string
  files: { path: string; size: number }[]
}

const utf8 = new TextDecoder('utf-8', { fatal: false })
const str = (v: BValue | undefined): string | undefined =>
  v instanceof Uint8Array ? utf8.decode(v) : undefined

export function summarizeInfo(raw: Uint8Array): InfoSummary {
  const info = bdecode(raw)
  if (!isDict(info)) throw new Error('info is not a dictionary')
  const name = str(info['name.utf-8']) ?? str(info['name']) ?? ''
  // BEP-52: a hybrid's v2 file tree is canonical and has no pad files.
  const tree = info['file tree']
  if (isDict(tree)) return { name, files: v2Files(tree, []) }
  const list = info['files']
  if (Array.isArray(list)) return { name, files: v1Files(list) }
  const length = info['length']
  return { name, files: typeof length === 'number' ? [{ path: name, size: length }] : [] }
}

function v1Files(list: BValue[]): InfoSummary['files'] {
  const out: InfoSummary['files'] = []
  for (const f of list) {
    if (!isDict(f)) continue
    // BEP-47 pad files of hybrid torrents are alignment, not content.
    if (str(f['attr'])?.includes('p')) continue
    const parts = f['path.utf-8'] ?? f['path']
    if (!Array.isArray(parts) || typeof f['length'] !== 'number') continue
    out.push({ path: parts.map((p) => str(p) ?? '').join('/'), size: f['length'] })
  }
  return out
}

function v2Files(tree: BDict, prefix: string[]): InfoSummary['files'] {
  const out: InfoSummary['files'] = []
  for (const [key, node] of Object.entries(tree)) {
    if (!isDict(node)) continue
    const leaf = node['']
    // Keys are held as latin1 strings (byte-exact); paths are UTF-8.
    const part = Buffer.from(key, 'latin1').toString('utf8')
    if (isDict(leaf) && typeof leaf['length'] === 'number')
      out.push({ path: [...prefix, part].join('/'), size: leaf['length'] })
    else out.push(...v2Files(node, [...prefix, part]))
  }
  return out
}
