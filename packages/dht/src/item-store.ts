// BEP 44 item store for other nodes' puts: bounded (LRU eviction) and expiring (ITEM_TTL_MS).
import { DEFAULT_MAX_ITEMS, ITEM_TTL_MS } from './constants.js'
import type { StoredItem } from './bep44.js'

export interface ItemStoreOptions {
  maxItems?: number
  ttlMs?: number
  now?: () => number
}

export class ItemStore {
  private readonly map = new Map<string, { item: StoredItem; expires: number }>()
  private readonly max: number
  private readonly ttl: number
  private readonly now: () => number

  constructor(opts: ItemStoreOptions = {}) {
    this.max = opts.maxItems ?? DEFAULT_MAX_ITEMS
    this.ttl = opts.ttlMs ?? ITEM_TTL_MS
    this.now = opts.now ?? Date.now
  }

  get(target: Buffer): StoredItem | null {
    const key = target.toString('hex')
    const e = this.map.get(key)
    if (!e) return null
    if (e.expires <= this.now()) {
      this.map.delete(key)
      return null
    }
    return e.item
  }

  set(target: Buffer, item: StoredItem): void {
    const key = target.toString('hex')
    this.map.delete(key)
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value
      if (oldest !== undefined) this.map.delete(oldest)
    }
    this.map.set(key, { item, expires: this.now() + this.ttl })
  }

  get size(): number {
    return this.map.size
  }

  clear(): void {
    this.map.clear()
  }
}
