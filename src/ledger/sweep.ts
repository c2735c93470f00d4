/**
 * `ledger: issues`: one sweep over the open issues carrying the ledger label, moving each on by at
 * most one step of its life (src/ledger/issue-step.ts), without waiting for Amplitude.
 *
 * Safety first, in this order: the repository must be private (checked before anything else, so a
 * public one fails the step before any DSAR call); the ledger trusts only comments written by the
 * token's own identity; GitHub costs the list pages plus one call per change (comments are read for
 * the whole repository in pages, not per issue); and whatever fails, the outputs, the job summary
 * and the log carry every request id Amplitude gave, and the step fails with the resume line.
 */
import { type LoadedArazzo, messageOf } from '../arazzo/index.js'
import type { DownloadedFile } from '../export/index.js'
import {
  line,
  log,
  openApiSession,
  Semaphore,
  type RequestRecord,
  type RunDependencies,
  type RunSettings
} from '../run/index.js'
import { GitHubClient, type GitHubAccess } from './github-client.js'
import { GitHubError, githubApiOrigin, type GitHubCalls } from './github-octokit.js'
import type { CommentFacts, IssueFacts } from './github-shapes.js'
import { GitHubBudget } from './github-budget.js'
import { readForm } from './form.js'
import { ensureLabels } from './labels.js'
import { ledgerKey } from './seal.js'
import { reserveMs, SubmitTime } from './sweep-time.js'
import { planStep, stepIssue } from './issue-step.js'
import { checkDeadline, type ClockRow } from './deadline-step.js'
import { personLabel, stateLabel } from './states.js'
import type { LedgerSettings } from './settings.js'
import { IdentityError, type IssueResult, type SweepContext } from './sweep-context.js'

/** Issues filed within this long are read through the repository's comment list; older ones alone. */
const RECENT_MS = 7 * 24 * 3_600_000
/** An issue event's run looks at the issues updated this recently (the schedule sees the rest). */
const EVENT_LOOKBACK_MS = 2 * 3_600_000
/** How long GitHub calls may go on after the run was stopped, to record what was done. */
const CLEANUP_MS = 5_000
/** The longest wait for GitHub's rate limit a sweep accepts (the next sweep can carry on). */
const MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000

/** What the run core needs, and how the ledger reaches GitHub (an in-process fetch in benchmarks). */
export interface LedgerDependencies extends RunDependencies {
  /** How the ledger reaches GitHub. Default: GITHUB_API_URL over the network. */
  github?: GitHubAccess
  /**
   * Loads the deletion API's document (the action's built-in `amplitude-erasure`) on the first
   * erasure call of a sweep. Without it, an approved erasure waits and the step says why.
   */
  erasureDocument?: () => Promise<LoadedArazzo>
}

/** What a sweep did, handed to the action to write the outputs and the job summary. */
export interface SweepReport {
  results: IssueResult[]
  records: RequestRecord[]
  files: DownloadedFile[]
  /** The first export artifact uploaded this sweep. */
  artifact?: { issue: number; id: number; url: string }
  problems: string[]
  /** `request-ids: ...` for request ids Amplitude accepted that no issue records. */
  resumeHint?: string
  workflowTitle: string
  now: number
  label: string
  openIssues: number
  /** New issues left for the next sweep because GitHub's budget was low (github-budget.ts). */
  deferred?: string
  calls: GitHubCalls
  /** The open requests' clocks this sweep saw (the summary lists them by due date). */
  clocks: ClockRow[]
  /** Today (UTC) by the sweep's clock. */
  today: string
}

/** Writes a sweep's outputs and summary (the action's reporting room); must not throw. */
export type SweepReporter = (report: SweepReport) => Promise<void>

/**
 * One sweep. The action hands over the run's settings, the ledger's, the loaded document and
 * where to report: the ledger reads no input and writes no output itself.
 */
