// Public API of @bbmesh/dht.
export { DhtNode, createDhtNode } from './node.js'
export type { DhtNodeEvents, QueryOptions, SampleObservation } from './node.js'
export type { DhtNodeOptions } from './node-options.js'
export type { DhtNodeStats } from './node-stats.js'
export type {
  EngineContact as RoutingContact,
  EngineBucket as RoutingBucket,
} from './adapter/bittorrent-dht.js'
export type {
  IncomingQuery,
  QueryHandler,
  QueryReply,
  GetPeersObservation,
  AnnounceObservation,
} from './handlers/types.js'
export type {
  DhtItem,
  MutablePutOptions,
  PointerPutOptions,
  PutResult,
  SignedItem,
  SignedPutResult,
} from './item-client.js'
export { generateKeyPair, sign, verify } from './adapter/ed25519.js'
export type { KeyPair } from './adapter/ed25519.js'
export { immutableTarget, mutableTarget, signatureBuffer } from './bep44.js'
export { bencode, bdecode } from './bencode.js'
export type { BValue, BDict, BInput } from './bencode.js'
export { RawBencode } from './bencode.js'
export { encodeNodes, decodeNodes, encodePeer, decodePeers } from './compact.js'
export type { NodeInfo } from './compact.js'
export { decodeSampleReply, encodeSampleReply } from './sample.js'
export type { SampleResult } from './sample.js'
export { MemoryNetwork, MemoryTransport } from './transport/memory.js'
export type { MemoryNetworkOptions, MemoryNetworkStats } from './transport/memory.js'
export { UdpTransport } from './transport/udp.js'
export type { Transport, PeerAddress, BoundAddress } from './transport/types.js'
export { systemClock } from './clock.js'
export type { Clock, Timer } from './clock.js'
export { seededRandom } from './rng.js'
export type { RandomSource } from './rng.js'
export * from './errors.js'
export * as constants from './constants.js'
export { createDhtTestnet } from './testnet.js'
export type { DhtTestnet, DhtTestnetOptions } from './testnet.js'
export { crawlRegion } from './crawl.js'
export type { CrawlOptions, CrawlHit, CrawlStats } from './crawl.js'
export { inRegion, randomIdIn } from './region.js'
export type { Region } from './region.js'
export { deriveNodeId, isNodeIdValidForIp } from './node-id.js'
