#!/usr/bin/env node
// Enforces the layering in DEVELOPERS.md: dependency arrows point down, no package reaches into
// another's files, and no import cycles between source files. Exits non-zero on any violation.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs'
import { join, dirname, resolve, relative } from 'node:path'

const root = resolve(dirname(new URL(import.meta.url).pathname), '..')
// Which of our packages each package may import. Anything not listed is an upward or sideways arrow.
const allowed = {
  dht: [],
  wire: [],
  index: [],
  catalog: ['dht', 'wire', 'index'],
  mesh: ['dht', 'wire', 'index', 'catalog'],
  testnet: ['dht', 'wire', 'index', 'catalog', 'mesh'],
  server: ['index'],
  cli: ['dht', 'wire', 'index', 'catalog', 'mesh', 'testnet', 'server'],
}
const errors = []
const pkgsDir = join(root, 'packages')

function walk(dir, out = []) {
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') walk(p, out)
    } else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

const importRe =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm

function importsOf(file) {
  const text = readFileSync(file, 'utf8')
  const specs = []
  for (const m of text.matchAll(importRe)) specs.push(m[1] ?? m[2] ?? m[3])
  return specs
}

for (const pkg of readdirSync(pkgsDir)) {
  const dir = join(pkgsDir, pkg)
  if (!existsSync(join(dir, 'package.json'))) continue
  if (!(pkg in allowed)) {
    errors.push(`packages/${pkg}: not in the layering table of scripts/check-deps.mjs`)
    continue
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const declared = { ...manifest.dependencies, ...manifest.devDependencies }
  for (const dep of Object.keys(declared)) {
    if (!dep.startsWith('@bbmesh/')) continue
    const name = dep.slice('@bbmesh/'.length)
    if (!allowed[pkg].includes(name)) errors.push(`packages/${pkg}/package.json: may not depend on ${dep}`)
  }
  const files = [...walk(join(dir, 'src')), ...walk(join(dir, 'test')), ...walk(join(dir, 'bench'))]
  const graph = new Map()
  for (const file of files) {
    const rel = relative(root, file)
    const edges = []
    for (const spec of importsOf(file)) {
      if (spec.startsWith('@bbmesh/')) {
        const [, name, ...rest] = spec.split('/')
        if (!allowed[pkg].includes(name)) errors.push(`${rel}: imports ${spec}, an upward or sideways arrow`)
        if (rest.length > 0) errors.push(`${rel}: imports ${spec}; use the package's public API`)
      } else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec)
        // A package's tests may share the repository's test support (test-support/: the fuzz
        // harness); its src and bench may not, and nothing may reach into another package.
        const testSupport =
          file.startsWith(join(dir, 'test') + '/') && target.startsWith(join(root, 'test-support') + '/')
        if (!target.startsWith(dir + '/') && !testSupport)
          errors.push(`${rel}: imports ${spec}, outside its own package`)
        if (file.includes('/src/')) edges.push(target.replace(/\.js$/, '.ts'))
      }
    }
    graph.set(file, edges)
  }
  // Cycle check over src/ files (depth-first search with colours).
  const colour = new Map()
  const stack = []
  const visit = (node) => {
    colour.set(node, 1)
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue
      if (colour.get(next) === 1) {
        const cycle = stack
          .slice(stack.indexOf(next))
          .concat(next)
          .map((f) => relative(root, f))
        errors.push(`import cycle: ${cycle.join(' -> ')}`)
      } else if (!colour.has(next)) visit(next)
    }
    stack.pop()
    colour.set(node, 2)
  }
  for (const node of graph.keys()) if (!colour.has(node)) visit(node)
}

if (errors.length > 0) {
  for (const e of errors) console.error(`check-deps: ${e}`)
  process.exit(1)
}
console.log('check-deps: layering ok, no cycles')
