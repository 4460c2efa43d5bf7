import { create } from 'xmlbuilder2'
import { CATEGORIES } from '../classify/categories.js'
import type { ClassifiedHit } from '../search/classified-search.js'
import { magnetLink, primaryInfohash } from '../search/magnet.js'
import { ATOM_NS, DEFAULT_LIMIT, MAX_LIMIT, TORZNAB_NS } from './constants.js'
import type { TorznabError } from './torznab-error.js'

const DECL = { version: '1.0', encoding: 'UTF-8' } as const

/** `t=caps`: what this indexer answers, as Prowlarr's capability probe reads it. */
export function capsXml(opts: { title: string; version: string }): string {
  const doc = create(DECL).ele('caps')
  doc.ele('server', { version: opts.version, title: opts.title })
  doc.ele('limits', { max: String(MAX_LIMIT), default: String(DEFAULT_LIMIT) })
  const searching = doc.ele('searching')
  searching.ele('search', { available: 'yes', supportedParams: 'q' })
  searching.ele('tv-search', { available: 'yes', supportedParams: 'q,season,ep' })
  searching.ele('movie-search', { available: 'yes', supportedParams: 'q,imdbid' })
  searching.ele('music-search', { available: 'no', supportedParams: 'q' })
  searching.ele('audio-search', { available: 'no', supportedParams: 'q' })
  searching.ele('book-search', { available: 'no', supportedParams: 'q' })
  const cats = doc.ele('categories')
  for (const c of CATEGORIES) {
    const cat = cats.ele('category', { id: String(c.id), name: c.name })
    for (const s of c.subcats) cat.ele('subcat', { id: String(s.id), name: s.name })
  }
  return doc.end({ prettyPrint: false })
}

export interface FeedOptions {
  title: string
  /** The absolute URL of this feed (atom:link rel=self). */
  selfUrl: string
  /** Base URL for item detail pages, e.g. http://127.0.0.1:9696 */
  baseUrl: string
  offset: number
  total: number
  extended: boolean
}

/**
 * An RSS 2.0 result page with torznab:attr elements, the shape Prowlarr/Jackett/Sonarr parse:
 * one item per torrent, enclosure and link as the magnet, category both as <category> and attr.
 */
export function feedXml(hits: readonly ClassifiedHit[], opts: FeedOptions): string {
  const rss = create(DECL).ele('rss', { version: '2.0', 'xmlns:atom': ATOM_NS, 'xmlns:torznab': TORZNAB_NS })
  const channel = rss.ele('channel')
  channel.ele(ATOM_NS, 'atom:link', { href: opts.selfUrl, rel: 'self', type: 'application/rss+xml' })
  channel.ele('title').txt(opts.title)
  channel.ele('description').txt('bbmesh DHT index')
  channel.ele('link').txt(opts.baseUrl + '/')
  channel.ele(TORZNAB_NS, 'torznab:response', { offset: String(opts.offset), total: String(opts.total) })
  for (const { hit, classification: c } of hits) {
    const ih = primaryInfohash(hit)
    const magnet = magnetLink(hit)
    const detailUrl = `${opts.baseUrl}/torrent/${ih}`
    const item = channel.ele('item')
    item.ele('title').txt(hit.name)
    item.ele('guid', { isPermaLink: 'false' }).txt(ih)
    item.ele('link').txt(magnet)
    item.ele('comments').txt(detailUrl)
    item.ele('pubDate').txt(hit.firstSeen.toUTCString())
    item.ele('size').txt(String(hit.totalSize))
    item.ele('enclosure', { url: magnet, length: String(hit.totalSize), type: 'application/x-bittorrent' })
    item.ele('category').txt(String(c.subcategory))
    const attr = (name: string, value: string | number): void => {
      item.ele(TORZNAB_NS, 'torznab:attr', { name, value: String(value) })
    }
    attr('category', c.category)
    if (c.subcategory !== c.category) attr('category', c.subcategory)
    attr('size', hit.totalSize)
    attr('files', hit.fileCount)
    // v1 infohash when there is one: that is what Sonarr and download clients key torrents by.
    attr('infohash', ih)
    attr('magneturl', magnet)
    // No seeder/peer counts exist in the index; omitted rather than invented (Torznab: "where known").
    if (opts.extended) {
      if (c.season !== undefined) attr('season', c.season)
      if (c.episode !== undefined) attr('episode', c.episode)
      if (c.year !== undefined) attr('year', c.year)
      attr('downloadvolumefactor', 0)
      attr('uploadvolumefactor', 1)
    }
  }
  return rss.end({ prettyPrint: false })
}

export function errorXml(err: TorznabError): string {
  return create(DECL)
    .ele('error', { code: String(err.code), description: err.description })
    .end({ prettyPrint: false })
}
