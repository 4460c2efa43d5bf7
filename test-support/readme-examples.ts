// Every ```js / ```ts block of the packages' READMEs, as a user would paste it into a scratch
// project. A block that is not a whole program says so in the comment line just above its fence,
// `<!-- readme-example: skip: <why> -->`, and a block that reads command-line arguments names them
// in `<!-- readme-example: args <repo-relative paths…> -->`.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface ReadmeExample {
  /** `packages/<name>/README.md:<line>` of the opening fence. */
  where: string
  lang: 'js' | 'ts'
  code: string
  skip?: string
  args: string[]
}

export function readmeExamples(repoRoot: string, pkg: string): ReadmeExample[] {
  const file = join('packages', pkg, 'README.md')
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n')
  const out: ReadmeExample[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(js|ts)\s*$/.exec(lines[i]!)
    if (!open) continue
    const end = lines.indexOf('```', i + 1)
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`)
    const marker =
      /^<!-- readme-example: (skip|args):? (.*?) -->$/.exec(lines[i - 1] ?? '') ??
      /^<!-- readme-example: (skip|args):? (.*?) -->$/.exec(lines[i - 2] ?? '')
    out.push({
      where: `${file}:${i + 1}`,
      lang: open[1] as 'js' | 'ts',
      code: lines.slice(i + 1, end).join('\n'),
      ...(marker?.[1] === 'skip' && { skip: marker[2]! }),
      args: marker?.[1] === 'args' ? marker[2]!.split(/\s+/).map((p) => join(repoRoot, p)) : [],
    })
    i = end
  }
  return out
}
