// BEP-10 extended handshake: what we send and a lenient-but-safe parse of what peers send. Unknown or
// mistyped optional fields are ignored (clients differ); only `m` entries that are valid ids are kept.
import { decode, dict, encode, isDict, text, type BDict, type BValue } from './bencode/bencode.js'
import { MAX_EXTENDED_HANDSHAKE_LENGTH } from './constants.js'
import { CodecError } from './errors.js'

export interface ExtendedHandshake {
  /** Extension name -> the peer's message id for it. */
  readonly extensions: ReadonlyMap<string, number>
  /** `v`: client name and version. */
  readonly clientName?: string
  /** `p`: the peer's TCP listen port. */
  readonly listenPort?: number
  /** `reqq`: outstanding requests the peer accepts. */
  readonly reqq?: number
  /** BEP-9 `metadata_size`. */
  readonly metadataSize?: number
  readonly raw: BDict
}

export interface OurExtendedHandshake {
  extensions: Record<string, number>
  clientName: string
  listenPort?: number | undefined
  reqq?: number | undefined
  metadataSize?: number | undefined
}

export function encodeExtendedHandshake(h: OurExtendedHandshake): Uint8Array {
  const m: BDict = dict(h.extensions)
  return encode(
    dict({
      m,
      v: Buffer.from(h.clientName, 'utf8'),
      p: h.listenPort,
      reqq: h.reqq,
      metadata_size: h.metadataSize,
    }),
  )
}

function optInt(v: BValue | undefined, min: number, max: number): number | undefined {
  return typeof v === 'number' && v >= min && v <= max ? v : undefined
}

export function parseExtendedHandshake(payload: Uint8Array): ExtendedHandshake {
  if (payload.length > MAX_EXTENDED_HANDSHAKE_LENGTH) throw new CodecError('extended handshake too large')
  const raw = decode(payload)
  if (!isDict(raw)) throw new CodecError('extended handshake is not a dict')
  const extensions = new Map<string, number>()
  const m = raw['m']
  if (isDict(m)) {
    for (const [name, id] of Object.entries(m)) {
      if (typeof id === 'number' && id >= 0 && id <= 255) extensions.set(name, id)
    }
  }
  const v = raw['v']
  const clientName = v instanceof Uint8Array && v.length <= 256 ? text(v) : undefined
  const listenPort = optInt(raw['p'], 1, 65535)
  const reqq = optInt(raw['reqq'], 1, 1_000_000)
  const metadataSize = optInt(raw['metadata_size'], 1, Number.MAX_SAFE_INTEGER)
  return {
    extensions,
    raw,
    ...(clientName !== undefined && { clientName }),
    ...(listenPort !== undefined && { listenPort }),
    ...(reqq !== undefined && { reqq }),
    ...(metadataSize !== undefined && { metadataSize }),
  }
}
