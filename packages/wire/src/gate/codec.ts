// bb_gate messages (docs/PROTOCOL.md, "bb_gate"). Fixed-length binary fields, validated on decode.
import { dict, isDict, type BDict } from '../bencode/bencode.js'
import { bytesField, dictField } from '../bencode/fields.js'
import { GATE_EXTENSION_NAME, GATE_NONCE_LENGTH, GATE_PROOF_LENGTH } from '../constants.js'
import { CodecError } from '../errors.js'
import type { Codecs, ExtensionProtocol } from '../extensions/types.js'

export interface GateMessages {
  hello: { nonce: Uint8Array }
  proof: { proof: Uint8Array }
  members: { extensions: Map<string, number>; tag: Uint8Array }
}

/** Members-only extensions a peer may list; a bound on what a member can make us store. */
const MAX_MEMBER_EXTENSIONS = 64

function decodeMembers(d: BDict): Map<string, number> {
  const m = dictField(d, 'm')
  const out = new Map<string, number>()
  const entries = Object.entries(m)
  if (entries.length > MAX_MEMBER_EXTENSIONS) throw new CodecError('too many members-only extensions')
  for (const [name, id] of entries) {
    if (typeof id !== 'number' || id < 1 || id > 255) throw new CodecError(`bad id for ${name}`)
    out.set(name, id)
  }
  return out
}

export function encodeMembersDict(m: ReadonlyMap<string, number>): BDict {
  return dict(Object.fromEntries(m))
}

export const gateCodecs: Codecs<GateMessages> = {
  hello: {
    msgType: 0,
    maxBytes: 128,
    encode: (v) => ({ dict: dict({ n: v.nonce }) }),
    decode: (d) => ({ nonce: bytesField(d, 'n', GATE_NONCE_LENGTH, GATE_NONCE_LENGTH) }),
  },
  proof: {
    msgType: 1,
    maxBytes: 128,
    encode: (v) => ({ dict: dict({ h: v.proof }) }),
    decode: (d) => ({ proof: bytesField(d, 'h', GATE_PROOF_LENGTH, GATE_PROOF_LENGTH) }),
  },
  members: {
    msgType: 2,
    maxBytes: 4096,
    encode: (v) => ({ dict: dict({ m: encodeMembersDict(v.extensions), h: v.tag }) }),
    decode: (d) => {
      if (!isDict(d['m'])) throw new CodecError('field m: expected dict')
      return { extensions: decodeMembers(d), tag: bytesField(d, 'h', GATE_PROOF_LENGTH, GATE_PROOF_LENGTH) }
    },
  },
}

export const gateProtocol: ExtensionProtocol<GateMessages> = { name: GATE_EXTENSION_NAME, codecs: gateCodecs }
