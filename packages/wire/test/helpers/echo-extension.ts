// A small bb_* extension used to exercise the framework: ping/pong with a validating codec.
import {
  bytesField,
  dict,
  intField,
  type Codecs,
  type ExtensionDefinition,
  type ExtensionSession,
} from '../../src/index.js'

export interface EchoMessages {
  ping: { seq: number; body: Uint8Array }
  pong: { seq: number }
}

export const echoCodecs: Codecs<EchoMessages> = {
  ping: {
    msgType: 0,
    maxBytes: 128,
    encode: (v) => ({ dict: dict({ seq: v.seq, body: v.body }) }),
    decode: (d) => ({ seq: intField(d, 'seq', 0, 1_000_000), body: bytesField(d, 'body', 0, 64) }),
  },
  pong: {
    msgType: 1,
    maxBytes: 64,
    encode: (v) => ({ dict: dict({ seq: v.seq }) }),
    decode: (d) => ({ seq: intField(d, 'seq', 0, 1_000_000) }),
  },
}

export interface EchoLog {
  pongs: number[]
  pings: number[]
  /** Sessions whose extension became ready (peer advertised it, or the gate opened). */
  sessions: ExtensionSession<EchoMessages>[]
  /** Every session created, ready or not. */
  created: ExtensionSession<EchoMessages>[]
}

export function echoExtension(
  log: EchoLog,
  opts: { name?: string; membersOnly?: boolean; throwOn?: number } = {},
): ExtensionDefinition<EchoMessages> {
  return {
    protocol: {
      name: opts.name ?? 'bb_echo',
      codecs: echoCodecs,
      ...(opts.membersOnly && { membersOnly: true }),
    },
    create: (session) => {
      log.created.push(session)
      return {
        handlers: {
          ping: (m, s) => {
            if (m.seq === opts.throwOn) throw new Error('handler exploded')
            log.pings.push(m.seq)
            s.send('pong', { seq: m.seq })
          },
          pong: (m) => void log.pongs.push(m.seq),
        },
        onReady: () => void log.sessions.push(session),
      }
    },
  }
}

export const newLog = (): EchoLog => ({ pongs: [], pings: [], sessions: [], created: [] })
