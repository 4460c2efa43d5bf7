import { isBytes, isInt } from '../bencode.js'
import { checkPut } from '../bep44.js'
import { ERR_CAS_MISMATCH, ERR_PROTOCOL, ERR_SEQ_TOO_LOW } from '../constants.js'
import type { BuiltinHandler } from './types.js'

/**
 * BEP 44 put. Order of checks: token (203), size (205), signature (206), salt (207), then for
 * mutable items cas (301) and seq (302). bittorrent-dht drops bad signatures silently and never
 * checks 207; we answer every case.
 */
export const put: BuiltinHandler = (q, ctx) => {
  const token = q.args.token
  if (!isBytes(token) || !ctx.tokens.verify(q.from.host, token)) return { e: [ERR_PROTOCOL, 'bad token'] }
  const check = checkPut(q.args)
  if (!check.ok) return { e: [check.code, check.message] }
  const { target, item } = check
  if (item.seq !== undefined) {
    const prev = ctx.items.get(target)
    const cas = q.args.cas
    if (prev && isInt(cas) && prev.seq !== cas)
      return { e: [ERR_CAS_MISMATCH, 'CAS mismatch, re-read and try again'] }
    if (prev && prev.seq !== undefined) {
      if (item.seq < prev.seq) return { e: [ERR_SEQ_TOO_LOW, 'sequence number less than current'] }
      if (item.seq === prev.seq && !prev.sig!.equals(item.sig!)) {
        return { e: [ERR_SEQ_TOO_LOW, 'sequence number equal to current with a different value'] }
      }
    }
  }
  ctx.items.set(target, item)
  return { r: {} }
}
