import type { IndexStats, TorrentDetail } from '@bbmesh/index'
import { classify } from '../classify/classify.js'
import { levels, ratePerMinute, type Sample } from '../dashboard/sample-store.js'
import type { ClassifiedPage } from '../search/classified-search.js'
import { magnetLink, primaryInfohash } from '../search/magnet.js'
import { lineChart } from './chart.js'
import { buildTree, MAX_TREE_FILES, renderTree } from './file-tree.js'
import { formatDate, formatSize } from './format.js'
import { html, type SafeHtml } from './html.js'

const KIND_LABEL: Record<string, string> = {
  tv: 'TV',
  movie: 'Movie',
  video: 'Video',
  audio: 'Audio',
  software: 'Software',
  ebook: 'Book',
  other: 'Other',
}

export function searchForm(q: string): SafeHtml {
  return html`<form class="search" method="get" action="/" role="search">
    <input
      type="search"
      name="q"
      value="${q}"
      maxlength="512"
      placeholder="ubuntu 24.04, show s01e02, artist album flac"
      aria-label="Search"
      autofocus
    />
    <button type="submit">Search</button>
  </form>`
}

export function resultsView(q: string, page: ClassifiedPage, offset: number, limit: number): SafeHtml {
  if (page.hits.length === 0)
    return html`${searchForm(q)}
      <p id="no-results">No results for <b>${q}</b>.</p>`
  const rows = page.hits.map(({ hit, classification }) => {
    const ih = primaryInfohash(hit)
    return html`<tr>
      <td class="name"><a href="/torrent/${ih}">${hit.name}</a></td>
      <td>${KIND_LABEL[classification.kind]}</td>
      <td class="num">${formatSize(hit.totalSize)}</td>
      <td class="num">${hit.fileCount}</td>
      <td class="num">${formatDate(hit.lastSeen)}</td>
      <td><a href="${magnetLink(hit)}" title="magnet link">magnet</a></td>
    </tr>`
  })
  const total = page.totalExact ? String(page.total) : `${page.total}+`
  const link = (o: number): string => `/?${new URLSearchParams({ q, offset: String(o) }).toString()}`
  const prev = offset > 0 ? html`<a href="${link(Math.max(0, offset - limit))}" rel="prev">previous</a>` : ''
  const next =
    offset + page.hits.length < page.total ? html`<a href="${link(offset + limit)}" rel="next">next</a>` : ''
  return html`${searchForm(q)}
    <p class="muted" id="result-count">${offset + 1}-${offset + page.hits.length} of ${total} results</p>
    <table id="results">
      <thead>
        <tr>
          <th>Name</th>
          <th>Kind</th>
          <th class="num">Size</th>
          <th class="num">Files</th>
          <th class="num">Seen</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    <nav class="pages">${prev}${next}</nav>`
}

export function detailView(t: TorrentDetail): SafeHtml {
  const c = classify({ name: t.name, files: t.files })
  const episode =
    c.season !== undefined
      ? html`, season ${c.season}${c.episode !== undefined ? html` episode ${c.episode}` : ''}`
      : ''
  const cut =
    t.files.length > MAX_TREE_FILES
      ? html`<p class="muted">showing the first ${MAX_TREE_FILES} of ${t.files.length} files</p>`
      : ''
  return html`<h1 class="name" id="torrent-name">${t.name}</h1>
    <p><a id="magnet" href="${magnetLink(t)}">Magnet link</a></p>
    <table class="facts">
      <tbody>
        <tr>
          <th>Size</th>
          <td>${formatSize(t.totalSize)} in ${t.fileCount} files</td>
        </tr>
        <tr>
          <th>Kind</th>
          <td>
            ${KIND_LABEL[c.kind]}${episode}${c.year !== undefined ? html` (${c.year})` : ''}, Torznab
            ${c.subcategory}
          </td>
        </tr>
        ${
          t.infohashV1 !== null
            ? html`<tr>
                <th>Infohash v1</th>
                <td><code>${t.infohashV1}</code></td>
              </tr>`
            : ''
        }
        ${
          t.infohashV2 !== null
            ? html`<tr>
                <th>Infohash v2</th>
                <td><code>${t.infohashV2}</code></td>
              </tr>`
            : ''
        }
        <tr>
          <th>Seen</th>
          <td>${t.seenCount} times, first ${formatDate(t.firstSeen)}, last ${formatDate(t.lastSeen)}</td>
        </tr>
        <tr>
          <th>Metadata</th>
          <td>
            from
            ${t.source}${t.metadataFetchedAt !== null ? html`, fetched ${formatDate(t.metadataFetchedAt)}` : ''}
          </td>
        </tr>
        ${
          t.pieceLength !== null
            ? html`<tr>
                <th>Piece length</th>
                <td>${formatSize(t.pieceLength)}</td>
              </tr>`
            : ''
        }
      </tbody>
    </table>
    <h2>Files</h2>
    ${cut}
    <div id="files">${renderTree(buildTree(t.files))}</div>`
}

/** Charts drawn when their key has samples: crawl counters only exist beside a crawl. */
const CHARTS: ReadonlyArray<{ title: string; key: string; mode: 'level' | 'rate'; unit: string }> = [
  { title: 'Torrents in the index', key: 'torrents', mode: 'level', unit: 'torrents' },
  { title: 'New torrents per minute', key: 'torrents', mode: 'rate', unit: '/min' },
  { title: 'New infohashes per minute', key: 'infohashes_new', mode: 'rate', unit: '/min' },
  { title: 'Metadata fetched per minute', key: 'metadata_ok', mode: 'rate', unit: '/min' },
  { title: 'Metadata fetches failed per minute', key: 'metadata_failed', mode: 'rate', unit: '/min' },
  { title: 'DHT queries in per minute', key: 'dht_queries_in', mode: 'rate', unit: '/min' },
  { title: 'DHT queries out per minute', key: 'dht_queries_out', mode: 'rate', unit: '/min' },
  { title: 'Pending metadata', key: 'pending_metadata', mode: 'level', unit: 'infohashes' },
]

export function dashboardView(s: IndexStats, samples: readonly Sample[]): SafeHtml {
  const card = (label: string, value: string): SafeHtml =>
    html`<div class="card"><b>${value}</b>${label}</div>`
  const charts = CHARTS.filter(
    (c) => c.key === 'torrents' || samples.some((x) => x.values[c.key] !== undefined),
  ).map((c) =>
    lineChart(c.title, c.mode === 'level' ? levels(samples, c.key) : ratePerMinute(samples, c.key), c.unit),
  )
  return html`<h1>Dashboard</h1>
    <div class="cards" id="stats">
      ${card('torrents', String(s.torrents))}${card('files', String(s.files))}${card('total size', formatSize(s.totalSize))}
      ${card('new in 24 h', String(s.newLastDay))}${card('pending metadata', String(s.pendingMetadata))}
      ${card('on disk', formatSize(s.dbBytes))}
    </div>
    <div id="charts">${charts}</div>`
}
