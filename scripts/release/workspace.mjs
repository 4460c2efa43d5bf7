// The workspace as the release sees it: each package's manifest, and the repository metadata that
// the root package.json holds once for all of them.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const releaseDir = join(root, 'release')

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** Every package under packages/, keyed by its npm name. */
export function workspacePackages() {
  const out = new Map()
  for (const name of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', name)
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const manifest = readJson(file)
    out.set(manifest.name, { dir, folder: name, manifest })
  }
  return out
}

/** The `repository` field for one package folder, from the root manifest's repository url. */
export function repositoryFor(folder) {
  const rootManifest = readJson(join(root, 'package.json'))
  const url = rootManifest.repository?.url
  if (typeof url !== 'string') throw new Error('root package.json has no repository.url')
  return { type: 'git', url, directory: `packages/${folder}` }
}

/** Fails unless every released package carries the same version: the set installs together. */
export function releaseVersion(packages) {
  const versions = new Set(packages.map((p) => p.manifest.version))
  if (versions.size !== 1) throw new Error(`packages disagree on the version: ${[...versions].join(', ')}`)
  return [...versions][0]
}
