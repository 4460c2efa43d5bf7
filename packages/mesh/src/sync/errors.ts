// Failures of bb_sync, each with a stable code (MeshError's convention).
import { MeshError } from '../errors.js'

export type SyncErrorCode = 'SYNC_PROTOCOL' | 'SYNC_BAD_CURSOR_FILE'

export class SyncError extends MeshError {
  override readonly name = 'SyncError'
  override readonly code: SyncErrorCode

  constructor(code: SyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
