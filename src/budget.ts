/**
 * Keeps this run's spend within its share of the organisation's DSAR budget. Amplitude gives every
 * organisation 14,400 cost units per hour across all DSAR endpoints (POST 8, GET 1) and answers 429 past
 * it; other jobs of the same organisation draw on the same budget, so the action only uses a share of it.
 *
 * A sliding one-hour window of what this run spent: a request that would push the window over the limit
 * waits until enough old spending leaves the window. Waiters are served in arrival order so that a POST
 * (cost 8) is not starved by a stream of GETs. A 429 from the server pauses everyone until its
 * Retry-After (or a back-off), since the server's view of the budget includes other jobs.
 */
import type { Clock } from './arazzo/types.js'

export const DOCUMENTED_BUDGET_PER_HOUR = 14_400
export const HOUR_MS = 3_600_000

export function requestCost(method: string): number {
  return method.toUpperCase() === 'POST' ? 8 : 1
}

export interface BudgetOptions {
  /** Cost units this run may spend in any hour. */
  limitPerHour: number
  clock: Clock
  windowMs?: number
}

export class BudgetPacer {
  private readonly spent: { at: number; cost: number }[] = []
  private spentInWindow = 0
  private pausedUntil = 0
  private queue: Promise<void> = Promise.resolve()
  private peak = 0
  readonly windowMs: number

  constructor(private readonly options: BudgetOptions) {
    if (!(options.limitPerHour >= 8))
      throw new Error('the budget must allow at least one POST per hour')
    this.windowMs = options.windowMs ?? HOUR_MS
  }

  /** Waits until `cost` fits in the window, then records it. Resolves in arrival order. */
  acquire(cost: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForRoom(cost, signal))
    // A waiter that was aborted must not block the ones behind it.
    this.queue = turn.catch(() => undefined)
    return turn
  }

  /** The server said 429: nobody sends before `until` (epoch ms). */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until)
  }

  /** Total cost spent within the current window. */
  get currentSpend(): number {
    this.expire(this.options.clock.now())
    return this.spentInWindow
  }

  /** The most this run ever had in one window. */
  get peakSpend(): number {
    return this.peak
  }

  private async waitForRoom(cost: number, signal?: AbortSignal): Promise<void> {
    const { clock, limitPerHour } = this.options
    for (;;) {
      signal?.throwIfAborted()
      const now = clock.now()
      this.expire(now)
      const wait = Math.max(this.pausedUntil - now, this.waitForSpace(cost, now))
      if (wait <= 0) {
        this.spent.push({ at: now, cost })
        this.spentInWindow += cost
        this.peak = Math.max(this.peak, this.spentInWindow)
        return
      }
      if (cost > limitPerHour)
        throw new Error(`a request of cost ${cost} exceeds the hourly budget`)
      await clock.sleep(wait, signal)
    }
  }

  /** How long until the oldest spending has left the window far enough for `cost` to fit. */
  private waitForSpace(cost: number, now: number): number {
    let excess = this.spentInWindow + cost - this.options.limitPerHour
    if (excess <= 0) return 0
    for (const entry of this.spent) {
      excess -= entry.cost
      if (excess <= 0) return entry.at + this.windowMs - now
    }
    return this.windowMs
  }

  private expire(now: number): void {
    while (this.spent.length > 0 && this.spent[0].at + this.windowMs <= now) {
      this.spentInWindow -= this.spent.shift()!.cost
    }
  }
}
