// Sizes and schedules of the gossip bus (docs/PROTOCOL.md, "Gossip bus").
import { constants as dht } from '@bbmesh/dht'

/** BEP 44: `v` is at most 1000 bytes bencoded; the salt (our slot name) at most 64 bytes. */
export const MAX_ITEM_VALUE_BYTES = dht.MAX_ITEM_VALUE_BYTES
export const MAX_SLOT_BYTES = dht.MAX_SALT_BYTES
/** BEP 44 error codes a put can meet when another writer got there first. */
export const ERR_CAS_MISMATCH = dht.ERR_CAS_MISMATCH
export const ERR_SEQ_TOO_LOW = dht.ERR_SEQ_TOO_LOW

/** XChaCha20-Poly1305 (IETF): 24-byte random nonce, 16-byte tag, 32-byte key. */
export const NONCE_BYTES = 24
export const TAG_BYTES = 16
export const KEY_BYTES = 32

/** Domain separation for the AAD and the writer signature, so neither can be reused elsewhere. */
export const AAD_LABEL = Buffer.from('bbmesh-bus-v1\0')
export const SIGN_LABEL = Buffer.from('bbmesh-bus-sig-v1\0')

export const NODE_ID_BYTES = 20
export const PUBLIC_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64

/** Storers drop BEP 44 items after about 2 h; republishing every 30 min keeps them alive. */
export const DEFAULT_REPUBLISH_MS = 30 * 60_000
/** `watch` polls: default once a minute, never faster than 1 s nor slower than 1 h. */
export const DEFAULT_WATCH_MS = 60_000
export const MIN_WATCH_MS = 1_000
export const MAX_WATCH_MS = 60 * 60_000
/** A put that meets a newer seq re-reads and tries again this many times. */
export const PUT_ATTEMPTS = 3
