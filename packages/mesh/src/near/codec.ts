// bb_near (docs/PROTOCOL.md, "bb_near: list-near-K"): a members-only KRPC method. A member asks
// another member's DHT node for the K nodes it knows closest to a target and the infohashes it
// stores nearest to it. The query carries a MAC (near/mac.ts); the reply is validated here with caps,
// so a member's node gives no more than it may and a reader takes no more than that.
import { createHmac } from 'node:crypto'
import { decodeNodes, encodeNodes, type BDict, type BInput, type NodeInfo } from '@bbmesh/dht'
import { NearError } from '../errors.js'

export const NEAR_METHOD = 'bb_near'
/** Nodes per reply: BEP 5's K. */
export const NEAR_MAX_NODES = 8
/** Infohashes per reply: with 8 nodes (208 bytes) the reply stays under 1,400 bytes (one datagram). */
export const NEAR_MAX_INFOHASHES = 50
export const NEAR_MAC_BYTES = 32
/** Transaction ids longer than this are refused (ours are 2 bytes; BEP 5 leaves the length open). */
export const NEAR_MAX_TID_BYTES = 16

const ID = 20

/** The MAC label: "bbmesh-near-v1" || 0x00 (docs/PROTOCOL.md). */
const LABEL = Buffer.from('bbmesh-near-v1\0', 'latin1')

/**
 * HMAC-SHA256(key, "bbmesh-near-v1" || 0x00 || len(t) || t || target || querier id), `len(t)` one
 * byte: the MAC binds the query to its tid, its target and the node id it is sent under, so it cannot
 * be replayed under another tid or target, nor presented by another node id.
 */
export function nearMac(key: Uint8Array, t: Uint8Array, target: Uint8Array, querier: Uint8Array): Buffer {
  if (t.length > NEAR_MAX_TID_BYTES || target.length !== ID || querier.length !== ID)
    throw new NearError('bb_near MAC over a bad tid, target or id', 'BAD_NEAR_ARGS')
  return createHmac('sha256', key)
    .update(LABEL)
    .update(Buffer.of(t.length))
    .update(t)
    .update(target)
    .update(querier)
    .digest()
}

export interface NearReply {
  /** The replying node's K closest known nodes to the target (compact, BEP 5). */
  nodes: NodeInfo[]
  /** Stored infohashes nearest the target (XOR), nearest first. */
  infohashes: Buffer[]
  /** How many infohashes the replying node stores in all. */
  num: number
}

export function encodeNearReply(r: NearReply): { [key: string]: BInput } {
  return {
    nodes: encodeNodes(r.nodes.slice(0, NEAR_MAX_NODES)),
    samples: Buffer.concat(r.infohashes.slice(0, NEAR_MAX_INFOHASHES)),
    num: r.num,
  }
}

/** Validates a bb_near `r` dict: every field typed and capped, else NearError BAD_NEAR_REPLY. */
export function decodeNearReply(r: BDict): NearReply {
  const { nodes, samples, num } = r
  const bad = (what: string): NearError => new NearError(`bb_near reply: ${what}`, 'BAD_NEAR_REPLY')
  if (!Buffer.isBuffer(nodes) || nodes.length % 26 !== 0 || nodes.length > NEAR_MAX_NODES * 26)
    throw bad('nodes')
  if (!Buffer.isBuffer(samples) || samples.length % ID !== 0 || samples.length > NEAR_MAX_INFOHASHES * ID)
    throw bad('samples')
  if (typeof num !== 'number' || !Number.isSafeInteger(num) || num < 0) throw bad('num')
  const infohashes: Buffer[] = []
  for (let at = 0; at < samples.length; at += ID) infohashes.push(Buffer.from(samples.subarray(at, at + ID)))
  return { nodes: decodeNodes(nodes), infohashes, num }
}
