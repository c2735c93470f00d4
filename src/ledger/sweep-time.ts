/**
 * The run's timeout as a sweep spends it: the one rule that decides whether a sweep may take up
 * another new issue before its deadline. A submit cut half-way leaves a person to sort out what
 * Amplitude received, so a new issue is taken up only when the time left can hold its whole submit
 * (GitHub's spacing of writes for the write-ahead comment, the record and the labels, beside the
 * issues already under way; Amplitude's pacing of the POSTs; their answers) and a reserve at the
 * end stays free for recording what was done. Issues not taken up stay as they were, untouched.
 *
 * The reserve also splits the run's time: Amplitude is cut at `deadline - reserve` (a submit cut
 * there was never sent, so its write-ahead comment is taken back), GitHub at the deadline itself.
 */
import { requestCost, type BudgetPacer } from '../run/index.js'

/** What a sweep keeps free at the end: 15% of the timeout, at least 3 s, at most 2 minutes. */
export function reserveMs(timeoutMs: number): number {
  return Math.min(120_000, Math.max(3_000, Math.round(timeoutMs * 0.15)))
}

/** GitHub's spacing of writes (@octokit/plugin-throttling): new comments 3 s apart, others 1 s. */
const COMMENT_MS = 3_000
const WRITE_MS = 1_000
/** The writes of one submit: the write-ahead comment, then the record, the labels (a retry's label). */
const SUBMIT_WRITES_MS = COMMENT_MS + 3 * WRITE_MS
/** Time planned for Amplitude to answer one POST (its pacing comes on top). */
const ANSWER_MS = 2_000

export interface SubmitTimeOptions {
  now: () => number
  /** When Amplitude is cut (epoch ms): every submit must have ended its POSTs by then. */
  cutoff: number
  pacer: BudgetPacer
  concurrency: number
}

export class SubmitTime {
  private inFlight = 0
  private promisedCost = 0
  private full = false
  /** New issues left untouched for the next sweep. */
  deferred = 0

  constructor(private readonly options: SubmitTimeOptions) {}

  /** How long a submit of `subjects` takes from now, beside the submits under way. */
  estimateMs(subjects: number): number {
    const { pacer, concurrency } = this.options
    const cost = subjects * requestCost('POST')
    const github = SUBMIT_WRITES_MS * (this.inFlight + 1)
    const amplitude =
      (cost > 0 ? pacer.waitMs(this.promisedCost + cost) : 0) +
      ANSWER_MS * Math.ceil(subjects / concurrency)
    return github + amplitude
  }

  /** A new issue's step: run only when it fits before the cutoff; undefined when left for later. */
  async submit<T>(subjects: number, step: () => Promise<T | undefined>): Promise<T | undefined> {
    const { now, cutoff } = this.options
    if (this.full || now() + this.estimateMs(subjects) > cutoff) {
      this.full = true
      this.deferred++
      return undefined
    }
    const cost = subjects * requestCost('POST')
    this.inFlight++
    this.promisedCost += cost
    try {
      return await step()
    } finally {
      this.inFlight--
      this.promisedCost -= cost
    }
  }

  /** One line for the log and the summary when new issues were left; undefined when none. */
  deferredNote(): string | undefined {
    if (this.deferred === 0) return undefined
    const left = Math.max(0, Math.round((this.options.cutoff - this.options.now()) / 1000))
    return (
      `${this.deferred} new issue(s) left for the next sweep: ${left} s were left before the ` +
      "run's timeout (less its reserve for recording), too little to hold their whole submit"
    )
  }
}