export async function sweepLedger(
  settings: RunSettings,
  ledger: LedgerSettings,
  loaded: LoadedArazzo,
  stop: AbortController,
  report: SweepReporter,
  deps: LedgerDependencies = {}
): Promise<void> {
  // Amplitude is cut a reserve before the deadline, GitHub at it (src/ledger/sweep-time.ts).
  const reserve = reserveMs(settings.timeoutMs)
  const session = openApiSession(
    { ...settings, timeoutMs: settings.timeoutMs - reserve },
    stop,
    deps
  )
  const deadline = session.startedAt + settings.timeoutMs
  const githubStop = githubDeadline(session, deadline, stop.signal)
  const { owner, repo } = repositoryOf(process.env.GITHUB_REPOSITORY)
  const github = new GitHubClient({
    token: ledger.githubToken,
    apiUrl: githubApiOrigin(process.env.GITHUB_API_URL),
    owner,
    repo,
    ...deps.github,
    waitUnitMs: session.hooks.backoffBaseMs,
    writeSpacingMs: session.hooks.writeSpacingMs,
    maxRateLimitWaitMs: Math.min(
      MAX_RATE_LIMIT_WAIT_MS,
      Math.max(0, session.deadline - session.clock.now())
    ),
    log: text => log.untrusted(text),
    signal: githubStop.signal
  })
  const ctx: SweepContext = {
    settings,
    ledger,
    session,
    loaded,
    github,
    identity: { login: '', type: '' },
    signal: stop.signal,
    today: new Date(session.clock.now()).toISOString().slice(0, 10),
    log: text => log.untrusted(text),
    records: [],
    files: [],
    artifacts: [],
    deadline,
    ledgerKey: ledgerKey(settings.basicAuth),
    repository: `${owner}/${repo}`,
    ...(deps.erasureDocument && { erasureDocument: deps.erasureDocument }),
    apiDependencies: deps,
    ledgers: new Map(),
    clocks: []
  }
  const results: IssueResult[] = []
  const problems: string[] = []
  let openIssues = 0
  const budget = new GitHubBudget(github.calls, () => session.clock.now())
  const time = new SubmitTime({
    now: () => session.clock.now(),
    cutoff: session.deadline,
    pacer: session.pacer,
    concurrency: settings.maxConcurrency
  })
  let deferred: string | undefined
  try {
    const repository = await github.repository()
    if (repository.visibility !== 'private') {
      throw new Error(
        `${repository.fullName} is a ${repository.visibility} repository: the ledger works only in a ` +
          'private one (DSAR issues, request ids and exports are personal data). Nothing was sent to Amplitude.'
      )
    }
    ctx.identity = await github.identity()
    await ensureLabels(github, ledger.label, text => log.info(line`${text}`))
    // A run started by an issue event takes up the issues changed lately (filed, re-labelled) at
    // once; checking the requests Amplitude is working on, and older issues, is the schedule's job:
    // a burst of filings then costs Amplitude nothing and GitHub a page or two per run.
    const event = eventRun()
    const listed = await github.openIssues(
      ledger.label,
      event ? new Date(session.clock.now() - EVENT_LOOKBACK_MS).toISOString() : undefined
    )
    // (An erasure's job too, unless a person asked to cancel it: that is answered at once.)
    const issues = event
      ? listed.filter(
          issue =>
            !issue.labels.includes(stateLabel(ledger.label, 'submitted')) &&
            (!issue.labels.includes(stateLabel(ledger.label, 'erasure-scheduled')) ||
              issue.labels.includes(personLabel(ledger.label, 'cancel')))
        )
      : listed
    openIssues = issues.length
    log.info(
      event
        ? line`An issue event: ${issues.length} open issue(s) labelled '${ledger.label}' changed in the last 2 hours to take up in ${repository.fullName}; requests in progress are checked by the scheduled sweeps`
        : line`Ledger: ${listed.length} open issue(s) labelled '${ledger.label}' in ${repository.fullName}`
    )
    const comments = await commentsByIssue(github, issues, session.clock.now())
    const subjects = (issue: IssueFacts): number => {
      const reading = readForm(issue.body, {
        startDate: settings.startDate,
        endDate: settings.endDate,
        today: ctx.today
      })
      return reading.ok ? reading.form.subjects.length : 0
    }
    // Requests already at Amplitude come first (their polls and deliveries start before any new
    // submit, oldest first within each); new issues are taken up only while GitHub's budget can
    // record their whole submit (src/ledger/github-budget.ts), the rest wait for the next sweep.
    const planned = issues.map(issue => ({
      issue,
      step: planStep(ctx, issue, comments.get(issue.number) ?? [])
    }))
    const ordered = [
      ...planned.filter(p => p.step.kind !== 'new'),
      ...planned.filter(p => p.step.kind === 'new')
    ]
    let halted: string | undefined
    const slots = new Semaphore(settings.maxConcurrency)
    await Promise.all(
      ordered.map(({ issue, step }) =>
        slots.use(async () => {
          // Past Amplitude's cutoff nothing more is taken up: issues not reached stay as they were.
          if (halted || stop.signal.aborted || session.clock.now() >= session.deadline) return
          try {
            const go = async () => {
              const stepped = await stepIssue(ctx, issue, step, { poll: !event })
              await checkDeadline(ctx, issue).catch((error: unknown) => {
                const problem = `issue #${issue.number}: the deadline check: ${(error as Error).message}`
                stepped.problem = stepped.problem ? `${stepped.problem}; ${problem}` : problem
                if (error instanceof GitHubError) halted = problem
              })
              return stepped
            }
            const result =
              step.kind === 'new'
                ? await time.submit(subjects(issue), () => budget.submit(go))
                : await budget.progress(go)
            if (!result) return // left untouched for the next sweep (said once, below)
            results.push(result)
            log.info(
              line`issue #${issue.number}: ${result.before} -> ${result.state}: ${result.note}`
            )
          } catch (error) {
            const message = `issue #${issue.number}: ${messageOf(error)}`
            results.push({
              issue: issue.number,
              before: '?',
              state: 'unchanged',
              requestIds: [],
              note: 'stopped',
              problem: message
            })
            // GitHub down or the wrong identity: every further step would fail the same way.
            if (error instanceof GitHubError || error instanceof IdentityError) halted = message
          }
        })
      )
    )
    deferred = [time.deferredNote(), budget.deferredNote()].filter(Boolean).join('; ') || undefined
    if (deferred) log.notice(line`${deferred}`)
    if (halted) problems.push(`the sweep stopped early: ${halted}`)
  } catch (error) {
    problems.push(messageOf(error))
  } finally {
    githubStop.release()
    results.sort((a, b) => a.issue - b.issue)
    problems.unshift(...results.map(r => r.problem).filter((p): p is string => Boolean(p)))
    const unrecorded = results.flatMap(r => r.unrecorded ?? [])
    await report({
      results,
      records: ctx.records,
      files: ctx.files,
      ...(ctx.artifacts[0] && { artifact: ctx.artifacts[0] }),
      problems,
      ...(unrecorded.length > 0 && { resumeHint: `request-ids: ${unrecorded.join(',')}` }),
      workflowTitle: ctx.loaded.document.info.title,
      now: ctx.session.clock.now(),
      label: ctx.ledger.label,
      openIssues,
      ...(deferred && { deferred }),
      calls: ctx.github.calls,
      clocks: ctx.clocks,
      today: ctx.today
    })
  }
  const unrecorded = results.flatMap(r => r.unrecorded ?? [])
  if (stop.signal.aborted) problems.push(messageOf(stop.signal.reason))
  if (problems.length > 0) {
    let message = [...new Set(problems)].join('; ')
    if (unrecorded.length > 0) {
      message += `\nResume them in a later run with:\n  request-ids: ${unrecorded.join(',')}`
    }
    throw new Error(message)
  }
  log.info(line`Ledger sweep done: ${results.length} issue(s) moved on or checked.`)
}

