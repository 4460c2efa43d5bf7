import type { Writable } from 'node:stream'

/** Where a command writes: results on stdout (JSON lines with --json), logs and progress on stderr. */
export interface OutputOptions {
  json: boolean
  quiet: boolean
  verbose: boolean
  stdout?: Writable & { isTTY?: boolean }
  stderr?: Writable & { isTTY?: boolean }
}

export class Output {
  readonly json: boolean
  readonly quiet: boolean
  readonly verbose: boolean
  private readonly stdout: Writable & { isTTY?: boolean }
  private readonly stderr: Writable & { isTTY?: boolean }
  private progressShown = false

  constructor(opts: OutputOptions) {
    this.json = opts.json
    this.quiet = opts.quiet
    this.verbose = opts.verbose
    this.stdout = opts.stdout ?? process.stdout
    this.stderr = opts.stderr ?? process.stderr
  }

  /** True when stdout is a terminal a person reads (tables, colours, live progress). */
  get isTTY(): boolean {
    return this.stdout.isTTY === true && !this.json
  }

  /** One machine-readable record: a JSON line on stdout. */
  record(value: unknown): void {
    this.stdout.write(JSON.stringify(value) + '\n')
  }

  /** Human-readable result text on stdout. */
  text(line: string): void {
    this.stdout.write(line + '\n')
  }

  /** An informational message on stderr (silenced by --quiet). */
  info(line: string): void {
    if (this.quiet) return
    this.clearProgress()
    this.stderr.write(line + '\n')
  }

  /** A warning on stderr; shown even with --quiet. */
  warn(line: string): void {
    this.clearProgress()
    this.stderr.write(`bbmesh: warning: ${line}\n`)
  }

  debug(line: string): void {
    if (this.verbose) this.info(line)
  }

  /** A live status line, only on an interactive stderr and never with --quiet or --json. */
  progress(line: string): void {
    if (this.quiet || this.json || this.stderr.isTTY !== true) return
    this.stderr.write(`\r\x1b[2K${line}`)
    this.progressShown = true
  }

  clearProgress(): void {
    if (!this.progressShown) return
    this.stderr.write('\r\x1b[2K')
    this.progressShown = false
  }
}
