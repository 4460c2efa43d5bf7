// bencode 4 ships no types; only decode is used here (torrent-file.ts).
declare module 'bencode' {
  type Bencoded = number | Uint8Array | Bencoded[] | { [key: string]: Bencoded }
  const bencode: {
    decode(data: Uint8Array, start?: number, end?: number): Bencoded
    encode(value: unknown): Uint8Array
  }
  export type { Bencoded }
  export default bencode
}
