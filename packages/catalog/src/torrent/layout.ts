import { PAD_ATTR, PAD_DIR } from '../constants.js'
import { bdict, bkey, utf8, type BDict, type BValue } from '../bencode/types.js'

export interface LayoutFile {
  path: Uint8Array[]
  length: number
}

export interface Layout {
  /** Zero bytes that follow file i in the v1 piece stream (its BEP 47 pad), 0 for none. */
  padAfter: number[]
  /** BEP 3 `files` entries with the pad files in place. */
  v1Files: BValue[]
}

/**
 * BEP 52 "Upgrade Path": in a hybrid every non-empty file starts on a piece boundary, so unaligned
 * files are followed by BEP 47 pad files. Where pads go is left open by the BEPs; we place them as
 * libtorrent 2.0 does so infohashes agree: right after each unaligned non-empty file (tail padding),
 * or, without tail padding, just before the next non-empty file and never at the end.
 */
export function planLayout(
  files: readonly LayoutFile[],
  pieceLength: number,
  padded: boolean,
  tail: boolean,
): Layout {
  const padAfter = new Array<number>(files.length).fill(0)
  const v1Files: BValue[] = []
  const pad = (gap: number): BValue =>
    bdict({ attr: utf8(PAD_ATTR), length: gap, path: [utf8(PAD_DIR), utf8(String(gap))] })
  let pending = 0
  let pendingFrom = -1
  for (const [i, file] of files.entries()) {
    if (pending > 0 && file.length > 0) {
      padAfter[pendingFrom] = pending
      v1Files.push(pad(pending))
      pending = 0
    }
    v1Files.push(bdict({ length: file.length, path: file.path }))
    const gap = (pieceLength - (file.length % pieceLength)) % pieceLength
    if (!padded || file.length === 0 || gap === 0) continue
    if (tail) {
      padAfter[i] = gap
      v1Files.push(pad(gap))
    } else {
      pending = gap
      pendingFrom = i
    }
  }
  return { padAfter, v1Files }
}

/** BEP 52 `file tree`: nested dicts keyed by path element; the '' key holds length and pieces root. */
export function fileTree(
  files: readonly { path: Uint8Array[]; size: number; piecesRoot: Uint8Array | null }[],
): BDict {
  const root: BDict = new Map()
  for (const f of files) {
    let node = root
    for (const element of f.path) {
      const key = bkey(element)
      let child = node.get(key)
      if (!(child instanceof Map)) {
        child = new Map()
        node.set(key, child)
      }
      node = child
    }
    node.set('', bdict({ length: f.size, 'pieces root': f.piecesRoot ?? undefined }))
  }
  return root
}
