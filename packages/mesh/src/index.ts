export { systemClock, sleep, ManualClock, type Clock, type Timer } from './clock.js'
export { seededUniform, randomBytes, type Random } from './random.js'
export { toHex, fromHex } from './hex.js'
export {
  MeshError,
  ClosedError,
  LimiterFullError,
  PersistError,
  FetchError,
  InfoDictError,
  FETCH_FAILURE_REASONS,
  type FetchFailureReason,
} from './errors.js'
export {
  BoundedQueue,
  type BoundedQueueOptions,
  type BoundedQueueCounters,
  type DropPolicy,
} from './pipeline/bounded-queue.js'
export { BloomFilter, type BloomFilterOptions } from './pipeline/bloom-filter.js'
export { backoffDelay, retry, type BackoffOptions, type RetryOptions } from './pipeline/backoff.js'
export {
  FailureCache,
  type FailureCacheOptions,
  type FailureEntry,
  type FailureCacheCounters,
} from './pipeline/failure-cache.js'
export {
  ConcurrencyLimiter,
  type ConcurrencyLimiterOptions,
  type ConcurrencyLimiterCounters,
  type Release,
} from './pipeline/concurrency-limiter.js'
export {
  BatchedPersister,
  type BatchedPersisterOptions,
  type BatchedPersisterCounters,
} from './pipeline/batched-persister.js'
export { RateMeter } from './pipeline/rate-meter.js'
export {
  Triage,
  type TriageOptions,
  type TriageVerdict,
  type TriageCounters,
  type Candidate,
  type KnownInfohashes,
} from './pipeline/triage.js'
export { withDeadline } from './pipeline/deadline.js'
export {
  createHarvester,
  type Harvester,
  type HarvesterOptions,
  type HarvesterStats,
} from './harvester/harvester.js'
export { HARVESTER_DEFAULTS } from './harvester/defaults.js'
export type {
  HarvestDht,
  HarvestIndex,
  PendingInfohash,
  MetadataFetcher,
  Observation,
  SampleReply,
  DhtContact,
  Endpoint,
  HarvestPool,
  PoolSighting,
  OfferHints,
} from './harvester/types.js'
export type { ResamplePolicy, NodeBookCounters } from './harvester/node-book.js'
export type { SamplerCounters } from './harvester/sampler.js'
export type { FetchStageCounters } from './harvester/fetch-stage.js'
export { infoToTorrent } from './harvester/info-to-torrent.js'
export { dhtNodeAdapter } from './adapters/dht-node.js'
export { createWireFetcher, type WireFetcher, type WireFetcherOptions } from './adapters/wire-fetcher.js'
export { CommunityError, NearError } from './errors.js'
export {
  deriveCommunityKeys,
  communityFingerprint,
  deriveKey,
  COMMUNITY_KEY_LENGTH,
  type CommunityKeys,
  type DerivationLabel,
} from './community/derive.js'
export { encodeInvite, decodeInvite, parseHint, INVITE_PREFIX, type Invite } from './community/invite.js'
export {
  createCommunity,
  joinCommunity,
  loadCommunity,
  inviteFor,
  listCommunities,
  COMMUNITIES_DIR,
  type Community,
} from './community/key-store.js'
export { rendezvousInfoHash, rendezvousDays, utcDay } from './community/rendezvous-hash.js'
export { createBus, type Bus, type BusOptions, type BusPutResult } from './bus/bus.js'
export type { BusDht, BusWriter } from './bus/types.js'
export type { BusCounters } from './bus/counters.js'
export type { WatchOptions } from './bus/watch.js'
export type { BusEntry } from './bus/sealed-item.js'
export { BusError, type BusErrorCode } from './bus/errors.js'
export { feedSlot, digestSlot, writerId, slotOwner } from './bus/slot.js'
export { FeedWriter, FeedReader, encodeFeed, decodeFeed, type Feed } from './bus/feed.js'
export { CommunityMesh, startMesh } from './membership/mesh.js'
export type { MeshOptions, MeshDht, MeshStats, MemberInfo, MeshEvents } from './membership/types.js'
export { MemberTable, type MemberRecord, type MemberTableCounters } from './membership/member-table.js'
export { Dialer, type DialOutcome, type DialerCounters } from './membership/dialer.js'
export { Rendezvous, type RendezvousDht, type RendezvousCounters } from './membership/rendezvous.js'
export {
  membersCodecs,
  membersProtocol,
  MEMBERS_EXTENSION_NAME,
  CAPABILITIES,
  type MemberHello,
  type MemberEntry,
  type MembersDelta,
  type MembersMessages,
} from './membership/codec.js'
export { meshDht } from './adapters/mesh-dht.js'
export { FeedSync, type FeedSyncOptions, type FeedSyncCounters } from './membership/feed-sync.js'
export { loadWriterKey } from './community/writer-key.js'
export { MetadataRelay, type RelayOptions, type RelayCounters } from './relay/relay.js'
export {
  relayCodecs,
  relayProtocol,
  RELAY_EXTENSION_NAME,
  MAX_RELAY_INFO_BYTES,
  type RelayMessages,
} from './relay/codec.js'
export {
  estimatePopulation,
  estimateFromSets,
  type PopulationEstimate,
  type EstimateMethod,
} from './pool/population-estimate.js'
export {
  SamplePool,
  type SamplePoolOptions,
  type PoolCounters,
  type PoolTarget,
  type ReplicatePolicy,
} from './pool/pool.js'
export { Ownership, closer, type Owner } from './pool/ownership.js'
export {
  poolCodecs,
  poolProtocol,
  POOL_EXTENSION_NAME,
  MAX_POOL_ENTRIES,
  MAX_HAVE_ENTRIES,
  type PoolMessages,
  type PooledSighting,
  type PoolNode,
} from './pool/codec.js'
export { ServedRoots, type ServedRootsOptions, type RootsCounters } from './roots/served-roots.js'
export {
  rootsCodecs,
  rootsProtocol,
  ROOTS_EXTENSION_NAME,
  MAX_ROOTS_ENTRIES,
  ROOT_BYTES,
  type RootsMessages,
} from './roots/codec.js'
export {
  FederatedSearch,
  type FederatedSearchOptions,
  type CommunitySearchQuery,
  type CommunitySearchResult,
  type MemberAnswer,
  type MemberAnswerStatus,
} from './search/federated-search.js'
export type { CommunityHit } from './search/merge.js'
export type { FetchedTorrent } from './search/claims.js'
export type { FileLookup, SearchCounters, SearchLimits } from './search/search-host.js'
export {
  searchCodecs,
  searchProtocol,
  SEARCH_EXTENSION_NAME,
  MAX_SEARCH_LIMIT,
  MAX_DEADLINE_MS,
  type SearchMessages,
  type SearchRequest,
  type SearchHitsPage,
  type WireHit,
} from './search/codec.js'
export {
  serveLocalChannel,
  searchViaLocalChannel,
  LocalChannelError,
  type LocalChannel,
} from './search/local-channel.js'
export { searchCommunity, type SearchCommunityOptions } from './search/search-community.js'
export { federatedSource, type FederatedSourceOptions, type IndexReader } from './search/federated-source.js'
export { assessQuality, QUALITY_FLAGS, type QualityFlag, type QualityInput } from './search/quality.js'
export { NearServer, type NearServerOptions, type NearCounters, type NearDht } from './near/server.js'
export { queryNear, type NearQuerier } from './near/client.js'
export {
  nearMac,
  encodeNearReply,
  decodeNearReply,
  NEAR_METHOD,
  NEAR_MAX_NODES,
  NEAR_MAX_INFOHASHES,
  type NearReply,
} from './near/codec.js'
export {
  StoredSample,
  type StoredSampleOptions,
  type StoredSource,
  type StoredCounters,
  type StoredFrom,
  type CollectResult,
} from './stored/stored-sample.js'
export {
  storedCodecs,
  storedProtocol,
  STORED_EXTENSION_NAME,
  MAX_STORED_PAGE,
  type StoredMessages,
  type StoredAsk,
  type StoredPage,
} from './stored/codec.js'
export { CatchUpSync } from './sync/sync.js'
export { SyncError, type SyncErrorCode } from './sync/errors.js'
export { FileCursorStore, MemoryCursorStore, communityCursorPath } from './sync/cursor-store.js'
export { indexSyncSource, indexSyncSink, indexCatchUpSync } from './sync/index-adapter.js'
export type {
  CatchUpSyncOptions,
  SyncCounters,
  SyncSource,
  SyncSink,
  SyncCursor,
  CursorStore,
} from './sync/types.js'
export {
  syncCodecs,
  syncProtocol,
  SYNC_EXTENSION_NAME,
  MAX_SYNC_PAGE_KEYS,
  MAX_SYNC_GET_BYTES,
  MAX_SYNC_INFO_BYTES,
  type SyncMessages,
} from './sync/codec.js'
export {
  CrossSeeder,
  type CrossSeederOptions,
  type CrossSeedIndex,
  type CrossSeedHolder,
  type CrossSeedAnnouncer,
  type CrossSeedOutcome,
} from './crossseed/cross-seeder.js'
