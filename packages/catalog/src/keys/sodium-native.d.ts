// Our declarations for the few sodium-native functions ./ed25519.ts uses (the package ships no types).
declare module 'sodium-native' {
  const sodium: {
    crypto_sign_PUBLICKEYBYTES: number
    crypto_sign_SECRETKEYBYTES: number
    crypto_sign_SEEDBYTES: number
    crypto_sign_BYTES: number
    crypto_sign_keypair(pk: Buffer, sk: Buffer): void
    crypto_sign_seed_keypair(pk: Buffer, sk: Buffer, seed: Buffer): void
    crypto_sign_detached(sig: Buffer, m: Buffer, sk: Buffer): void
    crypto_sign_verify_detached(sig: Buffer, m: Buffer, pk: Buffer): boolean
    sodium_malloc(size: number): Buffer
    sodium_memzero(buf: Buffer): void
  }
  export default sodium
}
