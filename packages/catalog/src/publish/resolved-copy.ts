// The resolver's copy of the catalog it last imported from a publisher: the info dict and every
// payload file, under <dataDir>/catalog/resolved/<key>[-<salt hex>]/. It serves two purposes: the
// previous contents of a changed shard tell the resolver which torrents the publisher dropped, and the
// copy can be seeded to other resolvers (DiskStorage reads it as it is laid out in the torrent).
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { V2FileHasher } from '../torrent/merkle.js'

const INFO_FILE = 'info.bencode'
const FILES_DIR = 'files'

export class ResolvedCopy {
  /** `dir` is resolvedCopyDir(dataDir, publicKey, salt). */
  constructor(readonly dir: string) {}

  /** Root a DiskStorage for the catalog torrent reads from. */
  get filesRoot(): string {
    return join(this.dir, FILES_DIR)
  }

  /** `path` is a '/'-joined payload path a reader already validated (catalog.json, shards/…). */
  private fileOf(path: string): string {
    return join(this.filesRoot, ...path.split('/'))
  }

  async hasFile(path: string, size: number): Promise<boolean> {
    try {
      return (await stat(this.fileOf(path))).size === size
    } catch {
      return false
    }
  }

  /**
   * The stored bytes of `path` if they still hash to `piecesRoot` (hex) — a crash between writing a
   * file and the state file could otherwise leave a copy that is not the catalog the state describes.
   */
  async readVerified(
    path: string,
    piecesRoot: string | null,
    pieceLength: number,
  ): Promise<Uint8Array | undefined> {
    let data: Buffer
    try {
      data = await readFile(this.fileOf(path))
    } catch {
      return undefined
    }
    if (piecesRoot === null) return data.length === 0 ? data : undefined
    const h = new V2FileHasher(pieceLength)
    h.update(data)
    return h.digest().piecesRoot?.toString('hex') === piecesRoot ? data : undefined
  }

  async hasInfo(): Promise<boolean> {
    return stat(join(this.dir, INFO_FILE)).then(
      (s) => s.isFile(),
      () => false,
    )
  }

  async readInfo(): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.dir, INFO_FILE))
    } catch {
      return undefined
    }
  }

  async writeInfo(info: Uint8Array): Promise<void> {
    await atomicWrite(join(this.dir, INFO_FILE), info)
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    await atomicWrite(this.fileOf(path), data)
  }

  /** Deletes stored payload files that are not in `keep` (shards the new catalog no longer has). */
  async prune(keep: ReadonlySet<string>): Promise<number> {
    let removed = 0
    for (const file of await walk(this.filesRoot)) {
      const path = relative(this.filesRoot, file).split(sep).join('/')
      if (keep.has(path)) continue
      await rm(file, { force: true })
      removed++
    }
    return removed
  }
}

async function atomicWrite(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data, { mode: 0o600 })
  await rename(tmp, path)
}

async function walk(dir: string): Promise<string[]> {
  let names
  try {
    names = await readdir(dir, { withFileTypes: true })
  } catch {
    return []
  }
  const out: string[] = []
  for (const d of names) {
    const p = join(dir, d.name)
    if (d.isDirectory()) out.push(...(await walk(p)))
    else out.push(p)
  }
  return out
}
