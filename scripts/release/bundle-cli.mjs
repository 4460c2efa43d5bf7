// Builds the `bbmesh` package: the CLI with our workspace code bundled by esbuild into dist/bin.js,
// and every third-party module (native better-sqlite3 and sodium-native among them) left as an
// ordinary dependency that npm installs. Only our code is bundled so a native build, a CommonJS
// quirk or a licence of a dependency stays that package's own.
import { builtinModules } from 'node:module'
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { root, repositoryFor } from './workspace.mjs'

const OURS = /^@bbmesh\//

/** 'a/b' -> 'a', '@s/a/b' -> '@s/a'. */
function packageNameOf(spec) {
  const parts = spec.split('/')
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec)
}

function isBuiltin(spec) {
  return spec.startsWith('node:') || builtinModules.includes(packageNameOf(spec))
}

/** Keeps everything that is not ours outside the bundle, and records which packages those are. */
function externalsPlugin(seen) {
  return {
    name: 'bbmesh-externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (OURS.test(args.path)) return undefined
        if (!isBuiltin(args.path)) seen.add(packageNameOf(args.path))
        return { path: args.path, external: true }
      })
    },
  }
}

/**
 * The version range of each external, from the workspace package that declares it as a runtime
 * dependency. Two packages asking for different ranges, or none declaring it, is a release error.
 */
function dependencyRanges(names, packages) {
  const out = {}
  for (const name of [...names].sort()) {
    const specs = new Set()
    for (const pkg of packages.values()) {
      const spec = pkg.manifest.dependencies?.[name]
      if (spec !== undefined) specs.add(spec)
    }
    if (specs.size === 0) throw new Error(`the CLI bundle imports ${name}, which no package depends on`)
    if (specs.size > 1) throw new Error(`packages ask for different ${name} ranges: ${[...specs].join(', ')}`)
    out[name] = [...specs][0]
  }
  return out
}

export async function stageCli(packages, version, stageDir) {
  const cli = packages.get('@bbmesh/cli')
  const catalog = packages.get('@bbmesh/catalog')
  if (cli === undefined || catalog === undefined) throw new Error('no @bbmesh/cli or @bbmesh/catalog')
  const seen = new Set()
  mkdirSync(stageDir, { recursive: true })
  await build({
    // The catalog hashes pieces in worker threads loaded as new URL('./hash-worker.js', import.meta.url),
    // so the worker is a second entry point written next to bin.js.
    entryPoints: {
      bin: join(cli.dir, 'dist', 'bin.js'),
      'hash-worker': join(catalog.dir, 'dist', 'torrent', 'hash-worker.js'),
    },
    outdir: join(stageDir, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [externalsPlugin(seen)],
  })
  const manifest = {
    name: 'bbmesh',
    version,
    description: cli.manifest.description,
    type: 'module',
    license: cli.manifest.license,
    engines: cli.manifest.engines,
    // A command, not a library: nothing to import (the libraries are the @bbmesh/* packages).
    exports: { './package.json': './package.json' },
    bin: { bbmesh: './dist/bin.js' },
    files: ['dist'],
    dependencies: dependencyRanges(seen, packages),
    repository: repositoryFor(cli.folder),
  }
  writeFileSync(join(stageDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n')
  cpSync(join(cli.dir, 'README.md'), join(stageDir, 'README.md'))
  cpSync(join(root, 'LICENSE'), join(stageDir, 'LICENSE'))
  return manifest
}
