/**
 * How large one run may be, and how large what it reports may be.
 *
 * Subjects: a run submits at most MAX_SUBJECTS, derived from the budget the action keeps to: half
 * of the organisation's 14,400 cost units an hour, over the longest run (the default `timeout`,
 * 5h30m, inside the 6-hour limit of a hosted job), at 8 units per submission:
 * 0.5 x 14,400 x 5.5 / 8 = 4,950. More could not all be submitted within one run anyway; the same
 * cap bounds `request-ids`. (850,000 subjects used to exhaust the heap with no message at all.)
 *
 * Outputs: GitHub keeps at most 1 MB of outputs per job (measured in UTF-16, so about 500,000
 * characters of plain text) and 1 MiB of summary per step, and drops what is over. The action keeps
 * its outputs within OUTPUT_BUDGET characters together and its summary within SUMMARY_BUDGET bytes:
 * a JSON list that does not fit keeps as many whole entries as fit, with a warning that says so
 * and where the whole list is (requests.json beside the downloads; receipt.json for the files).
 */
import { DOCUMENTED_BUDGET_PER_HOUR, HOUR_MS, requestCost } from './budget.js'
import { BUDGET_SHARE } from './pacing-policy.js'

/** The longest a run waits: the default `timeout` (5h30m). */
export const LONGEST_RUN_MS = 5.5 * HOUR_MS

export const MAX_SUBJECTS = Math.floor(
  (BUDGET_SHARE * DOCUMENTED_BUDGET_PER_HOUR * (LONGEST_RUN_MS / HOUR_MS)) / requestCost('POST')
)

/** Why `count` subjects (or request ids) are too many for one run; undefined when they are not. */
export function runSizeProblem(count: number, what: string): string | undefined {
  if (count <= MAX_SUBJECTS) return undefined
  return (
    `${count.toLocaleString('en-US')} ${what} are more than the ${MAX_SUBJECTS.toLocaleString('en-US')} one run ` +
    `may take (half of the 14,400 cost units an hour over 5h30m, at 8 per submission): split them ` +
    'over several runs'
  )
}

/** Characters the action's step outputs may take together (GitHub: 1 MB per job, in UTF-16). */
export const OUTPUT_BUDGET = 400_000
/** The share of each list output; the small outputs (ids, statuses, one link) take the rest. */
export const LIST_OUTPUT_LIMITS = {
  requests: 200_000,
  downloadUrls: 60_000,
  files: 60_000,
  workflowOutputs: 60_000
} as const
/** Bytes the job summary may take (GitHub: 1 MiB per step). */
export const SUMMARY_BUDGET = 512 * 1024

export type ListOutput = keyof typeof LIST_OUTPUT_LIMITS

export interface Truncation {
  output: ListOutput
  kept: number
  total: number
}

/**
 * A JSON list output cut to the whole entries that fit in `limit` characters (an object that does
 * not fit becomes `null`); undefined when it fits as it is.
 */
export function fitJsonList(
  text: string,
  limit: number
): { text: string; kept: number; total: number } | undefined {
  if (text.length <= limit) return undefined
  const value = JSON.parse(text) as unknown
  if (!Array.isArray(value)) return { text: 'null', kept: 0, total: 1 }
  let size = 2 // the brackets
  let kept = 0
  for (const item of value) {
    const itemSize = JSON.stringify(item).length + (kept > 0 ? 1 : 0)
    if (size + itemSize > limit) break
    size += itemSize
    kept++
  }
  return { text: JSON.stringify(value.slice(0, kept)), kept, total: value.length }
}

/** Items of a summary section that fit in `budget` characters, and how many were left out. */
export function withinBudget<T>(
  items: readonly T[],
  budget: number,
  size: (item: T) => number
): { kept: T[]; left: number } {
  let used = 0
  let count = 0
  for (const item of items) {
    used += size(item)
    if (used > budget) break
    count++
  }
  return { kept: items.slice(0, count), left: items.length - count }
}
