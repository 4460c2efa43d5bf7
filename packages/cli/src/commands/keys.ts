import type { Command } from 'commander'
import { loadPublisherKey, mintPublisherKey, PublisherKeyError, publisherKeyPath } from '@bbmesh/catalog'
import { commandAction } from '../command-action.js'
import { CliError } from '../errors.js'

/** Publisher-key failures keep their stable code (KEY_EXISTS, KEY_MISSING, KEY_INSECURE, KEY_CORRUPT). */
function asCliError(err: unknown): never {
  if (err instanceof PublisherKeyError) throw new CliError(err.message, err.code)
  throw err
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('the publisher identity (ed25519 key in the data dir)')
  keys
    .command('mint')
    .description('create a new publisher keypair (mode 0600); refuses to replace one without --force')
    .option('--force', 'replace an existing key (the old library pointer is lost for good)')
    .action(
      commandAction(async (ctx, opts: { force?: boolean }) => {
        const dataDir = ctx.ensureDataDir()
        const key = await mintPublisherKey(dataDir, { force: opts.force === true }).catch(asCliError)
        key.destroy() // only the public half is needed from here on
        ctx.out.info(
          `publisher key written to ${publisherKeyPath(dataDir)}; back it up, it cannot be recovered`,
        )
        if (ctx.out.json) {
          ctx.out.record({ publicKey: key.publicKeyHex })
          return
        }
        ctx.out.text(`public key  ${key.publicKeyHex}`)
        ctx.out.text(`share       ${key.shareable}`)
      }),
    )
  keys
    .command('show')
    .description('print the publisher public key and its shareable form')
    .action(
      commandAction(async (ctx) => {
        const key = await loadPublisherKey(ctx.dataDir).catch(asCliError)
        try {
          if (ctx.out.json) {
            ctx.out.record({ publicKey: key.publicKeyHex })
            return
          }
          ctx.out.text(`public key  ${key.publicKeyHex}`)
          ctx.out.text(`share       ${key.shareable}`)
          ctx.out.text(`key file    ${publisherKeyPath(ctx.dataDir)}`)
        } finally {
          key.destroy()
        }
      }),
    )
}
