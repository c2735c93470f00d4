/**
 * Keeps this run's spend within its share of the organisation's DSAR budget. Amplitude gives every
 * organisation 14,400 cost units per hour across all DSAR endpoints (POST 8, GET 1) and answers 429 past
 * it; other jobs of the same organisation draw on the same budget, so the action only uses a share.
 *
 * A token bucket, not a sliding window: a window would let a run spend its whole hour in the first
 * second (a thousand submissions at once) and then stay silent for an hour, polling nobody. The bucket
 * holds at most `burst` units and refills at (limit - burst) per hour, so any one-hour window sees at
 * most burst + (limit - burst) = limit, and the spend is spread evenly. Waiters are served in arrival
 * order, so a POST (cost 8) is not starved by a stream of GETs. A 429 from the server pauses everyone
 * until its Retry-After (or a back-off), since the server's view of the budget includes other jobs.
 */
import type { Clock } from '../arazzo/index.js'

export const DOCUMENTED_BUDGET_PER_HOUR = 14_400
export const HOUR_MS = 3_600_000
/** The largest cost of one request (a POST). */
const MAX_REQUEST_COST = 8

export function requestCost(method: string): number {
  return method.toUpperCase() === 'POST' ? MAX_REQUEST_COST : 1
}

/** The budget would have had room only after the caller's deadline. */
export class BudgetDeadlineError extends Error {
  constructor(readonly availableAt: number) {
    super(`the API budget has room again only at ${new Date(availableAt).toISOString()}`)
    this.name = 'BudgetDeadlineError'
  }
}

/** How the transport paces its calls: this budget pacer, or the erasure's interval pacer. */
export interface Pacer {
  /** Waits for the turn of one attempt of this cost; rejects with BudgetDeadlineError past `deadline`. */
  acquire(cost: number, signal?: AbortSignal, deadline?: number): Promise<void>
  /** The server said 429: nobody sends before `until` (epoch ms). */
  pauseUntil(until: number): void
  /** The attempt admitted by the last `acquire` has ended (answered, failed, or not sent). */
  settled?(): void
}

export interface BudgetOptions {
  /** Cost units this run may spend in any one-hour window. */
  limitPerHour: number
  clock: Clock
  /** Units that may be spent at once; default 5% of the limit (at least one POST). */
  burst?: number
}

export class BudgetPacer implements Pacer {
  readonly burst: number
  /** Refill rate in units per millisecond. */
  private readonly rate: number
  private tokens: number
  private refilledAt: number
  private pausedUntil = 0
  private queue: Promise<void> = Promise.resolve()

  constructor(private readonly options: BudgetOptions) {
    const { limitPerHour } = options
    if (!(limitPerHour >= 2 * MAX_REQUEST_COST)) {
      throw new Error(`the budget must allow at least two POSTs per hour, not ${limitPerHour}`)
    }
    this.burst = Math.min(
      limitPerHour / 2,
      Math.max(MAX_REQUEST_COST, options.burst ?? Math.floor(limitPerHour * 0.05))
    )
    this.rate = (limitPerHour - this.burst) / HOUR_MS
    this.tokens = this.burst
    this.refilledAt = options.clock.now()
  }

  /**
   * Waits until `cost` is available, then takes it. Resolves in arrival order. Rejects with a
   * BudgetDeadlineError, without waiting, when the cost could only be had after `deadline`.
   */
  acquire(cost: number, signal?: AbortSignal, deadline?: number): Promise<void> {
    const turn = this.queue.then(() => this.waitForTokens(cost, signal, deadline))
    // A waiter that was aborted must not block the ones behind it.
    this.queue = turn.catch(() => undefined)
    return turn
  }

  /** How long, from now, until `cost` units are free (ignoring waiters already queued). */
  waitMs(cost: number): number {
    const now = this.options.clock.now()
    this.refill(now)
    return Math.max(0, this.pausedUntil - now, Math.ceil((cost - this.tokens) / this.rate))
  }

  /** The server said 429: nobody sends before `until` (epoch ms). */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until)
  }

  private async waitForTokens(
    cost: number,
    signal?: AbortSignal,
    deadline?: number
  ): Promise<void> {
    if (cost > this.burst)
      throw new Error(`a request of cost ${cost} exceeds the burst of ${this.burst}`)
    const { clock } = this.options
    for (;;) {
      signal?.throwIfAborted()
      const now = clock.now()
      this.refill(now)
      const wait = Math.max(this.pausedUntil - now, Math.ceil((cost - this.tokens) / this.rate))
      if (wait <= 0) {
        this.tokens -= cost
        return
      }
      if (deadline !== undefined && now + wait > deadline) throw new BudgetDeadlineError(now + wait)
      await clock.sleep(wait, signal)
    }
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.rate)
    this.refilledAt = now
  }
}
