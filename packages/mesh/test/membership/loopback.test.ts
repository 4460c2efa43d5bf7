// Membership over real sockets on 127.0.0.1: 8 members among 20 stock bittorrent-dht nodes, each member
// bootstrapped from one stock node only, find all the others through the rendezvous swarm and
// bb_members gossip. A stranger who knows the rendezvous hash and a member's address gets only an
// ordinary peer offering bb_gate; another community forms apart and never mixes.
import { once } from 'node:events'
import { connect } from 'node:net'
import Protocol from 'bittorrent-protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNet, until, type Net } from '../bus/net.js'
import { converged, Members, newKeys, type TestMember } from './harness.js'

let net: Net
const members = new Members()
const keysA = newKeys()
let groupA: TestMember[] = []

beforeAll(async () => {
  net = await createNet({ ours: 0, stock: 20 })
}, 30_000)
afterAll(async () => {
  await members.close()
  await net?.destroy()
})

const stockAddr = (i: number): string => `127.0.0.1:${net.stocks[i % net.stocks.length]!.address().port}`

describe('community membership on loopback (8 members, 20 stock DHT nodes)', { timeout: 60_000 }, () => {
  it('every member finds every other member, each bootstrapped from one stock node', async () => {
    groupA = await Promise.all(Array.from({ length: 8 }, (_, i) => members.add(keysA, stockAddr(i))))
    await until('8 members converged', 40_000, () => converged(groupA))
    for (const m of groupA) {
      const s = m.mesh.stats()
      expect(s.members).toBe(7)
      expect(s.connected).toBeGreaterThanOrEqual(1)
      expect(s.announces).toBeGreaterThanOrEqual(1)
    }
    // The addresses gossiped are the members' real wire ports.
    const a = groupA[0]!
    const ports = new Set(groupA.slice(1).map((m) => m.mesh.host.port))
    for (const info of a.mesh.members()) expect(ports.has(info.wirePort)).toBe(true)
  })

  it('a stranger with the rendezvous hash and a member address sees only bb_gate and no members', async () => {
    const target = groupA[1]!
    const ih = target.mesh.rendezvous.todayHash()
    const socket = connect(target.mesh.host.port!, '127.0.0.1')
    await once(socket, 'connect')
    const wire = new Protocol()
    socket.pipe(wire).pipe(socket)
    const extended: Record<string, unknown>[] = []
    const handshake = new Promise<{ m: Record<string, number> }>((resolve, reject) => {
      wire.on('extended', (ext: string, msg: unknown) => {
        if (ext === 'handshake') resolve(msg as { m: Record<string, number> })
        else extended.push({ ext, msg })
      })
      const counters = (): string => JSON.stringify(target.mesh.host.counters.snapshot())
      socket.once('close', () => reject(new Error(`member closed the stranger: ${counters()}`)))
      setTimeout(() => reject(new Error(`no extended handshake: ${counters()}`)), 10_000).unref()
    })
    wire.handshake(ih, Buffer.alloc(20, 7), { dht: true })
    const hs = await handshake
    expect(Object.keys(hs.m)).toEqual(['bb_gate'])
    // Say nothing back: the gate never starts for a peer that does not offer bb_gate.
    await new Promise((r) => setTimeout(r, 1_000))
    socket.destroy()
    expect(extended).toEqual([])
    for (const m of groupA) {
      expect(m.mesh.members().length).toBe(7)
      expect(m.mesh.members().some((x) => x.wirePort === socket.localPort)).toBe(false)
    }
  })

  it('another community on the same DHT forms its own membership and never mixes', async () => {
    const keysB = newKeys()
    const groupB = await Promise.all(
      Array.from({ length: 3 }, (_, i) => members.add(keysB, stockAddr(i + 10))),
    )
    await until('3 members of B converged', 30_000, () => converged(groupB))
    const idsA = new Set(groupA.map((m) => m.id))
    for (const m of groupB) for (const x of m.mesh.members()) expect(idsA.has(x.nodeId)).toBe(false)
    for (const m of groupA) expect(m.mesh.members().length).toBe(7)
  })

  it('a member that leaves is gossiped as gone; one that rejoins is seen again', async () => {
    const leaver = groupA.pop()!
    await members.remove(leaver)
    await until('leave seen by all', 20_000, () =>
      groupA.every((m) => !m.mesh.members().some((x) => x.nodeId === leaver.id)),
    )
    const back = await members.add(keysA, stockAddr(3))
    groupA.push(back)
    await until('8 members again', 40_000, () => converged(groupA))
  })

  it('a member whose key was rotated away is dropped and cannot come back in', async () => {
    // Everyone but the old member moves to a new key: the new community forms; the old key's holder
    // fails the gate everywhere and is in nobody's table once its last sighting has aged out.
    const rotated = newKeys()
    const excluded = groupA[0]!
    const stay = groupA.slice(1)
    await Promise.all(stay.map((m) => members.remove(m)))
    const renewed = await Promise.all(stay.map((_, i) => members.add(rotated, stockAddr(i + 5))))
    await until('renewed community converged', 40_000, () => converged(renewed))
    await until('excluded member forgotten', 20_000, () => excluded.mesh.members().length === 0)
    for (const m of renewed) expect(m.mesh.members().some((x) => x.nodeId === excluded.id)).toBe(false)
    // Knowing a renewed member's address is not enough: the old key's rendezvous hash is refused at
    // the handshake (the renewed member accepts only its own community's hashes), so no gate even runs.
    const refusedBefore = renewed[0]!.mesh.host.counters.closedFor('unknown-infohash')
    excluded.mesh.addCandidates([{ host: '127.0.0.1', port: renewed[0]!.mesh.host.port! }])
    await until(
      'excluded member refused at the handshake',
      20_000,
      () => renewed[0]!.mesh.host.counters.closedFor('unknown-infohash') > refusedBefore,
    )
    expect(excluded.mesh.members()).toEqual([])
    for (const m of renewed) expect(m.mesh.members().some((x) => x.nodeId === excluded.id)).toBe(false)
  })
})
