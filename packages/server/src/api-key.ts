import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ServerError } from './errors.js'

export const API_KEY_FILE = 'server-api-key'

/**
 * The server's API key from `<dataDir>/server-api-key`, created (32 random bytes, hex, mode 0600)
 * on first use. A key file that others can read is refused: it guards the whole index.
 */
export function loadOrCreateApiKey(dataDir: string): { key: string; path: string; created: boolean } {
  const path = join(dataDir, API_KEY_FILE)
  try {
    writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' })
    chmodSync(path, 0o600)
    return { key: readKey(path), path, created: true }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new ServerError('API_KEY_FILE', `cannot create ${path}: ${(err as Error).message}`)
  }
  return { key: readKeyFile(path), path, created: false }
}

/** Reads a key file (ours or --api-key-file), refusing one readable by group or others. */
export function readKeyFile(path: string): string {
  let mode: number
  try {
    mode = statSync(path).mode
  } catch (err) {
    throw new ServerError(
      'API_KEY_FILE',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    )
  }
  if ((mode & 0o077) !== 0)
    throw new ServerError('API_KEY_FILE', `${path} is readable by others; chmod 600 it`)
  return readKey(path)
}

function readKey(path: string): string {
  const key = readFileSync(path, 'utf8').trim()
  if (key.length < 16) throw new ServerError('API_KEY_FILE', `${path} holds no key of at least 16 characters`)
  return key
}
