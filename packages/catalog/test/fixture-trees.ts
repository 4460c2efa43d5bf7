import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { readFileSync } from 'node:fs'

export interface FixtureFile {
  path: string[]
  length: number
}
export interface FixtureFileResult {
  path: string[]
  length: number
  pad: boolean
  piecesRoot?: string
}
export interface FixtureResult {
  infohashV1: string | null
  infohashV2: string | null
  infoKeys: string[]
  v1PiecesSha256: string | null
  files: FixtureFileResult[]
  pieceLayers: Record<string, string>
}
export interface FixtureCase {
  id: string
  name: string
  pieceLength: number
  single: boolean
  files: FixtureFile[]
  expected: Record<string, FixtureResult>
}

export const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/torrent-builder.json', import.meta.url), 'utf8'),
) as { cases: FixtureCase[] }

/** Same generator as fixtures/make-fixtures.py: SHA-256 in counter mode. */
export function content(seed: string, length: number): Uint8Array {
  const out = Buffer.alloc(length)
  for (let k = 0, off = 0; off < length; k++, off += 32) {
    const ctr = Buffer.alloc(4)
    ctr.writeUInt32BE(k)
    createHash('sha256').update(seed).update(ctr).digest().copy(out, off)
  }
  return new Uint8Array(out)
}

export const seedOf = (c: FixtureCase, f: FixtureFile): string => `${c.id}:${f.path.join('/')}`

/** Writes the case's input under `base` and returns the path to build from. */
export async function writeCase(base: string, c: FixtureCase): Promise<string> {
  for (const f of c.files) {
    const full = c.single ? join(base, c.name) : join(base, c.name, ...f.path)
    await mkdir(dirname(full), { recursive: true })
    await writeFile(full, content(seedOf(c, f), f.length))
  }
  return join(base, c.name)
}
