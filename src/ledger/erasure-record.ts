/**
 * The erasure part of the ledger's state line (issue 22): what the sweep must remember between
 * runs to erase safely. Which form it saw and since when (an approval counts only when given after
 * the ledger saw the form as it stands), who approved and when, which job (day) holds each subject
 * (by fingerprint only), the job's statuses with times, and a cancellation. Checked field by field
 * like the rest of the line (src/ledger/marker.ts): the line is sealed, but a shape the action does
 * not write is never acted on.
 */
import { createHash } from 'node:crypto'
import { isCalendarDay } from '../policy/index.js'

export type ErasureKind = 'erasure' | 'access-then-erasure'

export interface ErasureSubject {
  /** Fingerprint, e.g. `user #ab12cd34`. */
  subject: string
  /** The day of the deletion job that holds it; null until it is in one. */
  day: string | null
  /** Sent, and absent from the job Amplitude answered: Amplitude does not know the id. */
  absent?: true
}

export interface ErasureRecord {
  /** SHA-256 (first 16 hex digits) of the issue body the ledger last read. */
  form: string
  /** When the ledger first read the body as it is now: approvals given before do not count. */
  formSeenAt: string
  /** Who filed the issue (GitHub login): sent to Amplitude as `requester`, never an approver. */
  requester: string
  approvedBy?: string
  approvedAt?: string
  /** Access, then erasure: when the export was delivered (artifact uploaded, receipt written). */
  deliveredAt?: string
  subjects: ErasureSubject[]
  /** When the ids were sent to the deletion API. */
  sentAt?: string
  /** The job's day (the latest day holding one of the subjects). */
  day?: string
  /** Each status the job was seen in, with when it was first seen. */
  statuses: { status: string; at: string }[]
  checkedAt?: string
  activeScrubDoneDate?: string
  cancelled?: { by: string; at: string; revoked: number }
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/
const STATUS = /^[a-z][a-z_-]{0,31}$/
const SUBJECT = /^(user|amplitude id) #[0-9a-f]{8}$/
const DIGEST = /^[0-9a-f]{16}$/
const MAX_SUBJECTS = 20
const MAX_STATUSES = 10

/** The digest of an issue body the erasure record keeps. */
export function formDigest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 16)
}

export function isLogin(value: unknown): value is string {
  return typeof value === 'string' && LOGIN.test(value)
}

/** Why `value` is not an erasure record the action writes, or undefined when it is one. */
export function erasureProblem(
  value: unknown,
  isTime: (v: unknown) => boolean
): string | undefined {
  if (!isObject(value)) return 'erasure: not an object'
  if (typeof value.form !== 'string' || !DIGEST.test(value.form)) return 'erasure: bad form'
  if (!isTime(value.formSeenAt)) return 'erasure: bad formSeenAt'
  if (!isLogin(value.requester)) return 'erasure: bad requester'
  if (value.approvedBy !== undefined && !isLogin(value.approvedBy)) return 'erasure: bad approvedBy'
  for (const key of ['approvedAt', 'deliveredAt', 'sentAt', 'checkedAt'] as const) {
    if (value[key] !== undefined && !isTime(value[key])) return `erasure: bad ${key}`
  }
  for (const key of ['day', 'activeScrubDoneDate'] as const) {
    if (value[key] !== undefined && !isCalendarDay(value[key])) return `erasure: bad ${key}`
  }
  const subjects = value.subjects
  if (!Array.isArray(subjects) || subjects.length === 0 || subjects.length > MAX_SUBJECTS) {
    return 'erasure: bad subjects'
  }
  for (const s of subjects) {
    if (!isObject(s) || typeof s.subject !== 'string' || !SUBJECT.test(s.subject)) {
      return 'erasure: bad subject'
    }
    if (s.day !== null && !isCalendarDay(s.day)) return 'erasure: bad subject day'
    if (s.absent !== undefined && s.absent !== true) return 'erasure: bad absent'
    if (Object.keys(s).some(k => !['subject', 'day', 'absent'].includes(k))) {
      return 'erasure: unexpected subject fields'
    }
  }
  const statuses = value.statuses
  if (!Array.isArray(statuses) || statuses.length > MAX_STATUSES) return 'erasure: bad statuses'
  for (const s of statuses) {
    if (!isObject(s) || typeof s.status !== 'string' || !STATUS.test(s.status) || !isTime(s.at)) {
      return 'erasure: bad status'
    }
    if (Object.keys(s).length !== 2) return 'erasure: unexpected status fields'
  }
  const cancelled = value.cancelled
  if (cancelled !== undefined) {
    if (
      !isObject(cancelled) ||
      !isLogin(cancelled.by) ||
      !isTime(cancelled.at) ||
      typeof cancelled.revoked !== 'number' ||
      !Number.isSafeInteger(cancelled.revoked) ||
      cancelled.revoked < 0 ||
      Object.keys(cancelled).length !== 3
    ) {
      return 'erasure: bad cancelled'
    }
  }
  const allowed = new Set([
    'form',
    'formSeenAt',
    'requester',
    'approvedBy',
    'approvedAt',
    'deliveredAt',
    'subjects',
    'sentAt',
    'day',
    'statuses',
    'checkedAt',
    'activeScrubDoneDate',
    'cancelled'
  ])
  if (Object.keys(value).some(key => !allowed.has(key))) return 'erasure: unexpected fields'
  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
