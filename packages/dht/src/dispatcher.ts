// Routes incoming KRPC queries: built-in handlers first, then handle()-registered ones; anything
// else is answered with 204 (BEP 5), which bittorrent-dht never sends.
import { ERR_METHOD_UNKNOWN, ERR_SERVER } from './constants.js'
import { InvalidArgumentError } from './errors.js'
import { BUILTIN_HANDLERS } from './handlers/index.js'
import type {
  BuiltinHandler,
  IncomingQuery,
  QueryHandler,
  QueryReply,
  ServerContext,
} from './handlers/types.js'
import type { KrpcSocket } from './krpc/socket.js'
import type { KrpcMessage, RemoteInfo } from './krpc/types.js'

export class Dispatcher {
  /** putsRefused: BEP 44 puts answered with an error, by code (203 token, 205 size, 206 signature, 207 salt, 301 cas, 302 seq). */
  readonly counters = { unknownMethods: 0, handlerErrors: 0, putsRefused: {} as Record<number, number> }
  /** Created by the first handle(): most nodes register no custom method. */
  private handlers: Map<string, QueryHandler> | null = null

  constructor(
    private readonly id: Buffer,
    private readonly socket: KrpcSocket,
    private readonly ctx: ServerContext,
  ) {}

  handle(method: string, handler: QueryHandler): void {
    if (BUILTIN_HANDLERS.has(method)) throw new InvalidArgumentError(`${method} is a built-in method`)
    this.handlers ??= new Map()
    this.handlers.set(method, handler)
  }

  unhandle(method: string): void {
    this.handlers?.delete(method)
  }

  /** `msg` was validated by KrpcSocket: `q` is a byte string, `a` a dict with a 20-byte id. */
  dispatch(msg: KrpcMessage, from: RemoteInfo): void {
    const q: IncomingQuery = {
      method: msg.q!.toString('latin1'),
      t: msg.t,
      args: msg.a!,
      senderId: msg.a!.id as Buffer,
      from: { host: from.host, port: from.port },
    }
    const builtin = BUILTIN_HANDLERS.get(q.method)
    if (builtin) {
      const rep = this.run(builtin, q)
      if (q.method === 'put' && rep && 'e' in rep) {
        const code = rep.e[0]
        this.counters.putsRefused[code] = (this.counters.putsRefused[code] ?? 0) + 1
      }
      return this.reply(q, rep)
    }
    const custom = this.handlers?.get(q.method)
    if (!custom) {
      this.counters.unknownMethods++
      return this.reply(q, { e: [ERR_METHOD_UNKNOWN, 'Method Unknown'] })
    }
    const fail = (): void => {
      this.counters.handlerErrors++
      this.reply(q, { e: [ERR_SERVER, 'Server Error'] })
    }
    Promise.resolve()
      .then(() => custom(q))
      .then((rep: unknown) => {
        // Checked because JS callers get no type error: a bare `{ token }` would otherwise go out as
        // a reply holding only our id, the handler's fields silently dropped.
        const ok = wellFormed(rep)
        if (ok === undefined) fail()
        else this.reply(q, ok)
      }, fail)
  }

  private run(handler: BuiltinHandler, q: IncomingQuery): QueryReply {
    try {
      return handler(q, this.ctx)
    } catch {
      this.counters.handlerErrors++
      return { e: [ERR_SERVER, 'Server Error'] }
    }
  }

  private reply(q: IncomingQuery, rep: QueryReply): void {
    if (!rep || this.socket.destroyed) return
    if ('e' in rep) this.socket.error(q.from, q, rep.e)
    else this.socket.reply(q.from, q, this.id, rep.r)
  }
}

/** A custom handler's answer if it has one of QueryReply's shapes (undefined counts as null), else undefined. */
function wellFormed(rep: unknown): QueryReply | undefined {
  if (rep === null || rep === undefined) return null
  if (typeof rep !== 'object' || Object.keys(rep).length !== 1) return undefined
  if ('r' in rep) {
    const r = rep.r
    const isDict = typeof r === 'object' && r !== null && !Array.isArray(r) && !(r instanceof Uint8Array)
    return isDict ? (rep as QueryReply) : undefined
  }
  if ('e' in rep) {
    const e = rep.e
    const ok = Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]) && typeof e[1] === 'string'
    return ok ? (rep as QueryReply) : undefined
  }
  return undefined
}
