// Stages one @bbmesh/* library for `npm pack`: its dist (no source maps: the sources they point at
// are not shipped), README, LICENSE, and a manifest with workspace:^ ranges pinned to the release
// version, so a set of tarballs of one release only ever resolves to itself.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { root, repositoryFor } from './workspace.mjs'

const KEEP_FIELDS = [
  'name',
  'version',
  'description',
  'keywords',
  'type',
  'license',
  'engines',
  'exports',
  'main',
  'types',
  'bin',
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
]

/** dist without *.map files and without the sourceMappingURL comments that name them. */
export function copyDist(from, to) {
  mkdirSync(to, { recursive: true })
  for (const name of readdirSync(from)) {
    const src = join(from, name)
    const dst = join(to, name)
    if (statSync(src).isDirectory()) copyDist(src, dst)
    else if (name.endsWith('.map') || name.endsWith('.tsbuildinfo')) continue
    else if (/\.(js|d\.ts)$/.test(name)) {
      const text = readFileSync(src, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n')
      writeFileSync(dst, text)
    } else cpSync(src, dst)
  }
}

export function pinWorkspaceRanges(deps, version) {
  if (deps === undefined) return undefined
  const out = {}
  for (const [name, spec] of Object.entries(deps)) out[name] = spec.startsWith('workspace:') ? version : spec
  return out
}

export function stageLibrary(pkg, version, stageDir) {
  const manifest = {}
  for (const key of KEEP_FIELDS) if (pkg.manifest[key] !== undefined) manifest[key] = pkg.manifest[key]
  manifest.dependencies = pinWorkspaceRanges(pkg.manifest.dependencies, version)
  manifest.repository = repositoryFor(pkg.folder)
  // types/ holds hand-written declarations for untyped dependencies that dist/*.d.ts reference.
  const hasTypes = existsSync(join(pkg.dir, 'types'))
  manifest.files = hasTypes ? ['dist', 'types'] : ['dist']
  mkdirSync(stageDir, { recursive: true })
  writeFileSync(join(stageDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
  copyDist(join(pkg.dir, 'dist'), join(stageDir, 'dist'))
  if (hasTypes) cpSync(join(pkg.dir, 'types'), join(stageDir, 'types'), { recursive: true })
  cpSync(join(pkg.dir, 'README.md'), join(stageDir, 'README.md'))
  cpSync(join(root, 'LICENSE'), join(stageDir, 'LICENSE'))
  return manifest
}
