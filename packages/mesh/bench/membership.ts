// Membership benchmark (issue 11): convergence time and bb_members / rendezvous cost per member at
// 8, 32 and 128 members on loopback. Each size runs in its own child process (fresh heap, its own
// peak RSS, and a size that cannot finish does not take the others down) on a fresh mixed DHT
// substrate (MEMBERSHIP_STOCK stock bittorrent-dht + MEMBERSHIP_OURS @bbmesh/dht nodes); every
// member's DhtNode bootstraps from ONE stock node. Convergence: ms from the last mesh start until
// every member lists every other. Then a steady-state window of MEMBERSHIP_STEADY_S seconds.
// The mesh's default schedules are divided by MEMBERSHIP_SCHEDULE_DIV (default 10) so that a
// heartbeat round and a re-announce fall inside the window; the results name the schedule used.
// Env: MEMBERSHIP_SIZES ("8,32,128"), MEMBERSHIP_SEED (1), MEMBERSHIP_STEADY_S (60),
// MEMBERSHIP_TIMEOUT_S (240, convergence), MEMBERSHIP_STOCK (24), MEMBERSHIP_OURS (8).
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { MeshOptions, MeshStats } from '../src/membership/types.js'
import { communityKeys, converged, createBenchNet, type BenchMember } from './membership-net.js'

const env = (k: string, d: number): number => Number(process.env[k] ?? d)
const SIZES = process.env.MEMBERSHIP_SIZES?.split(',').map(Number) ?? [8, 32, 128]
const SEED = env('MEMBERSHIP_SEED', 1)
const STEADY_S = env('MEMBERSHIP_STEADY_S', 60)
const TIMEOUT_S = env('MEMBERSHIP_TIMEOUT_S', 240)
const STOCK = env('MEMBERSHIP_STOCK', 24)
const OURS = env('MEMBERSHIP_OURS', 8)
const DIV = env('MEMBERSHIP_SCHEDULE_DIV', 10)

/** The mesh defaults (types.ts, rendezvous.ts, dialer.ts) with every period divided by DIV. */
export function scaledSchedule(div: number): Partial<MeshOptions> {
  return {
    gossipIntervalMs: 5_000 / div,
    goneAfterMs: 600_000 / div,
    gateBackoffMs: 1_800_000 / div,
    dialsPerMinute: 30 * div,
    rendezvous: { announceIntervalMs: 900_000 / div, lookupMinMs: 5_000 / div },
  }
}

const MESH_COUNTED = ['messagesOut', 'bytesOut', 'entriesOut', 'announces', 'lookups', 'dials'] as const
/** Mesh counters, plus `dhtQueries`: KRPC queries the member's DHT node sent (rendezvous + upkeep). */
const COUNTED = [...MESH_COUNTED, 'dhtQueries'] as const
type Counted = Record<(typeof COUNTED)[number], number>

export interface MembershipRow {
  members: number
  /** ms to start every mesh (listen + first rendezvous), then ms from there to convergence. */
  startMs: number
  convergedMs: number | null
  /** ms from the last mesh start until half / 90% of the (member, other member) pairs were known. */
  pairs50Ms: number | null
  pairs90Ms: number | null
  /** Share of (member, other member) pairs known when convergence was given up / reached. */
  pairsKnown: number
  /** Per member, from start to convergence (the join burst). */
  join: Counted
  /** Per member per minute over the steady window after convergence. */
  steadyPerMin: Counted
  steadyWindowS: number
  stillConvergedAfterWindow: boolean
  connected: { min: number; max: number }
  duplicateLinks: number
  gateFailures: number
  cpuS: number
  peakRssMb: number
  loopDelayP99Ms: number
  error?: string
}

function sum(ms: readonly BenchMember[]): Counted & Pick<MeshStats, 'duplicateLinks' | 'gateFailures'> {
  const t = {
    duplicateLinks: 0,
    gateFailures: 0,
    ...Object.fromEntries(COUNTED.map((k) => [k, 0])),
  } as Counted & Pick<MeshStats, 'duplicateLinks' | 'gateFailures'>
  for (const m of ms) {
    const s = m.mesh.stats()
    for (const k of MESH_COUNTED) t[k] += s[k]
    t.dhtQueries += m.dht.stats().queriesOut
    t.duplicateLinks += s.duplicateLinks
    t.gateFailures += s.gateFailures
  }
  return t
}

