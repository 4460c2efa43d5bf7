// Public API of @bbmesh/wire.
export * from './constants.js'
export * from './errors.js'
export {
  decode as bdecode,
  encode as bencode,
  decodePrefix,
  rawDictValue,
  dict,
  isDict,
} from './bencode/bencode.js'
export type { BDict, BValue } from './bencode/bencode.js'
export { intField, optIntField, bytesField, optBytesField, dictField, listField } from './bencode/fields.js'
export { WireCounters } from './counters.js'
export type { CloseReason, WireCounterSnapshot } from './counters.js'
export { PeerConnection, defaultLimits } from './connection.js'
export type { ConnectionLimits, ConnectionOptions, ConnectionEvents, CloseInfo } from './connection.js'
export type { WireHandshake } from './adapter/wire-adapter.js'
export type { ExtendedHandshake } from './extended-handshake.js'
export { PeerHost, randomPeerId } from './host.js'
export type { PeerDialer, PeerHostOptions } from './host.js'
export { dial, formatAddress } from './dial.js'
export type { PeerAddress } from './dial.js'
export { ExtensionRegistry } from './extensions/registry.js'
export type * from './extensions/types.js'
export { metadataCodecs, metadataProtocol } from './metadata/codec.js'
export type { MetadataMessages } from './metadata/codec.js'
export { createMetadataExtension, MetadataPeer } from './metadata/extension.js'
export { fetchMetadata } from './metadata/fetch.js'
export type { FetchMetadataOptions, FetchMetadataResult, PeerFailure } from './metadata/fetch.js'
export { parseInfoHash, verifyInfo, sha1, sha256 } from './metadata/infohash.js'
export type { InfoHashTarget, InfoHashVersion } from './metadata/infohash.js'
export { MetadataStore } from './metadata/store.js'
export type { MetadataLookup, StoredInfo } from './metadata/store.js'
export { MetadataServer } from './metadata/serve.js'
export type { AsyncMetadataLookup, MetadataServerOptions } from './metadata/serve.js'
export { gateCodecs, gateProtocol } from './gate/codec.js'
export type { GateMessages } from './gate/codec.js'
export { gateKey, gateProof, gateMembersTag } from './gate/crypto.js'
export type { GateTranscript } from './gate/crypto.js'
export { createGateExtension, GatePeer } from './gate/gate.js'
export type { GateOptions, GateState } from './gate/gate.js'
export { pexCodecs, pexProtocol } from './pex/codec.js'
export type { PexMessage, PexMessages, PexPeer } from './pex/codec.js'
export { createPexExtension, PexPeerState } from './pex/pex.js'
export type { PexOptions } from './pex/pex.js'
// Piece transfer (issue 6).
export * from './pieces/index.js'
