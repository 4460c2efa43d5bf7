#!/usr/bin/env node
// `pnpm release:pack`: the installable tarballs of one release in release/ — the bundled `bbmesh`
// command and each @bbmesh/* library — plus release/manifest.json naming them. Expects a fresh
// `pnpm build` (the root script runs it first). Why this split: see "Install" in README.md.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stageCli } from './bundle-cli.mjs'
import { stageLibrary } from './stage-library.mjs'
import { releaseDir, releaseVersion, workspacePackages } from './workspace.mjs'

const packages = workspacePackages()
const libraries = [...packages.values()].filter(
  (p) => p.manifest.name !== '@bbmesh/cli' && !p.manifest.private,
)
const version = releaseVersion([...libraries, packages.get('@bbmesh/cli')])

rmSync(releaseDir, { recursive: true, force: true })
mkdirSync(releaseDir, { recursive: true })
// Staged outside the repository so npm reads no workspace .npmrc and sees no workspace.
const stageRoot = mkdtempSync(join(tmpdir(), 'bbmesh-stage-'))
const tarballs = []
try {
  const staged = []
  for (const lib of libraries) {
    const dir = join(stageRoot, lib.folder)
    stageLibrary(lib, version, dir)
    staged.push({ name: lib.manifest.name, dir })
  }
  const cliDir = join(stageRoot, 'bbmesh')
  await stageCli(packages, version, cliDir)
  staged.push({ name: 'bbmesh', dir: cliDir })
  for (const { name, dir } of staged) {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', releaseDir], {
      cwd: dir,
      // pnpm's npm_config_* settings mean nothing to npm pack (and make it warn about each one).
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_config_'))),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const [info] = JSON.parse(out)
    tarballs.push({ name, file: info.filename, size: info.size, files: info.files.map((f) => f.path) })
    console.log(`${info.filename}  ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} KiB`)
  }
} finally {
  rmSync(stageRoot, { recursive: true, force: true })
}
writeFileSync(join(releaseDir, 'manifest.json'), JSON.stringify({ version, tarballs }, null, 2) + '\n')
