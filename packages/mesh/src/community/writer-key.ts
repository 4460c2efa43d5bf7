// A member's own gossip-bus writer key (ed25519), one per community, kept beside the community key as
// `<data-dir>/communities/NAME.writer` (mode 0600). It signs what this member writes on the bus and
// names its feed slot, so it must survive restarts: readers find the feed by it.
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, type KeyPair } from '@bbmesh/dht'
import { CommunityError } from '../errors.js'
import { COMMUNITIES_DIR, loadCommunity } from './key-store.js'

const FORMAT = 'bbmesh-writer-key-v1'

/** Loads the member's writer key for community `name`, creating it on first use. */
export async function loadWriterKey(dataDir: string, name: string): Promise<KeyPair> {
  await loadCommunity(dataDir, name) // checks the name and that we are a member
  const dir = join(dataDir, COMMUNITIES_DIR)
  const path = join(dir, `${name}.writer`)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  try {
    const fh = await open(path, 'wx', 0o600)
    try {
      await fh.writeFile(JSON.stringify({ format: FORMAT, seed: randomBytes(32).toString('hex') }) + '\n')
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  if (((await stat(path)).mode & 0o077) !== 0)
    throw new CommunityError(`${path} is readable by others; run chmod 600 on it`, 'BAD_KEY_FILE')
  let p: { format?: unknown; seed?: unknown } = {}
  try {
    p = JSON.parse(await readFile(path, 'utf8')) as typeof p
  } catch {
    // Unreadable or not JSON: reported as a bad key file below.
  }
  if (p.format !== FORMAT || typeof p.seed !== 'string' || !/^[0-9a-f]{64}$/.test(p.seed))
    throw new CommunityError(`${path} is not a bbmesh writer key file`, 'BAD_KEY_FILE')
  return generateKeyPair(Buffer.from(p.seed, 'hex'))
}
