import type { Command } from 'commander'
import { buildProgram } from '../src/program.js'

export interface InProcessResult {
  /** The thrown error's code (CliError, PublisherKeyError…) or commander's, else 'ok'. */
  code: string
  stdout: string
  stderr: string
}

function quiet(command: Command): void {
  command.exitOverride()
  command.configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
  for (const sub of command.commands) quiet(sub)
}

/**
 * Runs `bbmesh …` in this process, capturing stdout/stderr. Process-level exit codes belong to
 * program.ts's run().
 */
export async function runInProcess(args: string[]): Promise<InProcessResult> {
  const program = buildProgram()
  quiet(program)
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof out
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof err
  let code = 'ok'
  try {
    await program.parseAsync(['node', 'bbmesh', ...args])
  } catch (e) {
    const c = (e as { code?: unknown }).code
    code = typeof c === 'string' ? c : String(e)
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
  return { code, stdout, stderr }
}
