// The lookups waiting for a query slot, served first come first served by when each lookup
// started (a binary min-heap on its start number). A lookup that already got going and wants
// another slot goes before the ones that have not sent yet, so lookups finish in the order they
// began rather than all advancing in lockstep (k-rpc also serves its oldest lookup first).
export interface Waiter {
  readonly seq: number
}

export class WaitQueue<T extends Waiter> {
  private readonly heap: T[] = []

  get length(): number {
    return this.heap.length
  }

  /** Start number of the oldest waiter; Infinity when none waits. */
  firstSeq(): number {
    return this.heap[0]?.seq ?? Infinity
  }

  push(v: T): void {
    const h = this.heap
    let i = h.push(v) - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (h[p]!.seq <= v.seq) break
      h[i] = h[p]!
      i = p
    }
    h[i] = v
  }

  shift(): T | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined || h.length === 0) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= h.length) break
      const c = l + 1 < h.length && h[l + 1]!.seq < h[l]!.seq ? l + 1 : l
      if (h[c]!.seq >= last.seq) break
      h[i] = h[c]!
      i = c
    }
    h[i] = last
    return top
  }
}
