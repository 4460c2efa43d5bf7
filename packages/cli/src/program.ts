import { Command, CommanderError, Option } from 'commander'
import { CliError, describeError, ExitCode } from './errors.js'
import { registerCatalogCommand } from './commands/catalog.js'
import { registerCommunityCommand } from './commands/community.js'
import { registerConfigCommand } from './commands/config.js'
import { registerCrawlCommand } from './commands/crawl.js'
import { registerDbCommand } from './commands/db.js'
import { registerDhtCommand } from './commands/dht.js'
import { registerDoctorCommand } from './commands/doctor.js'
import { registerExportCommand } from './commands/export.js'
import { registerImportCommand } from './commands/import.js'
import { registerKeysCommand } from './commands/keys.js'
import { registerMetadataCommand } from './commands/metadata.js'
import { registerPublishCommand } from './commands/publish.js'
import { registerResolveCommand } from './commands/resolve.js'
import { registerSearchCommand } from './commands/search.js'
import { registerServeCommand } from './commands/serve.js'
import { registerShowCommand } from './commands/show.js'
import { registerStatsCommand } from './commands/stats.js'
import { registerTestnetCommand } from './commands/testnet.js'
import { registerTorrentCommand } from './commands/torrent.js'
import { registerWatchCommand } from './commands/watch.js'

export const version = '0.1.0'

/** Builds the `bbmesh` command tree; every command registers itself from its own module. */
export function buildProgram(): Command {
  const program = new Command('bbmesh')
    .description('bbmesh: a cooperative BitTorrent DHT harvester, index and catalog publisher')
    .version(version, '-V, --version')
    .option(
      '--data-dir <dir>',
      'data directory (default: $BBMESH_HOME, else config dataDir, else the XDG data dir)',
    )
    .option(
      '--db <file|url>',
      'index: a file, or a postgres:// URL (default: $BBMESH_DB, else config databaseUrl, else <data-dir>/index.db)',
    )
    .option('--json', 'machine-readable output on stdout (logs go to stderr)')
    .addOption(new Option('-q, --quiet', 'only warnings and errors on stderr').conflicts('verbose'))
    .option('-v, --verbose', 'more detail on stderr')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: true })
    .addHelpText(
      'after',
      `
Exit status: 0 ok, 1 failure, 2 bad command line, 3 finished but skipped some inputs.
Data lives in --data-dir (or $BBMESH_HOME); see 'bbmesh <command> --help' for each command.`,
    )
  registerSearchCommand(program)
  registerShowCommand(program)
  registerStatsCommand(program)
  registerImportCommand(program)
  registerExportCommand(program)
  registerTorrentCommand(program)
  registerKeysCommand(program)
  registerDhtCommand(program)
  registerMetadataCommand(program)
  registerCatalogCommand(program)
  registerPublishCommand(program)
  registerResolveCommand(program)
  registerTestnetCommand(program)
  registerCrawlCommand(program)
  registerCommunityCommand(program)
  registerDbCommand(program)
  registerConfigCommand(program)
  registerDoctorCommand(program)
  registerServeCommand(program)
  registerWatchCommand(program)
  return program
}

/** Applies the CLI's error contract to a whole command tree: one line on stderr, a coded exit. */
function applyErrorContract(command: Command): void {
  command.exitOverride()
  command.configureOutput({ outputError: (str, write) => write(`bbmesh: ${str.replace(/^error: /, '')}`) })
  for (const sub of command.commands) applyErrorContract(sub)
}

/** Runs the CLI with the given argv (as process.argv) and resolves to the exit status. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram()
  applyErrorContract(program)
  const json = argv.includes('--json')
  const verbose = argv.includes('--verbose') || argv.includes('-v')
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version "errors" are successful exits; the rest are bad command lines.
      if (err.exitCode === 0) return ExitCode.ok
      return ExitCode.usage
    }
    const { message, code } = describeError(err)
    process.stderr.write(`\r\x1b[2K`.repeat(process.stderr.isTTY === true ? 1 : 0))
    process.stderr.write(`bbmesh: ${message}\n`)
    if (verbose && err instanceof Error && !(err instanceof CliError)) process.stderr.write(`${err.stack}\n`)
    if (json) process.stdout.write(JSON.stringify({ error: { code, message } }) + '\n')
    return err instanceof CliError ? err.exitCode : ExitCode.failure
  }
}
