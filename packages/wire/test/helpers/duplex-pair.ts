// Two connected in-memory Duplex ends (Node 20 has no stream.duplexPair): what one writes the other
// reads; ending or destroying one ends the other, as a FIN would over TCP.
import { Duplex } from 'node:stream'

export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = []
  const other = (i: number): Duplex => ends[1 - i]!
  const make = (i: number): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        if (!other(i).destroyed) other(i).push(chunk)
        cb()
      },
      final(cb) {
        if (!other(i).destroyed) other(i).push(null)
        cb()
      },
      destroy(err, cb) {
        if (!other(i).destroyed) other(i).push(null)
        cb(err)
      },
    })
  ends.push(make(0), make(1))
  return [ends[0]!, ends[1]!]
}
