#!/usr/bin/env node
import { run } from './program.js'

// Let stdout drain before exiting: scripts pipe --json output.
run(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`bbmesh: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  },
)

// A closed pipe (`bbmesh export | head`) is the reader's choice, not an error worth a trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})
