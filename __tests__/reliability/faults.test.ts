/**
 * Reliability matrix 1, faults: the bundled dist/index.js against the DSAR simulator (and, for the
 * faults the simulator cannot make, an HTTPS or plain front before it), with one fault injected at one
 * phase per row: submit (POST), poll (status GET), outputs link (the API's redirecting GET) and storage
 * download (the presigned GET). Transient faults must be survived with nothing lost (one request
 * created, every file intact); permanent ones must fail clearly, keeping the request id obtained.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  FIRST_DOCUMENTED_ID,
  startSimulator,
  type FaultAction,
  type FaultRule,
  type Simulator
} from '../../src/simulator/index.js'
import { baseInputs, runAction, type ActionRun } from '../support/action-harness.js'
import {
  describeRun,
  errorText,
  expectNoLeaks,
  Report,
  STACK_FRAME,
  startFront,
  type Front,
  type FrontOptions,
  type FrontRequest
} from './support.js'

const report = new Report('faults')
report.note(
  'Faults that do not apply are left out: an outputs link answers with a redirect that has no body ' +
    '(dribble, malformed JSON, truncation and the status-body size cap do not apply), and a storage ' +
    'download is a gzip file, not JSON (malformed JSON and the status-body size cap do not apply).'
)

/**
 * Test hooks read by src/run/test-hooks.ts: a shorter first back-off for every row (the production one is 1 s),
 * and, for the rows that stall or dribble, a shorter per-request timeout (the production one is 30 s,
 * 60 s idle per download attempt). Other rows keep the production timeout, so a slow moment on a
 * loaded machine cannot fail them.
 */
const REQUEST_TIMEOUT_MS = 2500
const BACKOFF_ENV = { DSAR_TEST_BACKOFF_BASE_MS: '20' }
const TIMEOUT_ENV = { DSAR_TEST_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) }
const STALL_MS = 3 * REQUEST_TIMEOUT_MS
report.note(
  `Test hooks in these runs (read by src/run/test-hooks.ts, unset on real runners): the first retry back-off is ` +
    `20 ms instead of 1 s, and rows that stall or dribble use a per-request timeout of ` +
    `${REQUEST_TIMEOUT_MS} ms instead of 30 s (60 s idle per download attempt).`
)
const HUGE = 50 * 1024 * 1024
const FILES = 2

type Phase = 'submit' | 'poll' | 'outputs link' | 'storage download'

const STATUS_PATH = /^\/api\/2\/dsar\/requests\/[^/]+$/
const OUTPUTS_PATH = /\/outputs\/\d+$/
const TARGETS: Record<Phase, Omit<FaultRule, 'action'>> = {
  submit: { host: 'api', method: 'POST', path: '/api/2/dsar/requests' },
  poll: { host: 'api', method: 'GET', path: STATUS_PATH },
  'outputs link': { host: 'api', method: 'GET', path: OUTPUTS_PATH },
  'storage download': { host: 'storage', method: 'GET' }
}
const isPhase =
  (phase: Phase) =>
  (request: FrontRequest): boolean => {
    const target = TARGETS[phase]
    if (request.host !== target.host || request.method !== target.method) return false
    if (target.path === undefined) return true
    return typeof target.path === 'string'
      ? target.path === request.path
      : target.path.test(request.path)
  }
const downloads = (phase: Phase) => phase === 'outputs link' || phase === 'storage download'

/** Where a redirect loop points: back at the same resource (relative to it for the two hop phases). */
const LOOP_LOCATION: Record<Phase, string> = {
  submit: '/api/2/dsar/requests',
  poll: `/api/2/dsar/requests/${FIRST_DOCUMENTED_ID}`,
  'outputs link': '0',
  'storage download': './loop.json.gz'
}

interface FaultRow {
  phase: Phase
  fault: string
  /** What was done, for the report. */
  did: string
  action?: FaultAction
  /** How many matching requests the simulator fault affects (default 1: a transient fault). */
  times?: number
  /** Matching requests let through before the fault starts. */
  skip?: number
  /** A fault made by the front instead of the simulator. */
  front?: { tls: boolean; fault: 'downgrade' | 'cutShort' | 'chunked' }
  expect: 'survives' | 'fails'
  message?: RegExp
  inputs?: Record<string, string>
  timeoutMs?: number
  check?: (context: RowContext) => void
}

