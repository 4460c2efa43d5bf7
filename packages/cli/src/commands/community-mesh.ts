// Joins a stored community with a running DHT node: loads the key file, starts the mesh's gated wire
// listener and rendezvous. Shared by `community members` and `crawl --community`.
import type { DhtNode } from '@bbmesh/dht'
import {
  CommunityError,
  loadCommunity,
  meshDht,
  parseHint,
  startMesh,
  type CommunityMesh,
  type MeshOptions,
} from '@bbmesh/mesh'
import type { PeerAddress } from '@bbmesh/wire'
import type { CommandContext } from '../context.js'
import { CliError, ExitCode, UsageError } from '../errors.js'

export interface MeshCliOptions {
  dataDir: string
  name: string
  dht: DhtNode
  /** Address the wire listener binds (0.0.0.0, or 127.0.0.1 on a loopback network). */
  host: string
  port: number
  /** Extra member addresses to dial, beside the invite's hints. */
  peers: PeerAddress[]
  /** Members-only extensions to run on the gated links (e.g. bb_search). */
  registerExtensions?: MeshOptions['registerExtensions']
}

/** Community errors keep their codes; a bad name or invite is a bad command line (exit 2). */
export function communityCliError(err: unknown): never {
  if (err instanceof CommunityError) {
    const usage = err.code === 'BAD_INVITE' || err.code === 'BAD_NAME'
    throw new CliError(err.message, err.code, usage ? ExitCode.usage : ExitCode.failure)
  }
  throw err
}

/** The community a command names, else the configured `community` (config, BBMESH_COMMUNITY). */
export function communityName(ctx: Pick<CommandContext, 'config'>, given: string | true | undefined): string {
  if (typeof given === 'string') return given
  const configured = ctx.config.get('community').value
  if (typeof configured === 'string') return configured
  throw new UsageError('name a community, or set one: bbmesh config set community NAME')
}

export async function joinMesh(o: MeshCliOptions): Promise<CommunityMesh> {
  const community = await loadCommunity(o.dataDir, o.name).catch(communityCliError)
  const hints = community.hints.map((h) => parseHint(h))
  return startMesh({
    keys: community.keys,
    dht: meshDht(o.dht),
    listen: { host: o.host, port: o.port },
    hints: [...hints, ...o.peers],
    ...(o.registerExtensions && { registerExtensions: o.registerExtensions }),
  })
}
