// Shared pieces of the `bbmesh dht` commands: option parsing and a one-shot node.
import { readFileSync } from 'node:fs'
import { createDhtNode, generateKeyPair, type DhtNode, type KeyPair, type PeerAddress } from '@bbmesh/dht'
import { UsageError } from '../errors.js'

export interface DhtCommonOptions {
  bootstrap?: string
}

/** `--bootstrap host:port,…`; without it the public routers are used. */
export function parseBootstrap(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  for (const hp of list) parseHostPort(hp, '--bootstrap')
  return list
}

export function parseHostPort(text: string, what = 'address'): PeerAddress {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(text.trim())
  const port = m ? Number(m[2]) : 0
  if (!m || port < 1 || port > 65535) throw new UsageError(`${what}: expected host:port, got '${text}'`)
  return { host: m[1]!, port }
}

export function parseHex20(text: string, what: string): Buffer {
  if (!/^[0-9a-fA-F]{40}$/.test(text.trim()))
    throw new UsageError(`${what}: expected 40 hex digits, got '${text}'`)
  return Buffer.from(text.trim(), 'hex')
}

/** A key file holds the ed25519 seed (32 bytes) or libsodium secret key (64 bytes), raw or hex. */
export function readKeyFile(path: string): KeyPair {
  let raw: Buffer
  try {
    raw = readFileSync(path)
  } catch (err) {
    throw new UsageError(`--key: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  const text = raw.toString('utf8').trim()
  const bytes = /^[0-9a-fA-F]+$/.test(text) ? Buffer.from(text, 'hex') : raw
  if (bytes.length !== 32 && bytes.length !== 64)
    throw new UsageError('--key: expected a 32-byte seed or 64-byte secret key')
  return generateKeyPair(bytes.subarray(0, 32))
}

/** Runs `fn` with a node that listens on an ephemeral port and has joined the DHT. */
export async function withNode<T>(opts: DhtCommonOptions, fn: (node: DhtNode) => Promise<T>): Promise<T> {
  const node = createDhtNode({ bootstrap: parseBootstrap(opts.bootstrap) })
  try {
    await node.listen(0, '0.0.0.0')
    await node.bootstrap()
    return await fn(node)
  } finally {
    await node.destroy()
  }
}

/** v as UTF-8 when it decodes cleanly, else hex; non-string values as JSON-friendly structures. */
export function displayValue(v: unknown): unknown {
  if (Buffer.isBuffer(v)) {
    const s = v.toString('utf8')
    return Buffer.from(s, 'utf8').equals(v) ? s : v.toString('hex')
  }
  if (Array.isArray(v)) return v.map(displayValue)
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, displayValue(x)]),
    )
  }
  return v
}
