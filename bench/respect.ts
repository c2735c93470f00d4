/**
 * The seed, against a peer: the seed Arazzo document, verbatim, run by this action (dist/index.js with
 * `workflow:` pointing at it) and by Redocly Respect (`redocly respect`, @redocly/cli pinned as a dev
 * dependency), both against the simulator's seed contract with a job that answers `complete` on the
 * 5th status poll (2 x pending, 2 x processing, then complete).
 *
 * The document sits in a temp dir as arazzo/amplitude-dsar-request-workflow.yml, with the public apis.io
 * OpenAPI description it names (a verbatim copy in __tests__/fixtures/apis-io/, see its README) at
 * openapi/amplitude-dsar-api-openapi.yml, where the seed's relative sourceDescription URL expects it:
 * both runners see what a user of the seed would have. Variants beyond the verbatim case, for Respect:
 * - the server answers `download_url: null` while pending (a rewriting proxy in front of the
 *   simulator), with the description as shipped and with its schema patched to allow null;
 * - the seed's criteria rewritten into valid RFC 9535 filter queries (NOT verbatim), to see how a
 *   working loop is paced.
 * Requests and poll gaps come from the simulator's log (arrival times on a sub-millisecond clock).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { runAction } from '../__tests__/support/action-harness.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import type { BenchSection, Target } from './report.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SEED = join(repoRoot, '__tests__', 'fixtures', 'seed', 'amplitude-dsar-request-workflow.yml')
const DESCRIPTION = join(
  repoRoot,
  '__tests__',
  'fixtures',
  'apis-io',
  'amplitude-dsar-api-openapi.yml'
)
const REDOCLY = join(repoRoot, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js')
const SEED_PATH = 'arazzo/amplitude-dsar-request-workflow.yml'
const DESCRIPTION_PATH = 'openapi/amplitude-dsar-api-openapi.yml'
const JOB = { pollsInStaging: 2, pollsInSubmitted: 2 }
const POLL_INTERVAL_MS = 1_000
const USER_ID = 'seed-subject@example.com'
const KILL_AFTER_MS = 60_000
const STATUS_PATH = /^\/api\/2\/dsar\/requests\/[^/?]+(?:\?.*)?$/

// The verbatim seed's jsonpath criteria, and the valid RFC 9535 queries that mean the same.
const COMPLETE_CRITERION = 'condition: $.status == "complete"'
const PENDING_CRITERION = 'condition: $.status == "pending" || $.status == "processing"'
const COMPLETE_FILTER = `condition: "$[?@.status == 'complete']"`
const PENDING_FILTER = `condition: "$[?@.status == 'pending' || @.status == 'processing']"`
const DOWNLOAD_URL_SCHEMA = '        download_url:\n          type: string\n'
const NULLABLE_DOWNLOAD_URL_SCHEMA = "        download_url:\n          type: [string, 'null']\n"
/** A poll gap this much shorter than the poll interval means the runner did not wait at all. */
const NO_DELAY_BELOW_MS = POLL_INTERVAL_MS / 2

interface Variant {
  runner: 'action' | 'respect'
  label: string
  nullWhilePending: boolean
  nullableSchema: boolean
  rewrittenCriteria: boolean
  /** Extra runs, for the spread of Respect's poll gaps. */
  repeats?: number
}

const VARIANTS: Variant[] = [
  {
    runner: 'action',
    label: 'verbatim seed; download_url absent until complete',
    nullWhilePending: false,
    nullableSchema: false,
    rewrittenCriteria: false
  },
  {
    runner: 'respect',
    label: 'verbatim seed; download_url absent until complete',
    nullWhilePending: false,
    nullableSchema: false,
    rewrittenCriteria: false
  },
  {
    runner: 'action',
    label: 'verbatim seed; download_url: null while pending',
    nullWhilePending: true,
    nullableSchema: false,
    rewrittenCriteria: false
  },
  {
    runner: 'respect',
    label: 'verbatim seed; download_url: null while pending',
    nullWhilePending: true,
    nullableSchema: false,
    rewrittenCriteria: false
  },
  {
    runner: 'respect',
    label: 'verbatim seed; null while pending; schema patched to allow null',
    nullWhilePending: true,
    nullableSchema: true,
    rewrittenCriteria: false
  },
  {
    runner: 'respect',
    label: 'NOT verbatim: criteria rewritten as RFC 9535 filters; null + patched schema',
    nullWhilePending: true,
    nullableSchema: true,
    rewrittenCriteria: true,
    repeats: 4
  }
]

