/**
 * The org-wide DSAR rate budget, as a SLIDING one-hour window: a request is admitted when the cost
 * of every admitted request in the last hour plus its own cost fits the budget. Refused requests
 * cost nothing. A sliding window is the stricter reading of "14,400 cost per hour": a client that
 * passes it also passes a fixed window.
 */

export const HOUR_MS = 3_600_000

export type BudgetDecision = { admitted: true } | { admitted: false; retryAfterMs: number }

export class SlidingWindowBudget {
  // Admitted requests, oldest first; pruned as they leave the window.
  private readonly spent: { at: number; cost: number }[] = []
  private total = 0

  constructor(
    readonly capacity: number,
    readonly windowMs: number = HOUR_MS
  ) {
    if (!(capacity >= 0)) throw new RangeError(`budget must be >= 0, got ${capacity}`)
  }

  tryConsume(cost: number, now: number): BudgetDecision {
    this.prune(now)
    if (this.total + cost <= this.capacity) {
      this.spent.push({ at: now, cost })
      this.total += cost
      return { admitted: true }
    }
    return { admitted: false, retryAfterMs: this.waitFor(cost, now) }
  }

  used(now: number): number {
    this.prune(now)
    return this.total
  }

  remaining(now: number): number {
    return Math.max(0, this.capacity - this.used(now))
  }

  private prune(now: number): void {
    while (this.spent.length > 0 && this.spent[0].at <= now - this.windowMs) {
      this.total -= this.spent.shift()!.cost
    }
  }

  /** Time until enough old cost has slid out of the window for `cost` to fit. */
  private waitFor(cost: number, now: number): number {
    if (cost > this.capacity) return this.windowMs
    let stillCounted = this.total
    for (const entry of this.spent) {
      stillCounted -= entry.cost
      if (stillCounted + cost <= this.capacity) return Math.max(0, entry.at + this.windowMs - now)
    }
    return this.windowMs
  }
}
