import type { Command } from 'commander'
import { applyConfigDefaults } from './config/option-defaults.js'
import { createContext, type CommandContext, type GlobalOptions } from './context.js'

/**
 * The action of one command: receives the context built from the global options, then the
 * command's own arguments and options as commander parsed them. It returns an exit code, or
 * nothing for success; it throws CliError (or any coded error) to fail with one line.
 */
export type CommandHandler<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<number | void>

/** Adapts a handler to commander's `.action()`, whose last argument is the Command itself. */
export function commandAction<A extends unknown[]>(handler: CommandHandler<A>) {
  return async (...raw: unknown[]): Promise<void> => {
    const command = raw[raw.length - 1] as Command
    const ctx = createContext(command.optsWithGlobals<GlobalOptions>())
    // commander passed the options object it keeps, so values set here reach the handler.
    applyConfigDefaults(command, () => ctx.config)
    const code = await handler(ctx, ...(raw.slice(0, -1) as A))
    if (typeof code === 'number' && code !== 0) process.exitCode = code
  }
}
