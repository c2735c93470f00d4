/**
 * What an erasure run reasons about, as pure functions: the batches it sends (at most 100 ids per
 * call), the deletion jobs a server answered (checked before anything reaches an output, the log or
 * the summary), which subject ended up in which job, and how often a job is read.
 */
import type { PollSchedule } from '../arazzo/index.js'
import { isCalendarDay } from '../policy/index.js'
import { answeredSubject } from './dsar-status.js'
import { hasControlCharacter } from './secret-helper.js'
import type { Subject } from './subjects.js'

/** Amplitude takes at most 100 ids per deletion request. */
export const MAX_IDS_PER_CALL = 100
export const DAY_MS = 86_400_000
export const ERASURE_STATUSES = ['staging', 'submitted', 'done'] as const
/** Amplitude's statuses cannot be changed from three days before a job's day. */
export const CANCEL_WINDOW_DAYS = 3

export interface ErasureEntry {
  amplitudeId: number
  userId?: string
  requester?: string
  requestedOnDay?: string
}

export interface ErasureJob {
  day: string
  /** Lowercase; may be a status outside ERASURE_STATUSES (the run then fails, naming it). */
  status: string
  activeScrubDoneDate?: string
  entries: ErasureEntry[]
}

export function batches<T>(items: readonly T[], size = MAX_IDS_PER_CALL): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** The `submit` workflow's id inputs for one batch: absent lists are left out of the body. */
export function batchInputs(batch: readonly Subject[]): {
  amplitudeIds?: number[]
  userIds?: string[]
} {
  const amplitudeIds = batch.flatMap(s => (s.kind === 'amplitudeId' ? [s.amplitudeId] : []))
  const userIds = batch.flatMap(s => (s.kind === 'userId' ? [s.userId] : []))
  return {
    ...(amplitudeIds.length > 0 && { amplitudeIds }),
    ...(userIds.length > 0 && { userIds })
  }
}

const MAX_REQUESTER_CHARS = 200
const MAX_JOBS = 1_000
const MAX_ENTRIES = 100_000

/**
 * The jobs a server answered, each checked: a real `day`, a status word, integer ids, user ids
 * and requesters that are one line of bounded length. What does not fit is refused (named by
 * position, never quoted: it may hold a subject's id), and does not reach the report.
 */
export function readJobs(value: unknown): { jobs: ErasureJob[]; refused: string[] } {
  const refused: string[] = []
  if (!Array.isArray(value)) {
    return { jobs: [], refused: ['the deletion API answered something other than a list of jobs'] }
  }
  if (value.length > MAX_JOBS) {
    return {
      jobs: [],
      refused: [`the deletion API answered ${value.length} jobs (at most ${MAX_JOBS} are read)`]
    }
  }
  const jobs: ErasureJob[] = []
  let entriesSeen = 0
  value.forEach((raw: unknown, index) => {
    const job = raw as Record<string, unknown> | null
    const where = `job ${index + 1} of the answer`
    if (typeof job !== 'object' || job === null || Array.isArray(job)) {
      refused.push(`${where} is not an object`)
      return
    }
    if (!isCalendarDay(job.day)) {
      refused.push(`${where} has no valid day (YYYY-MM-DD)`)
      return
    }
    if (typeof job.status !== 'string' || !/^[A-Za-z_-]{1,32}$/.test(job.status)) {
      refused.push(`job ${job.day} has no valid status`)
      return
    }
    const list = job.amplitude_ids ?? []
    if (!Array.isArray(list) || entriesSeen + list.length > MAX_ENTRIES) {
      refused.push(`job ${job.day} has no valid list of ids`)
      return
    }
    entriesSeen += list.length
    const entries: ErasureEntry[] = []
    for (const item of list as unknown[]) {
      const entry = readEntry(item)
      if (!entry) {
        refused.push(`job ${job.day} lists an id of the wrong shape`)
        return
      }
      entries.push(entry)
    }
    const scrub = job.active_scrub_done_date
    if (scrub !== undefined && scrub !== null && !isCalendarDay(scrub)) {
      refused.push(`job ${job.day} has an active_scrub_done_date that is not a day`)
      return
    }
    jobs.push({
      day: job.day,
      status: job.status.toLowerCase(),
      ...(isCalendarDay(scrub) && { activeScrubDoneDate: scrub }),
      entries
    })
  })
  return { jobs, refused }
}

