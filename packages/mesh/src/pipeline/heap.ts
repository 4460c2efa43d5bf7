// A binary heap ordered by `before` (the top is the item no other item comes before). Triage and
// the node book keep their queues in one; both delete lazily, so only push, peek, pop and rebuild.
export class Heap<T> {
  private items: T[] = []

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length
  }

  push(item: T): void {
    this.items.push(item)
    this.up(this.items.length - 1)
  }

  peek(): T | undefined {
    return this.items[0]
  }

  pop(): T | undefined {
    const top = this.items[0]
    const last = this.items.pop()
    if (top === undefined || last === undefined) return undefined
    if (this.items.length > 0) {
      this.items[0] = last
      this.down(0)
    }
    return top
  }

  /** Replaces the contents (e.g. with only the live entries) in O(n). */
  rebuild(items: T[]): void {
    this.items = items
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i)
  }

  /** The current entries, in heap order (for filtering before a rebuild). */
  entries(): readonly T[] {
    return this.items
  }

  private up(i: number): void {
    const h = this.items
    const x = h[i] as T
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.before(x, h[p] as T)) break
      h[i] = h[p] as T
      i = p
    }
    h[i] = x
  }

  private down(i: number): void {
    const h = this.items
    const x = h[i] as T
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = l < h.length && this.before(h[l] as T, x) ? l : -1
      if (r < h.length && this.before(h[r] as T, m < 0 ? x : (h[m] as T))) m = r
      if (m < 0) break
      h[i] = h[m] as T
      i = m
    }
    h[i] = x
  }
}
