/**
 * Reliability matrix 4, hostile servers: the DSAR simulator made to say what a hostile or compromised
 * server would (through its fault rules, which answer chosen requests with chosen bodies), and the
 * bundled dist/index.js run against it. What a server says must be checked before it reaches a step
 * output (request ids, statuses, dates, links), and escaped before it reaches the log (no line may
 * start a workflow command) or the job summary (no HTML or markdown from outside).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createGzip } from 'node:zlib'
import {
  startSimulator,
  FIRST_DOCUMENTED_ID,
  type JobPlan,
  type Simulator
} from '../../src/simulator/index.js'
import {
  baseInputs,
  makeWorkspace,
  repoRoot,
  runAction,
  type ActionRun
} from '../support/action-harness.js'
import { describeRun, errorText, expectNoLeaks, Report, STACK_FRAME } from './support.js'

const report = new Report('hostile-servers')

const STATUS_PATH = /^\/api\/2\/dsar\/requests\/[^/]+$/
/** Every hostile string carries this marker, so a check can find where it went. */
const MARK = 'pwned'
const SHELL = `1"; touch /tmp/${MARK}; echo "`

interface Stand {
  sim: Simulator
  workspace: string
  /** The hostile storage host's URL, when the row has one. */
  storage: string
}

interface HostileServerRow {
  name: string
  did: string
  /** The simulator's plan for every request (default: quickJob). */
  job?: JobPlan
  /** A storage host of the row's own, on 127.0.0.1 (see startHostileStorage). */
  storage?: StorageMode
  /** Faults (hostile answers) added to the simulator before the run. */
  setup: (sim: Simulator, stand: Stand) => void | Promise<void>
  inputs?: (
    sim: Simulator,
    workspace: string,
    stand: Stand
  ) => Record<string, string> | Promise<Record<string, string>>
  /** A run before the checked one (e.g. one that fails half-way), with its own assertions. */
  before?: (stand: Stand, inputs: Record<string, string>) => Promise<void>
  exitCode?: 0 | 1
  message?: RegExp
  killAfterMs?: number
  timeoutMs?: number
  check: (run: ActionRun, sim: Simulator) => void
}

const json = (body: unknown): string => JSON.stringify(body)
const answer = (status: number, body: string) => ({
  type: 'status' as const,
  status,
  body,
  headers: { 'content-type': 'application/json' }
})

/** No step output carries the marker (the shell-injection payload never reaches `${{ }}`). */
function expectCleanOutputs(run: ActionRun): void {
  for (const [name, value] of Object.entries(run.outputs)) {
    expect({ name, clean: !value.includes(MARK) }).toEqual({ name, clean: true })
  }
}

/** No log line that the runner would read as a workflow command comes from the server. */
function expectNoForgedCommands(run: ActionRun): void {
  const commands = run.lines.filter(line => /^\s*::/.test(line))
  // The action's own failure message (`::error::`, data escaped) may quote what the server said.
  const forged = commands.filter(line => line.includes(MARK) && !line.startsWith('::error::'))
  expect(forged).toEqual([])
  expect(commands.filter(line => /^\s*::(stop-commands|set-output|set-env)/.test(line))).toEqual([])
}

/**
 * The summary holds no HTML from outside, and no blank line: the summary is one HTML block, inside
 * which markdown is not rendered, and only a blank line would end it (what follows would render as
 * markdown: links, images).
 */
function expectInertSummary(run: ActionRun): void {
  expect(run.summary).not.toMatch(/<(h1|img|a|script)\b/i)
  expect(run.summary.trimEnd()).not.toMatch(/\n[ \t]*\n/)
}

/** Documented API: a request that is done after one status poll, with two output files. */
const quickJob = { pollsInStaging: 0, pollsInSubmitted: 0, files: 2, linesPerFile: 3 }

