// Worker-thread entry: hashes batches of piece runs for hash-pool.ts.
import { parentPort } from 'node:worker_threads'
import { hashPieceTask, type PieceTask, type PieceTaskResult } from './piece-range.js'

export interface WorkerJob {
  id: number
  tasks: PieceTask[]
  pieceLength: number
  wantV1: boolean
  wantV2: boolean
}

export type WorkerReply =
  | { id: number; results: PieceTaskResult[] }
  | { id: number; error: { message: string; code: string | undefined } }

const port = parentPort
if (port) {
  port.on('message', (job: WorkerJob) => {
    void (async () => {
      try {
        const results: PieceTaskResult[] = []
        for (const t of job.tasks)
          results.push(await hashPieceTask(t, job.pieceLength, job.wantV1, job.wantV2))
        const transfer = results
          .flatMap((r) => (r.v1 ? [r.roots, r.v1] : [r.roots]))
          .map((b) => b.buffer as ArrayBuffer)
        port.postMessage({ id: job.id, results } satisfies WorkerReply, transfer)
      } catch (err) {
        const code = (err as { code?: unknown }).code
        const reply: WorkerReply = {
          id: job.id,
          error: { message: (err as Error).message, code: typeof code === 'string' ? code : undefined },
        }
        port.postMessage(reply)
      }
    })()
  })
}