interface RowContext {
  run: ActionRun
  sim: Simulator
  front?: Front
}

const status = (code: number, headers?: Record<string, string>): FaultAction => ({
  type: 'status',
  status: code,
  ...(headers && { headers })
})
const FOREVER = 1000

const apiLog = (sim: Simulator) => sim.log.filter(e => e.host === 'api')
const posts = (sim: Simulator) => apiLog(sim).filter(e => e.method === 'POST')
const statusGets = (sim: Simulator) =>
  apiLog(sim).filter(e => e.method === 'GET' && STATUS_PATH.test(e.path.split('?')[0]))
const linkGets = (sim: Simulator) => apiLog(sim).filter(e => OUTPUTS_PATH.test(e.path))
const storageGets = (sim: Simulator) => sim.log.filter(e => e.host === 'storage')

/** The gap (simulator clock) between the faulted request and the next one to the same phase. */
function retryGap(sim: Simulator, phase: Phase): number {
  const matching = sim.log.filter(e =>
    isPhase(phase)({ host: e.host as 'api', method: e.method, path: e.path.split('?')[0] })
  )
  const faulted = matching.findIndex(e => e.fault !== undefined)
  expect(faulted).toBeGreaterThanOrEqual(0)
  expect(matching.length).toBeGreaterThan(faulted + 1)
  return matching[faulted + 1].at - matching[faulted].at
}

function transientStatusRows(phase: Phase): FaultRow[] {
  const postNotRepeated = phase === 'submit'
  const rows: FaultRow[] = [
    {
      phase,
      fault: '429 with Retry-After: 1',
      did: 'one 429 answer carrying Retry-After: 1',
      action: status(429, { 'Retry-After': '1' }),
      expect: 'survives',
      check: ({ sim }) => expect(retryGap(sim, phase)).toBeGreaterThanOrEqual(1000)
    },
    {
      phase,
      fault: '429 without Retry-After',
      did: 'one 429 answer with no Retry-After (the action backs off on its own)',
      action: status(429),
      expect: 'survives',
      check: ({ sim }) => expect(retryGap(sim, phase)).toBeGreaterThan(0)
    }
  ]
  for (const code of [500, 502, 503, 504]) {
    // A POST is repeated only when the status promises it was not processed (429, 503).
    const fails = postNotRepeated && code !== 503
    rows.push({
      phase,
      fault: `${code}`,
      did: `one HTTP ${code} answer`,
      action: status(code),
      expect: fails ? 'fails' : 'survives',
      ...(fails && { message: new RegExp(`HTTP ${code} from POST /api/2/dsar/requests`) })
    })
  }
  return rows
}