const ROWS: HostileServerRow[] = [
  {
    name: 'request id that is shell code (documented API)',
    did: `the POST answers 202 {"requestId": "${SHELL}"}`,
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'POST',
        times: 1,
        action: answer(202, json({ requestId: SHELL }))
      }),
    exitCode: 1,
    message: /requestId .* is not a request id \(digits\)/,
    check: (run, sim) => {
      expectCleanOutputs(run)
      expect(run.outputs.requestId ?? '').toBe('')
      // The refused id is never used: no status GET is sent with it.
      expect(sim.log.filter(e => e.method === 'GET')).toHaveLength(0)
      expectInertSummary(run)
    }
  },
  {
    name: 'request id that is shell code (apis-io contract)',
    did: `the POST answers 200 {"request_id": "$(touch /tmp/${MARK})", "status": "pending"}`,
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'POST',
        times: 1,
        action: answer(200, json({ request_id: `$(touch /tmp/${MARK})`, status: 'pending' }))
      }),
    inputs: () => ({ workflow: 'apis-io' }),
    exitCode: 1,
    message: /request_?[iI]d .* is not a request id \(1 to 128 of A-Z a-z 0-9 _ -\)/,
    check: (run, sim) => {
      expectCleanOutputs(run)
      expect(sim.log.filter(e => e.method === 'GET')).toHaveLength(0)
    }
  },
  {
    name: 'resumed request answered with another request id',
    did: 'request-ids resumes a real request; its status GET answers requestId "53367; rm -rf ~" (pwned)',
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'GET',
        path: STATUS_PATH,
        action: answer(
          200,
          json({ requestId: `${FIRST_DOCUMENTED_ID}; rm -rf ~ # ${MARK}`, status: 'staging' })
        )
      }),
    inputs: async sim => ({
      'user-ids': '',
      'request-ids': String(await createRequest(sim)),
      timeout: '5s'
    }),
    exitCode: 1,
    message: /requestId .* is not a request id/,
    check: run => {
      expectCleanOutputs(run)
      // The checked input value is kept.
      expect(run.outputs.requestId).toBe(String(FIRST_DOCUMENTED_ID))
      expect(JSON.parse(run.outputs.requests)[0].requestId).toBe(String(FIRST_DOCUMENTED_ID))
    }
  },
  {
    name: 'status that starts a workflow command on a new line',
    did: 'the status GET answers status "done\\n::error::pwned"',
    setup: sim => {
      sim.addFault({
        host: 'api',
        method: 'GET',
        path: STATUS_PATH,
        times: 1,
        action: answer(
          200,
          json({ requestId: FIRST_DOCUMENTED_ID, status: `done\n::error::${MARK}` })
        )
      })
    },
    exitCode: 1,
    message: /status .* is not a status/,
    check: run => {
      expectCleanOutputs(run)
      expectNoForgedCommands(run)
      expect(run.outputs.requestId).toBe(String(FIRST_DOCUMENTED_ID))
      expectInertSummary(run)
    }
  },
  {
    name: 'failReason with a blank line, markdown and HTML; expires and urls that are shell code',
    did:
      'the status GET answers failed with failReason "x\\n\\n<img src=https://evil.example/p.png> [pwned](https://evil.example)", ' +
      'expires "$(id)" and urls ["https://evil.example/$(touch /tmp/pwned)"]',
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'GET',
        path: STATUS_PATH,
        action: answer(
          200,
          json({
            requestId: FIRST_DOCUMENTED_ID,
            status: 'failed',
            failReason: `x\n\n<img src=https://evil.example/p.png> [${MARK}](https://evil.example)`,
            expires: `$(id ${MARK})`,
            urls: [`https://evil.example/$(touch /tmp/${MARK})`]
          })
        )
      }),
    exitCode: 1,
    message: /request \d+ failed/,
    check: run => {
      expectCleanOutputs(run)
      expectNoForgedCommands(run)
      expectInertSummary(run)
      expect(run.outputs.finalStatus).toBe('failed')
      expect(run.outputs.expires ?? '').toBe('')
      expect(JSON.parse(run.outputs.downloadUrls)).toEqual([])
    }
  },
  {
    name: 'download_url with workflow commands on new lines',
    did: 'apis-io contract: the status answer is complete with download_url "https://evil.example/x\\n::stop-commands::pwned\\n::add-mask::pwned"',
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'GET',
        path: STATUS_PATH,
        action: answer(
          200,
          json({
            request_id: '500123',
            status: `complete`,
            download_url: `https://evil.example/x\n::stop-commands::${MARK}\n::add-mask::${MARK}`
          })
        )
      }),
    inputs: () => ({ workflow: 'apis-io' }),
    exitCode: 1,
    message: /download_?[uU]rl|urls?\b.* is not an? (https )?URL/,
    check: run => {
      expectCleanOutputs(run)
      expectNoForgedCommands(run)
      expectInertSummary(run)
    }
  },
  {
    name: 'document title with workflow commands on new lines',
    did: 'the built-in workflow copied with info.title "Forged\\n::error title=pwned::forged\\n::stop-commands::pwned" (it reaches the log and the summary)',
    setup: () => undefined,
    inputs: (_sim, workspace) => ({ workflow: titledDocument(workspace) }),
    exitCode: 0,
    check: run => {
      expectNoForgedCommands(run)
      expectInertSummary(run)
      // The title is shown, escaped, not dropped.
      expect(run.lines.some(line => line.startsWith('Forged\\n::error title=pwned'))).toBe(true)
    }
  },
  {
    name: 'malformed JSON that starts with the echoed credentials',
    did: 'the POST answers 202 with a JSON content type and the base64 credentials as body',
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'POST',
        times: 1,
        action: answer(202, `${sim.basicAuth}, not JSON`)
      }),
    exitCode: 1,
    message:
      /HTTP 202 from POST \/api\/2\/dsar\/requests had a malformed JSON body .*line 1, column 1/,
    check: (run, sim) => {
      // V8's own message would quote the first ten characters of the body.
      expect(errorText(run)).not.toContain(sim.basicAuth.slice(0, 10))
      const log = run.lines.filter(line => !line.startsWith('::add-mask::'))
      expect(log.join('\n')).not.toContain(sim.basicAuth.slice(0, 10))
    }
  },
  {
    name: 'two subjects answered with the same request id',
    did: 'two user ids; the second POST answers 202 with the request id of the first',
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'POST',
        skip: 1,
        times: 1,
        action: answer(202, json({ requestId: FIRST_DOCUMENTED_ID }))
      }),
    inputs: () => ({
      'user-ids': 'subject-1@example.com, subject-2@example.com',
      'max-concurrency': '1',
      download: 'true'
    }),
    exitCode: 1,
    message: /request 53367 was returned for 2 subjects/,
    check: (run, sim) => {
      // Nothing is downloaded for an id two subjects share: the files could be either's.
      expect(sim.log.filter(e => e.host === 'storage')).toHaveLength(0)
      expect(JSON.parse(run.outputs.files ?? '[]')).toEqual([])
    }
  },
  {
    name: 'urls nested 200,000 levels deep',
    did: 'the first status GET answers done with urls = [[[[...]]]] nested 200,000 levels (400 kB)',
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'GET',
        path: STATUS_PATH,
        times: 1,
        action: answer(
          200,
          `{"requestId":${FIRST_DOCUMENTED_ID},"status":"done","urls":${'['.repeat(200_000)}${']'.repeat(200_000)}}`
        )
      }),
    exitCode: 1,
    message: /nested deeper than 64 levels/,
    check: run => {
      expect(run.outputs.requestId).toBe(String(FIRST_DOCUMENTED_ID))
      // The status is not misreported as done: that answer was refused as a whole.
      expect(run.outputs.finalStatus).not.toBe('done')
    }
  },
  {
    name: 'presigned download_url: its signature is masked',
    did: 'apis-io contract: the status answer hands out a presigned storage URL (X-Amz-Signature=...)',
    setup: () => undefined,
    inputs: () => ({ workflow: 'apis-io' }),
    exitCode: 0,
    check: run => {
      const url = new URL(run.outputs.downloadUrl)
      const signature = url.searchParams.get('X-Amz-Signature') ?? ''
      expect(signature.length).toBeGreaterThan(16)
      // Registered with the runner, which then hides it in every later log line of the job.
      expect(run.lines).toContain(`::add-mask::${signature}`)
    }
  },
  {
    name: 'presigned download_url on the cloud metadata address',
    did: 'apis-io contract: download_url is https://169.254.169.254/latest/meta-data/iam/security-credentials/x (download: true)',
    setup: sim =>
      completeWith(sim, 'https://169.254.169.254/latest/meta-data/iam/security-credentials/x'),
    inputs: () => ({ workflow: 'apis-io', download: 'true' }),
    exitCode: 1,
    message: /output 1 of 1: refusing a link-local \(cloud metadata\) address/,
    check: run => expect(JSON.parse(run.outputs.files)).toEqual([])
  },
  {
    name: 'output link redirecting to a private address',
    did: 'documented API: the outputs link answers 302 to https://10.255.255.1/export.json.gz',
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'GET',
        path: /\/outputs\//,
        action: {
          type: 'status',
          status: 302,
          headers: { location: 'https://10.255.255.1/export.json.gz' }
        }
      }),
    inputs: () => ({ download: 'true' }),
    exitCode: 1,
    message: /output 1 of 2: refusing a private address/,
    check: (run, sim) => {
      expect(run.outputs.requestId).toBe(String(FIRST_DOCUMENTED_ID))
      expect(sim.log.filter(e => e.host === 'storage')).toHaveLength(0)
    }
  },
  {
    name: 'storage host trickling a never-ending gzip: the timeout binds the download',
    did: 'apis-io contract: download_url points at a host that sends an endless gzip at 40 KiB/s (the stall watchdog needs only 64 KiB a minute); timeout: 4s',
    storage: 'endless',
    setup: (sim, { storage }) => completeWith(sim, `${storage}/endless.json.gz`),
    inputs: () => ({ workflow: 'apis-io', download: 'true', timeout: '4s' }),
    exitCode: 1,
    message: /output 1 of 1: the timeout \(4s\) ran out during the download/,
    killAfterMs: 120_000,
    timeoutMs: 150_000,
    check: run => {
      // Ended by the deadline, not by the harness (which would kill it at 120 s).
      expect(run.signal).toBeNull()
      expect(run.durationMs).toBeLessThan(60_000)
      expect(run.outputs.requestId).toBe('500123')
      expect(JSON.parse(run.outputs.files)).toEqual([])
    }
  },
  {
    name: 'storage host announcing a 10 GiB file',
    did: 'apis-io contract: the download answers 200 with Content-Length: 10737418240, then nothing',
    storage: 'huge',
    setup: (sim, { storage }) => completeWith(sim, `${storage}/huge.json.gz`),
    inputs: () => ({ workflow: 'apis-io', download: 'true' }),
    exitCode: 1,
    message:
      /output 1 of 1: the server announces 10737418240 bytes, more than the 4294967296 bytes an export file may have/,
    check: run => expect(JSON.parse(run.outputs.files)).toEqual([])
  },
  {
    name: 'API request in flight cut at the deadline',
    did: 'the status GET gets no answer for 120 s (the per-request timeout is 30 s); timeout: 3s',
    setup: sim =>
      sim.addFault({
        host: 'api',
        method: 'GET',
        path: STATUS_PATH,
        times: 1,
        action: { type: 'stall', ms: 120_000 }
      }),
    inputs: () => ({ timeout: '3s' }),
    exitCode: 1,
    message: /Timed out \(timeout 3s, deadline \S+Z\): request 53367: .* when the timeout ran out/,
    timeoutMs: 90_000,
    check: run => {
      expect(run.durationMs).toBeLessThan(25_000)
      expect(run.outputs.requestId).toBe(String(FIRST_DOCUMENTED_ID))
      expect(errorText(run)).toContain(`request-ids: ${FIRST_DOCUMENTED_ID}`)
    }
  },
  {
    name: 'a download that failed half-way resumes into the same path',
    did:
      'first run: output 2 of 2 arrives corrupt (a permanent failure); second run: request-ids resumes the ' +
      'request into the same download-path',
    before: async ({ sim, workspace }, base) => {
      sim.addFault({ host: 'storage', skip: 1, times: 1, action: { type: 'truncatedGzip' } })
      const first = await runAction(
        { ...base, download: 'true', 'download-path': 'exports' },
        { workspace }
      )
      expect(first.exitCode).toBe(1)
      expect(errorText(first)).toMatch(/output 2 of 2: the file is not a complete gzip/)
      // What is on disk and whole is listed.
      const files = JSON.parse(first.outputs.files) as { path: string }[]
      expect(files.map(f => f.path.split('/').slice(-2).join('/'))).toEqual([
        `${FIRST_DOCUMENTED_ID}/output-001.json.gz`
      ])
      sim.log.length = 0
    },
    setup: () => undefined,
    inputs: () => ({
      'user-ids': '',
      'request-ids': String(FIRST_DOCUMENTED_ID),
      download: 'true',
      'download-path': 'exports'
    }),
    exitCode: 0,
    check: (run, sim) => {
      const files = JSON.parse(run.outputs.files) as { path: string; sha256: string }[]
      expect(files).toHaveLength(2)
      // Output 1 was kept (verified on disk), only output 2 fetched again.
      expect(sim.log.filter(e => e.host === 'storage')).toHaveLength(1)
      expect(run.lines.some(line => /output 1 of 2: kept output-001\.json\.gz/.test(line))).toBe(
        true
      )
    }
  },
  {
    name: 'outputs and summary kept under GitHub’s limits; the full list in a file',
    did:
      'request-ids resumes 300 requests, each done with 26 output links (the outputs would hold ' +
      'about 1.3 million characters; GitHub keeps 1 MB of outputs per job)',
    job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 26 },
    before: async ({ sim }, base) => {
      const ids: number[] = []
      for (let i = 0; i < 300; i++) ids.push(await createRequest(sim))
      base['user-ids'] = ''
      base['request-ids'] = ids.join(',')
      base['max-concurrency'] = '16'
    },
    setup: () => undefined,
    exitCode: 0,
    timeoutMs: 120_000,
    check: run => {
      const sizes = Object.values(run.outputs).map(value => value.length)
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(OUTPUTS_BUDGET)
      const shown = JSON.parse(run.outputs.requests) as unknown[]
      expect(shown.length).toBeGreaterThan(10)
      expect(shown.length).toBeLessThan(300)
      // The note says where the whole list is, and the file holds every request.
      const note = run.lines.find(line =>
        /^::warning::.*requests output holds \d+ of 300/.test(line)
      )
      expect(note).toBeDefined()
      const full = JSON.parse(
        readFileSync(join(run.runnerTemp, 'amplitude-dsar', 'requests.json'), 'utf8')
      ) as { requestId: string; urls: string[] }[]
      expect(full).toHaveLength(300)
      expect(full.every(r => r.urls.length === 26)).toBe(true)
      expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
      expect(run.summary).toContain('requests.json')
    }
  }
]

