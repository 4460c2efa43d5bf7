// Kept apart from pool.ts so that telling a URL from a file path does not load `pg`.

/** True for the URLs openIndex hands to the Postgres backend instead of opening a file. */
export function isPostgresUrl(path: string): boolean {
  return /^postgres(ql)?:\/\//i.test(path)
}

/** The URL with any password replaced, for messages and `index.path`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
  }
}
