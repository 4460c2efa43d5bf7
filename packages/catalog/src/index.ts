export {
  BLOCK_SIZE,
  MIN_PIECE_LENGTH,
  MAX_PIECE_LENGTH,
  META_VERSION,
  PUBLISHER_KEY_FILE,
  SHAREABLE_KEY_PREFIX,
} from './constants.js'
export { CatalogError, BencodeError, TorrentFormatError, PublisherKeyError } from './errors.js'
export type { CatalogErrorCode } from './errors.js'
export { bencode } from './bencode/encode.js'
export { bdecode, bdecodeWithSpans } from './bencode/decode.js'
export type { DecodeOptions, Decoded } from './bencode/decode.js'
export { bdict, bkey, keyBytes, utf8, isBytes, isDict, isInt, isList } from './bencode/types.js'
export type { BDict, BValue } from './bencode/types.js'
export { buildTorrent } from './torrent/build.js'
export type { BuildOptions, BuiltFile, BuiltTorrent, TorrentVersion } from './torrent/build.js'
export type { MemoryFile, TorrentSource } from './torrent/sources.js'
export { autoPieceLength, checkPieceLength } from './torrent/piece-length.js'
export { merkleRoot, rootFromPieceLayer, zeroSubtree, V2FileHasher } from './torrent/merkle.js'
export type { FileMerkle } from './torrent/merkle.js'
export { parseTorrentFile, parseInfoDict } from './torrent/parse.js'
export type { ParsedFile, ParsedInfo, ParsedTorrentFile } from './torrent/parse.js'
export {
  PublisherKey,
  mintPublisherKey,
  loadPublisherKey,
  publisherKeyPath,
  publicKeyHex,
  shareablePublicKey,
  parsePublicKey,
  verifySignature,
} from './keys/publisher-key.js'
export { publicKeyBytes } from './keys/public-key.js'
export type { PublicKeyInput } from './keys/public-key.js'
export { magnetLink } from './torrent/magnet.js'
export { CatalogFormatError, ResolveError } from './errors.js'
export { CATALOG_FORMAT, CATALOG_VERSION, CATALOG_TORRENT_NAME, CATALOG_PIECE_LENGTH } from './constants.js'
export {
  encodeEntryLine,
  parseEntryLine,
  entryFromDetail,
  entryToTorrentInput,
  entryKey,
} from './catalog/entry.js'
export type { CatalogEntry, CatalogFile } from './catalog/entry.js'
export { buildCatalog, shardPrefixBits } from './catalog/build.js'
export type { BuildCatalogOptions, BuiltCatalog } from './catalog/build.js'
export { readCatalog, catalogFileRefs, checkFile, parseLines, checkLines } from './catalog/read.js'
export type { ReadCatalog, ReadCatalogOptions, CatalogFileRef } from './catalog/read.js'
export { encodeHeader, parseHeader, shardOf, shardPath, expectedFiles } from './catalog/layout.js'
export type { CatalogHeader, ShardInfo } from './catalog/layout.js'
export { libraryFromIndex, libraryEntries } from './catalog/from-index.js'
export type { LibraryOptions } from './catalog/from-index.js'
export { CatalogPublisher, DEFAULT_REPUBLISH_INTERVAL_MS } from './publish/publisher.js'
export type { PublisherOptions, PublishResult } from './publish/publisher.js'
export { resolveCatalog } from './publish/resolver.js'
export type { ResolveOptions, ResolveResult } from './publish/resolver.js'
export { CatalogSeeder, DEFAULT_REANNOUNCE_INTERVAL_MS } from './publish/seeder.js'
export type { RePutResult, RePutStats, SeederOptions, SeedResult } from './publish/seeder.js'
export { verifyPointer, saltBytes } from './publish/pointer.js'
export type { Pointer } from './publish/pointer.js'
export { publishStatePath, resolveStatePath, resolvedCopyDir } from './publish/state.js'
