import { formatSize } from './format.js'
import { html, type SafeHtml } from './html.js'

interface Folder {
  folders: Map<string, Folder>
  files: Array<{ name: string; size: number }>
  size: number
  count: number
}

const emptyFolder = (): Folder => ({ folders: new Map(), files: [], size: 0, count: 0 })

/** At most this many files are drawn; a 100k-file dump would make a page nobody can use. */
export const MAX_TREE_FILES = 5_000

/** Folds '/'-joined paths into folders, summing sizes and counts on the way down. */
export function buildTree(files: ReadonlyArray<{ path: string; size: number }>): Folder {
  const root = emptyFolder()
  for (const f of files.slice(0, MAX_TREE_FILES)) {
    const parts = f.path.split('/')
    const name = parts.pop() ?? f.path
    let dir = root
    root.size += f.size
    root.count += 1
    for (const p of parts) {
      let next = dir.folders.get(p)
      if (next === undefined) {
        next = emptyFolder()
        dir.folders.set(p, next)
      }
      next.size += f.size
      next.count += 1
      dir = next
    }
    dir.files.push({ name, size: f.size })
  }
  return root
}

/** Nested lists with <details> folders: opens and closes without JavaScript. */
export function renderTree(folder: Folder, depth = 0): SafeHtml {
  const folders = [...folder.folders.entries()].map(
    ([name, sub]) =>
      html`<li><details${depth < 2 ? html` open` : ''}><summary>${name}/ <span class="muted">${sub.count} files, ${formatSize(sub.size)}</span></summary>${renderTree(sub, depth + 1)}</details></li>`,
  )
  const files = folder.files.map(
    (f) => html`<li>${f.name} <span class="muted">${formatSize(f.size)}</span></li>`,
  )
  return html`<ul class="tree">
    ${folders}${files}
  </ul>`
}
