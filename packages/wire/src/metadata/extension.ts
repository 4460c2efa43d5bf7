// ut_metadata (BEP-9) as an extension of our framework: serves pieces from a lookup and collects
// pieces for a fetch. Replaces stock ut_metadata, which throws on out-of-range pieces, hashes with
// SHA-1 only and has no timeout.
import { METADATA_PIECE_SIZE, METADATA_REQUEST_WINDOW } from '../constants.js'
import { CodecError, MetadataError } from '../errors.js'
import type {
  ExtensionDefinition,
  ExtensionInstance,
  ExtensionSession,
  HandlerTable,
} from '../extensions/types.js'
import { metadataProtocol, type MetadataMessages } from './codec.js'
import type { MetadataLookup } from './store.js'

export interface MetadataExtensionOptions {
  /** Info dicts we serve. Without it every request is rejected. */
  lookup?: MetadataLookup
}

type Session = ExtensionSession<MetadataMessages>

interface Collect {
  size: number
  next: number
  pieces: (Uint8Array | undefined)[]
  missing: number
  resolve(data: Uint8Array): void
  reject(err: Error): void
}

export class MetadataPeer implements ExtensionInstance<MetadataMessages> {
  readonly handlers: HandlerTable<MetadataMessages>
  private collecting: Collect | undefined
  private served = 0

  constructor(
    private readonly session: Session,
    private readonly lookup: MetadataLookup | undefined,
  ) {
    this.handlers = {
      request: (m) => this.onRequest(m.piece),
      data: (m) => this.onData(m.piece, m.data, m.totalSize),
      reject: (m) => this.fail(`peer rejected piece ${m.piece}`),
    }
  }

  /** Requests every piece of `size` bytes of metadata; resolves with the assembled bytes (unverified). */
  collect(size: number): Promise<Uint8Array> {
    if (this.collecting)
      return Promise.reject(new MetadataError('a fetch is already running on this connection'))
    const count = Math.ceil(size / METADATA_PIECE_SIZE)
    return new Promise((resolve, reject) => {
      const c: Collect = {
        size,
        next: 0,
        pieces: new Array<Uint8Array | undefined>(count),
        missing: count,
        resolve,
        reject,
      }
      this.collecting = c
      // A bounded window of outstanding requests: some clients reject or drop requests beyond their queue.
      while (c.next < Math.min(count, METADATA_REQUEST_WINDOW))
        this.session.send('request', { piece: c.next++ })
    })
  }

  onClose(): void {
    this.fail('connection closed')
  }

  private fail(reason: string): void {
    const c = this.collecting
    if (!c) return
    this.collecting = undefined
    c.reject(new MetadataError(reason))
  }

  private onData(piece: number, data: Uint8Array, totalSize: number | undefined): void {
    const c = this.collecting
    if (!c) return // unsolicited data: ignore (BEP-9 does not forbid late duplicates)
    const count = c.pieces.length
    // Validate before touching the buffer: stock ut_metadata throws a RangeError here.
    if (piece >= count) {
      this.fail(`out-of-range piece ${piece}`)
      throw new CodecError(`out-of-range metadata piece ${piece}`)
    }
    if (totalSize !== undefined && totalSize !== c.size) {
      this.fail(`total_size ${totalSize} differs from metadata_size ${c.size}`)
      throw new CodecError('total_size mismatch')
    }
    const expected = piece === count - 1 ? c.size - piece * METADATA_PIECE_SIZE : METADATA_PIECE_SIZE
    if (data.length !== expected) {
      this.fail(`piece ${piece} has ${data.length} bytes, expected ${expected}`)
      throw new CodecError('bad metadata piece length')
    }
    if (c.pieces[piece]) return
    c.pieces[piece] = Buffer.from(data)
    c.missing--
    if (c.next < count) this.session.send('request', { piece: c.next++ })
    if (c.missing === 0) {
      this.collecting = undefined
      c.resolve(Buffer.concat(c.pieces as Uint8Array[], c.size))
    }
  }

  private onRequest(piece: number): void {
    const ih = this.session.peer.infoHash
    const info = ih ? this.lookup?.get(ih) : undefined
    const count = info ? Math.ceil(info.length / METADATA_PIECE_SIZE) : 0
    // Each piece a few times at most: an endless request loop must not become an amplifier.
    if (!info || piece >= count || this.served >= count * 4 + 16) {
      this.session.send('reject', { piece })
      return
    }
    this.served++
    const start = piece * METADATA_PIECE_SIZE
    const data = info.subarray(start, Math.min(start + METADATA_PIECE_SIZE, info.length))
    this.session.send('data', { piece, totalSize: info.length, data })
  }
}

export function createMetadataExtension(
  opts: MetadataExtensionOptions = {},
): ExtensionDefinition<MetadataMessages> {
  return {
    protocol: metadataProtocol,
    create: (session) => new MetadataPeer(session, opts.lookup),
  }
}
