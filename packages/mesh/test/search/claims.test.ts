// HitClaims: members' claims on a torrent are judged once, against the fetched metadata, whichever of
// its hashes each member named it by; a name is compared as a hit carries it (cut at 512 bytes).
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { HitClaims } from '../../src/search/claims.js'
import type { WireHit } from '../../src/search/codec.js'

const v1 = randomBytes(20)
const v2 = randomBytes(32)
const longName = 'é'.repeat(400) // 800 bytes: a hit carries its first 512
const hit = (over: Partial<WireHit>): WireHit => ({
  infohashV1: v1.toString('hex'),
  infohashV2: v2.toString('hex'),
  name: Buffer.from(longName).subarray(0, 512).toString(),
  totalSize: 1000,
  fileCount: 2,
  firstSeen: 0,
  lastSeen: 0,
  score: 1,
  matchedFiles: [],
  flags: [],
  ...over,
})
const fetched = {
  infohashV1: v1,
  infohashV2: v2,
  name: Buffer.from(longName),
  files: [{ size: 400 }, { size: 600 }],
}

describe('HitClaims', () => {
  it('judges a hybrid named by v1, by v2 or by both; size, file count and name each count, a bare listing not', () => {
    const c = new HitClaims()
    c.record('by-v1', [hit({ infohashV2: null })])
    c.record('by-v2', [hit({ infohashV1: null })])
    c.record('size', [hit({ totalSize: 999 })])
    c.record('files', [hit({ fileCount: 1 })])
    c.record('name', [hit({ name: 'Other' })])
    c.record('bare', [hit({ name: '', totalSize: 0, fileCount: 0 })])
    expect(c.claimed('by-v2', v2.subarray(0, 20).toString('hex'))).toBe(true)
    const r = c.judge(fetched)
    expect(r.matched.sort()).toEqual(['by-v1', 'by-v2'])
    expect(r.mismatched.sort()).toEqual(['files', 'name', 'size'])
    // Judged once.
    expect(c.judge(fetched)).toEqual({ matched: [], mismatched: [] })
    expect(c.size).toBe(0)
  })

  it("a member's later hit replaces its claim; a torrent nobody claimed judges nobody", () => {
    const c = new HitClaims()
    c.record('m', [hit({ totalSize: 1 })])
    c.record('m', [hit({})])
    expect(c.judge(fetched)).toEqual({ matched: ['m'], mismatched: [] })
    expect(c.judge({ ...fetched, infohashV1: randomBytes(20), infohashV2: null })).toEqual({
      matched: [],
      mismatched: [],
    })
  })
})
