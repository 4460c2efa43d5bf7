// Small JSON state files under <dataDir>/catalog/: the publisher's last seq per salt, and per
// resolved publisher the last seq, infohash and pieces roots (so only changed shards are refetched).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ResolveError } from '../errors.js'
import { publicKeyBytes, type PublicKeyInput } from '../keys/public-key.js'

export interface PublishState {
  seq: number
  infohash: string
}

export interface ResolveState {
  seq: number
  infohash: string
  /** Payload path → pieces root (hex) of the catalog last imported. */
  roots: Record<string, string | null>
  /**
   * The signed BEP 46 item imported (hex of the bencoded `v` and of `sig`; `k` is the publisher key,
   * the salt is in the path), so a seeder can re-put it with its original signature. Absent in states
   * written before re-puts existed.
   */
  pointer?: { seq: number; v: string; sig: string }
}

const stateDir = (dataDir: string): string => join(dataDir, 'catalog')
const saltPart = (salt: Uint8Array): string => (salt.length ? `-${Buffer.from(salt).toString('hex')}` : '')

export const publishStatePath = (dataDir: string, salt: Uint8Array): string =>
  join(stateDir(dataDir), `published${saltPart(salt)}.json`)
export const resolveStatePath = (dataDir: string, publicKey: PublicKeyInput, salt: Uint8Array): string =>
  `${resolvedCopyDir(dataDir, publicKey, salt)}.json`
/** Where the resolver keeps its copy of the last catalog it imported (see resolved-copy.ts). */
export const resolvedCopyDir = (dataDir: string, publicKey: PublicKeyInput, salt: Uint8Array): string =>
  join(stateDir(dataDir), 'resolved', `${publicKeyBytes(publicKey).toString('hex')}${saltPart(salt)}`)

export async function readState<T>(path: string, check: (v: unknown) => v is T): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    v = undefined
  }
  if (!check(v)) throw new ResolveError('BAD_STATE', `${path} is corrupt; move it away to start over`)
  return v
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
export async function writeState(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(value) + '\n', { mode: 0o600 })
  await rename(tmp, path)
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

export const isPublishState = (v: unknown): v is PublishState =>
  isObj(v) && isSeq(v['seq']) && typeof v['infohash'] === 'string'
const isHex = (v: unknown): v is string => typeof v === 'string' && /^(?:[0-9a-f]{2})+$/.test(v)
const isSignedPointer = (v: unknown): boolean =>
  v === undefined ||
  (isObj(v) && isSeq(v['seq']) && isHex(v['v']) && isHex(v['sig']) && v['sig'].length === 128)

export const isResolveState = (v: unknown): v is ResolveState =>
  isObj(v) &&
  isSeq(v['seq']) &&
  typeof v['infohash'] === 'string' &&
  isObj(v['roots']) &&
  isSignedPointer(v['pointer'])
