/**
 * The transport's own answer to "was this request sent?": the one place that reads its error
 * kinds and statuses for it. The ledger's submit step (one DSAR per person, never two) and the
 * request runner (`not-sent` records) ask here instead of reading the transport's error kinds.
 *
 * - `not-sent`: Amplitude cannot have taken it: the attempt was refused (4xx), answered "not
 *   processed" (429, 503), or the transport knows nothing left this machine (the connection never
 *   opened, the deadline or the budget came first).
 * - `sent`: answered with anything else: the server took it.
 * - `unknown`: handed to the network and not answered (a reset, a stall, a cut): it may have been
 *   taken, so it is never submitted again blindly.
 */
import { NOT_PROCESSED_STATUSES, TransportError } from './http-transport.js'

export type SentState = 'not-sent' | 'sent' | 'unknown'

/** Whether an attempt that was answered with `status` was taken by the server. */
export function answeredSentState(status: number): 'not-sent' | 'sent' {
  const refused = status >= 400 && status < 500
  return refused || NOT_PROCESSED_STATUSES.has(status) ? 'not-sent' : 'sent'
}

/** Whether an attempt (or a request) that failed with `error` was taken by the server. */
export function sentState(error: unknown): 'not-sent' | 'unknown' {
  return error instanceof TransportError && error.neverSent ? 'not-sent' : 'unknown'
}

/** Whether the run's timeout (or the budget's room only after it) stopped the request: no fault. */
export function stoppedByDeadline(error: unknown): boolean {
  return error instanceof TransportError && error.kind === 'deadline'
}
