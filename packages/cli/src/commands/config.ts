// `bbmesh config show|set|unset`: the settings in the config file, BBMESH_* variables and CLI.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { configError, configPath, readRawConfig, writeRawConfig } from '../config/file.js'
import { CONFIG_KEYS, configKey, maskSecret, type ConfigKey, type ConfigValue } from '../config/keys.js'
import { renderTable } from '../table.js'

function shown(key: ConfigKey, value: ConfigValue | undefined): string | undefined {
  if (value === undefined) return undefined
  const text = key.format ? key.format(value) : Array.isArray(value) ? value.join(',') : String(value)
  return key.secret === true ? maskSecret(text) : text
}

function jsonValue(key: ConfigKey, value: ConfigValue | undefined): ConfigValue | undefined {
  return key.secret === true && typeof value === 'string' ? maskSecret(value) : value
}

function absoluteDatabaseUrl(url: string): string {
  if (/^sqlite:\/\//i.test(url)) return `sqlite://${resolve(url.slice('sqlite://'.length))}`
  return /^file:\/\//i.test(url) ? url : resolve(url)
}

function requireKey(name: string): ConfigKey {
  const key = configKey(name)
  if (key === undefined)
    throw configError(name, `unknown config key (known: ${CONFIG_KEYS.map((k) => k.name).join(', ')})`)
  return key
}

export function registerConfigCommand(program: Command): void {
  const config = program
    .command('config')
    .description('settings: CLI > BBMESH_* environment > config file > defaults')
  config
    .command('show')
    .description('every setting with its value and where it came from (secrets masked)')
    .action(
      commandAction(async (ctx) => {
        const c = ctx.config
        const rows = CONFIG_KEYS.map((key) => {
          const s = c.get(key.name)
          const source = s.source === 'env' ? `env ${key.env}` : s.source
          return { key, value: s.value, source }
        })
        if (ctx.out.json) {
          const settings: Record<string, unknown> = {}
          for (const r of rows)
            settings[r.key.name] = {
              value: jsonValue(r.key, r.value) ?? null,
              source: r.source,
              env: r.key.env,
              ...(r.value === undefined && { default: r.key.fallbackHint }),
            }
          ctx.out.record({ file: c.path, exists: existsSync(c.path), settings })
          return
        }
        ctx.out.text(`config file  ${c.path}${existsSync(c.path) ? '' : ' (not created yet)'}`)
        const table = rows.map((r) => [
          r.key.name,
          shown(r.key, r.value) ?? `(${r.key.fallbackHint ?? 'unset'})`,
          r.source,
        ])
        ctx.out.text(renderTable(['key', 'value', 'source'], table, { maxWidth: 110, flexColumn: 1 }))
      }),
    )
  config
    .command('set <key> <value>')
    .description(`write one setting to the config file (keys: ${CONFIG_KEYS.map((k) => k.name).join(', ')})`)
    .action(
      commandAction(async (ctx, name: string, text: string) => {
        const key = requireKey(name)
        let value: ConfigValue
        try {
          value = key.parse(text)
        } catch (err) {
          throw configError(name, (err as Error).message)
        }
        // Paths are stored absolute: the file is read from whatever directory bbmesh runs in.
        if (name === 'dataDir') value = resolve(String(value))
        if (name === 'databaseUrl') value = absoluteDatabaseUrl(String(value))
        const path = configPath()
        const raw = readRawConfig(path)
        raw[name] = value
        writeRawConfig(path, raw)
        if (ctx.out.json) ctx.out.record({ file: path, key: name, value: jsonValue(key, value) })
        else ctx.out.info(`${name} = ${shown(key, value)} (in ${path})`)
      }),
    )
  config
    .command('unset <key>')
    .description('remove one setting from the config file (also an unknown key left in it)')
    .action(
      commandAction(async (ctx, name: string) => {
        const path = configPath()
        const raw = readRawConfig(path)
        if (!(name in raw)) requireKey(name)
        delete raw[name]
        if (existsSync(path)) writeRawConfig(path, raw)
        if (ctx.out.json) ctx.out.record({ file: path, key: name, removed: true })
        else ctx.out.info(`${name} removed from ${path}`)
      }),
    )
}
