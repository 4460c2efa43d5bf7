import { MeshError } from '../errors.js'

export type BusErrorCode =
  /** The slot name is empty, longer than 64 bytes (BEP 44 salt cap) or not a known form. */
  | 'BAD_SLOT'
  /** A writer tried to put a slot named after another writer (`feed:<someone else>`). */
  | 'NOT_SLOT_OWNER'
  /** The sealed value would exceed the 1000-byte BEP 44 cap. */
  | 'VALUE_TOO_LARGE'
  /** The DHT kept answering with a newer seq (CAS/seq conflicts) after the retries. */
  | 'SEQ_CONFLICT'
  /** The bus was closed. */
  | 'BUS_CLOSED'
  /** A bad argument (key or id length, interval). */
  | 'BAD_ARGUMENT'

/** Everything the gossip bus throws. Messages never contain keys, plaintext or ciphertext. */
export class BusError extends MeshError {
  override readonly name = 'BusError'
  override readonly code: BusErrorCode
  constructor(code: BusErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}
