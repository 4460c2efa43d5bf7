// Per-connection bb_sync state: our hello, the member's (its stable id), requests we have open toward
// it (a page listing, or a get whose answer is assembled chunk by chunk) and the serial queue of
// requests it sent us. Every answer is matched to an open request; anything else is a protocol error
// that closes the link.
import type { ExtensionInstance, ExtensionSession, HandlerTable } from '@bbmesh/wire'
import type { Clock } from '../clock.js'
import { SYNC_PROTOCOL_VERSION, type SyncKeys, type SyncMessages } from './codec.js'
import { SyncError } from './errors.js'
import { serveGet, serveList } from './server.js'
import { AnswerAssembler } from './stream.js'
import type { SyncCounters, SyncSource } from './types.js'

/** Requests from one member waiting to be served at most (an honest asker keeps three open). */
const MAX_QUEUED = 4

export type Result<T> = { ok: true; value: T } | { ok: false; why: 'closed' | 'timeout' }

/** What a link reports to, and reads from, the catch-up sync (CatchUpSync). */
export interface SyncCore {
  readonly clock: Clock
  readonly memberId: Uint8Array
  readonly source: SyncSource
  readonly timeoutMs: number
  readonly counters: SyncCounters
  isBanned(who: string, member: string | undefined): boolean
  linkReady(link: SyncLink): void
  linkClosed(link: SyncLink): void
}

type Pending =
  | { kind: 'list'; done: (r: Result<SyncKeys>) => void }
  | { kind: 'get'; answer: AnswerAssembler; done: (r: Result<(Uint8Array | undefined)[]>) => void }

export class SyncLink implements ExtensionInstance<SyncMessages> {
  readonly handlers: HandlerTable<SyncMessages>
  /** The member's stable id (hex), once its hello arrived. */
  member: string | undefined
  open = false
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private queued = 0
  private serving: Promise<void> = Promise.resolve()

  constructor(
    private readonly session: ExtensionSession<SyncMessages>,
    private readonly core: SyncCore,
  ) {
    this.handlers = {
      hello: (h) => this.onHello(h.memberId),
      list: (l) => this.enqueue(() => serveList(this.session, this.core, l)),
      get: (g) => this.enqueue(() => serveGet(this.session, this.core, g)),
      keys: (k) => this.answerList(k),
      data: (d) => this.answerData(d.id, d.offset, d.data, d.final),
    }
  }

  /** The connection's peer id (hex), which the gate bound to the link; bans go by it too. */
  get who(): string {
    return Buffer.from(this.session.peer.peerId ?? []).toString('hex')
  }

  get ready(): boolean {
    return this.open && this.member !== undefined
  }

  onReady(): void {
    this.open = true
    this.session.send('hello', { version: SYNC_PROTOCOL_VERSION, memberId: this.core.memberId })
    if (this.core.isBanned(this.who, this.member)) return this.close('bb_sync: banned')
    if (this.member !== undefined) this.core.linkReady(this)
  }

  onClose(): void {
    this.open = false
    this.abortPending()
    this.core.linkClosed(this)
  }

  /** Ends every request we have open on this link as closed (on close, or when the sync stops). */
  abortPending(): void {
    for (const p of this.pending.values()) p.done({ ok: false, why: 'closed' })
    this.pending.clear()
  }

  close(reason: string): void {
    this.session.peer.close(reason)
  }

  /** Asks for a page of keys after `cursor`. */
  list(cursor: Uint8Array, limit: number): Promise<Result<SyncKeys>> {
    return this.request((id, done) => {
      this.pending.set(id, { kind: 'list', done })
      this.session.send('list', { id, cursor, limit })
    })
  }

  /** Asks for the dicts of `keys`: one per key in order, undefined where the member sent none. */
  get(keys: Uint8Array[]): Promise<Result<(Uint8Array | undefined)[]>> {
    return this.request((id, done) => {
      this.pending.set(id, { kind: 'get', answer: new AnswerAssembler(keys.length), done })
      this.session.send('get', { id, keys })
    })
  }

  private request<T>(send: (id: number, done: (r: Result<T>) => void) => void): Promise<Result<T>> {
    if (!this.open) return Promise.resolve({ ok: false, why: 'closed' })
    const id = this.nextId++
    return new Promise<Result<T>>((resolve) => {
      const timer = this.core.clock.setTimeout(() => {
        this.pending.delete(id)
        resolve({ ok: false, why: 'timeout' })
      }, this.core.timeoutMs)
      send(id, (r) => {
        timer.cancel()
        resolve(r)
      })
    })
  }

  private onHello(memberId: Uint8Array): void {
    if (this.member !== undefined) return // one hello per link; a repeat changes nothing
    this.member = Buffer.from(memberId).toString('hex')
    if (this.core.isBanned(this.who, this.member)) return this.close('bb_sync: banned')
    if (this.open) this.core.linkReady(this)
  }

  private enqueue(serve: () => Promise<void>): void {
    if (this.queued >= MAX_QUEUED) {
      this.core.counters.floodDropped++
      return
    }
    this.queued++
    // One request served at a time per link: an asker gets its answers in order and cannot make us
    // build more than a few answers at once.
    this.serving = this.serving
      .then(() => (this.open && !this.core.isBanned(this.who, this.member) ? serve() : undefined))
      .catch(() => undefined)
      .finally(() => void this.queued--)
  }

  private answerList(k: SyncKeys): void {
    const p = this.pending.get(k.id)
    if (p === undefined) return // late (timed out) or never asked: ignored, as in bb_relay
    if (p.kind !== 'list') return this.protocolError('keys answering a get')
    this.pending.delete(k.id)
    p.done({ ok: true, value: k })
  }

  private answerData(id: number, offset: number, data: Uint8Array, final: boolean): void {
    const p = this.pending.get(id)
    if (p === undefined) return
    if (p.kind !== 'get') return this.protocolError('data answering a list')
    let dicts: (Uint8Array | undefined)[] | undefined
    try {
      dicts = p.answer.add(offset, data, final)
    } catch (err) {
      return this.protocolError(err instanceof SyncError ? err.message : String(err))
    }
    if (dicts === undefined) return
    this.pending.delete(id)
    p.done({ ok: true, value: dicts })
  }

  /** A malformed answer: counted, the link closed (docs/PROTOCOL.md: a protocol error). */
  protocolError(reason: string): void {
    this.core.counters.protocolErrors++
    this.close(`bb_sync: ${reason}`)
  }
}
