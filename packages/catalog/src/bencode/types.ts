/**
 * A bencoded value. Dictionary keys are "binary strings": one UTF-16 unit per byte (latin1), so any
 * byte sequence is a key without loss and JavaScript's default string order is the raw byte order
 * BEP 3 requires for dictionary keys.
 */
export type BValue = number | Uint8Array | BValue[] | BDict
export type BDict = Map<string, BValue>

/** Raw bytes → dictionary key. */
export function bkey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
}

/** Dictionary key → raw bytes. */
export function keyBytes(key: string): Uint8Array {
  return new Uint8Array(Buffer.from(key, 'latin1'))
}

/** UTF-8 text → bencode byte string. */
export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'))
}

/** A dictionary from entries whose keys are ASCII (the keys every BEP defines). */
export function bdict(entries: Record<string, BValue | undefined>): BDict {
  const out: BDict = new Map()
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out.set(k, v)
  return out
}

export const isDict = (v: BValue | undefined): v is BDict => v instanceof Map
export const isBytes = (v: BValue | undefined): v is Uint8Array => v instanceof Uint8Array
export const isList = (v: BValue | undefined): v is BValue[] => Array.isArray(v)
export const isInt = (v: BValue | undefined): v is number => typeof v === 'number'
