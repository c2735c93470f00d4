/**
 * Paces the deletion API: Amplitude allows 1 request per second per project (and 8 in parallel).
 * Calls go one at a time, and each starts at least `intervalMs` after the previous one ENDED: the
 * server sees arrivals, and a previous call arrived before its answer came back, so two arrivals
 * are always more than `intervalMs` apart, however slow or uneven the network or the machine.
 * A 429 pauses every call until its back-off ends.
 */
import type { Clock } from '../arazzo/index.js'
import { BudgetDeadlineError, type Pacer } from './budget.js'

export const ERASURE_MIN_INTERVAL_MS = 1000

/** The next deletion call could go only after the caller's deadline. */
export class PaceDeadlineError extends BudgetDeadlineError {
  constructor(availableAt: number) {
    super(availableAt)
    this.message = `the next deletion call may go only at ${new Date(availableAt).toISOString()} (1 call a second, 429s waited out)`
  }
}

export class IntervalPacer implements Pacer {
  private lastEnded = -Infinity
  private pausedUntil = 0
  private queue: Promise<void> = Promise.resolve()
  /** Resolves when the call holding the turn ends. */
  private inFlight: Promise<void> = Promise.resolve()
  private endInFlight: (() => void) | undefined

  constructor(
    private readonly clock: Clock,
    readonly intervalMs = ERASURE_MIN_INTERVAL_MS
  ) {}

  acquire(_cost: number, signal?: AbortSignal, deadline?: number): Promise<void> {
    const turn = this.queue.then(() => this.waitForTurn(signal, deadline))
    // A waiter that was aborted must not block the ones behind it.
    this.queue = turn.catch(() => undefined)
    return turn
  }

  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until)
  }

  settled(): void {
    this.lastEnded = this.clock.now()
    const end = this.endInFlight
    this.endInFlight = undefined
    end?.()
  }

  private async waitForTurn(signal?: AbortSignal, deadline?: number): Promise<void> {
    await this.inFlight
    for (;;) {
      signal?.throwIfAborted()
      const now = this.clock.now()
      const wait = Math.max(this.lastEnded + this.intervalMs, this.pausedUntil) - now
      if (wait <= 0) break
      if (deadline !== undefined && now + wait > deadline) throw new PaceDeadlineError(now + wait)
      await this.clock.sleep(wait, signal)
    }
    this.inFlight = new Promise(resolve => (this.endInFlight = resolve))
  }
}