const ROWS: FaultRow[] = [
  // ------------------------------------------------------------------------------- submit
  ...transientStatusRows('submit'),
  {
    phase: 'submit',
    fault: '429 with a Retry-After beyond the timeout',
    did: 'a 429 carrying Retry-After: 3600 with timeout: 3s',
    action: status(429, { 'Retry-After': '3600' }),
    inputs: { timeout: '3s' },
    expect: 'fails',
    message:
      /Timed out \(timeout 3s, deadline \S+Z\): 1 subject was not sent \(nothing was taken by Amplitude for them before the run stopped; the first: POST \/api\/2\/dsar\/requests failed \(last: HTTP 429\); the next attempt, in 3600 s, would come after the timeout\): the requests output lists them with status not-sent/
  },
  {
    phase: 'submit',
    fault: 'connection reset',
    did: 'the connection is reset before any answer',
    action: { type: 'reset' },
    expect: 'fails',
    message: /POST \/api\/2\/dsar\/requests failed .*not repeated/
  },
  {
    phase: 'submit',
    fault: 'stall past the per-request timeout',
    did: `no answer for ${STALL_MS} ms (per-request timeout ${REQUEST_TIMEOUT_MS} ms)`,
    action: { type: 'stall', ms: STALL_MS },
    expect: 'fails',
    message: new RegExp(`no complete answer within ${REQUEST_TIMEOUT_MS} ms.*not repeated`)
  },
  {
    phase: 'submit',
    fault: 'body dribbled at 1 byte/s',
    did: 'the 202 answer is sent at 1 byte/s (the request was created on the server)',
    action: { type: 'dribble', bytesPerSecond: 1 },
    expect: 'fails',
    message: /no complete answer within .*the server may have taken it/
  },
  {
    phase: 'submit',
    fault: 'malformed JSON',
    did: 'a 200 answer whose JSON body is cut mid-value',
    action: { type: 'malformedJson' },
    expect: 'fails',
    message: /HTTP 200 from POST \/api\/2\/dsar\/requests had a malformed JSON body/
  },
  {
    phase: 'submit',
    fault: 'truncated body (honest Content-Length)',
    did: 'the 202 answer is cut to half its bytes, with a Content-Length saying so',
    action: { type: 'truncatedGzip' },
    expect: 'fails',
    message: /HTTP 202 from POST \/api\/2\/dsar\/requests had a malformed JSON body/
  },
  {
    phase: 'submit',
    fault: 'truncated body (connection dropped mid-body)',
    did: 'the 202 answer announces its full length, sends half, then drops the connection',
    front: { tls: false, fault: 'cutShort' },
    expect: 'fails',
    message: /POST \/api\/2\/dsar\/requests failed .*not repeated/
  },
  {
    phase: 'submit',
    fault: '50 MiB body refused at the size cap',
    did: 'a 200 answer with a 50 MiB JSON body (Content-Length given)',
    action: { type: 'hugeBody', bytes: HUGE },
    expect: 'fails',
    message: /answer to POST \/api\/2\/dsar\/requests is larger than 1048576 bytes: refused/
  },
  {
    phase: 'submit',
    fault: '50 MiB chunked body refused at the size cap',
    did: 'a 200 answer with a 50 MiB JSON body sent chunked (no Content-Length)',
    action: { type: 'hugeBody', bytes: HUGE },
    front: { tls: false, fault: 'chunked' },
    expect: 'fails',
    message: /answer to POST \/api\/2\/dsar\/requests is larger than 1048576 bytes: refused/
  },
  {
    phase: 'submit',
    fault: 'redirect loop',
    did: 'every POST answered 302 to the same URL',
    action: status(302, { location: LOOP_LOCATION.submit }),
    times: FOREVER,
    expect: 'fails',
    message: /step 'createRequest' failed: POST \/api\/2\/dsar\/requests returned 302/,
    check: ({ sim }) => expect(posts(sim)).toHaveLength(1)
  },
  {
    phase: 'submit',
    fault: 'redirect from https to http',
    did: 'the HTTPS API answers the POST with 302 to the same URL over plain http',
    front: { tls: true, fault: 'downgrade' },
    expect: 'fails',
    message: /step 'createRequest' failed: POST \/api\/2\/dsar\/requests returned 302/,
    check: ({ sim }) => expect(posts(sim)).toHaveLength(0)
  },

  // ------------------------------------------------------------------------------- poll
  ...transientStatusRows('poll'),
  {
    phase: 'poll',
    fault: '429 with a Retry-After beyond the timeout',
    did: 'the second status GET gets a 429 carrying Retry-After: 3600, with timeout: 3s',
    action: status(429, { 'Retry-After': '3600' }),
    skip: 1,
    inputs: { timeout: '3s' },
    expect: 'fails',
    message:
      /Timed out \(timeout 3s, deadline \S+Z\): request \d+: still staging; GET \/api\/2\/dsar\/requests\/\d+ failed \(last: HTTP 429\); the next attempt, in 3600 s, would come after the timeout/,
    check: ({ run, sim }) => {
      const id = String(sim.requests()[0].requestId)
      expect(errorText(run)).toContain(`request-ids: ${id}`)
      expect(run.outputs.finalStatus).toBe('staging')
    }
  },
  {
    phase: 'poll',
    fault: 'connection reset',
    did: 'the connection is reset before any answer',
    action: { type: 'reset' },
    expect: 'survives'
  },
  {
    phase: 'poll',
    fault: 'stall past the per-request timeout',
    did: `no answer for ${STALL_MS} ms (per-request timeout ${REQUEST_TIMEOUT_MS} ms)`,
    action: { type: 'stall', ms: STALL_MS },
    expect: 'survives'
  },
  {
    phase: 'poll',
    fault: 'body dribbled at 1 byte/s',
    did: 'the status answer is sent at 1 byte/s',
    action: { type: 'dribble', bytesPerSecond: 1 },
    expect: 'survives'
  },
  {
    phase: 'poll',
    fault: 'malformed JSON',
    did: 'the first status answer is a 200 whose JSON body is cut mid-value',
    action: { type: 'malformedJson' },
    expect: 'fails',
    message: /HTTP 200 from GET \/api\/2\/dsar\/requests\/\d+ had a malformed JSON body/
  },
  {
    phase: 'poll',
    fault: 'truncated body (honest Content-Length)',
    did: 'the status answer is cut to half its bytes, with a Content-Length saying so',
    action: { type: 'truncatedGzip' },
    expect: 'fails',
    message: /HTTP 200 from GET \/api\/2\/dsar\/requests\/\d+ had a malformed JSON body/
  },
  {
    phase: 'poll',
    fault: 'truncated body (connection dropped mid-body)',
    did: 'the status answer announces its full length, sends half, then drops the connection',
    front: { tls: false, fault: 'cutShort' },
    expect: 'survives'
  },
  {
    phase: 'poll',
    fault: '50 MiB body refused at the size cap',
    did: 'a 200 status answer with a 50 MiB JSON body (Content-Length given)',
    action: { type: 'hugeBody', bytes: HUGE },
    expect: 'fails',
    message: /answer to GET \/api\/2\/dsar\/requests\/\d+ is larger than 1048576 bytes: refused/
  },
  {
    phase: 'poll',
    fault: '50 MiB chunked body refused at the size cap',
    did: 'a 200 status answer with a 50 MiB JSON body sent chunked (no Content-Length)',
    action: { type: 'hugeBody', bytes: HUGE },
    front: { tls: false, fault: 'chunked' },
    expect: 'fails',
    message: /answer to GET \/api\/2\/dsar\/requests\/\d+ is larger than 1048576 bytes: refused/
  },
  {
    phase: 'poll',
    fault: 'redirect loop',
    did: 'every status GET answered 302 to the same URL',
    action: status(302, { location: LOOP_LOCATION.poll }),
    times: FOREVER,
    expect: 'fails',
    message: /step 'pollStatus' failed: GET \/api\/2\/dsar\/requests\/\d+ returned 302/,
    check: ({ sim }) => expect(statusGets(sim)).toHaveLength(1)
  },
  {
    phase: 'poll',
    fault: 'redirect from https to http',
    did: 'the HTTPS API answers the status GET with 302 to the same URL over plain http',
    front: { tls: true, fault: 'downgrade' },
    expect: 'fails',
    message: /step 'pollStatus' failed: GET \/api\/2\/dsar\/requests\/\d+ returned 302/,
    check: ({ sim }) => expect(statusGets(sim)).toHaveLength(0)
  },
  {
    phase: 'poll',
    fault: '503 that never ends',
    did: 'every status GET answered 503',
    action: status(503),
    times: FOREVER,
    expect: 'fails',
    message: /GET \/api\/2\/dsar\/requests\/\d+ still failing after 8 attempts \(last: HTTP 503\)/
  },
  {
    phase: 'poll',
    fault: 'reset that never ends',
    did: 'every status GET has its connection reset',
    action: { type: 'reset' },
    times: FOREVER,
    expect: 'fails',
    message: /GET \/api\/2\/dsar\/requests\/\d+ still failing after 8 attempts/
  },

  // ------------------------------------------------------------------------------- outputs link
  ...transientStatusRows('outputs link'),
  {
    phase: 'outputs link',
    fault: 'connection reset',
    did: 'the connection is reset before the redirect',
    action: { type: 'reset' },
    expect: 'survives'
  },
  {
    phase: 'outputs link',
    fault: 'stall past the per-request timeout',
    did: `no answer for ${STALL_MS} ms (per-attempt timeout ${REQUEST_TIMEOUT_MS} ms)`,
    action: { type: 'stall', ms: STALL_MS },
    expect: 'survives'
  },
  {
    phase: 'outputs link',
    fault: 'redirect loop',
    did: 'every outputs link answers 302 to itself',
    action: status(302, { location: LOOP_LOCATION['outputs link'] }),
    times: FOREVER,
    expect: 'fails',
    message: /request \d+: output 1 of 2: more than 5 redirects/,
    check: ({ sim }) => expect(storageGets(sim)).toHaveLength(0)
  },
  {
    phase: 'outputs link',
    fault: 'redirect from https to http',
    did: 'the HTTPS API redirects the outputs link to the same URL over plain http',
    front: { tls: true, fault: 'downgrade' },
    expect: 'fails',
    message: /request \d+: output 1 of 2: refusing a redirect from https to http/,
    check: ({ sim, front }) => {
      expect(linkGets(sim)).toHaveLength(0)
      expect(storageGets(sim)).toHaveLength(0)
      expect(front!.log.filter(e => e.host === 'storage')).toHaveLength(0)
    }
  },
  {
    phase: 'outputs link',
    fault: '500 that never ends',
    did: 'every outputs link answers 500',
    action: status(500),
    times: FOREVER,
    expect: 'fails',
    message: /request \d+: output 1 of 2: HTTP 500 \(temporary\); gave up after 3 attempts/
  },

  // ------------------------------------------------------------------------------- storage download
  ...transientStatusRows('storage download'),
  {
    phase: 'storage download',
    fault: 'connection reset',
    did: 'the storage connection is reset before any answer',
    action: { type: 'reset' },
    expect: 'survives'
  },
  {
    phase: 'storage download',
    fault: 'stall past the per-request timeout',
    did: `no answer for ${STALL_MS} ms (per-attempt idle timeout ${REQUEST_TIMEOUT_MS} ms)`,
    action: { type: 'stall', ms: STALL_MS },
    expect: 'survives'
  },
  {
    phase: 'storage download',
    fault: 'body dribbled at 1 byte/s',
    did: `the gzip file is sent at 1 byte/s (a transfer under 64 KiB per ${REQUEST_TIMEOUT_MS} ms window is stalled)`,
    action: { type: 'dribble', bytesPerSecond: 1 },
    expect: 'survives'
  },
  {
    // The object itself is corrupt (the server sent every byte it announced): fetching it again
    // would give the same bytes, so this is permanent.
    phase: 'storage download',
    fault: 'truncated body (honest Content-Length)',
    did: 'the gzip file is cut to half its bytes, with a Content-Length saying so (a corrupt object)',
    action: { type: 'truncatedGzip' },
    expect: 'fails',
    message: /request \d+: output 1 of 2: the file is not a complete gzip/
  },
  {
    phase: 'storage download',
    fault: 'truncated body (connection dropped mid-body)',
    did: 'the gzip file announces its full length, sends half, then drops the connection',
    front: { tls: false, fault: 'cutShort' },
    expect: 'survives'
  },
  {
    phase: 'storage download',
    fault: 'redirect loop',
    did: 'every storage GET answers 302 to itself',
    action: status(302, { location: LOOP_LOCATION['storage download'] }),
    times: FOREVER,
    expect: 'fails',
    message: /request \d+: output 1 of 2: more than 5 redirects/
  },
  {
    phase: 'storage download',
    fault: 'redirect from https to http',
    did: 'the HTTPS storage host redirects the presigned GET to the same URL over plain http',
    front: { tls: true, fault: 'downgrade' },
    expect: 'fails',
    message: /request \d+: output 1 of 2: refusing a redirect from https to http/,
    check: ({ sim }) => expect(storageGets(sim)).toHaveLength(0)
  },
  {
    phase: 'storage download',
    fault: '503 that never ends',
    did: 'every storage GET answers 503',
    action: status(503),
    times: FOREVER,
    expect: 'fails',
    message: /request \d+: output 1 of 2: HTTP 503 \(temporary\); gave up after 3 attempts/
  }
]

