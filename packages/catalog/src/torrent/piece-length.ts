import { MAX_PIECE_LENGTH, MIN_PIECE_LENGTH, TARGET_PIECE_COUNT } from '../constants.js'
import { CatalogError } from '../errors.js'
import { isPowerOfTwo, nextPowerOfTwo } from './merkle.js'

/** Auto-chosen piece lengths stop here; bigger pieces only on request. */
const AUTO_MAX = 16 * 1024 * 1024

/** BEP 52: a power of two of at least 16 KiB. */
export function checkPieceLength(n: number): number {
  if (!isPowerOfTwo(n) || n < MIN_PIECE_LENGTH || n > MAX_PIECE_LENGTH) {
    throw new CatalogError(
      'BAD_PIECE_LENGTH',
      `piece length must be a power of two between ${MIN_PIECE_LENGTH} and ${MAX_PIECE_LENGTH}, got ${n}`,
    )
  }
  return n
}

/** Deterministic default: the smallest allowed power of two giving at most TARGET_PIECE_COUNT pieces. */
export function autoPieceLength(totalSize: number): number {
  const want = nextPowerOfTwo(Math.ceil(totalSize / TARGET_PIECE_COUNT))
  return Math.min(AUTO_MAX, Math.max(MIN_PIECE_LENGTH, want))
}
