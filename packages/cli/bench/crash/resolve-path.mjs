// Crash path: `bbmesh resolve` of an update with removals, from a publisher on a loopback DHT (this
// process seeds it; --bootstrap is the testnet's). The resolver first imports seq 1 (unkilled) and
// its data dir is kept as a snapshot. Each round restores the snapshot, SIGKILLs the resolve of seq 2
// (30% of seq 1 dropped, new torrents added) at a random point, checks integrity and that the index
// holds only torrents of seq 1 or seq 2 (or exactly seq 2 if the child reported its result), then
// restarts the resolve: it must complete and leave exactly seq 2, the removals applied.
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { CatalogPublisher, mintPublisherKey } from '@bbmesh/catalog'
import { DhtNode, createDhtTestnet } from '@bbmesh/dht'
import { allV1, checkIntegrity } from './check.mjs'
import { runBbmesh } from './child.mjs'

function entry(i) {
  const h = createHash('sha1').update(`crash resolve ${i}`).digest('hex')
  return {
    infohashV1: h,
    infohashV2: null,
    name: new Uint8Array(Buffer.from(`Crash resolve ${i}`)),
    totalSize: 1000 + i,
    pieceLength: 16384,
    private: false,
    files: [{ path: new Uint8Array(Buffer.from(`resolve-${i}.bin`)), size: 1000 + i, piecesRoot: null }],
    source: 'import',
    firstSeen: '2026-01-01T00:00:00Z',
  }
}

const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x))

export async function resolvePath({ dir, home, kills, rnd, torrents = 8_000 }) {
  const net = await createDhtTestnet(6)
  const pubDir = join(dir, 'publisher')
  mkdirSync(pubDir, { recursive: true })
  const dht = new DhtNode({ bootstrap: net.bootstrap, rateLimit: false, outboundQueriesPerSecond: false })
  let publisher
  try {
    await dht.listen(0, '127.0.0.1')
    await dht.bootstrap()
    const key = await mintPublisherKey(pubDir)
    publisher = new CatalogPublisher({
      dht,
      key,
      dataDir: pubDir,
      host: '127.0.0.1',
      salt: 'library',
      build: { sharded: true },
    })
    const v1 = Array.from({ length: torrents }, (_, i) => entry(i))
    // seq 2 drops every third torrent of seq 1 and adds 3,000 new ones.
    const v2 = [
      ...v1.filter((_, i) => i % 3 !== 0),
      ...Array.from({ length: 3_000 }, (_, i) => entry(torrents + i)),
    ]
    const set1 = new Set(v1.map((e) => e.infohashV1))
    const set2 = new Set(v2.map((e) => e.infohashV1))
    const db = join(home, 'index.db')
    const args = [
      ...['--data-dir', home, '--db', db, '--json', 'resolve', Buffer.from(key.publicKey).toString('hex')],
      ...[
        '--salt',
        'library',
        '--bootstrap',
        net.bootstrap.join(','),
        '--host',
        '127.0.0.1',
        '--timeout',
        '20',
      ],
    ]
    await publisher.publish(v1)
    const first = await runBbmesh(args, { home })
    if (first.code !== 0 || !sameSet(allV1(db), set1))
      throw new Error(`resolve seq 1 failed (exit ${first.code}): ${first.stderr.slice(-2000)}`)
    const snap = join(dir, 'resolve-snapshot')
    cpSync(home, snap, { recursive: true })
    await publisher.publish(v2)

    const restore = () => {
      rmSync(home, { recursive: true, force: true })
      cpSync(snap, home, { recursive: true })
    }
    // How long seq 2 takes unkilled: most of it is the DHT and the fetch, the end the index writes.
    const t1 = Date.now()
    const calibration = await runBbmesh(args, { home })
    const updateMs = Date.now() - t1
    if (calibration.code !== 0 || !sameSet(allV1(db), set2))
      throw new Error(`resolve seq 2 failed (exit ${calibration.code}): ${calibration.stderr.slice(-2000)}`)

    const rounds = []
    for (let k = 0; k < kills; k++) {
      restore()
      // One round in four anywhere in the update's time; the others in its last 40%, where the
      // removals, the ingest and the copy are written.
      const from = rnd() < 0.25 ? 0 : 0.6
      const killAfterMs = Math.floor((from + rnd() * (1 - from)) * updateMs)
      const killed = await runBbmesh(args, { home, killAfterMs })
      const reported = killed.lines.some((l) => l.seq === 2)
      const round = {
        path: 'resolve',
        k,
        killed: killed.killed,
        killAfterMs,
        committed: reported ? set2.size : 0,
      }
      round.rowsAfterKill = checkIntegrity(db)
      const have = allV1(db)
      round.state = sameSet(have, set1) ? 'seq 1' : sameSet(have, set2) ? 'seq 2' : 'mid-update'
      for (const h of have)
        if (!set1.has(h) && !set2.has(h)) throw new Error(`resolve round ${k}: ${h} is in neither catalog`)
      if (reported && !sameSet(have, set2))
        throw new Error(`resolve round ${k}: reported seq 2, index differs`)
      const restart = await runBbmesh(args, { home })
      if (restart.code !== 0)
        throw new Error(`resolve round ${k}: restart exit ${restart.code}: ${restart.stderr}`)
      round.rowsAfterRestart = checkIntegrity(db)
      if (!sameSet(allV1(db), set2))
        throw new Error(
          `resolve round ${k}: after the restart ${round.rowsAfterRestart} rows, not seq 2's ${set2.size}`,
        )
      round.restart = restart.lines.at(-1)
      rounds.push(round)
    }
    return rounds
  } finally {
    await publisher?.stop()
    await dht.destroy()
    await net.destroy()
  }
}
