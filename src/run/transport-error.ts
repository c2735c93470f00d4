/**
 * What the API transport throws: the kind says what the run, the ledger and the erasure may conclude
 * (src/run/sent-state.ts reads it to answer "was this request sent?").
 */
export type TransportErrorKind =
  'auth' | 'status' | 'malformed' | 'network' | 'policy' | 'tooLarge' | 'deadline'

export class TransportError extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    readonly status?: number,
    /**
     * For 'network': the connection never reached the server; for 'deadline': the timeout ran out
     * before the request was sent, or before a POST answered 429/503 (not processed) could be
     * repeated. Either way nothing was taken.
     */
    readonly neverSent = false
  ) {
    super(message)
    this.name = 'TransportError'
  }
}
