// `bbmesh community`: the community keys this node holds (create, invite, join, list) and a look at
// who is in one (members). The key never leaves its 0600 file except through `invite`.
import {
  communityFingerprint,
  createCommunity,
  decodeInvite,
  inviteFor,
  joinCommunity,
  listCommunities,
} from '@bbmesh/mesh'
import type { Command } from 'commander'
import { commandAction } from '../command-action.js'
import { communityCliError, communityName } from './community-mesh.js'
import { registerMembersCommand } from './community-members.js'

const collect = (v: string, acc: string[]): string[] => [...acc, v]

export function registerCommunityCommand(program: Command): void {
  const community = program
    .command('community')
    .description('community keys: create one, invite others, join, list; see who is in one')
    .addHelpText(
      'after',
      `
A community is a shared 32-byte secret kept in <data-dir>/communities/NAME.key (mode 0600).
Members find each other on the DHT through a daily rendezvous infohash derived from it, and admit
only each other through the bb_gate handshake; strangers see an ordinary BitTorrent peer.`,
    )

  community
    .command('create <name>')
    .description('create a community with a fresh random key')
    .option('--hint <host:port>', 'a member address to put in invites (repeatable, at most 2)', collect, [])
    .action(
      commandAction(async (ctx, name: string, opts: { hint: string[] }) => {
        const dataDir = ctx.ensureDataDir()
        const c = await createCommunity(dataDir, name, opts.hint).catch(communityCliError)
        if (ctx.out.json) return ctx.out.record({ name: c.name, fingerprint: c.fingerprint })
        ctx.out.text(`community ${c.name} created, fingerprint ${c.fingerprint}`)
        ctx.out.info(`invite others with: bbmesh community invite ${c.name}`)
      }),
    )

  community
    .command('invite [name]')
    .description('print the invite string for a community (it IS the secret key: share it privately)')
    .option('--hint <host:port>', 'member addresses to include instead of the stored ones', collect, [])
    .action(
      commandAction(async (ctx, given: string | undefined, opts: { hint: string[] }) => {
        const name = communityName(ctx, given)
        const hints = opts.hint.length > 0 ? opts.hint : undefined
        const invite = await inviteFor(ctx.dataDir, name, hints).catch(communityCliError)
        ctx.out.warn('this invite is the community key: anyone holding it is a member; send it privately')
        if (ctx.out.json) return ctx.out.record({ name, invite })
        ctx.out.text(invite)
      }),
    )

  community
    .command('join <invite>')
    .description('store the community key an invite carries')
    .option('--name <name>', 'local name for it (default: community-<fingerprint prefix>)')
    .action(
      commandAction(async (ctx, invite: string, opts: { name?: string }) => {
        let name = opts.name
        if (name === undefined) {
          const { key } = (() => {
            try {
              return decodeInvite(invite)
            } catch (err) {
              return communityCliError(err)
            }
          })()
          name = `community-${communityFingerprint(key).slice(0, 9)}`
          key.fill(0)
        }
        const dataDir = ctx.ensureDataDir()
        const c = await joinCommunity(dataDir, invite, name).catch(communityCliError)
        if (ctx.out.json) return ctx.out.record({ name: c.name, fingerprint: c.fingerprint, hints: c.hints })
        ctx.out.text(`joined community ${c.name}, fingerprint ${c.fingerprint}`)
      }),
    )

  community
    .command('list')
    .description('the communities this node holds keys for (names and public fingerprints only)')
    .action(
      commandAction(async (ctx) => {
        const all = await listCommunities(ctx.dataDir).catch(communityCliError)
        if (ctx.out.json) {
          for (const c of all) ctx.out.record(c)
          return
        }
        if (all.length === 0) return ctx.out.info('no communities yet: bbmesh community create NAME')
        const width = Math.max(...all.map((c) => c.name.length))
        for (const c of all) ctx.out.text(`${c.name.padEnd(width)}  ${c.fingerprint}`)
      }),
    )

  registerMembersCommand(community)
}
