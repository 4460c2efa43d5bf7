// Minimal declarations for the stock WebTorrent extensions used as interop peers in tests.
declare module 'ut_metadata' {
  const utMetadata: (metadata?: Uint8Array) => new (wire: unknown) => unknown
  export default utMetadata
}
declare module 'ut_pex' {
  const utPex: () => new (wire: unknown) => unknown
  export default utPex
}
