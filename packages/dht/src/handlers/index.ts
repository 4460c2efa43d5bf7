// The dispatch table of built-in KRPC methods: one handler per message (STYLE.md point 1).
import { announcePeer } from './announce-peer.js'
import { findNode } from './find-node.js'
import { get } from './get.js'
import { getPeers } from './get-peers.js'
import { ping } from './ping.js'
import { put } from './put.js'
import { sampleInfohashes } from './sample-infohashes.js'
import type { BuiltinHandler } from './types.js'

export const BUILTIN_HANDLERS: ReadonlyMap<string, BuiltinHandler> = new Map([
  ['ping', ping],
  ['find_node', findNode],
  ['get_peers', getPeers],
  ['announce_peer', announcePeer],
  ['get', get],
  ['put', put],
  ['sample_infohashes', sampleInfohashes],
])