async function runRow(row: FaultRow, saw: (got: string) => void): Promise<void> {
  const sim = await startSimulator({
    job: { pollsInStaging: 1, pollsInSubmitted: 0, files: FILES, linesPerFile: 5 }
  })
  let front: Front | undefined
  try {
    if (row.action) {
      const counts = { times: row.times ?? 1, skip: row.skip ?? 0 }
      sim.addFault({ ...TARGETS[row.phase], ...counts, action: row.action })
    }
    if (row.front) {
      // The front's own fault affects the first matching request only (a transient fault).
      let left = 1
      const once = (request: FrontRequest) => isPhase(row.phase)(request) && left-- > 0
      const options: FrontOptions = { tls: row.front.tls, [row.front.fault]: once }
      front = await startFront(sim, options)
    }
    const inputs = baseInputs(sim, {
      'api-url': front?.url ?? sim.url,
      ...(downloads(row.phase) && { download: 'true' }),
      ...row.inputs
    })
    const slow = row.action?.type === 'stall' || row.action?.type === 'dribble'
    const env = { ...BACKOFF_ENV, ...(slow && TIMEOUT_ENV), ...front?.env }
    const run = await runAction(inputs, { env })
    const created = sim.requests()
    saw(
      describeRun(run, [
        `${posts(sim).length} POST, ${statusGets(sim).length} status GET, ` +
          `${linkGets(sim).length} link GET, ${storageGets(sim).length} storage GET`
      ])
    )

    // The fault happened.
    const faulted = sim.faultsInjected > 0 || front?.log.some(e => e.fault)
    expect(faulted).toBe(true)
    expect(sim.unfiredFaults()).toEqual([])
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    expectNoLeaks(run, { inputs, sim, front })
    // Never a duplicate submission.
    expect(created.length).toBeLessThanOrEqual(1)

    if (row.expect === 'survives') {
      expect(errorText(run)).toBe('')
      expect(run.exitCode).toBe(0)
      expect(created).toHaveLength(1)
      expect(run.outputs.requestId).toBe(String(created[0].requestId))
      expect(run.outputs.finalStatus).toBe('done')
      if (downloads(row.phase)) await expectIntactFiles(run, sim)
    } else {
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toMatch(row.message!)
      if (row.phase === 'submit') {
        expect(run.outputs.requestId ?? '').toBe('')
      } else {
        // The request id obtained is kept, in the outputs and the summary.
        expect(created).toHaveLength(1)
        expect(run.outputs.requestId).toBe(String(created[0].requestId))
        expect(run.summary).toContain(String(created[0].requestId))
      }
      if (downloads(row.phase)) await expectNothingLooksComplete(run, sim)
    }
    row.check?.({ run, sim, front })
  } finally {
    await front?.close()
    await sim.close()
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function expectIntactFiles(run: ActionRun, sim: Simulator): Promise<void> {
  const id = String(sim.requests()[0].requestId)
  const files = JSON.parse(run.outputs.files) as { path: string; sha256: string }[]
  expect(files).toHaveLength(FILES)
  for (const [n, file] of files.entries()) {
    const expected = await sim.expectedFile(id, n)
    expect(file.sha256).toBe(expected.sha256)
    expect(sha256(readFileSync(file.path))).toBe(expected.sha256)
  }
}

/** Every file left with a final name is whole; anything else is plainly not a finished export. */
async function expectNothingLooksComplete(run: ActionRun, sim: Simulator): Promise<void> {
  const id = String(sim.requests()[0].requestId)
  const dir = join(run.runnerTemp, 'amplitude-dsar', id)
  let names: string[] = []
  try {
    names = readdirSync(dir)
  } catch {
    return // nothing was written at all
  }
  for (const name of names) {
    const match = /^output-(\d{3})\.json\.gz$/.exec(name)
    if (!match) {
      expect(name).not.toMatch(/\.json\.gz(\.age)?$/)
      continue
    }
    const expected = await sim.expectedFile(id, Number(match[1]) - 1)
    expect(sha256(readFileSync(join(dir, name)))).toBe(expected.sha256)
  }
}

describe('faults at each phase', () => {
  for (const row of ROWS) {
    const verdict = row.expect === 'survives' ? 'survived' : 'fails clearly'
    report.row(
      'Faults',
      `${row.phase}: ${row.fault} -> ${verdict}`,
      `${row.phase}: ${row.did}`,
      saw => runRow(row, saw),
      { concurrent: true, timeoutMs: row.timeoutMs ?? 45_000 }
    )
  }
})