interface Outcome {
  reachedComplete: boolean
  /** The status the server last answered (from the simulator). */
  lastAnswered: string
  outputs: string
  posts: number
  gets: number
  pollGapsMs: number[]
  exitCode: number | null
  error: string
  /** For the target: the three outputs as the action returned them. */
  actionOutputs?: { requestId?: string; finalStatus?: string; downloadUrl?: string }
}

/** Writes the seed layout into `dir`; returns the seed's path. */
function writeSeedLayout(dir: string, variant: Variant): string {
  mkdirSync(join(dir, 'arazzo'), { recursive: true })
  mkdirSync(join(dir, 'openapi'), { recursive: true })
  let seed = readFileSync(SEED, 'utf8')
  if (variant.rewrittenCriteria) {
    seed = replaceOnce(seed, COMPLETE_CRITERION, COMPLETE_FILTER)
    seed = replaceOnce(seed, PENDING_CRITERION, PENDING_FILTER)
  }
  let description = readFileSync(DESCRIPTION, 'utf8')
  if (variant.nullableSchema) {
    description = replaceOnce(description, DOWNLOAD_URL_SCHEMA, NULLABLE_DOWNLOAD_URL_SCHEMA)
  }
  writeFileSync(join(dir, SEED_PATH), seed)
  writeFileSync(join(dir, DESCRIPTION_PATH), description)
  return join(dir, SEED_PATH)
}

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`expected '${from}' in the document`)
  return text.replace(from, to)
}

/**
 * A pass-through proxy to the simulator that adds `download_url: null` to status answers lacking
 * it, i.e. a server that sends the field as null while the job is pending.
 */
async function startNullingProxy(target: string): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target)
  const server = createServer((req, res) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers
      },
      answer => {
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => {
          let body = Buffer.concat(chunks)
          if (
            req.method === 'GET' &&
            answer.statusCode === 200 &&
            STATUS_PATH.test(req.url ?? '')
          ) {
            const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>
            if (!('download_url' in json)) json.download_url = null
            body = Buffer.from(JSON.stringify(json))
          }
          res.writeHead(answer.statusCode ?? 502, {
            ...answer.headers,
            'content-length': String(body.length)
          })
          res.end(body)
        })
      }
    )
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, server }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise(done => server.close(() => done()))
}

async function runOurs(dir: string, apiUrl: string, sim: Simulator): Promise<Partial<Outcome>> {
  const run = await runAction(
    {
      workflow: SEED_PATH,
      'basic-auth': sim.basicAuth,
      'user-ids': USER_ID,
      'api-url': apiUrl,
      'poll-interval': `${POLL_INTERVAL_MS / 1000}s`,
      timeout: '60s'
    },
    { workspace: dir, killAfterMs: KILL_AFTER_MS }
  )
  rmSync(dirname(run.runnerTemp), { recursive: true, force: true })
  const { requestId, finalStatus, downloadUrl } = run.outputs
  const errors = run.lines.filter(line => line.startsWith('::error::'))
  return {
    exitCode: run.exitCode,
    actionOutputs: { requestId, finalStatus, downloadUrl },
    outputs:
      `requestId=${requestId ?? '(none)'}, finalStatus=${finalStatus ?? '(none)'}, ` +
      `downloadUrl=${downloadUrl ? shortUrl(downloadUrl) : '(none)'}`,
    error: errors.map(line => line.slice('::error::'.length)).join(' ') || '-'
  }
}

interface RespectLog {
  files: Record<
    string,
    {
      executedWorkflows: {
        executedSteps: {
          stepId: string
          checks?: { passed: boolean; message: string }[]
        }[]
      }[]
    }
  >
}

