// Extensions are registered before any connection is made (bittorrent-protocol's `use()` has the same
// rule: ids are fixed when the extended handshake is built). Each gets a local BEP-10 id.
import { ExtensionError } from '../errors.js'
import type { ExtensionDefinition } from './types.js'

export interface RegisteredExtension {
  readonly localId: number
  // The message map is erased here; the session re-types it per extension.
  readonly definition: ExtensionDefinition<Record<string, unknown>>
}

/** BEP-10: ids are one byte and 0 is the handshake. */
const MAX_LOCAL_ID = 255

export class ExtensionRegistry {
  private readonly byName = new Map<string, RegisteredExtension>()
  private readonly byId = new Map<number, RegisteredExtension>()
  private frozen = false

  register<M>(definition: ExtensionDefinition<M>): this {
    if (this.frozen) throw new ExtensionError('register extensions before the first connection')
    const name = definition.protocol.name
    if (!/^[\x21-\x7e]{1,64}$/.test(name))
      throw new ExtensionError(`bad extension name ${JSON.stringify(name)}`)
    if (this.byName.has(name)) throw new ExtensionError(`extension ${name} registered twice`)
    const localId = this.byName.size + 1
    if (localId > MAX_LOCAL_ID) throw new ExtensionError('too many extensions')
    const entry: RegisteredExtension = {
      localId,
      definition: definition as unknown as ExtensionDefinition<Record<string, unknown>>,
    }
    this.byName.set(name, entry)
    this.byId.set(localId, entry)
    return this
  }

  has(name: string): boolean {
    return this.byName.has(name)
  }

  get(name: string): RegisteredExtension | undefined {
    return this.byName.get(name)
  }

  byLocalId(id: number): RegisteredExtension | undefined {
    return this.byId.get(id)
  }

  /** Called when the first connection uses the registry. */
  freeze(): void {
    this.frozen = true
  }

  all(): RegisteredExtension[] {
    return [...this.byName.values()]
  }

  get hasMembersOnly(): boolean {
    return this.all().some((e) => e.definition.protocol.membersOnly === true)
  }
}