function pairsKnown(group: readonly BenchMember[]): number {
  const ids = new Set(group.map((m) => m.id))
  let known = 0
  for (const m of group) known += m.mesh.members().filter((x) => ids.has(x.nodeId)).length
  return Math.round((known / Math.max(1, group.length * (group.length - 1))) * 1000) / 1000
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const r1 = (x: number): number => Math.round(x * 10) / 10

/** One size, in this process. */
export async function membershipOne(size: number): Promise<MembershipRow> {
  const loop = monitorEventLoopDelay({ resolution: 20 })
  loop.enable()
  const cpu0 = process.cpuUsage()
  const net = await createBenchNet({ seed: SEED, stock: STOCK, ours: OURS })
  try {
    const keys = communityKeys(SEED, size)
    const tuning = scaledSchedule(DIV)
    // DHT nodes first (their bootstrap is not membership), a few at a time so as not to flood one core.
    for (let i = 0; i < size; i += 8)
      await Promise.all(
        Array.from({ length: Math.min(8, size - i) }, (_, j) => net.addMember(i + j, keys, tuning)),
      )
    const group = net.members
    const t0 = performance.now()
    await Promise.all(group.map((m) => m.mesh.start()))
    const t1 = performance.now()
    let convergedMs: number | null = null
    let pairs50Ms: number | null = null
    let pairs90Ms: number | null = null
    let known = 0
    // Polled every 250 ms: a poll builds every member's list, which is not free at 128 members.
    while (performance.now() - t1 < TIMEOUT_S * 1000) {
      known = pairsKnown(group)
      const t = Math.round(performance.now() - t1)
      if (known >= 0.5) pairs50Ms ??= t
      if (known >= 0.9) pairs90Ms ??= t
      if (known === 1 && converged(group)) {
        convergedMs = t
        break
      }
      await sleep(250)
    }
    const atJoin = sum(group)
    const w0 = performance.now()
    await sleep(STEADY_S * 1000)
    const windowS = (performance.now() - w0) / 1000
    const atEnd = sum(group)
    const conn = group.map((m) => m.mesh.connectedCount)
    const per = (x: number): number => r1(x / size)
    const cpu = process.cpuUsage(cpu0)
    return {
      members: size,
      startMs: Math.round(t1 - t0),
      convergedMs,
      pairs50Ms,
      pairs90Ms,
      pairsKnown: known,
      join: Object.fromEntries(COUNTED.map((k) => [k, per(atJoin[k])])) as Counted,
      steadyPerMin: Object.fromEntries(
        COUNTED.map((k) => [k, r1(((atEnd[k] - atJoin[k]) / size / windowS) * 60)]),
      ) as Counted,
      steadyWindowS: r1(windowS),
      stillConvergedAfterWindow: converged(group),
      connected: { min: Math.min(...conn), max: Math.max(...conn) },
      duplicateLinks: atEnd.duplicateLinks,
      gateFailures: atEnd.gateFailures,
      cpuS: r1((cpu.user + cpu.system) / 1e6),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      loopDelayP99Ms: r1(loop.percentile(99) / 1e6),
    }
  } finally {
    loop.disable()
    await net.destroy()
  }
}

function failedRow(size: number, error: string): MembershipRow {
  const zero = Object.fromEntries(COUNTED.map((k) => [k, 0])) as Counted
  return {
    members: size,
    startMs: 0,
    convergedMs: null,
    pairs50Ms: null,
    pairs90Ms: null,
    pairsKnown: 0,
    join: zero,
    steadyPerMin: zero,
    steadyWindowS: 0,
    stillConvergedAfterWindow: false,
    connected: { min: 0, max: 0 },
    duplicateLinks: 0,
    gateFailures: 0,
    cpuS: 0,
    peakRssMb: 0,
    loopDelayP99Ms: 0,
    error,
  }
}

const schedule = (): string => {
  const s = scaledSchedule(DIV)
  return (
    `mesh defaults ÷${DIV}: gossip ${s.gossipIntervalMs} ms, gone after ${s.goneAfterMs! / 1000} s ` +
    `(heartbeat every ${s.goneAfterMs! / 3000} s), announce every ${s.rendezvous!.announceIntervalMs! / 1000} s, ` +
    `first lookup ${s.rendezvous!.lookupMinMs} ms, ${s.dialsPerMinute} dials/min, gate backoff ` +
    `${s.gateBackoffMs! / 1000} s; gate timeout, 12/16 connections and 50 entries/message as default`
  )
}

/** Every size in its own child process; writes bench/results/membership.{json,md}. */
export function runMembershipBench(resultsDir: string): void {
  const rows: MembershipRow[] = []
  const self = fileURLToPath(import.meta.url)
  for (const size of SIZES) {
    try {
      const out = execFileSync(process.execPath, [self, '--one', String(size)], {
        stdio: ['ignore', 'pipe', 'inherit'],
        encoding: 'utf8',
        timeout: (TIMEOUT_S + STEADY_S + 180) * 1000,
        maxBuffer: 16 * 2 ** 20,
      })
      rows.push(JSON.parse(out.trim().split('\n').pop()!) as MembershipRow)
    } catch (err) {
      const e = err as { signal?: string; status?: number; message?: string }
      const why = e.signal ? `killed by ${e.signal}` : `exit ${e.status ?? '?'}: ${e.message?.split('\n')[0]}`
      rows.push(failedRow(size, why))
    }
    const r = rows[rows.length - 1]!
    console.log(
      `membership ${String(size).padStart(4)} members: ` +
        (r.error ??
          `converged ${r.convergedMs ?? '—'} ms, steady ${r.steadyPerMin.messagesOut} msgs/min/member`),
    )
  }
  const meta = {
    seed: SEED,
    substrate: { stock: STOCK, ours: OURS },
    schedule: schedule(),
    node: process.version,
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    loadavg: loadavg().map(r1),
  }
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, 'membership.json'), JSON.stringify({ ...meta, rows }, null, 2) + '\n')
  const sec = (ms: number | null): string => (ms === null ? '—' : (ms / 1000).toFixed(1))
  const md = [
    `# Community membership on loopback (seed ${SEED})`,
    '',
    `Substrate: ${STOCK} stock bittorrent-dht + ${OURS} @bbmesh/dht nodes on 127.0.0.1; every member is`,
    `one more @bbmesh/dht node bootstrapped from ONE stock node, plus a CommunityMesh. Schedule: ${meta.schedule}.`,
    `${meta.node}, ${meta.cores} × ${meta.cpu}, load average ${meta.loadavg.join(' ')} at the end (shared machine).`,
    `Rerun: \`BENCH_ONLY=membership pnpm --filter @bbmesh/mesh bench\`.`,
    '',
    'Join: per member, from the mesh start to convergence. Steady: per member per minute over the',
    `${STEADY_S} s after convergence. bytes: bb_members delta payloads; msgs: every bb_members message sent.`,
    '',
    '| members | 50% / 90% of pairs s | converged s | pairs known | join msgs | join bytes | join announces / lookups / dials | steady msgs/min | steady bytes/min | steady entries/min | steady announces/min | steady lookups/min | steady DHT queries/min | connected min–max | dup links | still converged | CPU s | peak RSS MB | loop p99 ms |',
    '|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---:|',
    ...rows.map((r) =>
      r.error
        ? `| ${r.members} | not reached: ${r.error} |||||||||||||||||| |`
        : `| ${r.members} | ${sec(r.pairs50Ms)} / ${sec(r.pairs90Ms)} | ${sec(r.convergedMs)} | ${r.pairsKnown} | ${r.join.messagesOut} | ${r.join.bytesOut} | ` +
          `${r.join.announces} / ${r.join.lookups} / ${r.join.dials} | ${r.steadyPerMin.messagesOut} | ` +
          `${r.steadyPerMin.bytesOut} | ${r.steadyPerMin.entriesOut} | ${r.steadyPerMin.announces} | ` +
          `${r.steadyPerMin.lookups} | ${r.steadyPerMin.dhtQueries} | ${r.connected.min}–${r.connected.max} | ${r.duplicateLinks} | ` +
          `${r.stillConvergedAfterWindow ? 'yes' : 'no'} | ${r.cpuS} | ${r.peakRssMb} | ${r.loopDelayP99Ms} |`,
    ),
    '',
  ].join('\n')
  writeFileSync(join(resultsDir, 'membership.md'), md)
  process.stdout.write(md)
}

// A child: `membership.js --one N` prints one row as JSON.
const one = process.argv.indexOf('--one')
if (one >= 0 && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write('\n' + JSON.stringify(await membershipOne(Number(process.argv[one + 1]))) + '\n')
  // Everything was closed; if a handle still holds the process, name it rather than hang the bench.
  setTimeout(() => {
    process.stderr.write(
      `membership: still open after close: ${process.getActiveResourcesInfo().join(', ')}\n`,
    )
    process.exit(0)
  }, 10_000).unref()
}
