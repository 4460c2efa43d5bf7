// bb_roots codec: what one member encodes the other decodes to the same roots; a message over the cap,
// or whose roots are not 32 bytes each, is refused with a CodecError rather than half-read.
import { randomBytes } from 'node:crypto'
import { CodecError, dict } from '@bbmesh/wire'
import { describe, expect, it } from 'vitest'
import { MAX_ROOTS_ENTRIES, rootsCodecs } from '../../src/roots/codec.js'

const codec = rootsCodecs.roots
const decode = (r: Uint8Array): { roots: Uint8Array[] } =>
  codec.decode(dict({ r }) as never, new Uint8Array())

describe('bb_roots codec', () => {
  it('round-trips a full message and an empty one', () => {
    const roots = Array.from({ length: MAX_ROOTS_ENTRIES }, () => randomBytes(32))
    const out = codec.decode(codec.encode({ roots }).dict as never, new Uint8Array())
    expect(out.roots.map((r) => Buffer.from(r).toString('hex'))).toEqual(roots.map((r) => r.toString('hex')))
    expect(codec.decode(codec.encode({ roots: [] }).dict as never, new Uint8Array()).roots).toEqual([])
  })

  it('refuses more than the cap, and roots that are not 32 bytes, both ways', () => {
    const over = Array.from({ length: MAX_ROOTS_ENTRIES + 1 }, () => randomBytes(32))
    expect(() => codec.encode({ roots: over })).toThrow(CodecError)
    expect(() => codec.encode({ roots: [randomBytes(20)] })).toThrow(CodecError)
    expect(() => decode(Buffer.concat(over))).toThrow(CodecError)
    expect(() => decode(randomBytes(33))).toThrow(CodecError)
    expect(() => codec.decode(dict({}) as never, new Uint8Array())).toThrow(CodecError)
  })
})
