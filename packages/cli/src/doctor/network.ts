// Doctor checks that touch the network: can the configured ports be bound, and (only with --online)
// does a DHT bootstrap node answer.
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { createDhtNode } from '@bbmesh/dht'
import type { ResolvedConfig } from '../config/resolve.js'
import type { Finding } from './finding.js'

function bindUdp(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4')
    s.once('error', (err) => {
      s.close()
      reject(err)
    })
    s.bind(port, host, () => s.close(() => resolve()))
  })
}

function bindTcp(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve()))
  })
}

async function checkPort(
  config: ResolvedConfig,
  key: 'dhtPort' | 'peerPort',
  proto: 'UDP' | 'TCP',
  host: string,
): Promise<Finding> {
  const check = `${key} (${proto})`
  const port = Number(config.get(key).value ?? 0)
  if (port === 0)
    return { check, status: 'ok', detail: `any free port (pin one with bbmesh config set ${key} N)` }
  try {
    await (proto === 'UDP' ? bindUdp(port, host) : bindTcp(port, host))
    return { check, status: 'ok', detail: `${host}:${port} can be bound` }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ERROR'
    const why =
      code === 'EADDRINUSE'
        ? 'is in use by another process'
        : code === 'EACCES'
          ? 'needs privileges (ports below 1024)'
          : `cannot be bound (${code})`
    return {
      check,
      status: 'problem',
      detail: `${host}:${port} ${why}`,
      fix: `stop what holds it, or choose another: bbmesh config set ${key} N (0 = any free port)`,
    }
  }
}

export async function checkPorts(config: ResolvedConfig, host: string): Promise<Finding[]> {
  return [await checkPort(config, 'dhtPort', 'UDP', host), await checkPort(config, 'peerPort', 'TCP', host)]
}

/** Joins through the configured bootstrap nodes (else the public routers) and counts who answered. */
export async function checkBootstrap(
  config: ResolvedConfig,
  host: string,
  timeoutMs: number,
): Promise<Finding> {
  const check = 'DHT bootstrap'
  const list = config.get('bootstrap').value as string[] | undefined
  const via = list === undefined ? 'the public routers' : list.join(',')
  const node = createDhtNode({ bootstrap: list ?? undefined })
  let timer: NodeJS.Timeout | undefined
  try {
    await node.listen(0, host)
    const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), timeoutMs)))
    const joined = await Promise.race([node.bootstrap().catch(() => 0), timeout])
    const contacts = [...node.contacts()].length
    if (contacts > 0)
      return { check, status: 'ok', detail: `${contacts} nodes known after joining via ${via}` }
    return {
      check,
      status: 'problem',
      detail: `no node answered via ${via}${joined === -1 ? ` within ${timeoutMs / 1000} s` : ''}`,
      fix: 'check that outgoing UDP is allowed (firewall, NAT) and that the names resolve, or set bbmesh config set bootstrap host:port,…',
    }
  } finally {
    clearTimeout(timer)
    await node.destroy()
  }
}
