/**
 * Amplitude's deletion jobs (User Privacy API v1), driven by the simulator's clock so tests and
 * benchmarks run whole erasures in virtual days:
 * - ids are added to the project's open job: the newest job still `staging`; when there is none, a
 *   new job is scheduled `leadDays` after today (Amplitude's batches ran 10-13 days after their
 *   first request);
 * - a job is `staging` (ids may still be added or revoked) until three days before its day, then
 *   `submitted`; its live data is scrubbed `scrubDays` after its day (`active_scrub_done_date`),
 *   and it is `done` once the 5-day backup purge after that has run;
 * - an id already in a job is not added twice (the job keeps one entry; `timesRequested` counts).
 * Statuses are computed from the clock on every read, so moving the clock moves every job.
 */
import { createHash } from 'node:crypto'
import type { DeletionEntry, DeletionJob, DeletionOptions } from './types.js'

export const DAY_MS = 86_400_000
/** Revocable until this many days before the job's day. */
export const CANCEL_WINDOW_DAYS = 3
export const DEFAULT_LEAD_DAYS = 10
export const DEFAULT_SCRUB_DAYS = 1
/** Amplitude purges its backups five days after the active scrub. */
export const BACKUP_PURGE_DAYS = 5

export type DeletionStatus = 'staging' | 'submitted' | 'done'

/** `YYYY-MM-DD` of an epoch ms, UTC. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** Epoch ms of a day's start (UTC), or NaN when `day` is not a real `YYYY-MM-DD` date. */
export function dayStart(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return NaN
  const ms = Date.parse(`${day}T00:00:00Z`)
  return Number.isNaN(ms) || dayOf(ms) !== day ? NaN : ms
}

export function addDays(day: string, days: number): string {
  return dayOf(dayStart(day) + days * DAY_MS)
}

/** The Amplitude id the simulator's project gives a user id (stable, so runs agree). */
export function amplitudeIdOf(userId: string): number {
  const hash = createHash('sha256').update(userId, 'utf8').digest()
  return 100_000_000 + (hash.readUInt32BE(0) % 900_000_000)
}

export interface ResolvedDeletionOptions {
  leadDays: number
  scrubDays: number
  unknownUserIds: Set<string>
  unknownAmplitudeIds: Set<number>
}

export function resolveDeletionOptions(options: DeletionOptions = {}): ResolvedDeletionOptions {
  const days = (name: 'leadDays' | 'scrubDays', fallback: number, min: number): number => {
    const value = options[name] ?? fallback
    if (!(Number.isInteger(value) && value >= min && value <= 365)) {
      throw new RangeError(`deletions.${name} must be an integer ${min}..365, got ${value}`)
    }
    return value
  }
  return {
    // A job less than four days ahead would be submitted at once: nothing could join or leave it.
    leadDays: days('leadDays', DEFAULT_LEAD_DAYS, CANCEL_WINDOW_DAYS + 1),
    scrubDays: days('scrubDays', DEFAULT_SCRUB_DAYS, 0),
    unknownUserIds: new Set(options.unknownUserIds ?? []),
    unknownAmplitudeIds: new Set(options.unknownAmplitudeIds ?? [])
  }
}

/** One id as a deletion request names it. */
export type DeletionId = { amplitudeId: number } | { userId: string }

interface StoredJob {
  project: string
  day: string
  entries: DeletionEntry[]
}

export class DeletionJobs {
  private readonly jobs: StoredJob[] = []

  constructor(readonly options: ResolvedDeletionOptions) {}

  /** The ids Amplitude does not know (a request naming one fails without ignore_invalid_id). */
  invalid(ids: DeletionId[]): DeletionId[] {
    return ids.filter(id =>
      'userId' in id
        ? this.options.unknownUserIds.has(id.userId)
        : this.options.unknownAmplitudeIds.has(id.amplitudeId)
    )
  }

  /** Adds valid ids to the project's open job (opening one when none is staging); returns it. */
  add(project: string, ids: DeletionId[], requester: string, now: number): StoredJob {
    const today = dayOf(now)
    let job = this.jobs.findLast(j => j.project === project && this.status(j, now) === 'staging')
    if (!job) {
      job = { project, day: addDays(today, this.options.leadDays), entries: [] }
      this.jobs.push(job)
    }
    for (const id of ids) {
      const amplitudeId = 'userId' in id ? amplitudeIdOf(id.userId) : id.amplitudeId
      const userId = 'userId' in id ? id.userId : undefined
      const held = job.entries.find(e => e.amplitude_id === amplitudeId)
      if (held) {
        held.timesRequested++
        continue
      }
      job.entries.push({
        amplitude_id: amplitudeId,
        ...(userId !== undefined && { user_id: userId }),
        requester,
        requested_on_day: today,
        timesRequested: 1
      })
    }
    return job
  }

  status(job: StoredJob, now: number): DeletionStatus {
    const start = dayStart(job.day)
    if (now < start - CANCEL_WINDOW_DAYS * DAY_MS) return 'staging'
    const scrubbed = start + this.options.scrubDays * DAY_MS
    return now < scrubbed + BACKUP_PURGE_DAYS * DAY_MS ? 'submitted' : 'done'
  }

  /** The day the live data was scrubbed, once it was. */
  activeScrubDoneDate(job: StoredJob, now: number): string | undefined {
    const scrubbed = dayStart(job.day) + this.options.scrubDays * DAY_MS
    return now >= scrubbed ? dayOf(scrubbed) : undefined
  }

  /** The project's jobs whose day lies in [startDay, endDay], by day. */
  list(project: string, startDay: string, endDay: string): StoredJob[] {
    return this.jobs
      .filter(j => j.project === project && j.day >= startDay && j.day <= endDay)
      .sort((a, b) => a.day.localeCompare(b.day))
  }

  find(project: string, day: string): StoredJob | undefined {
    return this.jobs.find(j => j.project === project && j.day === day)
  }

  /** Takes one id out of a job (the caller checked it is still staging). */
  revoke(job: StoredJob, amplitudeId: number): boolean {
    const index = job.entries.findIndex(e => e.amplitude_id === amplitudeId)
    if (index < 0) return false
    job.entries.splice(index, 1)
    return true
  }

  /** What a GET or POST answers for a job: Amplitude's field names, no bookkeeping. */
  body(job: StoredJob, now: number): Record<string, unknown> {
    const scrubDone = this.activeScrubDoneDate(job, now)
    return {
      day: job.day,
      status: this.status(job, now),
      amplitude_ids: job.entries.map(({ timesRequested: _, ...entry }) => entry),
      ...(scrubDone !== undefined && { active_scrub_done_date: scrubDone })
    }
  }

  snapshots(now: number): DeletionJob[] {
    return this.jobs.map(job => ({
      project: job.project,
      day: job.day,
      status: this.status(job, now),
      activeScrubDoneDate: this.activeScrubDoneDate(job, now),
      entries: structuredClone(job.entries)
    }))
  }
}
