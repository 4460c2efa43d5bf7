// TCP dial with a timeout and an AbortSignal; the socket is destroyed on every failure path.
import { connect, type Socket } from 'node:net'
import { DEFAULT_DIAL_TIMEOUT_MS } from './constants.js'
import { AbortError, DialError, TimeoutError } from './errors.js'

export interface PeerAddress {
  host: string
  port: number
}

export function formatAddress(a: PeerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`
}

export function dial(
  addr: PeerAddress,
  timeoutMs = DEFAULT_DIAL_TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError())
    const socket = connect({ host: addr.host, port: addr.port })
    const done = (err?: Error): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      socket.removeListener('error', onError)
      socket.removeListener('connect', onConnect)
      if (err) {
        socket.destroy()
        reject(err)
      } else resolve(socket)
    }
    const onAbort = (): void => done(new AbortError())
    const onError = (err: Error): void =>
      done(new DialError(`dial ${formatAddress(addr)}: ${err.message}`, { cause: err }))
    const onConnect = (): void => done()
    const timer = setTimeout(
      () => done(new TimeoutError('ERR_DIAL_TIMEOUT', `dial ${formatAddress(addr)} timed out`)),
      timeoutMs,
    )
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('error', onError)
    socket.once('connect', onConnect)
  })
}
