// Community keys on disk: `<data-dir>/communities/NAME.key`, mode 0600 in a 0700 directory. The file
// holds the key and the invite's hints; nothing here logs, prints or returns the key except
// `inviteFor`, which exists to share it.
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { CommunityError } from '../errors.js'
import {
  COMMUNITY_KEY_LENGTH,
  communityFingerprint,
  deriveCommunityKeys,
  type CommunityKeys,
} from './derive.js'
import { decodeInvite, encodeInvite, parseHint } from './invite.js'

export const COMMUNITIES_DIR = 'communities'
const FILE_FORMAT = 'bbmesh-community-key-v1'
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** A community this node belongs to. `keys` holds derived secrets; `name` and `fingerprint` are public. */
export interface Community {
  readonly name: string
  readonly fingerprint: string
  readonly keys: CommunityKeys
  readonly hints: readonly string[]
}

function checkName(name: string): void {
  if (!NAME_RE.test(name) || name.endsWith('.key'))
    throw new CommunityError(
      `bad community name ${JSON.stringify(name)}: use letters, digits, . _ - (at most 64)`,
      'BAD_NAME',
    )
}

const keyPath = (dataDir: string, name: string): string => join(dataDir, COMMUNITIES_DIR, `${name}.key`)

async function writeKeyFile(dataDir: string, name: string, key: Buffer, hints: string[]): Promise<void> {
  checkName(name)
  const dir = join(dataDir, COMMUNITIES_DIR)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
  const body = JSON.stringify({ format: FILE_FORMAT, key: key.toString('hex'), hints }) + '\n'
  let fh
  try {
    // wx: never overwrite a key silently; the mode applies at creation, so no window with 0644.
    fh = await open(keyPath(dataDir, name), 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new CommunityError(`community ${name} already exists`, 'COMMUNITY_EXISTS')
    throw err
  }
  try {
    await fh.writeFile(body)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

function toCommunity(name: string, key: Buffer, hints: string[]): Community {
  const keys = deriveCommunityKeys(key)
  key.fill(0)
  return { name, fingerprint: keys.fingerprint, keys, hints }
}

/** Creates a community with a fresh random 32-byte key. */
export async function createCommunity(
  dataDir: string,
  name: string,
  hints: string[] = [],
): Promise<Community> {
  for (const h of hints) parseHint(h)
  const key = randomBytes(COMMUNITY_KEY_LENGTH)
  await writeKeyFile(dataDir, name, key, hints)
  return toCommunity(name, key, hints)
}

/** Stores the key an invite carries under `name`. */
export async function joinCommunity(dataDir: string, invite: string, name: string): Promise<Community> {
  const { key, hints } = decodeInvite(invite)
  await writeKeyFile(dataDir, name, key, hints)
  return toCommunity(name, key, hints)
}

async function readKey(dataDir: string, name: string): Promise<{ key: Buffer; hints: string[] }> {
  checkName(name)
  const path = keyPath(dataDir, name)
  let text: string
  try {
    const st = await stat(path)
    // Like ssh: a key others can read is refused rather than used.
    if ((st.mode & 0o077) !== 0)
      throw new CommunityError(`${path} is readable by others; run chmod 600 on it`, 'BAD_KEY_FILE')
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CommunityError(`no community named ${name} (bbmesh community list)`, 'NO_COMMUNITY')
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const p = parsed as { format?: unknown; key?: unknown; hints?: unknown } | undefined
  if (p?.format !== FILE_FORMAT || typeof p.key !== 'string' || !/^[0-9a-f]{64}$/.test(p.key))
    throw new CommunityError(`${path} is not a bbmesh community key file`, 'BAD_KEY_FILE')
  const hints = Array.isArray(p.hints) ? p.hints.filter((h): h is string => typeof h === 'string') : []
  return { key: Buffer.from(p.key, 'hex'), hints }
}

export async function loadCommunity(dataDir: string, name: string): Promise<Community> {
  const { key, hints } = await readKey(dataDir, name)
  return toCommunity(name, key, hints)
}

/** The invite for a stored community: the one place the key leaves its file. */
export async function inviteFor(dataDir: string, name: string, hints?: string[]): Promise<string> {
  const stored = await readKey(dataDir, name)
  try {
    return encodeInvite({ key: stored.key, hints: hints ?? stored.hints })
  } finally {
    stored.key.fill(0)
  }
}

export async function listCommunities(dataDir: string): Promise<{ name: string; fingerprint: string }[]> {
  let names: string[]
  try {
    names = await readdir(join(dataDir, COMMUNITIES_DIR))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const out: { name: string; fingerprint: string }[] = []
  for (const f of names.filter((n) => n.endsWith('.key')).sort()) {
    const name = f.slice(0, -4)
    if (!NAME_RE.test(name)) continue
    const { key } = await readKey(dataDir, name)
    out.push({ name, fingerprint: communityFingerprint(key) })
    key.fill(0)
  }
  return out
}
