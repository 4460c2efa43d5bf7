import { createReadStream } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import type { Command } from 'commander'
import { parseNdjsonLine, type PooledIndex, type TorrentInput } from '@bbmesh/index'
import { commandAction } from '../command-action.js'
import type { CommandContext } from '../context.js'
import { ExitCode, UsageError } from '../errors.js'
import { parseTorrentForIndex } from '../torrent-file.js'
import { parseCount } from '../units.js'

interface ImportOptions {
  batch: string
}

interface Skipped {
  file: string
  line?: number
  reason: string
}

const torrentExt = /\.torrent$/i
const ndjsonExt = /\.(ndjson|jsonl)(\.gz)?$/i
const maxReportedErrors = 100
/** Skips warned about one by one on stderr; the rest are counted in one line (a file of 20,000 bad lines is not 20,000 warnings). */
const maxWarnings = 5

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('import .torrent files, folders of them, and NDJSON exports into the index')
    .argument(
      '<path...>',
      ".torrent file, folder (searched recursively), .ndjson[.gz] file, or '-' for NDJSON on stdin",
    )
    .option('--batch <n>', 'torrents per transaction', '500')
    .addHelpText(
      'after',
      `
Corrupt files and bad NDJSON lines are reported (file, line, why; the first ${maxWarnings}, then one
"… and N more like this" line), skipped and counted; the import goes on. Exit status 3 means it finished but skipped something. Re-importing is idempotent.

Examples:
  bbmesh import ~/Downloads/torrents
  bbmesh export --ndjson --out lib.ndjson.gz && bbmesh --db other.db import lib.ndjson.gz`,
    )
    .action(
      commandAction(async (ctx, paths: string[], opts: ImportOptions) => {
        const batchSize = parseCount(opts.batch, '--batch', 1, 100_000)
        const inputs = await expandPaths(paths)
        const index = await ctx.openIndex()
        const importer = new Importer(ctx, index, batchSize)
        try {
          for (const input of inputs) {
            if (input === '-') await importer.ndjson('-', process.stdin)
            else if (ndjsonExt.test(input)) await importer.ndjsonFile(input)
            else await importer.torrentFile(input)
            importer.fileDone(inputs.length)
          }
          await importer.flush()
        } finally {
          ctx.out.clearProgress()
          await index.close()
        }
        return importer.report()
      }),
    )
}

/** Expands folders into the .torrent and NDJSON files under them, in a stable order. */
async function expandPaths(paths: string[]): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const p = join(dir, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.isFile() && (torrentExt.test(e.name) || ndjsonExt.test(e.name))) out.push(p)
    }
  }
  for (const p of paths) {
    if (p === '-') {
      out.push(p)
      continue
    }
    const s = await stat(p).catch(() => undefined)
    if (s === undefined) throw new UsageError(`import: no such file or folder: ${p}`)
    if (s.isDirectory()) await walk(p)
    else out.push(p)
  }
  return out
}

class Importer {
  private batch: TorrentInput[] = []
  private inserted = 0
  private updated = 0
  private infoRejected = 0
  private readonly skipped: Skipped[] = []
  private skippedCount = 0
  private filesDone = 0
  private readonly started = Date.now()

  constructor(
    private readonly ctx: CommandContext,
    private readonly index: PooledIndex,
    private readonly batchSize: number,
  ) {}

  async torrentFile(file: string): Promise<void> {
    try {
      const bytes = await readFile(file)
      await this.add(parseTorrentForIndex(bytes, 'import'))
    } catch (err) {
      this.skip({ file, reason: reasonOf(err) })
    }
  }

  async ndjsonFile(file: string): Promise<void> {
    const stream = createReadStream(file)
    const source = /\.gz$/i.test(file) ? stream.pipe(createGunzip()) : stream
    try {
      await this.ndjson(file, source)
    } catch (err) {
      this.skip({ file, reason: reasonOf(err) })
    }
  }

  async ndjson(file: string, source: NodeJS.ReadableStream): Promise<void> {
    const lines = createInterface({ input: source, crlfDelay: Infinity })
    let n = 0
    for await (const line of lines) {
      n += 1
      if (line.trim() === '') continue
      let input: TorrentInput
      try {
        input = parseNdjsonLine(line)
      } catch (err) {
        this.skip({ file, line: n, reason: reasonOf(err) })
        continue
      }
      await this.add(input)
    }
  }

  async add(input: TorrentInput): Promise<void> {
    this.batch.push(input)
    if (this.batch.length >= this.batchSize) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return
    const result = await this.index.ingest(this.batch)
    this.inserted += result.inserted
    this.updated += result.updated
    this.infoRejected += result.rawInfoRejected
    this.batch = []
    // With --json, one line per committed transaction: what a crash test (or a script resuming a
    // huge import) may count on being in the index even if the process dies next.
    if (this.ctx.out.json) this.ctx.out.record({ event: 'batch', committed: this.inserted + this.updated })
  }

  fileDone(total: number): void {
    this.filesDone += 1
    const secs = (Date.now() - this.started) / 1000
    this.ctx.out.progress(
      `importing: ${this.filesDone}/${total} files, ${this.inserted + this.updated + this.batch.length} torrents, ` +
        `${this.skippedCount} skipped, ${secs.toFixed(0)}s`,
    )
  }

  private skip(s: Skipped): void {
    this.skippedCount += 1
    if (this.skipped.length < maxReportedErrors) this.skipped.push(s)
    if (this.skippedCount > maxWarnings) return
    const where = s.line !== undefined ? `${s.file}:${s.line}` : s.file
    this.ctx.out.warn(`skipped ${where}: ${s.reason}`)
  }

  report(): number {
    const ms = Date.now() - this.started
    const unwarned = this.skippedCount - Math.min(this.skippedCount, maxWarnings)
    if (unwarned > 0) this.ctx.out.warn(`… and ${unwarned} more like this`)
    if (this.infoRejected > 0)
      this.ctx.out.warn(`${this.infoRejected} info dicts did not hash to their infohash; not cached`)
    const summary = {
      event: 'summary',
      inserted: this.inserted,
      updated: this.updated,
      skipped: this.skippedCount,
      errors: this.skipped,
      // How many skips `errors` leaves out: it lists only the first maxReportedErrors.
      errorsOmitted: this.skippedCount - this.skipped.length,
      // Info dicts not cached because they did not hash to their infohash (the torrents were imported).
      infoRejected: this.infoRejected,
      ms,
    }
    if (this.ctx.out.json) this.ctx.out.record(summary)
    else
      this.ctx.out.info(
        `imported ${this.inserted} new, ${this.updated} updated, ${this.skippedCount} skipped in ${(ms / 1000).toFixed(1)}s`,
      )
    return this.skippedCount > 0 ? ExitCode.partial : ExitCode.ok
  }
}

function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return msg.split('\n')[0] ?? 'unknown error'
}
