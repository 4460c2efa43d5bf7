import type { TORZNAB_ERROR } from './constants.js'

/** A Torznab error reply: `<error code="…" description="…"/>`. */
export class TorznabError extends Error {
  override readonly name = 'TorznabError'
  constructor(
    readonly code: (typeof TORZNAB_ERROR)[keyof typeof TORZNAB_ERROR],
    readonly description: string,
  ) {
    super(description)
  }
}
