// The other catalogs this resolver holds copies of (other publishers, or other salts of the same key).
// The index keeps only the first provenance of a torrent, so when a publisher drops a torrent that
// came from it, another followed catalog may still list it: then the torrent is re-ingested from that
// copy, under that catalog's provenance, instead of disappearing until that catalog changes.
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { headerPath, libraryPath, parseHeader, shardOf, shardPath } from '../catalog/layout.js'
import { parseEntryLine, type CatalogEntry } from '../catalog/entry.js'
import { lineKey, linesOf } from './catalog-diff.js'
import { isResolveState, readState } from './state.js'

interface Copy {
  files: string
  source: string
  /** Lines by key, per file read so far ('/'-joined payload path). */
  loaded: Map<string, Map<string, string>>
  locate: (key: string) => string
}

export class OtherCopies {
  private copies: Copy[] | undefined

  /** `resolvedDir` is <dataDir>/catalog/resolved; `self` the name of the copy being updated. */
  constructor(
    private readonly resolvedDir: string,
    private readonly self: string,
  ) {}

  /** The entry for `key` in another copy, with the provenance to ingest it under. */
  async find(key: string): Promise<{ entry: CatalogEntry; source: string } | undefined> {
    for (const c of await this.list()) {
      const path = c.locate(key)
      let lines = c.loaded.get(path)
      if (!lines) {
        lines = new Map()
        const data = await readFile(join(c.files, ...path.split('/'))).catch(() => undefined)
        if (data) for (const l of linesOf(data)) lines.set(lineKey(l), l)
        c.loaded.set(path, lines)
      }
      const line = lines.get(key)
      if (line === undefined) continue
      try {
        return { entry: parseEntryLine(line), source: c.source }
      } catch {
        continue // a damaged copy is skipped; its own next resolve refetches it
      }
    }
    return undefined
  }

  private async list(): Promise<Copy[]> {
    if (this.copies) return this.copies
    this.copies = []
    const names = await readdir(this.resolvedDir, { withFileTypes: true }).catch(() => [])
    for (const d of names) {
      if (!d.isDirectory() || d.name === this.self || !/^[0-9a-f]{64}(-[0-9a-f]+)?$/.test(d.name)) continue
      const state = await readState(join(this.resolvedDir, `${d.name}.json`), isResolveState).catch(
        () => undefined,
      )
      const files = join(this.resolvedDir, d.name, 'files')
      const header = await readFile(join(files, ...headerPath()))
        .then((b) => parseHeader(b))
        .catch(() => undefined)
      if (!state || !header) continue
      const locate =
        header.layout === 'whole'
          ? () => libraryPath().join('/')
          : (key: string) => shardPath(shardOf(key, header.prefixBits)).join('/')
      const source = `catalog:${d.name.slice(0, 64)}:${state.seq}`
      this.copies.push({ files, source, loaded: new Map(), locate })
    }
    return this.copies
  }
}
