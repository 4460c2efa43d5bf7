// Named errors of @bbmesh/testnet (STYLE.md, point 5).

export type TestnetErrorCode =
  'ERR_TESTNET_OPTIONS' | 'ERR_TESTNET_DESTROYED' | 'ERR_TESTNET_START' | 'ERR_SIM_STALLED'

export class TestnetError extends Error {
  override readonly name = 'TestnetError'
  constructor(
    readonly code: TestnetErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
