export { buildProgram, run, version } from './program.js'
export { CliError, UsageError, ExitCode } from './errors.js'
export { defaultDataDir } from './context.js'
export type { CommandContext, GlobalOptions } from './context.js'
