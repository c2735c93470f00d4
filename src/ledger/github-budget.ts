/**
 * GitHub's hourly budget as a sweep spends it: the one rule that decides whether a sweep may take
 * up another new issue. A GITHUB_TOKEN allows 1,000 REST calls per hour per repository; a submit
 * that runs out of them half-way leaves an issue at `submitting` with a DSAR Amplitude accepted
 * but the ledger never recorded (a person must then sort it out). So a new issue is taken up only
 * when every call its submit step can make still fits in what GitHub says is left, beside the calls
 * promised to steps already under way; otherwise it is left untouched for the next sweep, which
 * costs nothing (a new issue has no state to lose). Requests already at Amplitude come first:
 * their poll or delivery steps are never held back, only counted, so submits leave room for them.
 */
import type { GitHubCalls } from './github-octokit.js'

/**
 * The most GitHub calls a step's deadline check adds (src/ledger/deadline-step.ts): a due-soon or
 * overdue notice, the ledger comment recording it, the labels. Once per threshold, rarely.
 */
export const DEADLINE_CALLS = 3

/**
 * The most GitHub calls one new issue's step makes once started: the author's permission (when
 * the association does not settle it), a retried issue's old state label taken off, the
 * write-ahead `submitting` comment, the read that checks no other sweep wrote one first, then either the ledger edit with the request ids and the
 * `submitted` labels, or (Amplitude answered only in part) the ledger edit, the needs-attention
 * comment and its labels. Refused and needs-info steps make fewer. Then its deadline check.
 */
export const SUBMIT_CALLS = 7 + DEADLINE_CALLS

/**
 * The most GitHub calls a step of an issue already taken up makes: a delivery writes the ledger
 * comment, posts the delivery comment, edits the ledger again and sets the labels (closing); then
 * its deadline check.
 */
export const PROGRESS_CALLS = 4 + DEADLINE_CALLS

/**
 * The rule: a step that may make `need` calls fits when they are left after the calls `promised`
 * to steps under way. GitHub not saying (no rate-limit headers, e.g. a server without limits)
 * leaves nothing to respect.
 */
export function fitsBudget(left: number | undefined, promised: number, need: number): boolean {
  return left === undefined || left - promised >= need
}

/**
 * The share of the hour's budget new issues never take: left for another workflow, a person's
 * script and the sweeps of the next hour (GitHub counts fixed hours, a sliding hour can hold the
 * end of one and the start of the next).
 */
export const KEPT_FREE_SHARE = 0.1

export class GitHubBudget {
  /** Calls set aside for steps started and not yet finished (never less than they still make). */
  private promised = 0
  /** Once a new issue was left for later, so are the ones after it: the oldest go first. */
  private full = false
  /** New issues left untouched for the next sweep. */
  deferred = 0

  constructor(
    private readonly calls: GitHubCalls,
    private readonly now: () => number
  ) {}

  /** Calls left this hour as GitHub last said; undefined when it has not, or that hour is over. */
  left(): number | undefined {
    const { remaining, resetAt } = this.calls
    if (remaining === undefined || (resetAt !== undefined && this.now() >= resetAt))
      return undefined
    return remaining
  }

  /** A step of an issue already taken up: never held back, its calls counted while it runs. */
  async progress<T>(step: () => Promise<T>): Promise<T> {
    return this.spending(PROGRESS_CALLS, step)
  }

  /** A new issue's step: run only when all its calls fit; undefined when it is left for later. */
  async submit<T>(step: () => Promise<T>): Promise<T | undefined> {
    const kept = Math.floor((this.calls.limit ?? 0) * KEPT_FREE_SHARE)
    if (this.full || !fitsBudget(this.left(), this.promised + kept, SUBMIT_CALLS)) {
      this.full = true
      this.deferred++
      return undefined
    }
    return this.spending(SUBMIT_CALLS, step)
  }

  /** One line for the log and the summary when new issues were left; undefined when none. */
  deferredNote(): string | undefined {
    if (this.deferred === 0) return undefined
    const left = this.calls.remaining ?? 0
    const until =
      this.calls.resetAt !== undefined
        ? ` until ${new Date(this.calls.resetAt).toISOString().slice(11, 16)} UTC`
        : ''
    return (
      `GitHub API: ${left} call(s) left${until}; ${this.deferred} new issue(s) left for the next ` +
      `sweep (each submit needs up to ${SUBMIT_CALLS} GitHub calls to be recorded)`
    )
  }

  private async spending<T>(need: number, step: () => Promise<T>): Promise<T> {
    // Counted against what is left until the step ends, although some of its calls are then
    // already in `remaining`: erring on the side of leaving a new issue for the next sweep.
    this.promised += need
    try {
      return await step()
    } finally {
      this.promised -= need
    }
  }
}
