import type { SearchHit } from '@bbmesh/index'
import { classify, type Classification } from '../classify/classify.js'
import type { SearchSource } from '../types.js'
import { primaryInfohash } from './magnet.js'

export interface ClassifiedQuery {
  text: string
  limit: number
  offset: number
  /** Torznab category ids; a parent (5000) matches its subcategories. Empty: no filter. */
  categories?: readonly number[]
  /** Keep only classifications this accepts (tvsearch's season/episode). */
  accept?: (c: Classification) => boolean
  minSize?: number
  maxSize?: number
  extension?: string
}

export interface ClassifiedHit {
  hit: SearchHit
  classification: Classification
}

export interface ClassifiedPage {
  total: number
  totalExact: boolean
  hits: ClassifiedHit[]
}

/** Index pages read per filtered search, and their size: bounds the work of a rare category. */
const SCAN_PAGE = 100
const MAX_SCAN = 1_000
const CACHE_ENTRIES = 20_000

/**
 * Search plus the content classifier. The index knows nothing of categories, so a filtered search
 * reads index pages until it has `offset + limit` matches or has scanned MAX_SCAN hits; past that
 * the total is a lower bound. Classification reads each hit's full file list once, then caches it
 * (a torrent's files never change).
 */
export class ClassifiedSearch {
  readonly #source: SearchSource
  readonly #cache = new Map<string, Classification>()

  constructor(source: SearchSource) {
    this.#source = source
  }

  async search(q: ClassifiedQuery): Promise<ClassifiedPage> {
    const filters = {
      ...(q.minSize !== undefined && { minSize: q.minSize }),
      ...(q.maxSize !== undefined && { maxSize: q.maxSize }),
      ...(q.extension !== undefined && { extension: q.extension }),
    }
    const cats = q.categories ?? []
    if (cats.length === 0 && q.accept === undefined) {
      const page = await this.#source.search({ text: q.text, limit: q.limit, offset: q.offset, ...filters })
      return {
        total: page.total,
        totalExact: page.totalExact,
        hits: await Promise.all(
          page.hits.map(async (hit) => ({ hit, classification: await this.classify(hit) })),
        ),
      }
    }
    const wanted = (c: Classification): boolean =>
      (cats.length === 0 || cats.some((id) => id === c.subcategory || id === c.category)) &&
      (q.accept === undefined || q.accept(c))
    const matches: ClassifiedHit[] = []
    let scanned = 0
    let exhausted = false
    while (matches.length < q.offset + q.limit && scanned < MAX_SCAN) {
      const page = await this.#source.search({ text: q.text, limit: SCAN_PAGE, offset: scanned, ...filters })
      for (const hit of page.hits) {
        const classification = await this.classify(hit)
        if (wanted(classification)) matches.push({ hit, classification })
      }
      scanned += page.hits.length
      if (page.hits.length < SCAN_PAGE) {
        exhausted = true
        break
      }
    }
    return { total: matches.length, totalExact: exhausted, hits: matches.slice(q.offset, q.offset + q.limit) }
  }

  /** The hit's classification from its full file list (cached by infohash). */
  async classify(hit: SearchHit): Promise<Classification> {
    const key = primaryInfohash(hit)
    const cached = this.#cache.get(key)
    if (cached !== undefined) return cached
    const detail = await this.#source.get(key)
    const c = classify({ name: hit.name, files: detail?.files ?? hit.matchedFiles })
    if (this.#cache.size >= CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value as string)
    this.#cache.set(key, c)
    return c
  }
}
