/**
 * The job summary's facts: API host, date range asked, file names relative to download-path, the
 * artifact (name, link, retention) and the link-expiry warning, escaped like everything untrusted.
 */
import * as core from '@actions/core'
import { join } from 'node:path'
import type { RequestRecord } from '../src/run/request-runner.js'
import { dateRangeAsked, displayFileName, runFacts } from '../src/action/reporting/summary-facts.js'
import { buildSummary } from '../src/action/reporting/summary-helper.js'
import type { PlannedRun } from '../src/run/planning.js'
import type { DownloadedFile } from '../src/export/index.js'

const NOW = Date.parse('2026-12-01T12:00:00Z')
const HOUR = 3_600_000
const downloadPath = join('/home/runner/work/_temp', 'amplitude-dsar')

function record(extra: Partial<RequestRecord>): RequestRecord {
  return {
    label: 'subject 1 (user #147a1836)',
    requestId: '53367',
    status: 'done',
    outcome: 'done',
    urls: [],
    polls: 3,
    startedAt: NOW - 60_000,
    finishedAt: NOW,
    workflowOutputs: {},
    ...extra
  }
}

const plan = (inputs: Record<string, unknown>): PlannedRun => ({
  label: 'subject 1',
  workflowId: 'w',
  inputs,
  submitOnly: false,
  requestIdShape: 'digits'
})

const file = (name: string, requestId = '53367'): DownloadedFile => ({
  path: join(downloadPath, requestId, name),
  bytes: 1046,
  sha256: 'a'.repeat(64),
  events: 10,
  encrypted: name.endsWith('.age'),
  requestId
})

const settings = {
  apiUrl: 'https://analytics.eu.amplitude.com',
  download: true,
  downloadPath,
  artifactName: 'dsar-export',
  retentionDays: 1
}

beforeEach(() => {
  core.summary.emptyBuffer()
})

test('the date range is the one the requests were sent, or says why there is none', () => {
  const asked = { startDate: '2024-01-01', endDate: '2024-12-31' }
  expect(dateRangeAsked([plan(asked), plan(asked)])).toBe('2024-01-01 to 2024-12-31')
  expect(dateRangeAsked([plan({ requestId: 53367 })])).toMatch(/^none in this run \(resuming/)
  expect(dateRangeAsked([plan({ userIds: ['u'] })])).toMatch(/take no date range/)
})

test('file names are relative to download-path, with forward slashes', () => {
  expect(displayFileName(file('output-001.json.gz.age'), downloadPath)).toBe(
    '53367/output-001.json.gz.age'
  )
  // Outside the folder (never expected): the bare name, not a path into the runner.
  expect(displayFileName({ ...file('x.gz'), path: '/elsewhere/x.gz' }, downloadPath)).toBe('x.gz')
})

test('the summary shows API host, date range, relative files, the artifact and the expiry warning', () => {
  const soon = new Date(NOW + 2 * HOUR).toISOString()
  const records = [record({ expires: soon })]
  const facts = runFacts(settings, {
    plans: [plan({ startDate: '2024-01-01', endDate: '2024-12-31' })],
    records,
    now: NOW,
    artifact: { id: 42, url: 'https://github.com/o/r/actions/runs/7/artifacts/42' }
  })
  const html = buildSummary({
    records,
    workflowTitle: 'Amplitude DSAR (documented API)',
    now: NOW,
    problems: [],
    files: [file('output-001.json.gz.age')],
    facts
  }).stringify()

  expect(html).toContain('<td>API host</td><td><code>analytics.eu.amplitude.com</code></td>')
  expect(html).toContain('<td>Date range asked</td><td>2024-01-01 to 2024-12-31</td>')
  expect(html).toContain('<td>53367/output-001.json.gz.age</td>')
  expect(html).not.toContain('/home/runner/work/_temp')
  expect(html).toContain(
    '<a href="https://github.com/o/r/actions/runs/7/artifacts/42">dsar-export</a> (id 42), kept 1 day'
  )
  expect(html).toContain(
    `<strong>Warning:</strong> the download links of request 53367 expire at ${soon}`
  )
})

test('no warning when the links outlive the warning window; no artifact when none was uploaded', () => {
  const later = new Date(NOW + 48 * HOUR).toISOString()
  const records = [record({ expires: later })]
  const facts = runFacts({ ...settings, artifactName: undefined }, { records, now: NOW })
  const html = buildSummary({
    records,
    workflowTitle: 't',
    now: NOW,
    problems: [],
    facts
  }).stringify()
  expect(html).not.toContain('Warning:')
  expect(html).not.toContain('artifact')
  expect(facts.downloadPath).toBe(downloadPath)
  // A ledger sweep plans per issue and passes no plans: no date range row rather than a wrong one.
  expect(runFacts(settings, { records, now: NOW }).dateRange).toBeUndefined()
  expect(html).not.toContain('Date range asked')
})

test('what the server said is escaped in the warning', () => {
  const records = [
    record({ requestId: '<img src=x onerror=alert(1)>', expires: '<b>soon</b>' }),
    record({ requestId: '2', expires: new Date(NOW + HOUR).toISOString() })
  ]
  // An unparsable expiry is no warning; a parsable one is, with its request id escaped.
  const facts = runFacts(settings, { plans: [], records, now: NOW })
  expect(facts.expiring.map(e => e.requestId)).toEqual(['2'])
  const hostile = runFacts(settings, {
    plans: [],
    records: [record({ requestId: '<img src=x>', expires: new Date(NOW + HOUR).toISOString() })],
    now: NOW
  })
  const html = buildSummary({
    records: [],
    workflowTitle: 't',
    now: NOW,
    problems: [],
    facts: hostile
  }).stringify()
  expect(html).toContain('request &lt;img src=x&gt; expire')
  expect(html).not.toContain('<img')
})
