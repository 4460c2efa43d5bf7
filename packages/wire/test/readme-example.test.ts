// The "Writing an extension" example in README.md, as written: extracted, type-checked against the
// built declarations (dist/), transpiled and run by node in a child process. The child must print the
// pong and exit by itself: a socket or timer the example left open would keep it alive past the deadline.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(pkg, 'dist', 'index.js')
const dir = mkdtempSync(join(tmpdir(), 'bbmesh-wire-readme-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The first ```ts block after `heading`. */
function codeBlock(markdown: string, heading: string): string {
  const at = markdown.indexOf(`\n${heading}\n`)
  if (at < 0) throw new Error(`README has no heading ${heading}`)
  const m = /\n```ts\n([\s\S]*?)\n```\n/.exec(markdown.slice(at))
  if (!m) throw new Error(`no ts block under ${heading}`)
  return m[1]!
}

function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [resolve(pkg, '../../node_modules/@types')],
    skipLibCheck: true,
    paths: { '@bbmesh/wire': [join(pkg, 'dist', 'index.d.ts')] },
  })
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

function runNode(
  file: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [file], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) =>
      done({
        code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
        signal: err?.signal ?? null,
        stdout,
        stderr,
      }),
    )
  })
}

describe('README: Writing an extension', () => {
  it('type-checks, runs, prints the pong and exits on its own', { timeout: 60_000 }, async () => {
    const source = codeBlock(readFileSync(join(pkg, 'README.md'), 'utf8'), '## Writing an extension')
    expect(source).toContain("from '@bbmesh/wire'")
    const tsFile = join(dir, 'example.mts')
    writeFileSync(tsFile, source)
    expect(typeErrors(tsFile)).toEqual([])

    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText
    const jsFile = join(dir, 'example.mjs')
    writeFileSync(jsFile, js.replaceAll("from '@bbmesh/wire'", `from '${pathToFileURL(dist).href}'`))
    const started = Date.now()
    const r = await runNode(jsFile, 20_000)
    expect(r.signal, `killed after ${Date.now() - started} ms: it did not exit by itself`).toBeNull()
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('pong 1\n')
  })
})
