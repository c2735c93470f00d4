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
import {
  DEFAULT_API_KEY,
  DEFAULT_SECRET_KEY,
  startSimulator,
  type Simulator,
  type SimulatorOptions
} from '../../src/simulator/index.js'
import { runAction, type ActionRun } from '../support/action-harness.js'
import { describeRun, errorText, expectNoLeaks, freePort, Report, STACK_FRAME } from './support.js'

const report = new Report('real-service')

const OUTPUTS_PATH = /\/outputs\/\d+$/
const STATUS_PATH = /^\/api\/2\/dsar\/requests\/[^/]+$/
const FILES = 2
/**
 * Test hooks read by src/action/test-hooks.ts (unset on real runners): back-off from 20 ms, capped at
 * 100 ms, so ten 429s take a second, not the minutes the production back-off (1 s, up to 5 minutes
 * after a 429) would wait.
 */
const FAST_BACKOFF = { DSAR_TEST_BACKOFF_BASE_MS: '20', DSAR_TEST_BACKOFF_MAX_MS: '100' }
report.note(
  'Test hooks in these runs (src/action/test-hooks.ts, unset on real runners): retries back off from ' +
    '20 ms, capped at 100 ms (production: from 1 s, capped at 2 minutes, 5 minutes after a 429); the ' +
    'refused-connection row backs off from 2 s, leaving time to start the server.'
)

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

const posts = (sim: Simulator) => sim.log.filter(e => e.host === 'api' && e.method === 'POST')
const statusGets = (sim: Simulator) =>
  sim.log.filter(e => e.host === 'api' && e.method === 'GET' && STATUS_PATH.test(e.path))
const tooMany = (sim: Simulator) => sim.log.filter(e => e.status === 429)
const calls = (sim: Simulator): string[] => [
  `${posts(sim).length} POST, ${statusGets(sim).length} status GET (${tooMany(sim).length} answered 429)`
]
const tenTooMany = (sim: Simulator): void =>
  sim.addFault({
    host: 'api',
    method: 'GET',
    path: STATUS_PATH,
    times: 10,
    action: { type: 'status', status: 429 }
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
  },
  {
    name: 'polls: ten 429s without Retry-After -> waited out, one POST',
    did: 'ten status GETs in a row answered 429 with no Retry-After (the old limit was 8 attempts)',
    sim: { job: { pollsInStaging: 1, pollsInSubmitted: 0 } },
    env: FAST_BACKOFF,
    before: tenTooMany,
    inputs: base,
    describe: (_run, sim) => calls(sim),
    check: (run, sim) => {
      expect(errorText(run)).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs.finalStatus).toBe('done')
      expect(tooMany(sim)).toHaveLength(10)
      expect(posts(sim)).toHaveLength(1)
      expect(sim.requests()).toHaveLength(1)
      // Each 429 was logged as a wait, none as a failure.
      expect(run.lines.filter(l => /HTTP 429 on GET .*; attempt \d+ in /.test(l))).toHaveLength(10)
    }
  },
  {
    name: 'submit: a reset after the POST was written -> not repeated',
    did: 'the connection is reset once the POST (headers and body) has reached the server',
    env: FAST_BACKOFF,
    before: sim =>
      sim.addFault({ host: 'api', method: 'POST', times: 1, action: { type: 'reset' } }),
    inputs: base,
    describe: (_run, sim) => calls(sim),
    check: (run, sim) => {
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toMatch(/POST \/api\/2\/dsar\/requests failed \(.*\); not repeated/)
      expect(posts(sim)).toHaveLength(1)
      expect(posts(sim)[0].body).toContain('subject-1@example.com')
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

/**
 * The first POST finds nothing listening (connection refused: it cannot have been taken); the
 * simulator starts on that port once the action reports the refusal, then answers ten polls with 429.
 */
async function refusedThenTooMany(saw: (got: string) => void): Promise<void> {
  const port = await freePort()
  let starting: Promise<Simulator> | undefined
  const inputs = {
    'api-url': `http://127.0.0.1:${port}`,
    'api-key': DEFAULT_API_KEY,
    'secret-key': DEFAULT_SECRET_KEY,
    'user-ids': 'subject-1@example.com',
    'poll-interval': '0.05s',
    timeout: '60s'
  }
  const run = await runAction(inputs, {
    env: { ...FAST_BACKOFF, DSAR_TEST_BACKOFF_BASE_MS: '2000' },
    onLine: line => {
      if (starting || !/ECONNREFUSED.* on POST /.test(line)) return
      starting = startSimulator({ port, job: { pollsInStaging: 1, pollsInSubmitted: 0 } }).then(
        sim => {
          tenTooMany(sim)
          return sim
        }
      )
    }
  })
  expect(starting).toBeDefined()
  const sim = await starting!
  try {
    saw(describeRun(run, calls(sim)))
    expect(errorText(run)).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.finalStatus).toBe('done')
    expect(
      run.lines.some(l => /ECONNREFUSED.*\(the request never reached the server\) on POST /.test(l))
    ).toBe(true)
    expect(posts(sim)).toHaveLength(1)
    expect(sim.requests()).toHaveLength(1)
    expect(tooMany(sim)).toHaveLength(10)
    expect(run.outputs.requestId).toBe(String(sim.requests()[0].requestId))
    expectNoLeaks(run, { inputs, sim })
  } finally {
    await sim.close()
  }
}

describe('against the real service', () => {
  report.row(
    'Against the real service',
    'submit: a refused connection, then ten 429s on polls -> survived with exactly one POST',
    'nothing listens when the first POST connects (refused); the simulator starts once the action ' +
      'reports it, then answers ten status GETs 429 without Retry-After',
    refusedThenTooMany,
    { concurrent: true, timeoutMs: 90_000 }
  )
  for (const row of ROWS) {
    report.row('Against the real service', row.name, row.did, saw => runRow(row, saw), {
      concurrent: true,
      timeoutMs: 60_000
    })
  }
})
