import { V2FileHasher } from './merkle.js'
import type { SourceFile } from './sources.js'
import { V1PieceHasher } from './v1-pieces.js'

export interface HashPlan {
  pieceLength: number
  wantV1: boolean
  wantV2: boolean
  /** Zero bytes following each file in the v1 piece stream (BEP 47 pads). */
  padAfter: readonly number[]
  /** Called with the payload bytes hashed since the previous call. */
  onBytes?: (bytes: number) => void
}

export interface FileHashes {
  piecesRoot: Uint8Array | null
  pieceLayer: Uint8Array | null
}

export interface HashResult {
  files: FileHashes[]
  /** BEP 3 `pieces`, when v1 hashes were wanted. */
  v1Pieces: Uint8Array | null
}

/** Streams every file once through both hashers on this thread. */
export async function hashInThread(files: readonly SourceFile[], plan: HashPlan): Promise<HashResult> {
  const v1 = plan.wantV1 ? new V1PieceHasher(plan.pieceLength) : null
  const out: FileHashes[] = []
  for (const [i, file] of files.entries()) {
    const v2 = plan.wantV2 && file.length > 0 ? new V2FileHasher(plan.pieceLength) : null
    for await (const chunk of file.read()) {
      v2?.update(chunk)
      v1?.update(chunk)
      plan.onBytes?.(chunk.byteLength)
    }
    v1?.zeroFill(plan.padAfter[i] ?? 0)
    const merkle = v2?.digest()
    out.push({
      piecesRoot: merkle?.piecesRoot ? new Uint8Array(merkle.piecesRoot) : null,
      pieceLayer: merkle?.pieceLayer ? new Uint8Array(merkle.pieceLayer) : null,
    })
  }
  return { files: out, v1Pieces: v1 ? new Uint8Array(v1.finish()) : null }
}
