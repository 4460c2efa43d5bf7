// One connection of a download (download.ts): sends our BEP 3 handshake, checks the peer's infohash and
// says interested, frames the peer's messages for the downloader, and drops the peer once (its socket
// destroyed) on the first bad frame, socket error or close, saying why.
import type { Socket } from 'node:net'
import { MAX_HASH_REQUEST_LENGTH, MSG } from '../constants.js'
import type { TorrentLayout } from './layout.js'
import { encodeHandshake, encodeMessage, FrameReader, type Message } from './messages.js'
import { BLOCK, type DownloadPeer } from './piece-scheduler.js'

export interface DownloadPeerEvents {
  /** A message after the handshake. */
  onMessage(peer: DownloadPeer, m: Message): void
  /** The peer was dropped (called once, its socket already destroyed). */
  onDrop(peer: DownloadPeer, reason: string): void
}

export function attachPeer(
  layout: TorrentLayout,
  peerId: Uint8Array,
  addr: string,
  socket: Socket,
  events: DownloadPeerEvents,
): DownloadPeer {
  const peer: DownloadPeer = {
    addr,
    socket,
    choked: true,
    have: new Uint8Array(layout.pieceCount),
    pieces: new Set(),
    outstanding: 0,
    drop: () => undefined,
    send: (buf) => void socket.write(buf),
  }
  let dropped = false
  const drop = (reason: string): void => {
    if (dropped) return
    dropped = true
    socket.destroy()
    events.onDrop(peer, reason)
  }
  peer.drop = drop
  const reader = new FrameReader(
    // The largest honest message: a block, our bitfield, or the hashes of one hash request (512 and
    // a proof of at most 64 uncles).
    Math.max(BLOCK + 13, Math.ceil(layout.pieceCount / 8) + 1, 49 + 32 * (MAX_HASH_REQUEST_LENGTH + 64)),
    (h) => {
      if (!Buffer.from(h.infoHash).equals(Buffer.from(layout.infoHash)))
        return drop('wrong infohash in handshake')
      socket.write(encodeMessage(MSG.interested))
    },
    (m) => events.onMessage(peer, m),
  )
  socket.on('data', (chunk: Buffer) => {
    try {
      reader.push(chunk)
    } catch (err) {
      drop((err as Error).message)
    }
  })
  socket.on('error', (err) => drop(err.message))
  socket.on('close', () => drop('closed by peer'))
  socket.write(encodeHandshake(layout.infoHash, peerId, false))
  return peer
}
