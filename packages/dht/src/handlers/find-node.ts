import { isBytes } from '../bencode.js'
import { encodeNodes } from '../compact.js'
import { ERR_PROTOCOL, ID_LENGTH, K } from '../constants.js'
import type { BuiltinHandler } from './types.js'

/** BEP 5 find_node: the K closest good nodes to `target`. */
export const findNode: BuiltinHandler = (q, ctx) => {
  const target = q.args.target
  if (!isBytes(target, ID_LENGTH)) return { e: [ERR_PROTOCOL, 'find_node needs a 20-byte target'] }
  return { r: { nodes: encodeNodes(ctx.closestNodes(target, K)) } }
}
