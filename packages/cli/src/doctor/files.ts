// Doctor checks on disk: the data directory and every secret key file in it (publisher key,
// community keys). Reports paths and modes only; never reads a key.
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { publisherKeyPath } from '@bbmesh/catalog'
import { COMMUNITIES_DIR } from '@bbmesh/mesh'
import { octal, type Finding } from './finding.js'

const uid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined)

export function checkDataDir(dataDir: string): Finding {
  const check = 'data dir'
  if (!existsSync(dataDir))
    return {
      check,
      status: 'ok',
      detail: `${dataDir} not created yet (the first command that writes creates it, 0700)`,
    }
  const st = statSync(dataDir)
  if (!st.isDirectory())
    return {
      check,
      status: 'problem',
      detail: `${dataDir} is not a directory`,
      fix: 'move it aside or set --data-dir',
    }
  try {
    accessSync(dataDir, constants.W_OK)
  } catch {
    return {
      check,
      status: 'problem',
      detail: `${dataDir} is not writable`,
      fix: `chmod u+w ${dataDir}, or set another with bbmesh config set dataDir DIR`,
    }
  }
  if ((st.mode & 0o077) !== 0)
    return {
      check,
      status: 'warn',
      detail: `${dataDir} is mode ${octal(st.mode)}: other users can look inside`,
      fix: `chmod 700 ${dataDir}`,
    }
  return { check, status: 'ok', detail: `${dataDir} (${octal(st.mode)})` }
}

function checkKeyFile(check: string, path: string): Finding {
  const st = statSync(path)
  const me = uid()
  if (me !== undefined && st.uid !== me)
    return {
      check,
      status: 'problem',
      detail: `${path} belongs to uid ${st.uid}, not to this user (${me})`,
      fix: `chown ${me} ${path}`,
    }
  if ((st.mode & 0o077) !== 0)
    return {
      check,
      status: 'problem',
      detail: `${path} is mode ${octal(st.mode)}: other users can read a secret key`,
      fix: `chmod 600 ${path}; if others may have copied it, replace it (bbmesh keys mint --force for the publisher key)`,
    }
  return { check, status: 'ok', detail: `${path} (${octal(st.mode)})` }
}

/** The publisher key and each communities/*.key that exists; one finding when there are none. */
export function checkKeyFiles(dataDir: string): Finding[] {
  const out: Finding[] = []
  const publisher = publisherKeyPath(dataDir)
  if (existsSync(publisher)) out.push(checkKeyFile('publisher key', publisher))
  const communities = join(dataDir, COMMUNITIES_DIR)
  if (existsSync(communities)) {
    for (const name of readdirSync(communities).sort())
      if (name.endsWith('.key'))
        out.push(checkKeyFile(`community key ${name.slice(0, -4)}`, join(communities, name)))
  }
  if (out.length === 0)
    out.push({ check: 'key files', status: 'ok', detail: 'no publisher or community keys yet' })
  return out
}
