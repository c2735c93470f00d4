/**
 * How gently the action uses the API, in one place (the action and the benchmarks both build from it):
 * - its spend stays within BUDGET_SHARE of the organisation's documented 14,400 cost per hour, leaving
 *   the rest to other jobs of the same organisation;
 * - polls start at `poll-interval` and grow by POLL_GROWTH per poll up to POLL_INTERVAL_CAP_MS (or the
 *   poll interval, when that is longer): never faster than asked, and quick enough that a job finishing
 *   late in the 3-day SLA is seen within minutes, not a quarter hour.
 */
import { backoffPollSchedule, type Clock, type PollSchedule } from '../arazzo/index.js'
import { BudgetPacer, DOCUMENTED_BUDGET_PER_HOUR } from './budget.js'

export const BUDGET_SHARE = 0.5
export const POLL_GROWTH = 1.5
export const POLL_INTERVAL_CAP_MS = 5 * 60_000

export function createBudgetPacer(clock: Clock, share = BUDGET_SHARE): BudgetPacer {
  return new BudgetPacer({ limitPerHour: Math.floor(DOCUMENTED_BUDGET_PER_HOUR * share), clock })
}

export function createPollSchedule(pollIntervalMs: number): PollSchedule {
  return backoffPollSchedule({
    initialMs: pollIntervalMs,
    factor: POLL_GROWTH,
    maxMs: Math.max(pollIntervalMs, POLL_INTERVAL_CAP_MS)
  })
}
