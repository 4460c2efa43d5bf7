import { isBytes } from '../bencode.js'
import { encodeNodes } from '../compact.js'
import { ERR_PROTOCOL, ID_LENGTH, K } from '../constants.js'
import type { BuiltinHandler } from './types.js'

/** BEP 51 sample_infohashes: the precomputed sample of this interval plus the closest nodes. */
export const sampleInfohashes: BuiltinHandler = (q, ctx) => {
  const target = q.args.target
  if (!isBytes(target, ID_LENGTH)) return { e: [ERR_PROTOCOL, 'sample_infohashes needs a 20-byte target'] }
  const s = ctx.samples.current()
  return {
    r: {
      interval: s.interval,
      num: s.num,
      samples: s.samples,
      nodes: encodeNodes(ctx.closestNodes(target, K)),
    },
  }
}
