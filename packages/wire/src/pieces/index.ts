// Piece transfer (BEP 3 request/piece, BEP 9 metadata on the same connection), v1 and v2 verification,
// BEP 52 hash request / hashes / hash reject.
export { PieceError } from './errors.js'
export type { PieceErrorCode } from './errors.js'
export { layoutFromInfo, neededLength, pieceSize, piecesOfFile } from './layout.js'
export type { LayoutFile, TorrentLayout } from './layout.js'
export { verifyPiece, verifyPieceLayer, checkVerifiable } from './verify.js'
export type { PieceLayers } from './verify.js'
export { MemoryStorage, DiskStorage, filePath } from './storage.js'
export type { PieceStorage } from './storage.js'
export { CrossSeedStorage } from './cross-seed-storage.js'
export type { CrossSeedFile, CrossSeedOptions, CrossSeedStats } from './cross-seed-storage.js'
export { diskFileSource, fileSourcesOf } from './file-source.js'
export type { FileSource } from './file-source.js'
export { PieceServer } from './server.js'
export type { PieceServerOptions, PieceServerStats, SeedOptions } from './server.js'
export { downloadPieces } from './download.js'
export type { DownloadOptions, DownloadProgress, DownloadResult } from './download.js'
export {
  decodeHashes,
  decodeHashRequest,
  encodeHashes,
  encodeHashReject,
  encodeHashRequest,
} from './messages.js'
export type { HashesMessage, HashRequest } from './messages.js'
