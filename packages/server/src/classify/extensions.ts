/** What a file extension says about content; archives and metadata files say nothing. */
export type ExtensionKind = 'video' | 'audio' | 'software' | 'ebook' | 'comic'

const TABLE: Record<ExtensionKind, readonly string[]> = {
  video: [
    'mkv',
    'mp4',
    'm4v',
    'avi',
    'mov',
    'wmv',
    'ts',
    'm2ts',
    'webm',
    'mpg',
    'mpeg',
    'flv',
    'vob',
    'divx',
  ],
  audio: ['mp3', 'flac', 'ogg', 'opus', 'm4a', 'm4b', 'aac', 'wav', 'ape', 'alac', 'wma', 'wv', 'dsf'],
  software: ['exe', 'msi', 'dmg', 'pkg', 'iso', 'img', 'apk', 'deb', 'rpm', 'appimage', 'snap', 'xapk'],
  ebook: ['epub', 'mobi', 'azw', 'azw3', 'pdf', 'djvu', 'fb2', 'lit'],
  comic: ['cbz', 'cbr', 'cb7'],
}

const BY_EXTENSION = new Map<string, ExtensionKind>(
  Object.entries(TABLE).flatMap(([kind, exts]) => exts.map((e) => [e, kind as ExtensionKind] as const)),
)

/** The lower-case extension of a path's last component, or '' ('a/b.MKV' -> 'mkv'). */
export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase()
}

export function kindOfExtension(ext: string): ExtensionKind | undefined {
  return BY_EXTENSION.get(ext)
}
