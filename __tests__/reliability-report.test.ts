/**
 * scripts/reliability-report.mjs renders docs/reliability.md from the suites' JSON reports. It must
 * refuse a matrix that shrank: a run filtered with `jest -t` writes fewer rows than the suites
 * declare, and "1 of 1 rows passed" would read as a full matrix.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from './support/action-harness.js'
import { tempDir } from './support/temp.js'

const SUITES = [
  'faults',
  'bad-input',
  'hostile-documents',
  'remote-sources',
  'hostile-servers',
  'cancellation',
  'ledger',
  'ledger-pressure',
  'ledger-erasure',
  'ledger-deadlines',
  'no-leaks',
  'real-service'
]

let dir: string
beforeEach(() => {
  dir = tempDir('dsar-report-')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function writeReports(rowsOf: (suite: string) => { declared: number; written: number }): void {
  for (const suite of SUITES) {
    const { declared, written } = rowsOf(suite)
    const rows = Array.from({ length: written }, (_, i) => ({
      matrix: 'M',
      row: `row ${i}`,
      did: 'did',
      got: 'got',
      passed: true
    }))
    const report = { suite, node: 'v24', platform: 'linux x64', declared, rows, notes: [] }
    writeFileSync(join(dir, `${suite}.json`), JSON.stringify(report))
  }
}

function render(): { status: number | null; stdout: string; stderr: string; doc: string } {
  const output = join(dir, 'reliability.md')
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'scripts', 'reliability-report.mjs'), dir, output],
    { encoding: 'utf8' }
  )
  return { ...result, doc: readFileSync(output, 'utf8') }
}

test('every suite wrote every row it declares: the report passes', () => {
  writeReports(() => ({ declared: 2, written: 2 }))
  const result = render()
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  expect(result.doc).toContain(`**${SUITES.length * 2} of ${SUITES.length * 2} rows passed**`)
})

test('a suite wrote fewer rows than it declares (a filtered run): the report fails, naming it', () => {
  writeReports(suite => ({ declared: 3, written: suite === 'ledger' ? 1 : 3 }))
  const result = render()
  expect(result.status).toBe(1)
  expect(result.stderr).toContain('ledger: 1 of 3 declared rows written')
})

test('a suite wrote more rows than it declares: the report fails too', () => {
  writeReports(suite => ({ declared: 1, written: suite === 'faults' ? 2 : 1 }))
  const result = render()
  expect(result.status).toBe(1)
  expect(result.stderr).toContain('faults: 2 of 1 declared rows written')
})
