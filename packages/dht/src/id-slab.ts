// Node ids kept in routing tables, copied into shared slabs. A 20-byte Buffer of its own costs
// about 220 bytes of heap (its ArrayBuffer object and backing store besides the view); a view into
// a slab costs the view alone. Only ids entering a table come here (not every querier's id), and
// a slab lives while any of its ids does, so churn pins at most one slab per live contact.
import { ID_LENGTH } from './constants.js'

const IDS_PER_SLAB = 51 // 1,020 bytes

let slab = Buffer.allocUnsafeSlow(0)
let used = 0

/** A copy of `id` in the current slab (ids that are not 20 bytes are returned as they are). */
export function slabId(id: Buffer): Buffer {
  if (id.length !== ID_LENGTH) return id
  if (used + ID_LENGTH > slab.length) {
    slab = Buffer.allocUnsafeSlow(IDS_PER_SLAB * ID_LENGTH)
    used = 0
  }
  const out = slab.subarray(used, used + ID_LENGTH)
  id.copy(out)
  used += ID_LENGTH
  return out
}
