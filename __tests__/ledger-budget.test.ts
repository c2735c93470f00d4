/**
 * The ledger's GitHub budget rule (src/ledger/github-budget.ts): a new issue is taken up only when
 * every call its submit can make fits in what GitHub says is left beside the calls promised to steps
 * under way; steps of issues already taken up are never held back; once one new issue waits, the
 * newer ones wait too. The end-to-end proof (a sweep against the GitHub stand-in with a low budget)
 * is the "GitHub's budget too low for every new issue" row of __tests__/reliability/ledger.test.ts.
 */
import {
  fitsBudget,
  GitHubBudget,
  PROGRESS_CALLS,
  SUBMIT_CALLS
} from '../src/ledger/github-budget.js'
import type { GitHubCalls } from '../src/ledger/github-octokit.js'

const NOW = Date.parse('2026-12-01T06:00:00Z')
const RESET = Date.parse('2026-12-01T06:35:00Z')

function callsLeft(
  remaining: number | undefined,
  resetAt: number | undefined = RESET
): GitHubCalls {
  return { reads: 0, writes: 0, failedAttempts: 0, malformed: 0, remaining, resetAt }
}

/** A step that stays under way until `finish()` is called. */
function pending<T>(value: T): { step: () => Promise<T>; finish: () => void } {
  let finish = () => {}
  const done = new Promise<void>(resolve => (finish = resolve))
  return { step: async () => (await done, value), finish }
}

describe('fitsBudget', () => {
  test('a step fits when its calls are left after those promised to steps under way', () => {
    expect(fitsBudget(12, 6, 6)).toBe(true)
    expect(fitsBudget(11, 6, 6)).toBe(false)
    expect(fitsBudget(6, 0, 6)).toBe(true)
    expect(fitsBudget(5, 0, 6)).toBe(false)
    expect(fitsBudget(0, 0, 1)).toBe(false)
  })

  test('GitHub not saying what is left (no rate-limit headers) holds nothing back', () => {
    expect(fitsBudget(undefined, 100, SUBMIT_CALLS)).toBe(true)
  })
})

describe('GitHubBudget', () => {
  test('takes up new issues while a whole submit fits, then leaves the rest, oldest first', async () => {
    const calls = callsLeft(2 * SUBMIT_CALLS + 1)
    const budget = new GitHubBudget(calls, () => NOW)
    const first = pending('a')
    const second = pending('b')
    const running = [budget.submit(first.step), budget.submit(second.step)]
    // Two submits under way: 13 left, 12 promised; a third would not be sure to be recorded.
    expect(await budget.submit(async () => 'c')).toBeUndefined()
    first.finish()
    second.finish()
    expect(await Promise.all(running)).toEqual(['a', 'b'])
    // Room again, but a newer issue must not overtake the one left for the next sweep.
    calls.remaining = 100
    expect(await budget.submit(async () => 'd')).toBeUndefined()
    expect(budget.deferred).toBe(2)
    expect(budget.deferredNote()).toBe(
      `GitHub API: 100 call(s) left until 06:35 UTC; 2 new issue(s) left for the next sweep ` +
        `(each submit needs up to ${SUBMIT_CALLS} GitHub calls to be recorded)`
    )
  })

  test('a reset time GitHub did not say (or said as no date) leaves the time unsaid', async () => {
    const budget = new GitHubBudget({ ...callsLeft(0), resetAt: undefined }, () => NOW)
    expect(await budget.submit(async () => 'a')).toBeUndefined()
    expect(budget.deferredNote()).toBe(
      `GitHub API: 0 call(s) left; 1 new issue(s) left for the next sweep ` +
        `(each submit needs up to ${SUBMIT_CALLS} GitHub calls to be recorded)`
    )
  })

  test('requests under way come first: their steps always run and count against new submits', async () => {
    const budget = new GitHubBudget(callsLeft(PROGRESS_CALLS + SUBMIT_CALLS - 1), () => NOW)
    const poll = pending('polled')
    const polling = budget.progress(poll.step)
    expect(await budget.submit(async () => 'new')).toBeUndefined()
    poll.finish()
    expect(await polling).toBe('polled')
    // With nothing left at all, an issue already taken up is still moved on.
    const spent = new GitHubBudget(callsLeft(0), () => NOW)
    expect(await spent.progress(async () => 'delivered')).toBe('delivered')
    expect(spent.deferredNote()).toBeUndefined()
  })

  test("a promise is released when its step fails, so a GitHub error doesn't shrink the budget", async () => {
    const budget = new GitHubBudget(callsLeft(SUBMIT_CALLS), () => NOW)
    await expect(
      budget.progress(async () => {
        throw new Error('HTTP 502')
      })
    ).rejects.toThrow('HTTP 502')
    expect(await budget.submit(async () => 'taken up')).toBe('taken up')
  })

  test('what GitHub said is forgotten once its hour is over, and unknown until it says', async () => {
    let now = NOW
    const budget = new GitHubBudget(callsLeft(0), () => now)
    expect(budget.left()).toBe(0)
    now = RESET
    expect(budget.left()).toBeUndefined()
    expect(await budget.submit(async () => 'new hour')).toBe('new hour')
    expect(new GitHubBudget(callsLeft(undefined, undefined), () => NOW).left()).toBeUndefined()
  })
})
