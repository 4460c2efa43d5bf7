// The configuration keys: one table, so that the file, BBMESH_* variables, `config set` and
// `config show` agree on names, types, defaults and which values are secret.
import { DEFAULT_CACHE_BUDGET_BYTES } from '@bbmesh/index'
import { formatSize, parseSize } from '../units.js'

export type ConfigValue = string | number | string[]

export interface ConfigKey {
  readonly name: string
  readonly env: string
  readonly description: string
  /** What the code uses when nothing sets the key; undefined means "decided elsewhere" (see hint). */
  readonly fallback?: ConfigValue
  readonly fallbackHint?: string
  readonly secret?: boolean
  /** Validates a value from the file (JSON) or from text (env, `config set`); throws a message. */
  parse(raw: unknown): ConfigValue
  format?(value: ConfigValue): string
}

function text(raw: unknown): string {
  if (typeof raw === 'number') return String(raw)
  if (typeof raw !== 'string' || raw.trim() === '') throw new Error(`expected a non-empty string`)
  return raw.trim()
}

function port(raw: unknown): number {
  const s = text(raw)
  const n = Number(s)
  if (!/^\d+$/.test(s) || n > 65535)
    throw new Error(`expected a port 0..65535 (0: any free port), got '${s}'`)
  return n
}

const HOST_PORT = /^[^:\s,]+:(\d{1,5})$/

function hostPortList(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map((x) => text(x)) : text(raw).split(',')
  const list = items.map((s) => s.trim()).filter((s) => s !== '')
  for (const hp of list) {
    const m = HOST_PORT.exec(hp)
    const p = m ? Number(m[1]) : 0
    if (!m || p < 1 || p > 65535) throw new Error(`expected host:port,…, got '${hp}'`)
  }
  if (list.length === 0) throw new Error('expected at least one host:port')
  return list
}

function databaseUrl(raw: unknown): string {
  const s = text(raw)
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s)?.[1]?.toLowerCase()
  if (scheme !== undefined && scheme !== 'file' && scheme !== 'sqlite')
    throw new Error(`unsupported scheme '${scheme}:' (a file path, file:// or sqlite:// URL)`)
  return s
}

/** The user:password of a URL replaced, so `config show` never prints a credential. */
export function maskSecret(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@')
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    name: 'dataDir',
    env: 'BBMESH_HOME',
    description: 'data directory (index, keys, communities); CLI --data-dir',
    fallbackHint: 'the XDG data dir',
    parse: text,
  },
  {
    name: 'databaseUrl',
    env: 'BBMESH_DATABASE_URL',
    description: 'the index database: a file path, file:// or sqlite:// URL; CLI --db',
    fallbackHint: '<dataDir>/index.db',
    secret: true,
    parse: databaseUrl,
  },
  {
    name: 'bootstrap',
    env: 'BBMESH_BOOTSTRAP',
    description: 'DHT bootstrap nodes host:port,…; CLI --bootstrap',
    fallbackHint: 'the public routers',
    parse: hostPortList,
    format: (v) => (v as string[]).join(','),
  },
  {
    name: 'dhtPort',
    env: 'BBMESH_DHT_PORT',
    description: 'UDP port of the DHT node (crawl); CLI --port',
    fallback: 0,
    parse: port,
  },
  {
    name: 'peerPort',
    env: 'BBMESH_PEER_PORT',
    description: 'TCP port for peers (metadata serve, publish, resolve --seed); CLI --port',
    fallback: 0,
    parse: port,
  },
  {
    name: 'announceRate',
    env: 'BBMESH_ANNOUNCE_RATE',
    description: 'DHT announces started per second (metadata serve); CLI --announce-rate',
    fallback: 4,
    parse(raw) {
      const n = Number(text(raw))
      if (!Number.isFinite(n) || n <= 0 || n > 1000)
        throw new Error(`expected a rate in (0, 1000], got '${raw}'`)
      return n
    },
  },
  {
    name: 'storageBudget',
    env: 'BBMESH_STORAGE_BUDGET',
    description: 'byte budget of the metadata cache in the index (e.g. 2GiB)',
    fallback: DEFAULT_CACHE_BUDGET_BYTES,
    parse(raw) {
      try {
        return typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
          ? raw
          : parseSize(text(raw), '')
      } catch {
        throw new Error(`expected a size such as 700MB, 2GiB or a byte count, got '${String(raw)}'`)
      }
    },
    format: (v) => formatSize(v as number),
  },
  {
    name: 'community',
    env: 'BBMESH_COMMUNITY',
    description: 'the community commands use when none is named',
    fallbackHint: 'none',
    parse(raw) {
      const s = text(raw)
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(s))
        throw new Error(`expected a community name ([A-Za-z0-9._-]), got '${s}'`)
      return s
    },
  },
]

export function configKey(name: string): ConfigKey | undefined {
  return CONFIG_KEYS.find((k) => k.name === name)
}
