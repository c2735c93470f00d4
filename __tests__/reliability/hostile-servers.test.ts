/**
 * Reliability matrix 4, hostile servers: the DSAR simulator made to say what a hostile or compromised
 * server would (through its fault rules, which answer chosen requests with chosen bodies), and the
 * bundled dist/index.js run against it. What a server says must be checked before it reaches a step
 * output (request ids, statuses, dates, links), and escaped before it reaches the log (no line may
 * start a workflow command) or the job summary (no HTML or markdown from outside).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, FIRST_DOCUMENTED_ID, type Simulator } from '../../src/simulator/index.js'
import { makeWorkspace, repoRoot, runAction, type ActionRun } from '../support/action-harness.js'
import { describeRun, errorText, expectNoLeaks, Report, STACK_FRAME } from './support.js'

const report = new Report('hostile-servers')

const STATUS_PATH = /^\/api\/2\/dsar\/requests\/[^/]+$/
/** Every hostile string carries this marker, so a check can find where it went. */
const MARK = 'pwned'
const SHELL = `1"; touch /tmp/${MARK}; echo "`

interface HostileServerRow {
  name: string
  did: string
  /** Faults (hostile answers) added to the simulator before the run. */
  setup: (sim: Simulator) => void | Promise<void>
  inputs?: (
    sim: Simulator,
    workspace: string
  ) => Record<string, string> | Promise<Record<string, string>>
  exitCode?: 0 | 1
  message?: RegExp
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
  }
]

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
  const sim = await startSimulator({ job: quickJob })
  try {
    const workspace = makeWorkspace()
    const extra = (await row.inputs?.(sim, workspace)) ?? {}
    await row.setup(sim)
    const inputs: Record<string, string> = {
      'api-url': sim.url,
      'api-key': sim.apiKey,
      'secret-key': sim.secretKey,
      'user-ids': 'subject-1@example.com',
      'poll-interval': '0.05s',
      timeout: '30s',
      ...extra
    }
    const run = await runAction(inputs, { workspace, env: { DSAR_TEST_BACKOFF_BASE_MS: '20' } })
    saw(describeRun(run))
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    if (row.exitCode !== undefined) expect(run.exitCode).toBe(row.exitCode)
    if (row.message) expect(errorText(run)).toMatch(row.message)
    expectNoLeaks(run, { inputs, sim })
    row.check(run, sim)
  } finally {
    await sim.close()
  }
}

describe('hostile servers', () => {
  for (const row of ROWS) {
    report.row('Hostile servers', row.name, row.did, saw => runRow(row, saw), {
      concurrent: true
    })
  }
})
