// The order in which the node book hands out nodes: earliest due first, insertion order among
// equals. A heap with lazy deletion: a node whose due time changes is pushed again with a new
// revision and its old slots are skipped when they surface. The sampler asks for the next due node
// several times a second; a scan of a 10,000-node book per ask was 13% of a simulated harvest's
// CPU, a heap peek is O(log n).
import { Heap } from '../pipeline/heap.js'

interface Slot<T> {
  item: T
  due: number
  rev: number
  seq: number
}

export class DueQueue<T> {
  private readonly heap = new Heap<Slot<T>>((a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq))
  private seq = 0

  /**
   * @param revOf the item's current revision: a slot whose revision differs is stale.
   * @param live  how many items the queue should hold (the owner's count), to bound stale slots.
   */
  constructor(
    private readonly revOf: (item: T) => number | undefined,
    private readonly live: () => number,
  ) {}

  /** Queues `item` at `due` under revision `rev` (Infinity is never due: not queued). */
  push(item: T, due: number, rev: number): void {
    if (due === Infinity) return
    this.heap.push({ item, due, rev, seq: this.seq++ })
    // Re-queued items leave stale slots behind; drop them before they outnumber the live ones.
    if (this.heap.size > 2 * this.live() + 64)
      this.heap.rebuild(this.heap.entries().filter((s) => this.revOf(s.item) === s.rev))
  }

  /** The earliest item still current, without removing it. */
  peek(): { item: T; due: number } | undefined {
    for (;;) {
      const top = this.heap.peek()
      if (top === undefined) return undefined
      if (this.revOf(top.item) === top.rev) return top
      this.heap.pop()
    }
  }
}
