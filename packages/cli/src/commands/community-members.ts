// `bbmesh community members NAME`: joins the DHT and the community, waits until the member list has
// settled (or --duration passes), prints each member, then a summary. Exit 0 even when alone: an
// empty community is an answer, not a failure.
import { DhtNode, constants as dhtConstants } from '@bbmesh/dht'
import { loadCommunity, type MemberInfo } from '@bbmesh/mesh'
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { UsageError } from '../errors.js'
import { parseCount } from '../units.js'
import { communityCliError, communityName, joinMesh } from './community-mesh.js'
import { parseBootstrap, parseHostPort } from './dht-shared.js'

interface MembersOptions {
  bootstrap?: string
  peer: string[]
  duration: string
  settle: string
  port: string
}

const collect = (v: string, acc: string[]): string[] => [...acc, v]
const isLoopback = (hp: string): boolean => /^(127\.|localhost:|\[::1\]:)/.test(hp)

export function registerMembersCommand(community: Command): void {
  community
    .command('members [name]')
    .description('join the community for a while and list the members found')
    .option(
      '--bootstrap <hosts>',
      `host:port,… to join the DHT through (default: ${dhtConstants.DEFAULT_BOOTSTRAP.join(',')})`,
    )
    .option('--peer <host:port>', 'a member to dial directly (repeatable)', collect, [])
    .option('--duration <s>', 'give up waiting after S seconds', '60')
    .option('--settle <s>', 'done once the member list has not changed for S seconds', '10')
    .option('--port <p>', 'TCP port of the member listener; 0 = any free port', '0')
    .addHelpText(
      'after',
      `
With --json: one {"event":"member",…} line per member, then {"event":"summary",…}.`,
    )
    .action(
      commandAction(async (ctx, given: string | undefined, opts: MembersOptions) => {
        const name = communityName(ctx, given)
        // A community we do not hold fails here, before any DHT traffic.
        await loadCommunity(ctx.dataDir, name).catch(communityCliError)
        const bootstrap = parseBootstrap(opts.bootstrap)
        if (bootstrap !== undefined && bootstrap.length === 0)
          throw new UsageError('--bootstrap: expected host:port,…')
        const peers = opts.peer.map((p) => parseHostPort(p, '--peer'))
        const durationMs = parseCount(opts.duration, '--duration', 1, 86_400) * 1000
        const settleMs = parseCount(opts.settle, '--settle', 1, 86_400) * 1000
        const port = parseCount(opts.port, '--port', 0, 65_535)
        const loopback = bootstrap !== undefined && bootstrap.every(isLoopback)
        const host = loopback ? '127.0.0.1' : '0.0.0.0'
        const started = Date.now()
        const dht = new DhtNode({ ...(bootstrap !== undefined && { bootstrap }) })
        dht.on('warning', (err: Error) => ctx.out.debug(`dht: ${err.message}`))
        try {
          await dht.listen(0, host)
          ctx.out.info('joining the DHT…')
          await dht.bootstrap()
          const mesh = await joinMesh({ dataDir: ctx.dataDir, name, dht, host, port, peers })
          try {
            const { found, settled } = await waitSettled(mesh, durationMs, settleMs, (line) =>
              ctx.out.progress(line),
            )
            ctx.out.clearProgress()
            const present = new Set(mesh.members().map((m) => m.nodeId))
            const list = [...found.values()].map((m) => ({ ...m, present: present.has(m.nodeId) }))
            report(ctx, list, {
              ...mesh.stats(),
              found: found.size,
              waitedS: Math.round((Date.now() - started) / 100) / 10,
              settled,
            })
          } finally {
            await mesh.close()
          }
        } finally {
          await dht.destroy()
        }
      }),
    )
}

/**
 * Collects every member seen until no new one has appeared for `settleMs` (after at least one), or
 * the duration runs out. A member that leaves meanwhile stays in the answer: it was found.
 */
async function waitSettled(
  mesh: { members(): MemberInfo[]; connectedCount: number },
  durationMs: number,
  settleMs: number,
  progress: (line: string) => void,
): Promise<{ found: Map<string, MemberInfo>; settled: boolean }> {
  const start = Date.now()
  const found = new Map<string, MemberInfo>()
  let changedAt = start
  while (Date.now() - start < durationMs) {
    for (const m of mesh.members()) {
      if (!found.has(m.nodeId)) changedAt = Date.now()
      found.set(m.nodeId, m)
    }
    if (found.size > 0 && Date.now() - changedAt >= settleMs) return { found, settled: true }
    progress(
      `members ${found.size}, connected ${mesh.connectedCount}, ${Math.round((Date.now() - start) / 1000)}s`,
    )
    await new Promise((r) => setTimeout(r, 250))
  }
  return { found, settled: false }
}

function report(
  ctx: { out: { json: boolean; record(v: unknown): void; text(l: string): void } },
  members: (MemberInfo & { present: boolean })[],
  summary: Record<string, unknown>,
): void {
  if (ctx.out.json) {
    for (const m of members) ctx.out.record({ event: 'member', ...m })
    ctx.out.record({ event: 'summary', ...summary })
    return
  }
  for (const m of members)
    ctx.out.text(
      `${m.nodeId}  ${m.host}:${m.wirePort}  dht ${m.dhtPort}  ${!m.present ? 'left' : m.connected ? 'connected' : `seen ${m.lastSeenAgoS}s ago`}`,
    )
  ctx.out.text(
    `${members.length} member(s) besides us, ${String(summary['connected'])} connected` +
      (summary['settled'] === true ? '' : ' (still changing when --duration ran out)'),
  )
}
