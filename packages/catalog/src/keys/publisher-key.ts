import { randomBytes } from 'node:crypto'
import { chmod, link, lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import {
  KEYS_DIR,
  PUBLIC_KEY_LENGTH,
  PUBLISHER_KEY_FILE,
  SECRET_KEY_LENGTH,
  SHAREABLE_KEY_PREFIX,
} from '../constants.js'
import { PublisherKeyError } from '../errors.js'
import { publicKeyBytes, publicKeyOrUndefined, type PublicKeyInput } from './public-key.js'
import { generateKeypair, publicKeyOf, secureBuffer, signDetached, verifyDetached, wipe } from './ed25519.js'

const FILE_FORMAT = 'bbmesh-publisher-key-v1'

/**
 * The publisher's ed25519 identity. The secret key stays in a private field: it is not enumerable,
 * not in JSON, not in util.inspect output, and never part of an error message.
 */
export class PublisherKey {
  readonly publicKey: Uint8Array
  readonly #secretKey: Buffer

  constructor(publicKey: Uint8Array, secretKey: Buffer) {
    this.publicKey = publicKey
    this.#secretKey = secretKey
  }

  /** Detached ed25519 signature (64 bytes), e.g. for a BEP 44/46 mutable item. */
  sign(message: Uint8Array): Uint8Array {
    return signDetached(message, this.#secretKey)
  }

  /**
   * The pair in the shape @bbmesh/dht's putMutable/putPointer take. `secretKey` is this key's own
   * guarded buffer, not a copy: it is wiped by destroy(), and callers must not keep or log it.
   */
  dhtKeyPair(): { publicKey: Buffer; secretKey: Buffer } {
    return { publicKey: Buffer.from(this.publicKey), secretKey: this.#secretKey }
  }

  get publicKeyHex(): string {
    return publicKeyHex(this.publicKey)
  }

  /** `bbmesh:pub:<hex>`, the form publishers announce out of band. */
  get shareable(): string {
    return shareablePublicKey(this.publicKey)
  }

  /** Zeroes the secret key; the object cannot sign afterwards. */
  destroy(): void {
    wipe(this.#secretKey)
  }

  toJSON(): { publicKey: string } {
    return { publicKey: this.publicKeyHex }
  }

  [inspect.custom](): string {
    return `PublisherKey { publicKey: '${this.publicKeyHex}' }`
  }
}

export const publisherKeyPath = (dataDir: string): string => join(dataDir, KEYS_DIR, PUBLISHER_KEY_FILE)

/** Lower-case hex of a key given as a PublisherKey, 32 bytes or 64 hex digits (BAD_PUBLIC_KEY otherwise). */
export function publicKeyHex(key: PublicKeyInput | PublisherKey): string {
  return publicKeyBytes(key instanceof PublisherKey ? key.publicKey : key).toString('hex')
}

export function shareablePublicKey(key: PublicKeyInput | PublisherKey): string {
  return SHAREABLE_KEY_PREFIX + publicKeyHex(key)
}

/** Accepts 64 hex digits or the `bbmesh:pub:<hex>` form; null when it is neither. */
export function parsePublicKey(text: string): Uint8Array | null {
  const t = text.trim()
  const hex = t.startsWith(SHAREABLE_KEY_PREFIX) ? t.slice(SHAREABLE_KEY_PREFIX.length) : t
  if (!new RegExp(`^[0-9a-fA-F]{${PUBLIC_KEY_LENGTH * 2}}$`).test(hex)) return null
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/**
 * Whether `signature` is the key's ed25519 signature of `message`. A key that is not 32 bytes or 64 hex
 * digits, like a signature that is not 64 bytes, verifies nothing: false, not an error.
 */
export function verifySignature(
  publicKey: PublicKeyInput,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const pk = publicKeyOrUndefined(publicKey)
  return pk !== undefined && verifyDetached(signature, message, pk)
}

/**
 * Creates `<dataDir>/keys/publisher.key` (mode 0600, directory 0700) with a new keypair. Refuses to
 * replace an existing key unless `force`: losing it means losing the library pointer for good.
 */
export async function mintPublisherKey(
  dataDir: string,
  options: { force?: boolean } = {},
): Promise<PublisherKey> {
  const dir = join(dataDir, KEYS_DIR)
  const path = publisherKeyPath(dataDir)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
  if (!options.force && (await exists(path))) {
    throw new PublisherKeyError(
      'KEY_EXISTS',
      `a publisher key already exists at ${path}; use --force to replace it`,
    )
  }
  const { publicKey, secretKey } = generateKeypair()
  const text = `${FILE_FORMAT}\n${secretKey.toString('hex')}\n`
  // Written to a temporary name first, so a crash never leaves a half-written key under the real name.
  const tmp = join(dir, `.${PUBLISHER_KEY_FILE}.${randomBytes(6).toString('hex')}.tmp`)
  const fh = await open(tmp, 'wx', 0o600)
  try {
    await fh.chmod(0o600)
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    if (options.force) await rename(tmp, path)
    else await link(tmp, path) // fails with EEXIST if someone created the key meanwhile
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new PublisherKeyError(
        'KEY_EXISTS',
        `a publisher key already exists at ${path}; use --force to replace it`,
      )
    }
    throw err
  } finally {
    await unlink(tmp).catch(() => undefined)
  }
  return new PublisherKey(new Uint8Array(publicKey), secretKey)
}

/** Loads the publisher key, refusing one that group or others could read. */
export async function loadPublisherKey(dataDir: string): Promise<PublisherKey> {
  const path = publisherKeyPath(dataDir)
  const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      throw new PublisherKeyError(
        'KEY_MISSING',
        `no publisher key at ${path}; create one with \`bbmesh keys mint\``,
      )
    }
    throw new PublisherKeyError('KEY_MISSING', `cannot read publisher key ${path}: ${err.code ?? 'error'}`)
  })
  if (!st.isFile()) throw new PublisherKeyError('KEY_INSECURE', `publisher key ${path} is not a regular file`)
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0')
    throw new PublisherKeyError(
      'KEY_INSECURE',
      `publisher key ${path} is accessible by group or others (mode ${mode}); run \`chmod 600 ${path}\``,
    )
  }
  const text = await readFile(path, 'latin1')
  const [format, hex, ...rest] = text.split('\n')
  const corrupt = (): PublisherKeyError =>
    new PublisherKeyError('KEY_CORRUPT', `publisher key ${path} is damaged or not a bbmesh key file`)
  if (format !== FILE_FORMAT || hex === undefined || rest.some((l) => l !== '')) throw corrupt()
  if (!new RegExp(`^[0-9a-f]{${SECRET_KEY_LENGTH * 2}}$`).test(hex)) throw corrupt()
  const secretKey = secureBuffer(SECRET_KEY_LENGTH)
  secretKey.write(hex, 'hex')
  const publicKey = publicKeyOf(secretKey)
  if (!publicKey.equals(secretKey.subarray(32))) {
    wipe(secretKey)
    throw corrupt()
  }
  return new PublisherKey(new Uint8Array(publicKey), secretKey)
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  )
}
