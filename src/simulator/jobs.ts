/**
 * The simulated jobs: created requests, their plans, and how each status GET moves a job along
 * staging -> submitted -> final (seed contract: pending -> processing -> final).
 */

import type { Contract, DsarRecord, JobPlan, ResolvedJobPlan, SubjectRef } from './types.js'

export const FIRST_DOCUMENTED_ID = 53367
export const FIRST_SEED_ID = 500123
export const DEFAULT_FAIL_REASON =
  'User has more than 100k events per month, which is not supported'

const STATUS_NAMES: Record<Contract, { staging: string; submitted: string; done: string }> = {
  documented: { staging: 'staging', submitted: 'submitted', done: 'done' },
  seed: { staging: 'pending', submitted: 'processing', done: 'complete' }
}

export type PlanSource = JobPlan | ((subject: SubjectRef, index: number) => JobPlan) | undefined

export function resolvePlan(plan: JobPlan = {}): ResolvedJobPlan {
  const count = (name: keyof JobPlan, fallback: number): number => {
    const value = plan[name] ?? fallback
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`job plan ${name} must be an integer >= 0, got ${String(value)}`)
    }
    return value
  }
  const resolved: ResolvedJobPlan = {
    pollsInStaging: count('pollsInStaging', 1),
    pollsInSubmitted: count('pollsInSubmitted', 1),
    outcome: plan.outcome ?? 'done',
    files: count('files', 2),
    linesPerFile: count('linesPerFile', 10)
  }
  if (plan.bytesPerFile !== undefined) resolved.bytesPerFile = count('bytesPerFile', 0)
  if (plan.failReason !== undefined) resolved.failReason = plan.failReason
  return resolved
}

/** Case-insensitive, so a plan's outcome 'DONE' is done (with links) and answered as 'DONE'. */
export function isDone(record: DsarRecord): boolean {
  return record.status.toLowerCase() === STATUS_NAMES[record.contract].done
}

export class JobRegistry {
  private readonly byId = new Map<string, DsarRecord>()
  private readonly order: DsarRecord[] = []
  private nextDocumentedId = FIRST_DOCUMENTED_ID
  private nextSeedId = FIRST_SEED_ID

  constructor(
    private readonly plans: PlanSource,
    private readonly linkTtlMs: number
  ) {
    // A fixed plan is checked up front, so a bad option fails startSimulator, not a request.
    if (typeof plans !== 'function') resolvePlan(plans)
  }

  create(
    contract: Contract,
    subject: SubjectRef,
    now: number,
    dates?: { startDate: string; endDate: string }
  ): DsarRecord {
    const plan = resolvePlan(
      typeof this.plans === 'function' ? this.plans(subject, this.order.length) : this.plans
    )
    const requestId =
      contract === 'documented' ? this.nextDocumentedId++ : String(this.nextSeedId++)
    const record: DsarRecord = {
      requestId,
      contract,
      subject,
      ...dates,
      createdAt: now,
      plan,
      polls: 0,
      status: STATUS_NAMES[contract].staging,
      outputRedirects: 0,
      storageDownloads: 0
    }
    this.byId.set(String(requestId), record)
    this.order.push(record)
    return record
  }

  get(requestId: string | number): DsarRecord | undefined {
    return this.byId.get(String(requestId))
  }

  all(): DsarRecord[] {
    return this.order
  }

  /** Counts one status GET and returns the status it answers. */
  poll(record: DsarRecord, now: number): string {
    record.polls++
    const names = STATUS_NAMES[record.contract]
    const { pollsInStaging, pollsInSubmitted, outcome } = record.plan
    if (record.polls <= pollsInStaging) record.status = names.staging
    else if (record.polls <= pollsInStaging + pollsInSubmitted) record.status = names.submitted
    else record.status = finalStatus(record.contract, outcome)

    if (record.status.toLowerCase() === 'failed' && record.failReason === undefined) {
      record.failReason = record.plan.failReason ?? DEFAULT_FAIL_REASON
    }
    if (isDone(record) && record.doneAt === undefined) {
      record.doneAt = now
      record.expiresAt = now + this.linkTtlMs
    }
    return record.status
  }
}

function finalStatus(contract: Contract, outcome: string): string {
  if (outcome === 'done' || outcome === 'complete') return STATUS_NAMES[contract].done
  return outcome
}
