// `bbmesh doctor`: what an operator runs first. Each check says how things stand and what to do;
// exit 1 when any problem is found. The network is touched only by port binds, and by the DHT
// bootstrap check with --online.
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import type { CommandContext } from '../context.js'
import { describeError, ExitCode } from '../errors.js'
import { checkDataDir, checkKeyFiles } from '../doctor/files.js'
import type { Finding } from '../doctor/finding.js'
import { checkIndex } from '../doctor/index-check.js'
import { checkBootstrap, checkPorts } from '../doctor/network.js'
import { parseCount } from '../units.js'

interface DoctorOptions {
  online?: boolean
  host: string
  timeout: string
}

async function runChecks(ctx: CommandContext, opts: DoctorOptions): Promise<Finding[]> {
  let config
  try {
    config = ctx.config
  } catch (err) {
    // Nothing else can be trusted to mean what the operator intended until the config reads.
    return [
      {
        check: 'config',
        status: 'problem',
        detail: describeError(err).message,
        fix: 'bbmesh config unset KEY, or edit the file',
      },
    ]
  }
  const findings: Finding[] = [{ check: 'config', status: 'ok', detail: config.path }]
  findings.push(checkDataDir(ctx.dataDir), ...checkKeyFiles(ctx.dataDir))
  findings.push(...(await checkIndex(ctx)))
  findings.push(...(await checkPorts(config, opts.host)))
  findings.push(
    opts.online === true
      ? await checkBootstrap(config, opts.host, parseCount(opts.timeout, '--timeout', 1, 600) * 1000)
      : {
          check: 'DHT bootstrap',
          status: 'skipped',
          detail: 'not checked (pass --online to contact the bootstrap nodes)',
        },
  )
  return findings
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the data dir, key permissions, the index and the ports, and say what to fix')
    .option('--online', 'also join the DHT through the bootstrap nodes and report whether they answer')
    .option('--host <addr>', 'address the port checks bind', '0.0.0.0')
    .option('--timeout <s>', 'with --online: seconds to wait for the bootstrap nodes', '15')
    .action(
      commandAction(async (ctx, opts: DoctorOptions) => {
        const findings = await runChecks(ctx, opts)
        const problems = findings.filter((f) => f.status === 'problem').length
        if (ctx.out.json) ctx.out.record({ problems, findings })
        else {
          for (const f of findings) {
            ctx.out.text(`${f.status.padEnd(8)} ${f.check.padEnd(18)} ${f.detail}`)
            if (f.fix !== undefined) ctx.out.text(`${' '.repeat(27)} fix: ${f.fix}`)
          }
          ctx.out.text(
            problems === 0 ? 'no problems found' : `${problems} problem${problems === 1 ? '' : 's'} found`,
          )
        }
        return problems > 0 ? ExitCode.failure : ExitCode.ok
      }),
    )
}
