// BEP 5 write tokens: SHA-1(ip + secret) with a secret rotated every 5 minutes; a token from the
// current or previous secret is accepted (up to 10 minutes). Stateless, so nothing to bound.
import { createHash, randomBytes } from 'node:crypto'
import { TOKEN_ROTATE_MS } from './constants.js'

export class TokenManager {
  private secrets: [Buffer, Buffer]
  private rotatedAt: number
  /** Created on the first token issued (lazily, like the rotation). */
  private cache: Map<string, Buffer> | null = null

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: (n: number) => Buffer = randomBytes,
  ) {
    this.secrets = [random(20), random(20)]
    this.rotatedAt = now()
  }

  /** Rotation is lazy (checked on use) so idle nodes hold no timer. */
  private maybeRotate(): void {
    const t = this.now()
    if (t - this.rotatedAt < TOKEN_ROTATE_MS) return
    const steps = Math.min(2, Math.floor((t - this.rotatedAt) / TOKEN_ROTATE_MS))
    for (let i = 0; i < steps; i++) this.secrets = [this.random(20), this.secrets[0]]
    this.rotatedAt = t
    this.cache = null
  }

  issue(ip: string): Buffer {
    this.maybeRotate()
    // A bounded cache of current-secret tokens: get_peers/get replies need one per query.
    const cache = (this.cache ??= new Map())
    let tok = cache.get(ip)
    if (!tok) {
      if (cache.size >= 4096) cache.clear()
      tok = make(ip, this.secrets[0])
      cache.set(ip, tok)
    }
    return tok
  }

  verify(ip: string, token: Buffer): boolean {
    return token.equals(this.issue(ip)) || token.equals(make(ip, this.secrets[1]))
  }
}

function make(ip: string, secret: Buffer): Buffer {
  return createHash('sha1').update(ip).update(secret).digest()
}