/**
 * The comments of every listed issue that has any. Recent issues are read through the repository's
 * comment list (`since` the oldest of them: pages of 100, whatever the number of issues); older
 * ones (re-labelled long after filing) one by one, so an old issue cannot make the list long.
 */
async function commentsByIssue(
  github: GitHubClient,
  issues: IssueFacts[],
  now: number
): Promise<Map<number, CommentFacts[]>> {
  const byIssue = new Map<number, CommentFacts[]>()
  // Every issue's comments are read: GitHub's `comments` count can lag behind a comment just
  // written (a sweep trusting a 0 would submit again beside an existing ledger comment).
  const commented = issues
  const recent = commented.filter(issue => Date.parse(issue.createdAt) >= now - RECENT_MS)
  const alone = recent.length === 1 ? commented : commented.filter(i => !recent.includes(i))
  if (recent.length > 1) {
    const since = recent
      .map(issue => issue.createdAt)
      .sort((a, b) => Date.parse(a) - Date.parse(b))[0]
    const wanted = new Set(recent.map(issue => issue.number))
    for (const comment of await github.commentsSince(since)) {
      if (!wanted.has(comment.issueNumber)) continue
      byIssue.set(comment.issueNumber, [...(byIssue.get(comment.issueNumber) ?? []), comment])
    }
  }
  for (const issue of alone) byIssue.set(issue.number, await github.issueComments(issue.number))
  return byIssue
}

/**
 * The signal that cuts every GitHub call: aborted at the run's deadline (by the session's clock),
 * or CLEANUP_MS after the run was stopped (cancelled, or credentials refused), so the steps under
 * way can still take back a write-ahead comment or record what Amplitude accepted. `release` ends
 * its timers once the sweep is over.
 */
function githubDeadline(
  session: { clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> } },
  deadline: number,
  stopped: AbortSignal
): { signal: AbortSignal; release: () => void } {
  const cut = new AbortController()
  const timers = new AbortController()
  const cutAfter = (ms: number, reason: string): void => {
    session.clock.sleep(Math.max(0, ms), timers.signal).then(
      () => cut.abort(new Error(reason)),
      () => undefined
    )
  }
  cutAfter(deadline - session.clock.now(), "the run's timeout ran out")
  const onStop = (): void =>
    cutAfter(Math.min(CLEANUP_MS, deadline - session.clock.now()), 'the run was stopped')
  if (stopped.aborted) onStop()
  else stopped.addEventListener('abort', onStop, { once: true })
  return {
    signal: cut.signal,
    release: () => {
      timers.abort()
      stopped.removeEventListener('abort', onStop)
    }
  }
}

/** Whether an `issues` event started this run (GITHUB_EVENT_NAME, set by the runner). */
function eventRun(): boolean {
  return process.env.GITHUB_EVENT_NAME === 'issues'
}

function repositoryOf(text: string | undefined): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/.exec(text ?? '')
  if (!match) {
    throw new Error(
      'GITHUB_REPOSITORY is not set to owner/name: the ledger runs inside GitHub Actions'
    )
  }
  return { owner: match[1], repo: match[2] }
}
