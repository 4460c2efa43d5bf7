// The scratch project of the install test: strict TypeScript without skipLibCheck over every
// library's types, and the @bbmesh/dht README quick start as written (its first ```ts block).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const LIBRARIES = ['dht', 'wire', 'index', 'catalog', 'mesh', 'testnet']

/** The first ```ts block of a README: the example the package leads with. */
export function firstTsBlock(markdown) {
  const m = /```ts\n([\s\S]*?)```/.exec(markdown)
  if (m === null) throw new Error('README has no ```ts block')
  return m[1]
}

export function consumerFiles(root) {
  const all =
    LIBRARIES.map((l) => `import * as ${l} from '@bbmesh/${l}'`).join('\n') +
    `\nexport const exported = { ${LIBRARIES.map((l) => `${l}: Object.keys(${l})`).join(', ')} }\n`
  return {
    'package.json': JSON.stringify({ name: 'scratch', private: true, type: 'module' }, null, 2) + '\n',
    'tsconfig.json':
      JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            skipLibCheck: false,
            types: ['node'],
            outDir: 'out',
          },
          include: ['*.ts'],
        },
        null,
        2,
      ) + '\n',
    'all.ts': all,
    'readme-dht.ts': firstTsBlock(readFileSync(join(root, 'packages', 'dht', 'README.md'), 'utf8')),
  }
}
