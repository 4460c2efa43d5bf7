/** Exit statuses of the bbmesh command, part of its contract with scripts. */
export const ExitCode = {
  ok: 0,
  /** The command could not do its job (bad data dir, locked DB, network failure…). */
  failure: 1,
  /** The command line itself was wrong (unknown flag, missing or malformed argument). */
  usage: 2,
  /** The command finished but skipped some inputs (corrupt .torrent files, bad NDJSON lines). */
  partial: 3,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** An error the CLI reports as one line, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: ExitCodeValue = ExitCode.failure,
  ) {
    super(message)
  }
}

/** A malformed argument or option value. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 'USAGE', ExitCode.usage)
  }
}

/** The first line of an error's message, with any code the error carries. */
export function describeError(err: unknown): { message: string; code: string } {
  if (err instanceof Error) {
    const raw: unknown = (err as { code?: unknown }).code
    const code = typeof raw === 'string' ? raw : 'ERROR'
    const message = (err.message.split('\n')[0] ?? '').trim() || err.name
    return { message, code }
  }
  return { message: String(err), code: 'ERROR' }
}
