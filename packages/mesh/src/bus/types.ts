// The collaborators the bus is given (STYLE.md 7): a DHT and this member's writer identity.
import type { DhtItem, KeyPair, MutablePutOptions, PutResult, SignedItem, SignedPutResult } from '@bbmesh/dht'

/** The part of a DHT node the bus uses; @bbmesh/dht's DhtNode fits. */
export interface BusDht {
  putMutable(o: MutablePutOptions): Promise<PutResult>
  putSigned(item: SignedItem): Promise<SignedPutResult>
  get(target: Uint8Array, opts?: { salt?: Uint8Array }): Promise<DhtItem | null>
}

export interface BusWriter {
  /** This member's DHT node id (20 bytes), stated in every value it writes. */
  id: Uint8Array
  /** This member's own ed25519 key (not the shared bus key): it signs the plaintext. */
  keyPair: KeyPair
}
