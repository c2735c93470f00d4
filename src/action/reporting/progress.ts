/**
 * Progress of a run with several requests. Their own lines are grouped and printed when each one
 * ends, which in a 5h30m job can be hours of silence; so every few minutes one line says where the
 * run stands: "Progress: 3 of 10 done, 5 submitted, 2 staging; next poll in 4m".
 */
import type { Clock } from '../../arazzo/index.js'
import { DONE_STATUSES, formatDuration, type RequestRecord } from '../../run/index.js'

/** How often the progress line is printed: within the "every few minutes" a reader expects. */
export const PROGRESS_EVERY_MS = 3 * 60_000

/** `3 done, 5 submitted, 2 staging` style counts of where each request stands. */
export function statusCounts(records: readonly RequestRecord[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const record of records) {
    const where = standing(record)
    counts.set(where, (counts.get(where) ?? 0) + 1)
  }
  return counts
}

function standing(record: RequestRecord): string {
  if (record.outcome === 'done' || (record.status && DONE_STATUSES.has(record.status))) {
    return 'done'
  }
  if (record.status) return record.status
  if (record.outcome) return record.outcome === 'timedOut' ? 'timed out' : record.outcome
  return record.requestId ? 'submitted (status not read yet)' : 'not submitted yet'
}

/** `5 submitted, 2 staging` (largest first; `done` left out, it leads the line). */
export function describeCounts(counts: Map<string, number>, leaveOut: string[] = []): string {
  return [...counts]
    .filter(([where]) => !leaveOut.includes(where))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([where, count]) => `${count} ${where}`)
    .join(', ')
}

/** `Progress: 3 of 10 done, 5 submitted, 2 staging; next poll in 4m`. */
export function progressLine(
  records: readonly RequestRecord[],
  total: number,
  now: number
): string {
  const counts = statusCounts(records)
  const notStarted = total - records.length
  if (notStarted > 0) counts.set('waiting for a slot', notStarted)
  const rest = describeCounts(counts, ['done'])
  const due = records
    .map(r => r.nextPollAt)
    .filter((at): at is number => at !== undefined && at >= now)
  const next = due.length > 0 ? `; next poll in ${formatDuration(Math.min(...due) - now)}` : ''
  return `Progress: ${counts.get('done') ?? 0} of ${total} done${rest ? `, ${rest}` : ''}${next}`
}

export interface ProgressOptions {
  /** The records of the run so far (requests not started yet are counted from `total`). */
  records: readonly RequestRecord[]
  total: number
  clock: Clock
  everyMs?: number
  print: (line: string) => void
}

/** Prints a progress line every `everyMs` until `stop()` is called. */
export function startProgress(options: ProgressOptions): { stop(): void } {
  const stopped = new AbortController()
  const everyMs = options.everyMs ?? PROGRESS_EVERY_MS
  const loop = async (): Promise<void> => {
    for (;;) {
      await options.clock.sleep(everyMs, stopped.signal)
      options.print(progressLine(options.records, options.total, options.clock.now()))
    }
  }
  // The loop ends by the abort of `stop()`; nothing else can make it fail.
  loop().catch(() => undefined)
  return { stop: () => stopped.abort() }
}
