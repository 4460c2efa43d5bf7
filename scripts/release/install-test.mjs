#!/usr/bin/env node
// The release as a user gets it: installs release/*.tgz (from `pnpm release:pack`) outside the
// repository, with a fresh npm prefix, HOME and XDG dirs and no workspace variables, then runs
// `bbmesh --version`, `bbmesh testnet --duration 20 --json` (loopback only) and a scratch project
// that type-checks against every library without skipLibCheck and runs the @bbmesh/dht README
// example. Exits non-zero on the first failed check; removes its temp dir either way.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { readJson, releaseDir, root } from './workspace.mjs'
import { consumerFiles } from './install-consumer.mjs'

const release = readJson(join(releaseDir, 'manifest.json'))
const tmp = mkdtempSync(join(tmpdir(), 'bbmesh-install-'))
const prefix = join(tmp, 'prefix')
const started = Date.now()

/** The environment of a user's shell: nothing of the workspace, a home of its own. */
function cleanEnv() {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|TURBO_|INIT_CWD$|NODE_PATH$|NODE_OPTIONS$|BBMESH_)/.test(k)) continue
    env[k] = v
  }
  const home = join(tmp, 'home')
  mkdirSync(home, { recursive: true })
  env.PATH = [
    join(prefix, 'bin'),
    ...(process.env.PATH ?? '').split(delimiter).filter((p) => !p.startsWith(root)),
  ]
    .filter(Boolean)
    .join(delimiter)
  env.HOME = home
  env.XDG_CONFIG_HOME = join(home, '.config')
  env.XDG_DATA_HOME = join(home, '.local', 'share')
  // The user's npm set-up stays: its cache serves repeat downloads (it holds no build output) and
  // its ~/.npmrc may say where node-gyp finds Node's headers (nodedir) for better-sqlite3.
  env.npm_config_cache = process.env.npm_config_cache ?? join(homedir(), '.npm')
  const userNpmrc = join(homedir(), '.npmrc')
  if (existsSync(userNpmrc)) env.npm_config_userconfig = userNpmrc
  env.npm_config_update_notifier = 'false'
  return env
}
const env = cleanEnv()

function run(what, cmd, args, opts = {}) {
  const t0 = Date.now()
  const r = spawnSync(cmd, args, { cwd: tmp, env, encoding: 'utf8', timeout: 15 * 60_000, ...opts })
  const secs = ((Date.now() - t0) / 1000).toFixed(1)
  if (r.status !== 0) {
    process.stderr.write(r.stdout ?? '')
    process.stderr.write(r.stderr ?? '')
    throw new Error(`${what} failed (exit ${r.status ?? r.signal}, ${secs}s)`)
  }
  console.log(`install-test: ${what} ok (${secs}s)`)
  return r.stdout
}

function check(what, ok, detail) {
  if (!ok) throw new Error(`${what}: ${detail}`)
}

const tarball = (name) => {
  const t = release.tarballs.find((x) => x.name === name)
  if (t === undefined) throw new Error(`release/manifest.json has no ${name}`)
  return join(releaseDir, t.file)
}

try {
  run('npm install -g bbmesh', 'npm', [
    'install',
    '-g',
    '--prefix',
    prefix,
    '--no-audit',
    '--no-fund',
    tarball('bbmesh'),
  ])

  const version = run('bbmesh --version', 'bbmesh', ['--version']).trim()
  check('bbmesh --version', version === release.version, `printed ${version}, expected ${release.version}`)

  const out = run(
    'bbmesh testnet --duration 20 --json',
    'bbmesh',
    ['testnet', '--duration', '20', '--json'],
    {
      timeout: 120_000,
    },
  )
  const summary = JSON.parse(out.trim().split('\n').pop() ?? '{}')
  const { event, announced, coverage, metadataCoverage } = summary
  check(
    'testnet summary',
    event === 'summary' && announced > 0 && coverage > 0 && metadataCoverage > 0,
    `last line ${JSON.stringify({ event, announced, coverage, metadataCoverage })}`,
  )
  console.log(
    `install-test: testnet: ${announced} announced, sighted ${coverage}, metadata ${metadataCoverage}`,
  )

  // The scratch consumer. --ignore-scripts: better-sqlite3 was just compiled for the CLI above,
  // and neither the type-check nor the dht example loads it (sodium-native ships prebuilds).
  const consumer = join(tmp, 'consumer')
  mkdirSync(consumer)
  for (const [file, text] of Object.entries(consumerFiles(root))) writeFileSync(join(consumer, file), text)
  const libraries = release.tarballs
    .filter((t) => t.name.startsWith('@bbmesh/'))
    .map((t) => join(releaseDir, t.file))
  const devTools = readJson(join(root, 'package.json')).devDependencies
  run(
    'npm install (scratch project)',
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      ...libraries,
      `typescript@${devTools.typescript}`,
      `@types/node@${devTools['@types/node']}`,
    ],
    { cwd: consumer },
  )
  run('tsc without skipLibCheck (scratch project)', 'npx', ['--no-install', 'tsc', '-p', '.'], {
    cwd: consumer,
  })
  const example = run('@bbmesh/dht README example', 'node', ['out/readme-dht.js'], {
    cwd: consumer,
    timeout: 60_000,
  })
  check('dht example output', example.includes('hello'), `no "hello" in:\n${example}`)
  const lock = JSON.parse(readFileSync(join(consumer, 'package-lock.json'), 'utf8'))
  const resolved = lock.packages?.['node_modules/@bbmesh/dht']?.resolved ?? ''
  check('@bbmesh/dht came from the tarball', resolved.startsWith('file:'), `resolved ${resolved}`)
  console.log(`install-test: all checks passed in ${((Date.now() - started) / 1000).toFixed(0)}s`)
} catch (err) {
  console.error(`install-test: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
