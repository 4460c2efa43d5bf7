import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
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
  /** The index database file: --db, else $BBMESH_DATABASE_URL, else the config file, else <dataDir>/index.db. */
  readonly dbPath: string
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

/** A databaseUrl setting as a file path: a plain path, file:///path or sqlite://path. */
export function databasePath(url: string): string {
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
      databaseUrl: opts.db !== undefined ? resolve(opts.db) : undefined,
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
