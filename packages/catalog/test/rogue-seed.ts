// A hostile seed for tests: it accepts any infohash and serves `info` over BEP 9 ut_metadata, so a
// resolver receives metadata that does not hash to the infohash it asked for.
import { createServer, type Socket } from 'node:net'
import { bencode as encode, decodePrefix, dict } from '@bbmesh/wire'

export async function rogueMetadataSeed(
  infoHash: Buffer,
  info: Uint8Array,
): Promise<{ port: number; requests(): number; close(): Promise<void> }> {
  let requests = 0
  const sockets = new Set<Socket>()
  const frame = (id: number, ...parts: Uint8Array[]): Buffer => {
    const body = Buffer.concat([Buffer.from([id]), ...parts])
    const len = Buffer.alloc(4)
    len.writeUInt32BE(body.length)
    return Buffer.concat([len, body])
  }
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buf = Buffer.alloc(0)
    let shook = false
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      if (!shook) {
        if (buf.length < 68) return
        buf = buf.subarray(68)
        shook = true
        const reserved = Buffer.alloc(8)
        reserved[5] = 0x10
        socket.write(
          Buffer.concat([
            Buffer.from([19]),
            Buffer.from('BitTorrent protocol'),
            reserved,
            infoHash,
            Buffer.alloc(20, 7),
          ]),
        )
        const hs = encode(dict({ m: dict({ ut_metadata: 3 }), metadata_size: info.length }))
        socket.write(frame(20, Buffer.from([0]), hs))
      }
      while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const body = buf.subarray(4, 4 + buf.readUInt32BE(0))
        buf = buf.subarray(4 + body.length)
        if (body[0] !== 20 || body[1] !== 3) continue
        const [msg] = decodePrefix(body.subarray(2)) as [{ piece?: number }, number]
        const piece = msg.piece ?? 0
        requests++
        const head = encode(dict({ msg_type: 1, piece, total_size: info.length }))
        socket.write(frame(20, Buffer.from([1]), head, info.subarray(piece * 16384, (piece + 1) * 16384)))
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as { port: number }).port,
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
