// One result of `bbmesh doctor`: what was checked, how it stands, and what to do about it.

/** ok: fine; warn: worth knowing, not failing; problem: fix it (doctor exits 1); skipped: not run. */
export type FindingStatus = 'ok' | 'warn' | 'problem' | 'skipped'

export interface Finding {
  readonly check: string
  readonly status: FindingStatus
  readonly detail: string
  /** What the operator should do; present on every warn and problem. */
  readonly fix?: string
}

export const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`
