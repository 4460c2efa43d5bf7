// Minimal declaration for stock ut_metadata, the comparison baseline.
declare module 'ut_metadata' {
  const utMetadata: (metadata?: Uint8Array) => new (wire: unknown) => unknown
  export default utMetadata
}