async function runRespect(dir: string, apiUrl: string, sim: Simulator): Promise<Partial<Outcome>> {
  const jsonLog = join(dir, 'respect.json')
  const args = [
    REDOCLY,
    'respect',
    join(dir, SEED_PATH),
    '--input',
    JSON.stringify({ basicAuth: sim.basicAuth, userIds: [USER_ID] }),
    '--server',
    `dsarApi=${apiUrl}`,
    '-J',
    jsonLog
  ]
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    REDOCLY_TELEMETRY: 'off',
    REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    NO_COLOR: '1'
  }
  const exitCode = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: 'ignore' })
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
    child.on('error', fail)
    child.on('exit', code => {
      clearTimeout(killer)
      done(code)
    })
  })
  let log: RespectLog | undefined
  try {
    log = JSON.parse(readFileSync(jsonLog, 'utf8')) as RespectLog
  } catch {
    // No JSON log: reported as such below.
  }
  const steps = log
    ? Object.values(log.files).flatMap(file =>
        file.executedWorkflows.flatMap(workflow => workflow.executedSteps)
      )
    : []
  const failed = steps.flatMap(step => (step.checks ?? []).filter(check => !check.passed))
  return {
    exitCode,
    outputs: 'none (the CLI reports no workflow outputs)',
    error: log
      ? failed.map(check => oneLine(check.message)).join(' | ') || '-'
      : 'no JSON log written'
  }
}

function shortUrl(url: string): string {
  const parsed = new URL(url)
  return `${parsed.origin}${parsed.pathname.replace(/^(.{0,24}).*$/, '$1')}…`
}

