// `pnpm bench` (second part): BEP 52 piece layers over loopback. For one v2-only file (32 MiB by
// default, BENCH_HASH_MB scales it) at 16 KiB and 256 KiB pieces: download time from our PieceServer
// with the piece layers given vs fetched by hash requests (server given the layers, or hashing the
// file on the first request), and hash requests answered per second (piece-layer chunks from the
// cached tree; leaf hashes of one piece, which hash that piece each time). Nothing is asserted.
// Writes bench/results/hashes.{json,md}.
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MemoryStorage, PieceServer, downloadPieces, layoutFromInfo } from '../src/index.js'
import { dict, encode } from '../src/bencode/bencode.js'
import { HashSource } from '../src/pieces/hash-source.js'
import { fileDepth, log2, MERKLE_BLOCK, MerkleLayers, nextPow2, pieceRoot } from '../src/pieces/merkle.js'

const MB = Number(process.env.BENCH_HASH_MB ?? 32)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5)
const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = join(here, '..', '..', 'bench', 'results')

function torrent(
  data: Uint8Array,
  pieceLength: number,
): { info: Uint8Array; layers: Map<string, Uint8Array> } {
  const n = Math.ceil(data.length / pieceLength)
  const hashes = Array.from({ length: n }, (_, k) =>
    pieceRoot(data.subarray(k * pieceLength, (k + 1) * pieceLength), pieceLength / MERKLE_BLOCK),
  )
  const root = new MerkleLayers(hashes, log2(pieceLength / MERKLE_BLOCK), fileDepth(data.length)).root
  const info = encode(
    dict({
      name: Buffer.from('f.bin'),
      'piece length': pieceLength,
      'meta version': 2,
      'file tree': dict({ 'f.bin': dict({ '': dict({ length: data.length, 'pieces root': root }) }) }),
    }),
  )
  return { info, layers: new Map([[root.toString('hex'), Buffer.concat(hashes)]]) }
}

async function download(
  info: Uint8Array,
  layers: Map<string, Uint8Array>,
  files: Map<string, Uint8Array>,
  serverLayers: boolean,
  given: boolean,
): Promise<{ ms: number; hashRequests: number }> {
  const server = new PieceServer()
  const layout = layoutFromInfo(info)
  server.add(info, MemoryStorage.seed(layout, files), { pieceLayers: serverLayers ? layers : undefined })
  const { port } = await server.listen(0, '127.0.0.1')
  try {
    const t0 = performance.now()
    const res = await downloadPieces({
      info,
      peers: [{ host: '127.0.0.1', port }],
      pieceLayers: given ? layers : undefined,
      timeoutMs: 120_000,
    })
    return { ms: Math.round(performance.now() - t0), hashRequests: res.hashesFetched }
  } finally {
    await server.close()
  }
}

async function rate(src: HashSource, req: Parameters<HashSource['answer']>[0]): Promise<number> {
  let n = 0
  const end = performance.now() + SECONDS * 1000
  while (performance.now() < end) {
    const a = await src.answer(req)
    if (!('hashes' in a)) throw new Error(a.reject)
    n++
  }
  return Math.round(n / SECONDS)
}

const data = randomBytes(MB << 20)
const rows: Record<string, number | string>[] = []
for (const pieceLength of [16384, 262144]) {
  const t = torrent(data, pieceLength)
  const files = new Map([['', data as Uint8Array]])
  const withLayers = await download(t.info, t.layers, files, true, true)
  const fetchedFromLayers = await download(t.info, t.layers, files, true, false)
  const fetchedHashing = await download(t.info, t.layers, files, false, false)
  const layout = layoutFromInfo(t.info)
  const f = layout.files.find((x) => !x.pad) as (typeof layout.files)[number]
  const src = new HashSource(MemoryStorage.seed(layout, files), t.layers)
  const depth = fileDepth(data.length)
  const ph = log2(pieceLength / MERKLE_BLOCK)
  const root = f.piecesRoot as Uint8Array
  const length = Math.min(512, nextPow2(layout.pieceCount))
  const layerRate = await rate(src, {
    piecesRoot: root,
    base: ph,
    index: 0,
    length,
    proofLayers: depth - ph - 1,
  })
  const perPiece = pieceLength / MERKLE_BLOCK
  const leafRate = await rate(src, {
    piecesRoot: root,
    base: 0,
    index: 2 * perPiece,
    length: Math.max(2, perPiece),
    proofLayers: depth - 1,
  })
  rows.push({
    pieceLength,
    pieces: layout.pieceCount,
    downloadWithLayersMs: withLayers.ms,
    downloadFetchingLayersMs: fetchedFromLayers.ms,
    downloadFetchingLayersServerHashingMs: fetchedHashing.ms,
    hashRequests: fetchedFromLayers.hashRequests,
    pieceLayerAnswersPerSec: layerRate,
    leafAnswersPerSec: leafRate,
  })
  console.log(JSON.stringify(rows.at(-1)))
}

mkdirSync(resultsDir, { recursive: true })
const result = { fileMiB: MB, secondsPerRate: SECONDS, node: process.version, rows }
writeFileSync(join(resultsDir, 'hashes.json'), JSON.stringify(result, null, 2) + '\n')
const md = [
  `# BEP 52 piece layers over loopback (${MB} MiB v2-only file)`,
  '',
  '| piece length | pieces | download, layers given (ms) | layers by hash requests (ms) | same, server hashing the file (ms) | hash requests | piece-layer answers/s | leaf answers/s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r['pieceLength']} | ${r['pieces']} | ${r['downloadWithLayersMs']} | ${r['downloadFetchingLayersMs']} | ${r['downloadFetchingLayersServerHashingMs']} | ${r['hashRequests']} | ${r['pieceLayerAnswersPerSec']} | ${r['leafAnswersPerSec']} |`,
  ),
  '',
].join('\n')
writeFileSync(join(resultsDir, 'hashes.md'), md)
