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
import { baseInputs, runAction, type ActionRun } from '../support/action-harness.js'
import { describeRun, errorText, expectNoLeaks, freePort, Report, STACK_FRAME } from './support.js'

const report = new Report('real-service')

const OUTPUTS_PATH = /\/outputs\/\d+$/
const STATUS_PATH = /^\/api\/2\/dsar\/requests\/[^/]+$/
const FILES = 2
/**
 * Test hooks read by src/run/test-hooks.ts (unset on real runners): back-off from 20 ms, capped at
 * 100 ms, so ten 429s take a second, not the minutes the production back-off (1 s, up to 5 minutes
 * after a 429) would wait.
 */
const FAST_BACKOFF = { DSAR_TEST_BACKOFF_BASE_MS: '20', DSAR_TEST_BACKOFF_MAX_MS: '100' }
report.note(
  'Test hooks in these runs (src/run/test-hooks.ts, unset on real runners): retries back off from ' +
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

const base = (sim: Simulator): Record<string, string> => baseInputs(sim)

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
const progressLines = (run: ActionRun) => run.lines.filter(l => l.startsWith('Progress: '))
const logLine = (run: ActionRun, pattern: RegExp): string =>
  run.lines.find(l => pattern.test(l)) ?? ''
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
    name: 'wait: false -> reports the status it saw, "Submitted 2 requests"',
    did: 'two user ids with wait: false (the create answer of the documented API carries no status)',
    sim: { job: { pollsInStaging: 1, pollsInSubmitted: 1 } },
    inputs: sim => ({
      ...base(sim),
      'user-ids': 'subject-1@example.com, subject-2@example.com',
      wait: 'false'
    }),
    describe: (run, sim) => [...calls(sim), logLine(run, /^Submitted /)],
    check: (run, sim) => {
      expect(errorText(run)).toBe('')
      expect(run.exitCode).toBe(0)
      expect(run.outputs.finalStatus).toBe('staging')
      const requests = JSON.parse(run.outputs.requests) as { status: string }[]
      expect(requests.map(r => r.status)).toEqual(['staging', 'staging'])
      // One status read per new request, no loop.
      expect(posts(sim)).toHaveLength(2)
      expect(statusGets(sim)).toHaveLength(2)
      const ids = sim.requests().map(r => r.requestId)
      expect(run.stdout).toContain(
        `Submitted 2 requests; 2 staging. Collect the results in a later run with:\n  request-ids: ${ids.join(',')}`
      )
      expect(run.stdout).not.toMatch(/All \d+ requests? \./)
      expect(run.summary).toContain('<td>staging</td>')
    }
  },
  {
    name: 'refused credentials -> the summary names HTTP 401 and the call',
    did: 'a wrong secret-key with three user ids (max-concurrency 1)',
    sim: {},
    inputs: sim => ({
      ...base(sim),
      'secret-key': 'not-the-secret-key',
      'user-ids': 'subject-1@example.com, subject-2@example.com, subject-3@example.com',
      'max-concurrency': '1'
    }),
    describe: (_run, sim) => calls(sim),
    check: run => {
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toMatch(
        /^HTTP 401 from POST \/api\/2\/dsar\/requests: the API refused the credentials/
      )
      expect(run.summary).toContain('stopped by HTTP 401 from POST /api/2/dsar/requests')
      expect(run.summary).not.toMatch(/aborted|cancelled/)
    }
  },
  {
    name: 'the next poll would fall after the deadline -> the message says so, and when the deadline was',
    did: 'timeout: 3s, poll-interval: 2s, a job that stays staging (the second wait, 3 s, would end after 3 s)',
    sim: { job: { pollsInStaging: 1_000 } },
    inputs: sim => ({ ...base(sim), timeout: '3s', 'poll-interval': '2s' }),
    check: (run, sim) => {
      expect(run.exitCode).toBe(1)
      const id = String(sim.requests()[0].requestId)
      expect(errorText(run)).toMatch(
        new RegExp(
          `^Timed out \\(timeout 3s, deadline \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z\\): request ${id}: ` +
            'still staging after [\\d.]+s, and its next poll would come after the timeout'
        )
      )
      expect(errorText(run)).toContain(`request-ids: ${id}`)
      expect(run.summary).toContain('its next poll would come after the timeout')
    }
  },
  {
    name: 'several subjects -> a progress line at least every few minutes',
    did:
      'three user ids, jobs staging for four polls; the progress interval (3 minutes) shortened to ' +
      '250 ms by a test hook',
    sim: { job: { pollsInStaging: 4, pollsInSubmitted: 1 } },
    env: { DSAR_TEST_PROGRESS_EVERY_MS: '250' },
    inputs: sim => ({
      ...base(sim),
      'user-ids': 'subject-1@example.com, subject-2@example.com, subject-3@example.com',
      'poll-interval': '0.2s'
    }),
    describe: run => [
      `progress lines (how many depends on the machine's speed), e.g. "${progressLines(run)[0] ?? ''}"`
    ],
    check: run => {
      expect(errorText(run)).toBe('')
      expect(run.exitCode).toBe(0)
      const lines = progressLines(run)
      expect(lines.length).toBeGreaterThan(0)
      for (const text of lines) {
        expect(text).toMatch(/^Progress: [0-3] of 3 done(, \d+ [a-z ()]+)*(; next poll in \S+)?$/)
        // Every request is counted once: done, plus each "N <status>" after it.
        const [, done, rest] = /^Progress: (\d) of 3 done((?:, [^;]+)?)/.exec(text)!
        const others = rest
          .split(', ')
          .filter(Boolean)
          .map(part => Number(part.split(' ')[0]))
        expect(others.reduce((a, b) => a + b, Number(done))).toBe(3)
      }
      expect(lines.some(text => /staging/.test(text))).toBe(true)
    }
  },
  {
    name: "status 'DONE' in capitals -> done (reported lowercase), links downloaded",
    did: "a job whose final status is answered as 'DONE'; download: true",
    sim: { job: { pollsInStaging: 1, pollsInSubmitted: 0, outcome: 'DONE', files: FILES } },
    inputs: sim => ({ ...base(sim), download: 'true' }),
    check: (run, sim) => {
      expect(errorText(run)).toBe('')
      expect(run.exitCode).toBe(0)
      expect(sim.requests()[0].status).toBe('DONE')
      expect(run.outputs.finalStatus).toBe('done')
      expect(JSON.parse(run.outputs.requests)[0].status).toBe('done')
      expect(JSON.parse(run.outputs.files)).toHaveLength(FILES)
    }
  },
  {
    name: 'expires as a bare date -> the end of that day, UTC',
    did: "a done job whose expires is answered as a date only ('YYYY-MM-DD', as the docs' \"Date\" allows)",
    sim: { expiresAsDate: true, job: { pollsInStaging: 0, pollsInSubmitted: 0 } },
    inputs: base,
    describe: run => [`expires ${run.outputs.expires}`],
    check: (run, sim) => {
      expect(run.exitCode).toBe(0)
      const day = new Date(sim.requests()[0].expiresAt!).toISOString().slice(0, 10)
      expect(run.outputs.expires).toBe(`${day}T23:59:59Z`)
      expect(JSON.parse(run.outputs.requests)[0].expires).toBe(`${day}T23:59:59Z`)
      // Two days away: no "links expire soon" warning.
      expect(run.lines.some(l => l.startsWith('::warning::') && /expire/.test(l))).toBe(false)
    }
  },
  {
    name: 'region with api-url -> a warning that region does not pick the API host',
    did: 'region: eu together with api-url',
    sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0 } },
    inputs: sim => ({ ...base(sim), region: 'eu' }),
    describe: run => [logLine(run, /^::warning::/)],
    check: (run, sim) => {
      expect(run.exitCode).toBe(0)
      expect(run.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^::warning::Input 'region': eu is ignored for API calls because api-url is set \\(they go to ${sim.url.replace(/\./g, '\\.')}\\)`
          )
        )
      )
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
    // Never a duplicate submission: no POST body was sent twice.
    const bodies = posts(sim).map(p => p.body)
    expect(new Set(bodies).size).toBe(bodies.length)
    await row.check(run, sim)
    // A fault the row set up that never fired would make the row prove nothing.
    expect(sim.unfiredFaults()).toEqual([])
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
