// Effective settings: CLI > BBMESH_* environment > config file > defaults, with where each came from.
import { CONFIG_KEYS, type ConfigValue } from './keys.js'
import { configError, configPath, readConfigFile } from './file.js'

export type ConfigSource = 'cli' | 'env' | 'file' | 'default'

export interface Setting {
  readonly value: ConfigValue | undefined
  readonly source: ConfigSource
}

export interface ResolvedConfig {
  readonly path: string
  get(name: string): Setting
  /** The value as a string of the kind a command-line option takes, or undefined. */
  optionText(name: string): string | undefined
}

/** Resolves every key; `cli` holds the values given on the command line (already validated there). */
export function resolveConfig(
  cli: Record<string, ConfigValue | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const path = configPath(env)
  const file = readConfigFile(path)
  const settings = new Map<string, Setting>()
  for (const key of CONFIG_KEYS) {
    const fromCli = cli[key.name]
    const fromEnv = env[key.env]
    let setting: Setting
    if (fromCli !== undefined) setting = { value: fromCli, source: 'cli' }
    else if (fromEnv !== undefined && fromEnv !== '') {
      try {
        setting = { value: key.parse(fromEnv), source: 'env' }
      } catch (err) {
        throw configError(key.env, (err as Error).message)
      }
    } else if (file.has(key.name)) setting = { value: file.get(key.name), source: 'file' }
    else setting = { value: key.fallback, source: 'default' }
    settings.set(key.name, setting)
  }
  return {
    path,
    get: (name) => settings.get(name) ?? { value: undefined, source: 'default' },
    optionText(name) {
      const v = settings.get(name)?.value
      if (v === undefined) return undefined
      return Array.isArray(v) ? v.join(',') : String(v)
    },
  }
}
