import { createHash } from 'node:crypto'
import { dict, encode, type BDict, type BValue } from '../../src/bencode/bencode.js'

// Small v1 / v2 / hybrid info dicts built here (wire must not import @bbmesh/catalog), with the
// BEP 52 merkle rules written out independently of src/pieces/verify.ts.
const BLOCK = 16384
const sha = (alg: string, ...parts: Uint8Array[]): Buffer => {
  const h = createHash(alg)
  for (const p of parts) h.update(p)
  return h.digest()
}

function merkle(leaves: Buffer[], width: number): Buffer {
  let layer = [...leaves]
  while (layer.length < width) layer.push(Buffer.alloc(32))
  while (layer.length > 1) {
    const next: Buffer[] = []
    for (let i = 0; i < layer.length; i += 2)
      next.push(sha('sha256', layer[i] as Buffer, layer[i + 1] as Buffer))
    layer = next
  }
  return layer[0] as Buffer
}

/** pieces root and (file > one piece) piece layer of a file, BEP 52. */
export function fileMerkle(data: Uint8Array, pieceLength: number): { root: Buffer; layer: Buffer | null } {
  const leaves: Buffer[] = []
  for (let o = 0; o < data.length; o += BLOCK) leaves.push(sha('sha256', data.subarray(o, o + BLOCK)))
  const perPiece = pieceLength / BLOCK
  if (data.length <= pieceLength) {
    let w = 1
    while (w < leaves.length) w *= 2
    return { root: merkle(leaves, w), layer: null }
  }
  const pieceHashes: Buffer[] = []
  for (let i = 0; i < leaves.length; i += perPiece)
    pieceHashes.push(merkle(leaves.slice(i, i + perPiece), perPiece))
  let w = 1
  while (w < pieceHashes.length) w *= 2
  // Upper tree: pad pieces with the root of an all-zero piece subtree.
  const zeroPiece = merkle([], perPiece)
  const padded = [...pieceHashes]
  while (padded.length < w) padded.push(zeroPiece)
  let layer = padded
  while (layer.length > 1) {
    const next: Buffer[] = []
    for (let i = 0; i < layer.length; i += 2)
      next.push(sha('sha256', layer[i] as Buffer, layer[i + 1] as Buffer))
    layer = next
  }
  return { root: layer[0] as Buffer, layer: Buffer.concat(pieceHashes) }
}

export interface TestTorrent {
  info: Uint8Array
  infoHash: Buffer
  files: Map<string, Uint8Array>
  pieceLayers: Map<string, Uint8Array>
  payloadBytes: number
}

/** Multi-file torrent named 'test' over files (path 'a/b' → bytes), in the order given (sorted by caller). */
export function makeTorrent(
  files: [string, Uint8Array][],
  version: 'v1' | 'v2' | 'hybrid',
  pieceLength = BLOCK,
): TestTorrent {
  const v1Files: BValue[] = []
  const stream: Uint8Array[] = []
  let offset = 0
  const tree: BDict = dict({})
  const pieceLayers = new Map<string, Uint8Array>()
  files.forEach(([path, data], idx) => {
    const parts = path.split('/')
    v1Files.push(dict({ length: data.length, path: parts.map((p) => Buffer.from(p)) }))
    stream.push(data)
    offset += data.length
    const pad = (pieceLength - (offset % pieceLength)) % pieceLength
    if (version === 'hybrid' && pad > 0 && data.length > 0 && idx < files.length - 1) {
      v1Files.push(
        dict({ attr: Buffer.from('p'), length: pad, path: [Buffer.from('.pad'), Buffer.from(String(pad))] }),
      )
      stream.push(new Uint8Array(pad))
      offset += pad
    }
    if (version !== 'v1') {
      let node = tree
      for (const p of parts.slice(0, -1)) node = (node[p] ??= dict({})) as BDict
      const m = data.length ? fileMerkle(data, pieceLength) : null
      node[parts.at(-1) as string] = dict({ '': dict({ length: data.length, 'pieces root': m?.root }) })
      if (m?.layer) pieceLayers.set(m.root.toString('hex'), m.layer)
    }
  })
  const all = Buffer.concat(stream)
  const pieces: Buffer[] = []
  for (let o = 0; o < all.length; o += pieceLength) pieces.push(sha('sha1', all.subarray(o, o + pieceLength)))
  const info = encode(
    dict({
      name: Buffer.from('test'),
      'piece length': pieceLength,
      ...(version !== 'v2' && { files: v1Files, pieces: Buffer.concat(pieces) }),
      ...(version !== 'v1' && { 'meta version': 2, 'file tree': tree }),
    }),
  )
  const infoHash = sha(version === 'v2' ? 'sha256' : 'sha1', info).subarray(0, 20)
  return {
    info,
    infoHash,
    files: new Map(files),
    pieceLayers,
    payloadBytes: files.reduce((n, [, d]) => n + d.length, 0),
  }
}
