// The simulator's community: links between pooling members as in-memory connections on the virtual
// clock, standing in for the gated TCP links of the real mesh (whose gate and membership the
// loopback testnet runs for real). Each link carries the same extensions a member registers on the
// mesh (bb_pool, bb_relay): every message is encoded, bencoded, decoded by the receiver's codec and
// delivered after a one-way latency, in order per direction like TCP, so the pool and relay code
// run unchanged and their bytes are counted.
import {
  bencode,
  CodecError,
  decodePrefix,
  dict,
  isDict,
  type ConnectionLink,
  type ExtensionDefinition,
  type ExtensionInstance,
  type ExtensionPeer,
  type ExtensionSession,
} from '@bbmesh/wire'
import type { Random } from '@bbmesh/mesh'
import type { VirtualClock } from './clock.js'

/** What one member puts on every link: its extensions and the peer id the gate would have bound. */
export interface SimMember {
  peerId: Uint8Array
  extensions: readonly ExtensionDefinition<unknown>[]
}

export interface MemberLinkStats {
  links: number
  messages: number
  bytes: number
  /** Messages a codec refused (a protocol error: that link was closed). */
  codecErrors: number
}

interface Codec {
  msgType: number | null
  encode(v: unknown): { dict: Record<string, unknown>; trailer?: Uint8Array }
  decode(d: never, trailer: Uint8Array): unknown
}

/** Links every pair of members; returns a closer for all of them and the counters. */
export function linkSimMembers(
  members: readonly SimMember[],
  clock: VirtualClock,
  latencyMs: [number, number],
  random: Random,
): { stats: MemberLinkStats; close(): void } {
  const stats: MemberLinkStats = { links: 0, messages: 0, bytes: 0, codecErrors: 0 }
  const closers: (() => void)[] = []
  for (let a = 0; a < members.length; a++)
    for (let b = a + 1; b < members.length; b++) {
      const latency = latencyMs[0] + random() * (latencyMs[1] - latencyMs[0])
      closers.push(connect(members[a]!, members[b]!, clock, latency, stats))
      stats.links++
    }
  return { stats, close: () => closers.forEach((c) => c()) }
}

function connect(
  a: SimMember,
  b: SimMember,
  clock: VirtualClock,
  latency: number,
  stats: MemberLinkStats,
): () => void {
  let closed = false
  const instances: { mine: ExtensionInstance<unknown>; def: ExtensionDefinition<unknown> }[][] = [[], []]
  const sessions: ExtensionSession<unknown>[][] = [[], []]
  const lastDelivery = [0, 0]
  const close = (): void => {
    if (closed) return
    closed = true
    for (const side of instances) for (const i of side) i.mine.onClose?.()
  }
  const ends = [a, b] as const
  for (const side of [0, 1] as const) {
    const me = ends[side]
    const other = ends[1 - side]!
    const peer: ExtensionPeer = {
      direction: side === 0 ? 'outbound' : 'inbound',
      remoteAddress: `member-${side === 0 ? 'b' : 'a'}`,
      remotePort: 1,
      infoHash: undefined,
      peerId: other.peerId,
      clientName: 'bbmesh sim',
      close,
    }
    me.extensions.forEach((def, e) => {
      const session: ExtensionSession<unknown> = {
        peer,
        send: (type, value) => {
          if (closed) return
          const codec = (def.protocol.codecs as Record<string, Codec>)[type as string]!
          const enc = codec.encode(value)
          const payload = Buffer.concat([
            bencode(dict({ ...enc.dict, msg_type: codec.msgType ?? undefined } as never)),
            enc.trailer ?? new Uint8Array(0),
          ])
          stats.messages++
          stats.bytes += payload.length
          // In order per direction, as over TCP.
          const at = Math.max(lastDelivery[side]!, clock.now() + latency)
          lastDelivery[side] = at
          clock.setTimeout(() => deliver(1 - side, e, type as string, payload), at - clock.now())
        },
      }
      sessions[side]!.push(session)
      instances[side]!.push({ mine: def.create(session, NO_LINK), def })
    })
  }
  // The receiver decodes with its own codec; anything it refuses closes the link, as on the wire.
  function deliver(side: number, e: number, type: string, payload: Uint8Array): void {
    if (closed) return
    const target = instances[side]![e]
    if (target === undefined) return
    try {
      const [value, end] = decodePrefix(payload)
      if (!isDict(value)) throw new CodecError('not a dict')
      const codec = (target.def.protocol.codecs as Record<string, Codec>)[type]!
      const decoded = codec.decode(value as never, payload.subarray(end))
      const handler = (
        target.mine.handlers as Record<string, ((v: unknown, s: unknown) => void) | undefined>
      )[type]
      handler?.(decoded, sessions[side]![e])
    } catch {
      stats.codecErrors++
      close()
    }
  }
  for (const side of [0, 1]) instances[side]!.forEach((i, e) => i.mine.onReady?.(sessions[side]![e]!))
  return close
}

/** The gate's internals are not simulated: these links are members-only by construction. */
const NO_LINK: ConnectionLink = {
  localPeerId: new Uint8Array(20),
  membersMap: () => ({}),
  openGate: () => undefined,
  gateFailed: () => undefined,
}
