// Doctor check of the index: opens it read-only, runs SQLite's integrity check, reports its size
// and the metadata cache against the storage budget.
import { existsSync } from 'node:fs'
import type { CommandContext } from '../context.js'
import { describeError } from '../errors.js'
import { formatSize } from '../units.js'
import type { Finding } from './finding.js'

export async function checkIndex(ctx: CommandContext): Promise<Finding[]> {
  const path = ctx.dbPath
  if (!existsSync(path))
    return [{ check: 'index', status: 'ok', detail: `${path} not created yet (import or crawl creates it)` }]
  let index
  try {
    index = await ctx.openIndex({ readonly: true })
  } catch (err) {
    const { message, code } = describeError(err)
    return [
      {
        check: 'index',
        status: 'problem',
        detail: `${path} does not open: ${message} (${code})`,
        fix:
          code === 'INDEX_LOCKED'
            ? 'another bbmesh process holds it; run doctor again when it is done'
            : 'move the file aside and re-import from an export or a backup',
      },
    ]
  }
  try {
    const findings = await index.integrityCheck()
    const stats = await index.stats()
    const size = `${stats.torrents} torrents, ${formatSize(stats.dbBytes)} on disk`
    const out: Finding[] = []
    if (findings.length > 0)
      out.push({
        check: 'index',
        status: 'problem',
        detail: `${path} failed integrity_check (${findings.length} findings, first: ${findings[0]}); ${size}`,
        fix: `stop bbmesh, copy the file, then bbmesh --db COPY export --ndjson --out lib.ndjson and import that into a fresh --db`,
      })
    else out.push({ check: 'index', status: 'ok', detail: `${path}: integrity ok, ${size}` })
    const budget = ctx.config.get('storageBudget').value
    if (typeof budget === 'number') {
      const used = `metadata cache ${formatSize(stats.cacheBytes)} of ${formatSize(budget)} (${stats.cachedMetadata} info dicts)`
      out.push(
        stats.cacheBytes > budget
          ? {
              check: 'storage budget',
              status: 'warn',
              detail: `${used}: over budget, the oldest entries go on the next write`,
              fix: 'raise it with bbmesh config set storageBudget SIZE, or let it shrink',
            }
          : { check: 'storage budget', status: 'ok', detail: used },
      )
    }
    return out
  } finally {
    await index.close()
  }
}