/** What the action may put in its step outputs, all together (characters). */
const OUTPUTS_BUDGET = 400_000

/** The apis-io status answer: complete, with this download_url. */
function completeWith(sim: Simulator, downloadUrl: string): void {
  sim.addFault({
    host: 'api',
    method: 'GET',
    path: STATUS_PATH,
    action: answer(
      200,
      json({ request_id: '500123', status: 'complete', download_url: downloadUrl })
    )
  })
}

type StorageMode = 'endless' | 'huge'

/**
 * A storage host of its own on 127.0.0.1: 'endless' sends a gzip that never ends, at 40 KiB/s
 * (stored, so bytes flow at that rate); 'huge' announces 10 GiB and sends nothing.
 */
async function startHostileStorage(
  mode: StorageMode
): Promise<{ url: string; close: () => Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((_req, res) => {
    if (mode === 'huge') {
      res.writeHead(200, {
        'content-type': 'application/gzip',
        'content-length': String(10 * 2 ** 30)
      })
      res.flushHeaders()
      return
    }
    res.writeHead(200, { 'content-type': 'application/gzip' })
    const gzip = createGzip({ level: 0 })
    gzip.pipe(res)
    const line = Buffer.from(
      `${JSON.stringify({ event_type: 'x', user_id: 'u', n: 'y'.repeat(90) })}\n`
    )
    const tick = setInterval(() => {
      for (let i = 0; i < 40; i++) gzip.write(line) // ~4 KiB per 100 ms
      gzip.flush()
    }, 100)
    timers.add(tick)
    res.on('close', () => {
      clearInterval(tick)
      timers.delete(tick)
      gzip.destroy()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        for (const timer of timers) clearInterval(timer)
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** The built-in documented-API workflow, copied into the workspace under a hostile title. */
function titledDocument(workspace: string): string {
  const workflows = join(repoRoot, 'src', 'workflows')
  copyFileSync(
    join(workflows, 'amplitude-dsar.openapi.yml'),
    join(workspace, 'amplitude-dsar.openapi.yml')
  )
  const title = `Forged\n::error title=${MARK}::forged\n::stop-commands::${MARK}`
  const text = readFileSync(join(workflows, 'amplitude.arazzo.yml'), 'utf8').replace(
    /^ {2}title: .*$/m,
    `  title: ${JSON.stringify(title)}`
  )
  writeFileSync(join(workspace, 'titled.arazzo.yml'), text)
  return 'titled.arazzo.yml'
}

/** Creates a request on the simulator directly (for rows that resume one). */
async function createRequest(sim: Simulator): Promise<number> {
  const created = await fetch(`${sim.url}/api/2/dsar/requests`, {
    method: 'POST',
    headers: { authorization: `Basic ${sim.basicAuth}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: 'subject-1', startDate: '2024-01-01', endDate: '2024-01-31' })
  })
  return ((await created.json()) as { requestId: number }).requestId
}

async function runRow(row: HostileServerRow, saw: (got: string) => void): Promise<void> {
  const sim = await startSimulator({ job: row.job ?? quickJob })
  const storage = row.storage ? await startHostileStorage(row.storage) : undefined
  try {
    const workspace = makeWorkspace()
    const stand: Stand = { sim, workspace, storage: storage?.url ?? '' }
    const base = baseInputs(sim)
    await row.before?.(stand, base)
    const extra = (await row.inputs?.(sim, workspace, stand)) ?? {}
    await row.setup(sim, stand)
    const inputs: Record<string, string> = { ...base, ...extra }
    const run = await runAction(inputs, {
      workspace,
      env: { DSAR_TEST_BACKOFF_BASE_MS: '20' },
      killAfterMs: row.killAfterMs
    })
    saw(describeRun(run))
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    if (row.exitCode !== undefined) expect(run.exitCode).toBe(row.exitCode)
    if (row.message) expect(errorText(run)).toMatch(row.message)
    expectNoLeaks(run, { inputs, sim })
    row.check(run, sim)
    // A fault the row set up that never fired would make the row prove nothing.
    expect(sim.unfiredFaults()).toEqual([])
  } finally {
    await storage?.close()
    await sim.close()
  }
}

describe('hostile servers', () => {
  for (const row of ROWS) {
    report.row('Hostile servers', row.name, row.did, saw => runRow(row, saw), {
      concurrent: true,
      timeoutMs: row.timeoutMs
    })
  }
})
