import { Worker } from 'node:worker_threads'
import { SHA1_LENGTH, SHA256_LENGTH } from '../constants.js'
import { CatalogError, type CatalogErrorCode } from '../errors.js'
import type { FileHashes, HashPlan, HashResult } from './hash-in-thread.js'
import { BLOCK_SIZE } from '../constants.js'
import { layerRoot } from './merkle.js'
import type { PieceTask, PieceTaskResult } from './piece-range.js'
import type { SourceFile } from './sources.js'
import type { WorkerJob, WorkerReply } from './hash-worker.js'

/** Bytes of file data per job: large enough to amortise messaging, small enough to balance. */
const JOB_BYTES = 8 * 1024 * 1024

interface TaskRef {
  file: number
  task: PieceTask
}

/**
 * Hashes disk files on `workers` threads. Because v2 and hybrid torrents align every file to a
 * piece boundary, each run of pieces hashes independently (v2 subtree roots and v1 SHA-1s); the
 * main thread only joins piece roots into file roots. Memory: one piece buffer per worker.
 */
export async function hashWithWorkers(
  files: readonly SourceFile[],
  plan: HashPlan,
  workers: number,
): Promise<HashResult> {
  const { pieceLength } = plan
  const jobs = planJobs(files, plan)
  const results: PieceTaskResult[][] = new Array<PieceTaskResult[]>(jobs.length)
  const pool = Array.from(
    { length: Math.max(1, Math.min(workers, jobs.length)) },
    () => new Worker(new URL('./hash-worker.js', import.meta.url)),
  )
  try {
    let next = 0
    await Promise.all(
      pool.map(async (worker) => {
        while (next < jobs.length) {
          const id = next++
          const job: WorkerJob = {
            id,
            tasks: (jobs[id] as TaskRef[]).map((r) => r.task),
            pieceLength,
            wantV1: plan.wantV1,
            wantV2: plan.wantV2,
          }
          const done = await runJob(worker, job)
          results[id] = done
          plan.onBytes?.(jobBytes(jobs[id] as TaskRef[], pieceLength))
        }
      }),
    )
  } finally {
    await Promise.all(pool.map((w) => w.terminate()))
  }

  // Join per-task results back into per-file hashes, in file order.
  const roots = files.map(() => [] as Uint8Array[])
  const v1 = files.map(() => [] as Uint8Array[])
  jobs.forEach((job, j) =>
    job.forEach((ref, k) => {
      const r = (results[j] as PieceTaskResult[])[k] as PieceTaskResult
      ;(roots[ref.file] as Uint8Array[]).push(r.roots)
      if (r.v1) (v1[ref.file] as Uint8Array[]).push(r.v1)
    }),
  )
  const out: FileHashes[] = roots.map((parts) => {
    if (!plan.wantV2 || parts.length === 0) return { piecesRoot: null, pieceLayer: null }
    const layer = Buffer.concat(parts)
    if (layer.byteLength === SHA256_LENGTH) return { piecesRoot: new Uint8Array(layer), pieceLayer: null }
    const root = layerRoot(layer, pieceLength / BLOCK_SIZE)
    return { piecesRoot: new Uint8Array(root), pieceLayer: new Uint8Array(layer) }
  })
  const v1Pieces = plan.wantV1 ? new Uint8Array(Buffer.concat(v1.flat())) : null
  if (v1Pieces && v1Pieces.byteLength % SHA1_LENGTH !== 0) throw new Error('internal: v1 pieces misaligned')
  return { files: out, v1Pieces }
}

function planJobs(files: readonly SourceFile[], plan: HashPlan): TaskRef[][] {
  const perTask = Math.max(1, Math.floor(JOB_BYTES / plan.pieceLength))
  const jobs: TaskRef[][] = []
  let current: TaskRef[] = []
  let bytes = 0
  for (const [file, f] of files.entries()) {
    if (f.length === 0) continue
    if (f.diskPath === undefined) throw new Error('internal: worker hashing needs files on disk')
    const pieces = Math.ceil(f.length / plan.pieceLength)
    for (let first = 0; first < pieces; first += perTask) {
      const pieceCount = Math.min(perTask, pieces - first)
      const task = {
        path: f.diskPath,
        length: f.length,
        firstPiece: first,
        pieceCount,
        padLast: (plan.padAfter[file] ?? 0) > 0,
      }
      current.push({ file, task })
      bytes += Math.min(f.length - first * plan.pieceLength, pieceCount * plan.pieceLength)
      if (bytes >= JOB_BYTES || current.length >= 512) {
        jobs.push(current)
        current = []
        bytes = 0
      }
    }
  }
  if (current.length > 0) jobs.push(current)
  return jobs
}

function jobBytes(job: readonly TaskRef[], pieceLength: number): number {
  let n = 0
  for (const { task } of job) {
    n += Math.min(task.length - task.firstPiece * pieceLength, task.pieceCount * pieceLength)
  }
  return n
}

function runJob(worker: Worker, job: WorkerJob): Promise<PieceTaskResult[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: WorkerReply): void => {
      if (reply.id !== job.id) return
      cleanup()
      if ('error' in reply) {
        const code = (reply.error.code ?? 'BAD_INPUT') as CatalogErrorCode
        reject(new CatalogError(code, reply.error.message))
      } else resolve(reply.results)
    }
    const onError = (err: Error): void => {
      cleanup()
      reject(err)
    }
    const onExit = (code: number): void => {
      cleanup()
      reject(new Error(`hash worker exited with code ${code}`))
    }
    const cleanup = (): void => {
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
    }
    worker.on('message', onMessage)
    worker.on('error', onError)
    worker.on('exit', onExit)
    worker.postMessage(job)
  })
}
