/** HTML that is already safe to emit; only `html` and `raw` make one. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)
}

type Part = SafeHtml | string | number | null | undefined | readonly Part[]

function render(p: Part): string {
  if (p === null || p === undefined) return ''
  if (p instanceof SafeHtml) return p.value
  if (Array.isArray(p)) return p.map(render).join('')
  return escapeHtml(String(p))
}

/**
 * A template tag that escapes every interpolated value (text, attributes alike) unless it is
 * SafeHtml from another `html` call, so a page cannot forget to escape a torrent name.
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '')
  })
  return new SafeHtml(out)
}

/** Markup built by code here (SVG paths of numbers), never from user or torrent text. */
export function raw(s: string): SafeHtml {
  return new SafeHtml(s)
}

const STYLE = `
body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:center}
header a{color:#fff;text-decoration:none}main{padding:1em 1.2em;max-width:72em}
form.search{display:flex;gap:.5em;margin:.5em 0 1em}form.search input[type=search]{flex:1;padding:.4em;font-size:1em}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:.3em .5em;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}.name{word-break:break-all}.muted{color:#6b7480}
ul.tree{list-style:none;padding-left:1.2em;margin:0}ul.tree li{margin:.1em 0}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#fff;padding:.6em 1em;border:1px solid #e3e6ea;min-width:10em}
.card b{display:block;font-size:1.4em}figure{background:#fff;border:1px solid #e3e6ea;margin:1em 0;padding:.5em}
figcaption{font-weight:600}svg{display:block}code{word-break:break-all}nav.pages{margin:1em 0;display:flex;gap:1em}
`

export function page(title: string, siteTitle: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${title} - ${siteTitle}</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <a href="/"><b>${siteTitle}</b></a
          ><a href="/">Search</a><a href="/dashboard">Dashboard</a> <a href="/openapi.json">API</a>
        </header>
        <main>${body}</main>
      </body>
    </html>`.value
}
