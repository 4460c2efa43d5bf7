// Two PeerHosts connected over loopback TCP for one infohash.
import { randomBytes } from 'node:crypto'
import { PeerHost, type PeerConnection, type PeerHostOptions } from '../../src/index.js'

export interface Pair {
  server: PeerHost
  client: PeerHost
  inbound: PeerConnection
  outbound: PeerConnection
  infoHash: Buffer
  close(): Promise<void>
}

export async function connectedPair(
  setup: (h: PeerHost, side: 'server' | 'client') => void,
  opts: PeerHostOptions = {},
): Promise<Pair> {
  const infoHash = randomBytes(20)
  let inbound: PeerConnection | undefined
  const server = new PeerHost({
    ...opts,
    acceptInfoHash: (x) => infoHash.equals(x),
    onConnection: (c) => (inbound = c),
  })
  const client = new PeerHost(opts)
  setup(server, 'server')
  setup(client, 'client')
  const { port } = await server.listen()
  await client.listen()
  const outbound = await client.connect({ host: '127.0.0.1', port }, infoHash)
  await waitFor(
    () => inbound?.peerExtendedHandshake !== undefined && outbound.peerExtendedHandshake !== undefined,
  )
  return {
    server,
    client,
    inbound: inbound!,
    outbound,
    infoHash,
    close: async () => {
      await client.close()
      await server.close()
    },
  }
}

export async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
