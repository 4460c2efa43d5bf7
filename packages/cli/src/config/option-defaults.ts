// Config values as defaults of the commands' own options: a command that takes --bootstrap, --port
// or --announce-rate gets the configured value when the user gave none, so precedence stays
// CLI > env > file > the command's built-in default without each command reading the config.
import type { Command } from 'commander'
import type { ResolvedConfig } from './resolve.js'

/** Option attribute -> config key, per command path ('*' for every command that has the option). */
const OPTION_KEYS: Record<string, Record<string, string>> = {
  '*': { bootstrap: 'bootstrap', announceRate: 'announceRate' },
  crawl: { port: 'dhtPort' },
  'metadata serve': { port: 'peerPort' },
  publish: { port: 'peerPort' },
  resolve: { port: 'peerPort' },
}

function commandPath(command: Command): string {
  const names: string[] = []
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

export function applyConfigDefaults(command: Command, config: () => ResolvedConfig): void {
  const map = { ...OPTION_KEYS['*'], ...OPTION_KEYS[commandPath(command)] }
  for (const opt of command.options) {
    const attr = opt.attributeName()
    const key = map[attr]
    if (key === undefined) continue
    const source = command.getOptionValueSource(attr)
    if (source !== undefined && source !== 'default') continue
    const setting = config().get(key)
    // A key nobody set leaves the command's own default (e.g. the public routers) untouched.
    if (setting.source === 'default') continue
    const text = config().optionText(key)
    if (text !== undefined) command.setOptionValueWithSource(attr, text, 'config')
  }
}