function readEntry(item: unknown): ErasureEntry | undefined {
  if (typeof item !== 'object' || item === null) return undefined
  const { amplitude_id, user_id, requester, requested_on_day } = item as Record<string, unknown>
  if (typeof amplitude_id !== 'number' || !Number.isSafeInteger(amplitude_id) || amplitude_id < 0) {
    return undefined
  }
  const entry: ErasureEntry = { amplitudeId: amplitude_id }
  if (user_id !== undefined && user_id !== null) {
    // The shape a user id must have to be named at all (the same rule as a DSAR status answer's).
    const subject = answeredSubject({ userId: user_id })
    if (!subject || subject.kind !== 'userId') return undefined
    entry.userId = subject.userId
  }
  if (typeof requester === 'string') {
    if (hasControlCharacter(requester) || [...requester].length > MAX_REQUESTER_CHARS)
      return undefined
    entry.requester = requester
  }
  if (isCalendarDay(requested_on_day)) entry.requestedOnDay = requested_on_day
  return entry
}

/** One subject's place in the answered jobs, or its absence from them. */
export interface SubjectErasure {
  subject: Subject
  job?: ErasureJob
  entry?: ErasureEntry
}

/** Whether a job entry is this subject: by user id when asked by one, else by Amplitude id. */
export function entryIs(entry: ErasureEntry, subject: Subject): boolean {
  return subject.kind === 'userId'
    ? entry.userId === subject.userId
    : entry.amplitudeId === subject.amplitudeId
}

/**
 * Each subject with the latest job that holds it. A subject no job holds was skipped by
 * Amplitude as an id it does not know (ignore_invalid_id): it has nothing to erase.
 */
export function placeSubjects(
  subjects: readonly Subject[],
  jobs: readonly ErasureJob[]
): SubjectErasure[] {
  const byDay = [...jobs].sort((a, b) => b.day.localeCompare(a.day))
  return subjects.map(subject => {
    for (const job of byDay) {
      const entry = job.entries.find(e => entryIs(e, subject))
      if (entry) return { subject, job, entry }
    }
    return { subject }
  })
}

/** Resuming by day, the subjects are those the jobs list (by user id when they name one). */
export function listedSubjects(jobs: readonly ErasureJob[]): Subject[] {
  const seen = new Set<string>()
  const subjects: Subject[] = []
  for (const job of jobs) {
    for (const entry of job.entries) {
      const subject: Subject =
        entry.userId !== undefined
          ? { kind: 'userId', userId: entry.userId }
          : { kind: 'amplitudeId', amplitudeId: entry.amplitudeId }
      const key = subject.kind === 'userId' ? `u:${subject.userId}` : `a:${subject.amplitudeId}`
      if (!seen.has(key)) {
        seen.add(key)
        subjects.push(subject)
      }
    }
  }
  return subjects
}

/** Several jobs: `done` only when all are; otherwise the least advanced status. */
export function aggregateJobStatus(statuses: readonly string[]): string {
  if (statuses.length === 0) return ''
  const order = (s: string) => {
    const at = (ERASURE_STATUSES as readonly string[]).indexOf(s)
    return at < 0 ? -1 : at // an unknown status ranks first: it is what must be looked at
  }
  return [...statuses].sort((a, b) => order(a) - order(b))[0]
}

/** The last moment ids can be revoked from a job: three days before its day (UTC). */
export function cancellableUntil(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - CANCEL_WINDOW_DAYS * DAY_MS).toISOString()
}

/**
 * How often a job is read: a deletion job takes weeks, so Amplitude's list is read at most once a
 * day per job. Only a loopback API (the simulator, in tests and demos in virtual days) is read at
 * `poll-interval` itself. A server's Retry-After is respected either way.
 */
export function erasurePollSchedule(pollIntervalMs: number, loopback: boolean): PollSchedule {
  const interval = loopback ? pollIntervalMs : Math.max(pollIntervalMs, DAY_MS)
  return { delayMs: (_poll, retryAfterMs) => Math.max(interval, retryAfterMs ?? 0) }
}
