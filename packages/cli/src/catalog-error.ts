import { CatalogError } from '@bbmesh/catalog'
import { CliError } from './errors.js'

/**
 * Rethrows a CatalogError as a CliError with the same message and code (a one-line failure, no
 * stack even under --verbose: it is a reported condition, not a bug); anything else as it is.
 */
export function rethrowCatalogError(err: unknown): never {
  if (err instanceof CatalogError) throw new CliError(err.message, err.code)
  throw err
}
