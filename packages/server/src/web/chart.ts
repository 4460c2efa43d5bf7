import { html, raw, type SafeHtml } from './html.js'

const W = 640
const H = 160
const PAD = 36

/** A line chart as inline SVG: drawn on the server, so the dashboard needs no script. */
export function lineChart(
  title: string,
  points: ReadonlyArray<{ t: number; v: number }>,
  unit: string,
): SafeHtml {
  if (points.length < 2)
    return html`<figure>
      <figcaption>${title}</figcaption>
      <p class="muted">not enough samples yet (one a minute)</p>
    </figure>`
  const t0 = (points[0] as { t: number }).t
  const t1 = (points[points.length - 1] as { t: number }).t
  const vmax = Math.max(1, ...points.map((p) => p.v))
  const x = (t: number): number => PAD + ((t - t0) / Math.max(1, t1 - t0)) * (W - 2 * PAD)
  const y = (v: number): number => H - PAD / 2 - (v / vmax) * (H - PAD)
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('')
  const last = (points[points.length - 1] as { v: number }).v
  return html`<figure>
    <figcaption>${title} <span class="muted">now ${fmt(last)} ${unit}</span></figcaption>
    <svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title}">
      <line x1="${PAD}" y1="${y(0)}" x2="${W - PAD}" y2="${y(0)}" stroke="#ccc" />
      <text x="2" y="${y(vmax) + 4}" font-size="11">${fmt(vmax)}</text>
      <text x="2" y="${y(0)}" font-size="11">0</text>
      <text x="${PAD}" y="${H - 2}" font-size="11">
        ${new Date(t0).toISOString().slice(0, 16).replace('T', ' ')}
      </text>
      <text x="${W - PAD}" y="${H - 2}" font-size="11" text-anchor="end">
        ${new Date(t1).toISOString().slice(0, 16).replace('T', ' ')}
      </text>
      <path d="${raw(d)}" fill="none" stroke="#1d3557" stroke-width="2" />
    </svg>
  </figure>`
}

function fmt(v: number): string {
  return Number.isInteger(v) || v >= 100 ? String(Math.round(v)) : v.toFixed(v >= 10 ? 1 : 2)
}
