// The page in a real browser: Debian's chromium driven by playwright-core (no browser download),
// with JavaScript switched off, since search, detail and dashboard must work without it.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSampleStore } from '../src/index.js'
import { startHarness, type Harness } from './harness.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const haveChromium = existsSync(CHROMIUM)
// CI installs chromium (.ci/run); there a missing browser is a failure, not a skip.
const mustRun = process.env.CI === 'true'
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-output')

let h: Harness
let browser: BrowserContext
let profile: string

it.runIf(mustRun)('chromium is installed (CI installs it in .ci/run)', () => {
  expect(haveChromium, `${CHROMIUM} is missing (apt-get install chromium)`).toBe(true)
})

describe.skipIf(!haveChromium)('web page in headless chromium', () => {
  beforeAll(async () => {
    let t = Date.now() - 10 * 60_000
    let n = 0
    const samples = createSampleStore({
      read: async () => ({ torrents: (n += 3 + (n % 4)), metadata_ok: n * 2 }),
      now: () => (t += 60_000),
    })
    for (let i = 0; i < 10; i++) await samples.sample()
    h = await startHarness({ samples })
    profile = mkdtempSync(join(tmpdir(), 'bbmesh-chromium-'))
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
      timeout: 30_000,
      viewport: { width: 1100, height: 800 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    // Only our loopback server may be reached; anything else is refused before it leaves.
    await browser.route('**/*', (route) =>
      route.request().url().startsWith(h.url) ? route.continue() : route.abort('blockedbyclient'),
    )
    mkdirSync(outDir, { recursive: true })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await h?.close()
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true })
  })

  it('types a query, reads the results, opens a torrent and the dashboard', { timeout: 60_000 }, async () => {
    const page = await browser.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(h.url + '/')
    await page.fill('input[name="q"]', 'the expanse')
    await Promise.all([page.waitForURL(/\?q=the\+expanse/), page.press('input[name="q"]', 'Enter')])
    const rows = page.locator('#results tbody tr')
    expect(await rows.count()).toBe(2)
    const names = await page.locator('#results tbody td.name').allTextContents()
    expect(names.map((s) => s.trim()).sort()).toEqual([
      'The.Expanse.S03.720p.BluRay.x264-DEMAND',
      'The.Expanse.S03E07.1080p.WEB-DL.DD5.1.H264-NTb.mkv',
    ])
    expect((await page.locator('#result-count').textContent())?.trim()).toBe('1-2 of 2 results')
    await page.screenshot({ path: join(outDir, 'search.png'), fullPage: true })

    await Promise.all([
      page.waitForURL(/\/torrent\/[0-9a-f]{40}$/),
      page.click('text=The.Expanse.S03.720p.BluRay.x264-DEMAND'),
    ])
    expect((await page.locator('#torrent-name').textContent())?.trim()).toBe(
      'The.Expanse.S03.720p.BluRay.x264-DEMAND',
    )
    const files = await page.locator('#files').innerText()
    expect(files).toContain('The.Expanse.S03E01.720p.mkv')
    expect(files).toContain('English.srt')
    expect(await page.getAttribute('#magnet', 'href')).toMatch(/^magnet:\?xt=urn:btih:(02){20}&dn=/)
    await page.screenshot({ path: join(outDir, 'detail.png'), fullPage: true })

    await Promise.all([page.waitForURL(/\/dashboard$/), page.click('header >> text=Dashboard')])
    expect(await page.locator('#stats .card').count()).toBe(6)
    expect(await page.locator('#charts svg').count()).toBe(3)
    expect(await page.locator('#charts figcaption').first().innerText()).toContain('Torrents in the index')
    await page.screenshot({ path: join(outDir, 'dashboard.png'), fullPage: true })
    expect(existsSync(join(outDir, 'dashboard.png'))).toBe(true)
  })

  it('shows hostile names as text, never as markup', { timeout: 30_000 }, async () => {
    const page = await browser.newPage()
    await page.goto(`${h.url}/?q=ebook`)
    expect(await page.locator('#results script').count()).toBe(0)
    expect((await page.locator('#results td.name').first().textContent())?.trim()).toBe(
      '<script>alert("x")</script> & "quotes" ebook pack',
    )
  })
})
