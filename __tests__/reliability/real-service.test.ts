/**
 * Reliability matrix 6, against the real service: where Amplitude's documented service differs from
 * a simple simulator, and what a real run meets that a quick test does not. Each row runs the bundled
 * dist/index.js against the DSAR simulator set up the way the real service behaves:
 * - output links on a second host that requires the credentials (the docs show every link on
 *   `https://analytics.amplitude.com`, not on the API host), redirecting to storage;
 * - 429s without Retry-After (the docs promise nothing more), a refused connection, a reset;
 * - statuses and messages a user reads: `wait: false`, a 401, the deadline, progress, `DONE`.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js'
import { runAction, type ActionRun } from '../support/action-harness.js'
import { describeRun, errorText, expectNoLeaks, Report, STACK_FRAME } from './support.js'

const report = new Report('real-service')

const OUTPUTS_PATH = /\/outputs\/\d+$/
const FILES = 2

interface Row {
  name: string
  did: string
  sim?: SimulatorOptions
  inputs: (sim: Simulator) => Record<string, string>
  env?: Record<string, string>
  before?: (sim: Simulator) => void
  check: (run: ActionRun, sim: Simulator) => Promise<void> | void
  /** What the row adds to the one-line description of the run. */
  describe?: (run: ActionRun, sim: Simulator) => string[]
}

const base = (sim: Simulator): Record<string, string> => ({
  'api-url': sim.url,
  'api-key': sim.apiKey,
  'secret-key': sim.secretKey,
  'user-ids': 'subject-1@example.com',
  'poll-interval': '0.05s',
  timeout: '30s'
})

const webGets = (sim: Simulator) => sim.log.filter(e => e.host === 'web')
const storageGets = (sim: Simulator) => sim.log.filter(e => e.host === 'storage')
const hosts = (sim: Simulator): string[] => [
  `${webGets(sim).length} web-host GET (${webGets(sim).filter(e => e.authorization).length} with credentials)`,
  `${storageGets(sim).length} storage GET (${storageGets(sim).filter(e => e.authorization).length} with credentials)`
]
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

const ROWS: Row[] = [
  {
    name: 'output links on the web host, trusted with credential-origins -> downloaded',
    did:
      'links on a second loopback host that requires the credentials (like analytics.amplitude.com), ' +
      'given in credential-origins; download: true',
    sim: { outputLinksOn: 'web', job: { pollsInStaging: 1, pollsInSubmitted: 0, files: FILES } },
    inputs: sim => ({ ...base(sim), download: 'true', 'credential-origins': sim.webUrl }),
    describe: (_run, sim) => hosts(sim),
    check: async (run, sim) => {
      expect(errorText(run)).toBe('')
      expect(run.exitCode).toBe(0)
      const id = String(sim.requests()[0].requestId)
      const files = JSON.parse(run.outputs.files) as { path: string; sha256: string }[]
      expect(files).toHaveLength(FILES)
      for (const [n, file] of files.entries()) {
        const expected = await sim.expectedFile(id, n)
        expect(sha256(readFileSync(file.path))).toBe(expected.sha256)
      }
      // Every link GET went to the web host, with the credentials; storage never saw them.
      expect(webGets(sim)).toHaveLength(FILES)
      expect(webGets(sim).every(e => e.authorization && OUTPUTS_PATH.test(e.path))).toBe(true)
      expect(storageGets(sim)).toHaveLength(FILES)
      expect(storageGets(sim).some(e => e.authorization)).toBe(false)
    }
  },
  {
    name: 'output links on a web host not trusted -> fails naming credential-origins',
    did: 'the same web host, not given in credential-origins; download: true',
    sim: { outputLinksOn: 'web', job: { pollsInStaging: 1, pollsInSubmitted: 0, files: FILES } },
    inputs: sim => ({ ...base(sim), download: 'true' }),
    describe: (_run, sim) => hosts(sim),
    check: (run, sim) => {
      expect(run.exitCode).toBe(1)
      const message = errorText(run)
      expect(message).toMatch(
        /output 1 of 2: HTTP 401 from the output link on http:\/\/127\.0\.0\.\d+:\d+: no credentials were sent to that origin/
      )
      expect(message).toContain("'credential-origins'")
      expect(message).not.toMatch(/refused the credentials/)
      // Nothing was sent with credentials to the untrusted host; storage was never reached.
      expect(webGets(sim).length).toBeGreaterThan(0)
      expect(webGets(sim).some(e => e.authorization)).toBe(false)
      expect(storageGets(sim)).toHaveLength(0)
      const id = String(sim.requests()[0].requestId)
      expect(run.outputs.requestId).toBe(id)
      expect(run.summary).toContain(id)
    }
  }
]

async function runRow(row: Row, saw: (got: string) => void): Promise<void> {
  const sim = await startSimulator(row.sim ?? {})
  try {
    row.before?.(sim)
    const inputs = row.inputs(sim)
    const run = await runAction(inputs, { env: row.env })
    saw(describeRun(run, row.describe?.(run, sim) ?? []))
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    expectNoLeaks(run, { inputs, sim })
    expect(sim.requests().length).toBeLessThanOrEqual(1)
    await row.check(run, sim)
  } finally {
    await sim.close()
  }
}

describe('against the real service', () => {
  for (const row of ROWS) {
    report.row('Against the real service', row.name, row.did, saw => runRow(row, saw), {
      concurrent: true,
      timeoutMs: 60_000
    })
  }
})
