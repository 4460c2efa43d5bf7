// Our declarations for the sodium-native functions ./aead.ts uses (the package ships no types).
declare module 'sodium-native' {
  const sodium: {
    crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number
    crypto_aead_xchacha20poly1305_ietf_ABYTES: number
    /** Returns the ciphertext length written to `c` (message + tag). */
    crypto_aead_xchacha20poly1305_ietf_encrypt(
      c: Buffer,
      m: Buffer,
      ad: Buffer | null,
      nsec: null,
      npub: Buffer,
      k: Buffer,
    ): number
    /** Throws when the tag does not verify. */
    crypto_aead_xchacha20poly1305_ietf_decrypt(
      m: Buffer,
      nsec: null,
      c: Buffer,
      ad: Buffer | null,
      npub: Buffer,
      k: Buffer,
    ): number
    randombytes_buf(buf: Buffer): void
  }
  export default sodium
}
