// BEP 44 item store for other nodes' puts: bounded (LRU eviction) and expiring (ITEM_TTL_MS).
import { DEFAULT_MAX_ITEMS, ITEM_TTL_MS } from './constants.js'
import type { StoredItem } from './bep44.js'

export interface ItemStoreOptions {
  maxItems?: number
  ttlMs?: number
  now?: () => number
}

export class ItemStore {
  /** Created on the first put: most nodes in a big testnet never store an item. */
  private map: Map<string, { item: StoredItem; expires: number }> | null = null
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
    const e = this.map?.get(key)
    if (!e) return null
    if (e.expires <= this.now()) {
      this.map!.delete(key)
      return null
    }
    return e.item
  }

  set(target: Buffer, item: StoredItem): void {
    const key = target.toString('hex')
    const map = (this.map ??= new Map())
    map.delete(key)
    if (map.size >= this.max) {
      const oldest = map.keys().next().value
      if (oldest !== undefined) map.delete(oldest)
    }
    map.set(key, { item, expires: this.now() + this.ttl })
  }

  get size(): number {
    return this.map?.size ?? 0
  }

  clear(): void {
    this.map = null
  }
}
