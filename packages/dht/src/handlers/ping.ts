import type { BuiltinHandler } from './types.js'

/** BEP 5 ping: reply with our id (the dispatcher adds it). */
export const ping: BuiltinHandler = () => ({ r: {} })
