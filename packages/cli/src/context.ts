import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import envPaths from 'env-paths'
import { openIndex, type PooledIndex } from '@bbmesh/index'
import { resolveConfig, type ResolvedConfig } from './config/resolve.js'
import { CliError } from './errors.js'
import { Output } from './output.js'

/** The global options every command accepts (see program.ts). */
export interface GlobalOptions {
  dataDir?: string
  db?: string
  json?: boolean
  quiet?: boolean
  verbose?: boolean
}

/** What a command needs from the outside world, resolved once from the global options. */
export interface CommandContext {
  readonly out: Output
  /** The settings: CLI > BBMESH_* > config file > defaults (read on first use; see config/). */
  readonly config: ResolvedConfig
  /** The data directory: --data-dir, else $BBMESH_HOME, else the config file, else the XDG data dir. */
  readonly dataDir: string
  /**
   * The index: --db, else $BBMESH_DB, else $BBMESH_DATABASE_URL or the config file's databaseUrl,
   * else <dataDir>/index.db; a file path or a postgres:// URL.
   */
  readonly dbPath: string
  /** Whether there is an index to read: the file exists, or it is a database server's to say. */
  hasIndex(): boolean
  /** Creates the data directory (mode 0700) if needed and checks that it is writable. */
  ensureDataDir(): string
  /** Opens (and migrates) the index; closed by the caller. */
  openIndex(opts?: { readonly?: boolean }): Promise<PooledIndex>
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.BBMESH_HOME
  if (home !== undefined && home !== '') return resolve(home)
  return envPaths('bbmesh', { suffix: '' }).data
}

/** A postgres:// or postgresql:// URL (opened by @bbmesh/index on that server), not a file path. */
export function isDatabaseUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db)
}

/** --db, else $BBMESH_DB: a file path (resolved) or a database URL (as given); undefined for the default. */
export function indexLocation(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const db = opts.db ?? (env.BBMESH_DB === '' ? undefined : env.BBMESH_DB)
  if (db === undefined) return undefined
  return isDatabaseUrl(db) ? db : resolve(db)
}

/** A databaseUrl setting as a location: a postgres:// URL as given; a plain path, file:///path or sqlite://path as a file path. */
export function databasePath(url: string): string {
  if (isDatabaseUrl(url)) return url
  if (/^file:\/\//i.test(url)) return fileURLToPath(url)
  if (/^sqlite:\/\//i.test(url)) return resolve(url.slice('sqlite://'.length))
  return resolve(url)
}

export function createContext(opts: GlobalOptions): CommandContext {
  const out = new Output({
    json: opts.json === true,
    quiet: opts.quiet === true,
    verbose: opts.verbose === true,
  })
  // Resolved on first use, so that `config set` can still repair a config file others reject.
  let config: ResolvedConfig | undefined
  const getConfig = (): ResolvedConfig =>
    (config ??= resolveConfig({
      dataDir: opts.dataDir !== undefined ? resolve(opts.dataDir) : undefined,
      databaseUrl: indexLocation(opts),
    }))
  const getDataDir = (): string => {
    const v = getConfig().get('dataDir').value
    return typeof v === 'string' ? resolve(v) : envPaths('bbmesh', { suffix: '' }).data
  }
  const dbIsDefault = (): boolean => getConfig().get('databaseUrl').source === 'default'
  const getDbPath = (): string => {
    const v = getConfig().get('databaseUrl').value
    return typeof v === 'string' ? databasePath(v) : join(getDataDir(), 'index.db')
  }
  const ensureDataDir = (): string => {
    const dataDir = getDataDir()
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 })
      if (!statSync(dataDir).isDirectory()) throw new Error('not a directory')
      accessSync(dataDir, constants.W_OK)
    } catch (err) {
      const why = err instanceof Error && 'code' in err ? String(err.code) : (err as Error).message
      throw new CliError(
        `data dir ${dataDir} is not writable (${why}); set --data-dir or BBMESH_HOME`,
        'DATA_DIR',
      )
    }
    return dataDir
  }
  return {
    out,
    get config() {
      return getConfig()
    },
    get dataDir() {
      return getDataDir()
    },
    get dbPath() {
      return getDbPath()
    },
    hasIndex: () => isDatabaseUrl(getDbPath()) || existsSync(getDbPath()),
    ensureDataDir,
    async openIndex(o = {}) {
      if (dbIsDefault()) ensureDataDir()
      const budget = getConfig().get('storageBudget').value
      return openIndex({
        path: getDbPath(),
        readonly: o.readonly === true,
        ...(typeof budget === 'number' && { cacheBudgetBytes: budget }),
      })
    },
  }
}
