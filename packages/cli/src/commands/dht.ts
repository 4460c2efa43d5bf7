// `bbmesh dht …`: run a node, or one-shot ping / lookup / announce / sample / get / put.
import type { Command } from 'commander'
import { mutableTarget } from '@bbmesh/dht'
import { commandAction } from '../command-action.js'
import { CliError, UsageError } from '../errors.js'
import { parseCount, parseInfohash } from '../units.js'
import { registerDhtNodeCommand } from './dht-node.js'
import {
  displayValue,
  parseHex20,
  parseHostPort,
  readKeyFile,
  withNode,
  type DhtCommonOptions,
} from './dht-shared.js'

const BOOTSTRAP_HELP = 'host:port,… to join through (default: the public routers)'

function infohash20(text: string): Buffer {
  const hex = parseInfohash(text)
  if (hex.length !== 40) throw new UsageError('the DHT takes v1 (40 hex digit) infohashes')
  return Buffer.from(hex, 'hex')
}

export function registerDhtCommand(program: Command): void {
  const dht = program.command('dht').description('mainline DHT: run a node or query the DHT')
  registerDhtNodeCommand(dht)

  dht
    .command('ping <address>')
    .description('ping one node (host:port)')
    .option('--bootstrap <list>', BOOTSTRAP_HELP)
    .action(
      commandAction(async (ctx, address: string, opts: DhtCommonOptions) => {
        const to = parseHostPort(address)
        const r = await withNode({ bootstrap: opts.bootstrap ?? '' }, (n) => n.ping(to))
        const rec = {
          id: r.id.toString('hex'),
          host: to.host,
          port: to.port,
          rttMs: Math.round(r.rttMs * 10) / 10,
        }
        if (ctx.out.json) ctx.out.record(rec)
        else ctx.out.text(`${rec.host}:${rec.port}  id ${rec.id}  ${rec.rttMs} ms`)
      }),
    )

  dht
    .command('lookup <infohash>')
    .description('find peers for an infohash (iterative get_peers)')
    .option('--bootstrap <list>', BOOTSTRAP_HELP)
    .action(
      commandAction(async (ctx, ih: string, opts: DhtCommonOptions) => {
        const infoHash = infohash20(ih)
        const peers = await withNode(opts, (n) => n.lookup(infoHash))
        if (ctx.out.json) ctx.out.record({ infohash: infoHash.toString('hex'), peers })
        else for (const p of peers) ctx.out.text(`${p.host}:${p.port}`)
      }),
    )

  dht
    .command('announce <infohash>')
    .description('announce a TCP port for an infohash')
    .requiredOption('--port <tcp>', 'the TCP port peers should connect to')
    .option('--bootstrap <list>', BOOTSTRAP_HELP)
    .action(
      commandAction(async (ctx, ih: string, opts: DhtCommonOptions & { port: string }) => {
        const infoHash = infohash20(ih)
        const port = parseCount(opts.port, '--port', 1, 65535)
        const nodes = await withNode(opts, (n) => n.announce(infoHash, port))
        if (ctx.out.json) ctx.out.record({ infohash: infoHash.toString('hex'), port, nodes })
        else ctx.out.text(`announced to ${nodes} nodes`)
      }),
    )

  dht
    .command('sample <address>')
    .description('BEP 51 sample_infohashes from one node (host:port)')
    .option('--target <hex>', 'target id (default: random)')
    .option('--bootstrap <list>', BOOTSTRAP_HELP)
    .action(
      commandAction(async (ctx, address: string, opts: DhtCommonOptions & { target?: string }) => {
        const to = parseHostPort(address)
        const target = opts.target !== undefined ? parseHex20(opts.target, '--target') : undefined
        const r = await withNode({ bootstrap: opts.bootstrap ?? '' }, (n) => n.sample(to, target))
        const rec = {
          interval: r.interval,
          num: r.num,
          samples: r.samples.map((s) => s.toString('hex')),
          nodes: r.nodes.map((x) => ({ id: x.id.toString('hex'), host: x.host, port: x.port })),
        }
        if (ctx.out.json) ctx.out.record(rec)
        else {
          ctx.out.text(
            `interval ${rec.interval} s, ${rec.num} infohashes stored, ${rec.samples.length} sampled`,
          )
          for (const s of rec.samples) ctx.out.text(s)
        }
      }),
    )

  dht
    .command('get <target>')
    .description('BEP 44 get (pass --salt for salted mutable items)')
    .option('--salt <text>', 'salt of a mutable item')
    .option('--key <pubkey>', 'expected public key (hex) of a mutable item')
    .option('--bootstrap <list>', BOOTSTRAP_HELP)
    .action(
      commandAction(async (ctx, t: string, opts: DhtCommonOptions & { salt?: string; key?: string }) => {
        const target = parseHex20(t, 'target')
        const salt = opts.salt !== undefined ? Buffer.from(opts.salt) : undefined
        if (opts.key !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.key))
          throw new UsageError('--key: expected 64 hex digits')
        if (opts.key !== undefined && !mutableTarget(Buffer.from(opts.key, 'hex'), salt).equals(target)) {
          throw new UsageError('--key and --salt do not hash to this target')
        }
        const item = await withNode(opts, (n) => n.get(target, { salt }))
        if (!item) throw new CliError('no item found for this target', 'NOT_FOUND')
        const rec = {
          v: displayValue(item.v),
          seq: item.seq ?? null,
          k: item.k ? item.k.toString('hex') : null,
          sig: item.sig ? item.sig.toString('hex') : null,
        }
        if (ctx.out.json) ctx.out.record(rec)
        else ctx.out.text(typeof rec.v === 'string' ? rec.v : JSON.stringify(rec.v))
      }),
    )

  dht
    .command('put <value>')
    .description('BEP 44 put: --immutable, or --mutable --key FILE --seq N [--salt S]')
    .option('--immutable', 'store an immutable item (target = SHA-1 of the value)')
    .option('--mutable', 'store a signed mutable item')
    .option('--key <file>', 'ed25519 key file (32-byte seed or 64-byte secret key, raw or hex)')
    .option('--seq <n>', 'sequence number of the mutable item')
    .option('--salt <text>', 'salt of the mutable item')
    .option('--bootstrap <list>', BOOTSTRAP_HELP)
    .action(
      commandAction(
        async (
          ctx,
          value: string,
          opts: DhtCommonOptions & {
            immutable?: boolean
            mutable?: boolean
            key?: string
            seq?: string
            salt?: string
          },
        ) => {
          if (opts.immutable === opts.mutable)
            throw new UsageError('pass exactly one of --immutable and --mutable')
          let res
          if (opts.immutable) {
            res = await withNode(opts, (n) => n.putImmutable(value))
          } else {
            if (opts.key === undefined || opts.seq === undefined)
              throw new UsageError('--mutable needs --key and --seq')
            const keyPair = readKeyFile(opts.key)
            const seq = parseCount(opts.seq, '--seq', 0, Number.MAX_SAFE_INTEGER)
            const salt = opts.salt !== undefined ? Buffer.from(opts.salt) : undefined
            res = await withNode(opts, (n) => n.putMutable({ keyPair, v: value, seq, salt }))
          }
          const rec = { target: res.target.toString('hex'), stored: res.stored }
          if (ctx.out.json) ctx.out.record(rec)
          else ctx.out.text(rec.target)
        },
      ),
    )
}
