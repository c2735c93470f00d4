/**
 * What every step of a sweep shares (settings, the Amplitude session, the GitHub client, what the
 * sweep has learnt so far) and the small helpers the steps use to act on an issue: post a comment,
 * write the ledger comment, set the labels, run workflows. Request records are added to the sweep
 * as soon as a run returns, so an id Amplitude gave is never lost whatever fails next.
 */
import type { LoadedArazzo } from '../arazzo/index.js'
import {
  type ApiSession,
  type PlannedRun,
  type RequestRecord,
  type RunDependencies,
  runOnSession,
  type RunSettings
} from '../run/index.js'
import type { DownloadedFile, ReceiptFiling } from '../export/index.js'
import { forLog } from '../policy/index.js'
import type { GitHubClient, Identity } from './github-client.js'
import type { CommentFacts, IssueFacts } from './github-shapes.js'
import type { LedgerSettings } from './settings.js'
import { readForm, type FormReading } from './form.js'
import { ledgerComment } from './comments.js'
import { MARKER_VERSION, type LedgerMarker } from './marker.js'
import { stampDeadline, type ClockRow } from './deadline-step.js'
import { finishedLabels, isFinished } from './deadline-record.js'
import { sealFor, type Seal } from './seal.js'
import { labelsFor, sameLabels, type IssueState } from './states.js'

export interface SweepContext {
  settings: RunSettings
  ledger: LedgerSettings
  session: ApiSession
  loaded: LoadedArazzo
  github: GitHubClient
  identity: Identity
  signal: AbortSignal
  /** Today (UTC) by the session's clock, YYYY-MM-DD. */
  today: string
  /** One log line from parts of any origin (escaped as a whole on the way out). */
  log: (text: string) => void
  /** Every request this sweep submitted or checked, for the outputs and the summary. */
  records: RequestRecord[]
  files: DownloadedFile[]
  artifacts: { issue: number; id: number; url: string }[]
  /** When the run's timeout runs out (epoch ms): GitHub calls are cut there. */
  deadline: number
  /** The state line's key (src/ledger/seal.ts) and the repository it is bound to. */
  ledgerKey: Buffer
  repository: string
  /** Each issue's ledger as last read or written in this sweep (the deadline check reads it). */
  ledgers: Map<number, { marker: LedgerMarker; commentId: number }>
  /** The clocks of the open requests this sweep saw, for the job summary. */
  clocks: ClockRow[]
  /** The deletion API's calls, opened on the first erasure of the sweep (one pacer for all). */
  erasureCalls?: Promise<import('./erasure-calls.js').ErasureCalls>
  /** Loads the deletion API's document (handed over by the action). */
  erasureDocument?: () => Promise<LoadedArazzo>
  /** How the run reaches the API (an in-process simulator in benchmarks): the deletion calls too. */
  apiDependencies: RunDependencies
}

export function sealOf(ctx: SweepContext, issue: number): Seal {
  return sealFor(ctx.ledgerKey, ctx.repository, issue)
}

export interface IssueResult {
  issue: number
  /** The state the sweep found ('new' for an issue the ledger has not taken up). */
  before: string
  /** The state after the step (the same when nothing moved). */
  state: string
  requestIds: string[]
  /** What happened, in a few words, for the summary. */
  note: string
  /** Why the step did not finish; joins the step's failure message. */
  problem?: string
  /** Request ids Amplitude accepted that the ledger could not record: resume them by hand. */
  unrecorded?: string[]
}

export function nowIso(ctx: SweepContext): string {
  return new Date(ctx.session.clock.now()).toISOString()
}

/** Runs planned workflows (at most max-concurrency at once via the transport). */
export async function runPlans(ctx: SweepContext, plans: PlannedRun[]): Promise<RequestRecord[]> {
  return (await submitPlans(ctx, plans)).map(run => run.record)
}

/** Runs planned workflows, saying for each whether a POST of it left this machine. */
export async function submitPlans(
  ctx: SweepContext,
  plans: PlannedRun[]
): Promise<{ record: RequestRecord; posted: boolean }[]> {
  return Promise.all(
    plans.map(async plan => {
      const run = await runOnSession(ctx.session, {
        loaded: ctx.loaded,
        plan,
        serverUrl: ctx.settings.apiUrl,
        signal: ctx.signal,
        log: text => ctx.log(text)
      })
      ctx.records.push(run.record)
      return run
    })
  )
}

/** Writes the ledger comment: edits it in place when it exists, creates it otherwise. */
export async function writeLedger(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number | undefined,
  reference?: string
): Promise<number> {
  marker.version = MARKER_VERSION
  stampDeadline(ctx, issue, marker)
  const body = ledgerComment(marker, sealOf(ctx, issue.number), reference, ctx.ledger.label)
  const held = (id: number): number => {
    ctx.ledgers.set(issue.number, { marker: structuredClone(marker), commentId: id })
    return id
  }
  if (commentId !== undefined) {
    await ctx.github.updateComment(commentId, body)
    return held(commentId)
  }
  const created = await ctx.github.createComment(issue.number, body)
  // The ledger trusts only comments by the token's identity: one written under another name would
  // be ignored by the next sweep, which would then submit again. Stop before any DSAR call.
  if (created.author !== ctx.identity.login || created.authorType !== ctx.identity.type) {
    throw new IdentityError(ctx.identity, created)
  }
  return held(created.id)
}

/** Sets the labels for `state` (and closes the issue when delivered), unless already so. */
export async function moveLabels(
  ctx: SweepContext,
  issue: IssueFacts,
  state: IssueState | 'new'
): Promise<void> {
  const kept = isFinished(state) ? finishedLabels(issue.labels, ctx.ledger.label) : issue.labels
  const labels = labelsFor(kept, ctx.ledger.label, state)
  const close = (state === 'done' || state === 'erased') && ctx.ledger.closeOnDone
  if (!close && sameLabels(labels, issue.labels)) return
  await ctx.github.setLabels(issue.number, labels, close)
  issue.labels = labels
}

export class IdentityError extends Error {
  constructor(expected: Identity, got: CommentFacts) {
    super(
      `the GitHub token writes as ${forLog(got.author)} (${forLog(got.authorType)}), not as ` +
        `${expected.login}: the ledger supports the workflow's GITHUB_TOKEN or a user's token ` +
        '(github-token). Nothing was submitted.'
    )
    this.name = 'IdentityError'
  }
}

/** The issue's form as the sweep reads it now (the body may have changed since it was filed). */
export function readIssueForm(ctx: SweepContext, issue: IssueFacts): FormReading {
  return readForm(issue.body, {
    startDate: ctx.settings.startDate,
    endDate: ctx.settings.endDate,
    today: ctx.today
  })
}

/** The form's reference, read again (a broken form has none). */
export function referenceOf(ctx: SweepContext, issue: IssueFacts): string | undefined {
  const reading = readIssueForm(ctx, issue)
  return reading.ok ? reading.form.reference : undefined
}

/** Who filed the issue, and how the person's identity was checked as the form says now (raw text). */
export function issueFiling(ctx: SweepContext, issue: IssueFacts): ReceiptFiling {
  const reading = readIssueForm(ctx, issue)
  const identity = reading.ok ? reading.form.identityVerified : undefined
  return { filedBy: issue.author, identityVerified: identity ?? null }
}
