// The answer to a bb_sync `get`: per asked key, in order, a 4-byte big-endian length and that many
// bytes of info dict (0: not sent). The server packs it and cuts it into `data` chunks; the asker
// appends chunks strictly in order and unpacks once the final one arrives, so a peer can neither
// reorder, overlap nor grow an answer past MAX_SYNC_STREAM_BYTES.
import { MAX_SYNC_GET_BYTES, MAX_SYNC_INFO_BYTES, MAX_SYNC_STREAM_BYTES, SYNC_CHUNK_BYTES } from './codec.js'
import { SyncError } from './errors.js'

/** Packs what was found for each key; once `MAX_SYNC_GET_BYTES` is reached the rest go as not sent. */
export function packAnswer(dicts: readonly (Uint8Array | undefined)[]): {
  stream: Buffer
  sent: number
  bytes: number
} {
  const parts: Buffer[] = []
  let bytes = 0
  let sent = 0
  for (const d of dicts) {
    const len = Buffer.alloc(4)
    const fits =
      d !== undefined &&
      d.length <= MAX_SYNC_INFO_BYTES &&
      (sent === 0 || bytes + d.length <= MAX_SYNC_GET_BYTES)
    if (fits) {
      len.writeUInt32BE(d.length)
      parts.push(len, Buffer.from(d.buffer, d.byteOffset, d.length))
      bytes += d.length
      sent++
    } else parts.push(len)
  }
  return { stream: Buffer.concat(parts), sent, bytes }
}

/** The stream in chunks of at most SYNC_CHUNK_BYTES, the last one flagged final. */
export function* chunks(stream: Buffer): Generator<{ offset: number; final: boolean; data: Uint8Array }> {
  for (let offset = 0; offset < stream.length; offset += SYNC_CHUNK_BYTES) {
    const end = Math.min(stream.length, offset + SYNC_CHUNK_BYTES)
    yield { offset, final: end === stream.length, data: stream.subarray(offset, end) }
  }
}

/** Collects one answer's chunks; throws SyncError (a protocol error) on a gap, overlap or overrun. */
export class AnswerAssembler {
  private readonly parts: Uint8Array[] = []
  private received = 0

  constructor(private readonly keys: number) {}

  /** Adds a chunk; returns the unpacked dicts (one per key, undefined: not sent) on the final one. */
  add(offset: number, data: Uint8Array, final: boolean): (Uint8Array | undefined)[] | undefined {
    if (offset !== this.received) throw new SyncError('SYNC_PROTOCOL', 'bb_sync data: chunk out of order')
    this.received += data.length
    if (this.received > MAX_SYNC_STREAM_BYTES)
      throw new SyncError('SYNC_PROTOCOL', 'bb_sync data: answer too long')
    this.parts.push(data)
    return final ? unpack(Buffer.concat(this.parts), this.keys) : undefined
  }
}

function unpack(stream: Buffer, keys: number): (Uint8Array | undefined)[] {
  const out: (Uint8Array | undefined)[] = []
  let at = 0
  for (let i = 0; i < keys; i++) {
    if (at + 4 > stream.length) throw new SyncError('SYNC_PROTOCOL', 'bb_sync data: answer cut short')
    const len = stream.readUInt32BE(at)
    at += 4
    if (len > MAX_SYNC_INFO_BYTES || at + len > stream.length)
      throw new SyncError('SYNC_PROTOCOL', 'bb_sync data: bad dict length')
    out.push(len === 0 ? undefined : stream.subarray(at, at + len))
    at += len
  }
  if (at !== stream.length) throw new SyncError('SYNC_PROTOCOL', 'bb_sync data: bytes after the last dict')
  return out
}
