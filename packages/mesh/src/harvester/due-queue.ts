// The order in which the node book hands out nodes: earliest due first, insertion order among
// equals. A binary min-heap with lazy deletion: a node whose due time changes is pushed again with
// a new revision and its old heap entries are skipped when they surface. The sampler asks for the
// next due node several times a second; a scan of a 10,000-node book per ask was 13% of a
// simulated harvest's CPU, a heap peek is O(log n).

interface Slot<T> {
  item: T
  due: number
  rev: number
  seq: number
}

export class DueQueue<T> {
  private heap: Slot<T>[] = []
  private seq = 0

  /**
   * @param revOf the item's current revision: a slot whose revision differs is stale.
   * @param live  how many items the queue should hold (the owner's count), to bound stale slots.
   */
  constructor(
    private readonly revOf: (item: T) => number | undefined,
    private readonly live: () => number,
  ) {}

  get slots(): number {
    return this.heap.length
  }

  /** Queues `item` at `due` under revision `rev` (Infinity is never due: not queued). */
  push(item: T, due: number, rev: number): void {
    if (due === Infinity) return
    this.heap.push({ item, due, rev, seq: this.seq++ })
    this.up(this.heap.length - 1)
    // Re-queued items leave stale slots behind; drop them before they outnumber the live ones.
    if (this.heap.length > 2 * this.live() + 64) this.compact()
  }

  /** The earliest item still current, without removing it. */
  peek(): { item: T; due: number } | undefined {
    for (;;) {
      const top = this.heap[0]
      if (top === undefined) return undefined
      if (this.revOf(top.item) === top.rev) return top
      this.pop()
    }
  }

  /** Removes the top slot (after peek() showed it). */
  pop(): void {
    const last = this.heap.pop()
    if (last === undefined || this.heap.length === 0) return
    this.heap[0] = last
    this.down(0)
  }

  private compact(): void {
    this.heap = this.heap.filter((s) => this.revOf(s.item) === s.rev)
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i)
  }

  private up(i: number): void {
    const h = this.heap
    const s = h[i]!
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(s, h[p]!)) break
      h[i] = h[p]!
      i = p
    }
    h[i] = s
  }

  private down(i: number): void {
    const h = this.heap
    const s = h[i]!
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = l < h.length && before(h[l]!, s) ? l : -1
      if (r < h.length && before(h[r]!, m < 0 ? s : h[m]!)) m = r
      if (m < 0) break
      h[i] = h[m]!
      i = m
    }
    h[i] = s
  }
}

function before<T>(a: Slot<T>, b: Slot<T>): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq)
}
