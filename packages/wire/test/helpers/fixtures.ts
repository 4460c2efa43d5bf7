// Small v1, v2 and hybrid info dicts built by hand with the `bencode` package. For metadata exchange only
// the infohash derivation matters, so piece hashes and merkle roots are random bytes.
import bencode from 'bencode'
import { createHash, randomBytes } from 'node:crypto'

export interface InfoFixture {
  info: Uint8Array
  v1?: Buffer
  v2?: Buffer
  name: string
}

function hashes(info: Uint8Array, v1: boolean, v2: boolean): { v1?: Buffer; v2?: Buffer } {
  return {
    ...(v1 && { v1: createHash('sha1').update(info).digest() }),
    ...(v2 && { v2: createHash('sha256').update(info).digest() }),
  }
}

/** A v1 single-file info dict whose bencoding spans `pieces * 20` bytes of piece hashes. */
export function v1Info(pieces = 2000, name = 'fixture-v1.bin'): InfoFixture {
  const info = Buffer.from(
    bencode.encode({ name, 'piece length': 16384, length: pieces * 16384, pieces: randomBytes(pieces * 20) }),
  )
  return { info, name, ...hashes(info, true, false) }
}

function fileTree(files: number): Record<string, unknown> {
  const tree: Record<string, unknown> = {}
  for (let i = 0; i < files; i++) {
    tree[`file-${i}.bin`] = { '': { length: 1 << 20, 'pieces root': randomBytes(32) } }
  }
  return tree
}

export function v2Info(files = 300, name = 'fixture-v2'): InfoFixture {
  const info = Buffer.from(
    bencode.encode({ 'meta version': 2, name, 'piece length': 16384, 'file tree': fileTree(files) }),
  )
  return { info, name, ...hashes(info, false, true) }
}

export function hybridInfo(files = 200, name = 'fixture-hybrid'): InfoFixture {
  const list = Array.from({ length: files }, (_, i) => ({ length: 1 << 20, path: [`file-${i}.bin`] }))
  const info = Buffer.from(
    bencode.encode({
      'meta version': 2,
      name,
      'piece length': 16384,
      'file tree': fileTree(files),
      files: list,
      pieces: randomBytes(files * 64 * 20),
    }),
  )
  return { info, name, ...hashes(info, true, true) }
}

/** A .torrent around an info dict, keeping the info bytes exact. */
export function torrentFile(info: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from('d8:announce9:http://x/4:info'), info, Buffer.from('e')])
}
