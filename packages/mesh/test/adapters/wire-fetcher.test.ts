import { createServer, type Server, type Socket } from 'node:net'
import { buildTorrent } from '@bbmesh/catalog'
import { MetadataServer, MetadataStore } from '@bbmesh/wire'
import { afterEach, describe, expect, it } from 'vitest'
import { createWireFetcher } from '../../src/adapters/wire-fetcher.js'
import { FetchError } from '../../src/errors.js'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
})

async function seed() {
  const built = await buildTorrent({ name: 'w', data: new Uint8Array(50_000).fill(3) })
  const store = new MetadataStore()
  store.addInfo(built.info)
  const server = new MetadataServer({ lookup: store })
  cleanups.push(() => server.close())
  const { port } = await server.listen(0, '127.0.0.1')
  const fetcher = createWireFetcher()
  cleanups.push(() => fetcher.close())
  return { built, peer: { host: '127.0.0.1', port }, fetcher }
}

async function reasonOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(FetchError)
  return (err as FetchError).reason
}

/** A raw TCP peer; its sockets are destroyed at cleanup (one that never reads never sees our FIN). */
async function listen(onSocket: (s: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    onSocket(s)
  })
  cleanups.push(
    () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy()
        server.close(r)
      }),
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as { port: number }).port
}

describe('createWireFetcher', () => {
  it('fetches and verifies an info dict from a @bbmesh/wire seed', async () => {
    const { built, peer, fetcher } = await seed()
    const info = await fetcher.fetch(built.infohashV1!, peer, new AbortController().signal)
    expect(Buffer.from(info).equals(Buffer.from(built.info))).toBe(true)
    expect(fetcher.host.connectionCount).toBe(0)
  })

  it('turns failures into reasons: unknown infohash, refused connection, abort', async () => {
    const { peer, fetcher } = await seed()
    expect(
      await reasonOf(fetcher.fetch(new Uint8Array(20).fill(9), peer, new AbortController().signal)),
    ).toBe('no-metadata')
    const hangsUp = await listen((s) => s.destroy())
    // A signal that never aborts: a fetcher that hangs instead of failing makes the test time out.
    const signal = new AbortController().signal
    expect(
      await reasonOf(fetcher.fetch(new Uint8Array(20), { host: '127.0.0.1', port: hangsUp }, signal)),
    ).toBe('no-metadata')
    const gone = createServer()
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r))
    const refused = (gone.address() as { port: number }).port
    await new Promise((r) => gone.close(r))
    expect(
      await reasonOf(fetcher.fetch(new Uint8Array(20), { host: '127.0.0.1', port: refused }, signal)),
    ).toBe('connect-failed')
    const ac = new AbortController()
    const silent = await listen(() => undefined)
    const p = fetcher.fetch(new Uint8Array(20), { host: '127.0.0.1', port: silent }, ac.signal)
    setTimeout(() => ac.abort(new FetchError('timeout', 'deadline')), 50)
    expect(await reasonOf(p)).toBe('timeout')
    expect(fetcher.host.connectionCount).toBe(0)
  })

  it('fails (without hanging) on a peer that answers with garbage', async () => {
    const { fetcher } = await seed()
    const port = await listen((s) => {
      s.on('error', () => undefined)
      s.write(Buffer.alloc(4096, 0xff))
    })
    // Never aborted: garbage must fail the fetch by itself, not leave it hanging until a deadline.
    const reason = await reasonOf(
      fetcher.fetch(new Uint8Array(20), { host: '127.0.0.1', port }, new AbortController().signal),
    )
    expect(['no-metadata', 'other']).toContain(reason)
    expect(fetcher.host.connectionCount).toBe(0)
  })
})