function oneLine(text: string): string {
  const plain = text
    // Drop the escape character, emoji and box drawing of its terminal output, then the colour codes.
    .replace(/[^\x20-\x7e\s]/gu, '')
    .replace(/\[[0-9;]*m/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  return plain.length > 220 ? `${plain.slice(0, 217)}...` : plain
}

async function runVariant(variant: Variant, scratch: string, n: number): Promise<Outcome> {
  const dir = mkdtempSync(join(scratch, `${variant.runner}-${n}-`))
  writeSeedLayout(dir, variant)
  const sim = await startSimulator({
    job: JOB,
    // Sub-millisecond arrival times for the poll gaps; still epoch-based for the presigned URLs.
    now: () => performance.timeOrigin + performance.now()
  })
  const proxy = variant.nullWhilePending ? await startNullingProxy(sim.url) : undefined
  try {
    const apiUrl = proxy?.url ?? sim.url
    const partial =
      variant.runner === 'action'
        ? await runOurs(dir, apiUrl, sim)
        : await runRespect(dir, apiUrl, sim)
    const api = sim.log.filter(entry => entry.host === 'api')
    const polls = api.filter(entry => entry.method === 'GET' && STATUS_PATH.test(entry.path))
    const pollGapsMs = polls.slice(1).map((entry, i) => entry.at - polls[i].at)
    const records = sim.requests()
    return {
      reachedComplete: records.some(record => record.status === 'complete'),
      lastAnswered: records.map(record => record.status).join(', ') || '(no request)',
      posts: api.filter(entry => entry.method === 'POST').length,
      gets: api.filter(entry => entry.method === 'GET').length,
      pollGapsMs,
      outputs: partial.outputs ?? '',
      exitCode: partial.exitCode ?? null,
      error: partial.error ?? '-',
      actionOutputs: partial.actionOutputs
    }
  } finally {
    if (proxy) await closeServer(proxy.server)
    await sim.close()
  }
}

/**
 * The pause between polls. Ours are paced by the schedule, so each gap is given (in seconds, to
 * the tenth). A runner that does not wait at all is described as such: its gaps are only its own
 * round trips, a figure of the machine and not of the runner.
 */
const gapText = (gaps: number[]) => {
  if (gaps.length === 0) return 'n/a (fewer than 2 polls)'
  if (gaps.every(gap => gap < NO_DELAY_BELOW_MS)) return 'no delay between polls'
  return gaps.map(gap => `${(gap / 1000).toFixed(1)} s`).join(', ')
}

export async function benchRespect(): Promise<BenchSection> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-respect-'))
  try {
    // Every run of every variant; the table shows the first, the notes the spread of the repeats.
    const runs: Outcome[][] = []
    for (const [n, variant] of VARIANTS.entries()) {
      const these: Outcome[] = []
      for (let r = 0; r <= (variant.repeats ?? 0); r++) {
        these.push(await runVariant(variant, scratch, n * 100 + r))
      }
      runs.push(these)
    }
    const outcomes = runs.map(these => these[0])

    const rows = VARIANTS.map((variant, i) => {
      const o = outcomes[i]
      return [
        variant.runner === 'action' ? 'this action' : 'Redocly Respect 2.77.0',
        variant.label,
        o.reachedComplete ? 'yes' : 'no',
        o.lastAnswered,
        o.outputs,
        `POST ${o.posts}, GET ${o.gets}`,
        gapText(o.pollGapsMs),
        String(o.exitCode),
        o.error
      ]
    })

    const targets: Target[] = VARIANTS.flatMap((v, i) => {
      if (v.runner !== 'action') return []
      const o = outcomes[i]
      const out = o.actionOutputs ?? {}
      const allOutputs = Boolean(out.requestId && out.finalStatus === 'complete' && out.downloadUrl)
      const shortest = o.pollGapsMs.length > 0 ? Math.min(...o.pollGapsMs) : Number.NaN
      return [
        {
          name: `ours (${v.label}): reaches complete with requestId, finalStatus and downloadUrl`,
          met: o.reachedComplete && o.exitCode === 0 && allOutputs,
          detail: `exit ${o.exitCode}; ${o.outputs}`
        },
        {
          name: `ours (${v.label}): shortest poll gap >= poll-interval (${POLL_INTERVAL_MS} ms)`,
          met: shortest >= POLL_INTERVAL_MS,
          detail: `${o.pollGapsMs.length + 1} polls; gaps ${gapText(o.pollGapsMs)}`
        }
      ]
    })

    const notes: string[] = [
      `Simulator seed contract; job: ${JOB.pollsInStaging} x pending, ${JOB.pollsInSubmitted} x ` +
        `processing, then complete on poll ${JOB.pollsInStaging + JOB.pollsInSubmitted + 1}. Ours: ` +
        `poll-interval ${POLL_INTERVAL_MS / 1000}s (the schedule grows it by 1.5x per poll), ` +
        'basic-auth, one user id. "Last status answered" is what the simulator last sent.',
      'Respect was run as `redocly respect <seed> --input <JSON> --server dsarApi=<url> -J <log>`: ' +
        '--input takes a JSON object, which is how the userIds array and basicAuth are passed. Its ' +
        "CLI prints and logs each step's request, response and checks, but not the workflow outputs."
    ]
    VARIANTS.forEach((v, i) => {
      const gaps = runs[i].flatMap(o => o.pollGapsMs)
      if (v.runner !== 'respect' || gaps.length === 0) return
      notes.push(
        `Respect, ${v.label}: ${runs[i].length} runs, ${gaps.length} poll gaps: ${gapText(gaps)} ` +
          `(every gap under ${NO_DELAY_BELOW_MS} ms, half the poll interval, means the next poll ` +
          'left as soon as the previous answer arrived); reached complete in ' +
          `${runs[i].filter(o => o.reachedComplete).length} of ${runs[i].length}.`
      )
    })
    return {
      id: 'respect',
      title: 'The seed against a peer (Redocly Respect)',
      description:
        'The seed Arazzo document run verbatim by this action and by Redocly Respect on the ' +
        "simulator's seed contract (complete on the 5th poll), then on the variants that section D of " +
        'the API reference describes, with the public apis.io description where the seed expects it. One ' +
        'run per row (outcomes are deterministic; every poll gap is listed); the last variant is ' +
        'repeated to show that its polls are never paced.',
      headers: [
        'runner',
        'case',
        'reached complete',
        'last status answered',
        'outputs returned',
        'requests sent',
        'poll gaps',
        'exit',
        'error'
      ],
      rows,
      targets,
      notes
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
