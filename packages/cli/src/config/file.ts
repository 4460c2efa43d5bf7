// The config file: $XDG_CONFIG_HOME/bbmesh/config.json (else ~/.config/bbmesh/config.json), or
// $BBMESH_CONFIG. JSON, one object of the keys in keys.ts; written 0600 because it may hold a
// database URL with a password.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import envPaths from 'env-paths'
import { CliError, ExitCode } from '../errors.js'
import { configKey, type ConfigValue } from './keys.js'

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.BBMESH_CONFIG
  if (explicit !== undefined && explicit !== '') return resolve(explicit)
  // env-paths reads XDG_CONFIG_HOME at call time; the suffix-less name gives .../bbmesh.
  return join(envPaths('bbmesh', { suffix: '' }).config, 'config.json')
}

/** A bad config: one line naming the file and the key, exit 2 like any bad input. */
export function configError(where: string, message: string): CliError {
  return new CliError(`${where}: ${message}`, 'CONFIG', ExitCode.usage)
}

/** The file's object as written, without validating its keys (set/unset edit it as it is). */
export function readRawConfig(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw configError(`config file ${path}`, `not valid JSON (${(err as Error).message.split('\n')[0]})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw configError(`config file ${path}`, 'expected a JSON object of settings')
  return parsed as Record<string, unknown>
}

/** The file's settings, each validated; an unknown key or a bad value is an error naming it. */
export function readConfigFile(path: string): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>()
  for (const [name, raw] of Object.entries(readRawConfig(path))) {
    const key = configKey(name)
    if (key === undefined)
      throw configError(`config file ${path}`, `unknown key '${name}' (see 'bbmesh config show')`)
    try {
      out.set(name, key.parse(raw))
    } catch (err) {
      throw configError(`config file ${path}`, `${name}: ${(err as Error).message}`)
    }
  }
  return out
}

export function writeRawConfig(path: string, values: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  // Write-then-rename: an interrupted `config set` leaves the old file, never half a file.
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(values, null, 2) + '\n', { mode: 0o600 })
  renameSync(tmp, path)
}
