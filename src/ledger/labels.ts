/**
 * The ledger's labels, created by the first sweep. An issue form adds its label only when the
 * label exists in the repository, so before the first sweep an issue filed from the form carries
 * no label and the ledger would never see it: the workflow is run once by hand first (any
 * trigger creates them). One read per sweep; writes only for labels that are missing.
 */
import type { GitHubClient } from './github-client.js'
import { GitHubError } from './github-octokit.js'
import {
  IN_PROGRESS,
  PERSON_STATES,
  personLabel,
  stateLabel,
  type IssueState,
  type PersonLabel
} from './states.js'
import { DEADLINE_LABELS } from './deadline-record.js'

const DESCRIPTIONS: Record<IssueState | PersonLabel, [string, string]> = {
  submitting: ['fbca04', 'DSAR: being submitted'],
  submitted: ['0e8a16', 'DSAR: submitted to Amplitude, checked by each sweep'],
  done: ['5319e7', 'DSAR: delivered (artifact uploaded)'],
  ready: ['1d76db', 'DSAR: finished at Amplitude, ready to collect (not delivered)'],
  failed: ['b60205', 'DSAR: Amplitude failed it; a person decides'],
  'needs-info': ['d93f0b', 'DSAR: the form needs a fix; add the DSAR label again'],
  refused: ['000000', 'DSAR: the author may not ask'],
  'needs-attention': ['b60205', 'DSAR: a person must check what Amplitude received'],
  expired: ['c5def5', 'DSAR: links expired before delivery; add the DSAR label again'],
  'awaiting-approval': ['fbca04', 'DSAR erasure: waits for a second member to add :approved'],
  'erasure-submitting': ['fbca04', 'DSAR erasure: being submitted'],
  'erasure-scheduled': ['0e8a16', 'DSAR erasure: in a deletion job at Amplitude'],
  cancelled: ['c5def5', 'DSAR erasure: cancelled, ids taken out of the job'],
  erased: ['5319e7', 'DSAR erasure: done at Amplitude, receipt posted'],
  approved: ['0e8a16', 'DSAR erasure: approved by a member other than the author'],
  cancel: ['b60205', 'DSAR erasure: cancel it (only while the job can still change)']
}

/** The legal clock's labels (docs/desk.md): two the ledger sets, one a person adds. */
const CLOCK_DESCRIPTIONS: Record<(typeof DEADLINE_LABELS)[number], [string, string]> = {
  'due-soon': ['fbca04', 'DSAR: due within seven days and not finished'],
  overdue: ['b60205', 'DSAR: past its legal due date and not finished'],
  extended: ['c2e0c6', 'DSAR: a person extended the deadline (once, as the regime allows)']
}

/** Every label the ledger sets, with its colour and description. */
export function ledgerLabels(
  label: string
): { name: string; color: string; description: string }[] {
  return [
    { name: label, color: '0052cc', description: 'Data subject access request (DSAR ledger)' },
    ...[...IN_PROGRESS, ...PERSON_STATES].map(state => ({
      name: stateLabel(label, state),
      color: DESCRIPTIONS[state][0],
      description: DESCRIPTIONS[state][1]
    })),
    ...(['approved', 'cancel'] as const).map(which => ({
      name: personLabel(label, which),
      color: DESCRIPTIONS[which][0],
      description: DESCRIPTIONS[which][1]
    })),
    ...DEADLINE_LABELS.map(name => ({
      name: `${label}:${name}`,
      color: CLOCK_DESCRIPTIONS[name][0],
      description: CLOCK_DESCRIPTIONS[name][1]
    }))
  ]
}

export async function ensureLabels(
  github: GitHubClient,
  label: string,
  log: (line: string) => void
): Promise<void> {
  const existing = new Set((await github.labels()).map(name => name.toLowerCase()))
  const missing = ledgerLabels(label).filter(l => !existing.has(l.name.toLowerCase()))
  for (const l of missing) {
    try {
      await github.createLabel(l.name, l.color, l.description)
    } catch (error) {
      // Another sweep created it meanwhile.
      if (!(error instanceof GitHubError && error.status === 422)) throw error
    }
  }
  if (missing.length > 0) {
    log(`Created the ledger's label(s): ${missing.map(l => l.name).join(', ')}`)
  }
}
