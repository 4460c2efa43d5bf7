import { isBytes, isInt } from '../bencode.js'
import type { BInput } from '../bencode.js'
import { encodeNodes } from '../compact.js'
import { ERR_PROTOCOL, ID_LENGTH, K } from '../constants.js'
import type { BuiltinHandler } from './types.js'

/** BEP 44 get: token and nodes, plus the item; `seq` in the query suppresses an item not newer. */
export const get: BuiltinHandler = (q, ctx) => {
  const target = q.args.target
  if (!isBytes(target, ID_LENGTH)) return { e: [ERR_PROTOCOL, 'get needs a 20-byte target'] }
  const r: { [key: string]: BInput } = {
    token: ctx.tokens.issue(q.from.host),
    nodes: encodeNodes(ctx.closestNodes(target, K)),
  }
  const item = ctx.items.get(target)
  if (item) {
    const wantNewer = q.args.seq
    if (item.seq !== undefined) r.seq = item.seq
    if (!(isInt(wantNewer) && item.seq !== undefined && item.seq <= wantNewer)) {
      r.v = item.v
      if (item.k && item.sig) {
        r.k = item.k
        r.sig = item.sig
      }
    }
  }
  return { r }
}
