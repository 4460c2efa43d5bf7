// `bbmesh dht node`: run a node until --duration elapses or a signal arrives.
import type { Command } from 'commander'
import { createDhtNode } from '@bbmesh/dht'
import { commandAction } from '../command-action.js'
import { parseCount } from '../units.js'
import { parseBootstrap, parseHex20 } from './dht-shared.js'

interface NodeOptions {
  port: string
  host: string
  bootstrap?: string
  nodeId?: string
  observe?: boolean
  duration?: string
}

export function registerDhtNodeCommand(dht: Command): void {
  dht
    .command('node')
    .description('run a DHT node')
    .requiredOption('--port <port>', 'UDP port (0 = any free port)')
    .option('--host <host>', 'address to bind', '0.0.0.0')
    .option('--bootstrap <list>', 'host:port,… to join through (default: the public routers)')
    .option('--node-id <hex>', 'node id (40 hex digits)')
    .option('--observe', 'print every infohash seen in get_peers / announce_peer')
    .option('--duration <s>', 'stop after this many seconds')
    .action(
      commandAction(async (ctx, opts: NodeOptions) => {
        const port = parseCount(opts.port, '--port', 0, 65535)
        const duration =
          opts.duration !== undefined ? parseCount(opts.duration, '--duration', 1, 10_000_000) : null
        const node = createDhtNode({
          bootstrap: parseBootstrap(opts.bootstrap),
          nodeId: opts.nodeId !== undefined ? parseHex20(opts.nodeId, '--node-id') : undefined,
        })
        try {
          const addr = await node.listen(port, opts.host)
          const listening = {
            event: 'listening',
            nodeId: node.nodeIdHex,
            host: addr.address,
            port: addr.port,
          }
          if (ctx.out.json) ctx.out.record(listening)
          else ctx.out.text(`listening on ${addr.address}:${addr.port}, node id ${node.nodeIdHex}`)
          if (opts.observe) {
            const emit = (via: string, infoHash: Buffer, from: { host: string; port: number }): void => {
              const rec = {
                event: 'infohash',
                infohash: infoHash.toString('hex'),
                via,
                from: `${from.host}:${from.port}`,
              }
              if (ctx.out.json) ctx.out.record(rec)
              else ctx.out.text(`${rec.infohash}  ${via}  ${rec.from}`)
            }
            node.on('get_peers', (o) => emit('get_peers', o.infoHash, o.from))
            node.on('announce_peer', (o) => emit('announce_peer', o.infoHash, o.from))
          }
          await new Promise<void>((resolve) => {
            let timer: NodeJS.Timeout | null = null
            const stop = (): void => {
              if (timer) clearTimeout(timer)
              process.off('SIGINT', stop)
              process.off('SIGTERM', stop)
              resolve()
            }
            if (duration !== null) timer = setTimeout(stop, duration * 1000)
            process.once('SIGINT', stop)
            process.once('SIGTERM', stop)
          })
          ctx.out.info(`stopping; ${JSON.stringify(node.stats())}`)
        } finally {
          await node.destroy()
        }
      }),
    )
}
