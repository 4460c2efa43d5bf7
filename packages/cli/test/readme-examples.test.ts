// Every README example of the libraries, run as written from a scratch project that depends on the
// built packages (node_modules/@bbmesh/* linked to packages/*, the way `npm i` of the tarballs lays
// them out). A .ts block is transpiled first. Each must exit 0 by itself within its deadline: a
// socket or timer it left open would keep it alive. Blocks that are fragments say why in the README.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { readmeExamples } from '../../../test-support/readme-examples.js'
import { repoRoot } from './run-cli.js'

const PACKAGES = ['dht', 'wire', 'index', 'catalog', 'mesh', 'testnet', 'server']
const scratch = mkdtempSync(join(tmpdir(), 'bbmesh-readme-'))
mkdirSync(join(scratch, 'node_modules', '@bbmesh'), { recursive: true })
for (const p of PACKAGES)
  symlinkSync(join(repoRoot, 'packages', p), join(scratch, 'node_modules', '@bbmesh', p))
writeFileSync(
  join(scratch, 'package.json'),
  JSON.stringify({ name: 'scratch', type: 'module', private: true }),
)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const examples = PACKAGES.flatMap((p) => readmeExamples(repoRoot, p))

function run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      [file, ...args],
      { cwd: scratch, timeout: 150_000, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: scratch } },
      (err, stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    ),
  )
}

describe('README examples run as written', () => {
  it('every fragment says why it is one', () => {
    expect(examples.length).toBeGreaterThan(10)
    for (const e of examples.filter((x) => x.skip !== undefined))
      expect(e.skip!.length, e.where).toBeGreaterThan(10)
  })

  examples.forEach((e, n) => {
    if (e.skip !== undefined) return
    it(e.where, { timeout: 180_000 }, async () => {
      const source =
        e.lang === 'ts'
          ? ts.transpileModule(e.code, {
              compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
            }).outputText
          : e.code
      const file = join(scratch, `example-${n}.mjs`)
      writeFileSync(file, source)
      const r = await run(file, e.args)
      expect(r.code, `${e.where}\n${r.stderr.slice(-2000)}`).toBe(0)
      expect(r.stdout.length, e.where).toBeGreaterThan(0)
    })
  })
})
