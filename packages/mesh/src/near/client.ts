// The bb_near client: one MACed query from a member's DHT node to another member's. The MAC is made
// when the socket picks the transaction id (the dht's `seal`), over that tid, the target and the node
// id the query goes out under, so only this query, sent once, verifies.
import type { BDict, BInput } from '@bbmesh/dht'
import { NearError } from '../errors.js'
import { decodeNearReply, nearMac, NEAR_MAX_TID_BYTES, NEAR_METHOD, type NearReply } from './codec.js'

/** What the client needs of a DHT node; @bbmesh/dht's DhtNode fits it. */
export interface NearQuerier {
  query(
    to: { host: string; port: number },
    method: string,
    args: { [key: string]: BInput },
    opts: {
      seal: (t: Buffer, args: { [key: string]: BInput | undefined | null }) => { [key: string]: BInput }
    },
  ): Promise<BDict>
}

/**
 * Asks the member DHT node at `to` for its K nodes closest to `target` and its stored infohashes
 * nearest it. `key` is CommunityKeys.nearMacKey. Rejects with the DHT's KrpcRemoteError (204 when
 * the node is no member of ours), its timeout, or NearError BAD_NEAR_REPLY.
 */
export async function queryNear(
  dht: NearQuerier,
  to: { host: string; port: number },
  target: Uint8Array,
  key: Uint8Array,
): Promise<NearReply> {
  if (target.length !== 20) throw new NearError('bb_near target must be 20 bytes', 'BAD_NEAR_ARGS')
  const t20 = Buffer.from(target)
  const r = await dht.query(
    to,
    NEAR_METHOD,
    { target: t20 },
    {
      // Runs inside the socket's send path, so it must not throw: without a usable id or tid the query
      // goes out without a MAC and is answered 204, like any stranger's.
      seal: (t, a): { [key: string]: BInput } => {
        const id = a.id
        return Buffer.isBuffer(id) && id.length === 20 && t.length <= NEAR_MAX_TID_BYTES
          ? { mac: nearMac(key, t, t20, id) }
          : {}
      },
    },
  )
  return decodeNearReply(r)
}
