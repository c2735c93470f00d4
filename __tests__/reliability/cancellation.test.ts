/**
 * Reliability matrix 4, cancellation: SIGINT and SIGTERM (what the runner sends when a run is
 * cancelled or times out) while polling and while downloading. The action must exit within 2 s of the
 * signal, write its outputs and job summary with every request id obtained so far, say how to resume,
 * and leave no partial file that looks complete. Rows run one at a time: they measure time.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  startSimulator,
  type FaultRule,
  type JobPlan,
  type Simulator
} from '../../src/simulator/index.js'
import { baseInputs, runAction, type ActionRun } from '../support/action-harness.js'
import { describeRun, errorText, expectNoLeaks, Report, STACK_FRAME } from './support.js'

const report = new Report('cancellation')

/** From the signal to the process exit. */
const EXIT_BOUND_MS = 2000

interface CancelRow {
  signal: 'SIGINT' | 'SIGTERM'
  phase: 'polling' | 'polling, three requests' | 'a download'
  did: string
  job: JobPlan
  faults?: FaultRule[]
  inputs: Record<string, string>
  /** The log line on which to send the signal. */
  when: (line: string, sim: Simulator) => boolean
}

function rows(signal: 'SIGINT' | 'SIGTERM'): CancelRow[] {
  return [
    {
      signal,
      phase: 'polling',
      did: `${signal} while waiting between status polls of one request`,
      job: { pollsInStaging: 1_000_000 },
      inputs: { 'user-ids': 'subject-1@example.com' },
      when: line => / is staging after \d+ polls?, .*; next poll at /.test(line)
    },
    {
      signal,
      phase: 'polling, three requests',
      did: `${signal} while three requests are polled and their status GETs are being retried (503, Retry-After: 1)`,
      job: { pollsInStaging: 1_000_000 },
      faults: [
        {
          host: 'api',
          method: 'GET',
          skip: 3,
          action: { type: 'status', status: 503, headers: { 'Retry-After': '1' } }
        }
      ],
      inputs: { 'user-ids': 'subject-1, subject-2, subject-3', 'max-concurrency': '3' },
      when: (line, sim) =>
        /^HTTP 503 on GET .*; attempt \d+ in/.test(line) && sim.requests().length === 3
    },
    {
      signal,
      phase: 'a download',
      did:
        `${signal} while one request's export is being received at 50 bytes/s ` +
        "(sent once the other request's file is stored)",
      job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 1, linesPerFile: 40 },
      // The first storage GET crawls; the other request's file arrives whole, and its log line is the cue.
      faults: [{ host: 'storage', times: 1, action: { type: 'dribble', bytesPerSecond: 50 } }],
      inputs: { 'user-ids': 'subject-1, subject-2', 'max-concurrency': '2', download: 'true' },
      when: line => /: output 1 of 1: stored output-001\.json\.gz/.test(line)
    }
  ]
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function runRow(row: CancelRow, saw: (got: string) => void): Promise<void> {
  const sim = await startSimulator({ job: row.job })
  try {
    for (const fault of row.faults ?? []) sim.addFault(fault)
    const inputs = baseInputs(sim, { 'user-ids': '', timeout: '60s', ...row.inputs })
    let signalledAt: number | undefined
    const run: ActionRun = await runAction(inputs, {
      killAfterMs: 30_000,
      signal: {
        name: row.signal,
        when: line => {
          if (signalledAt !== undefined || !row.when(line, sim)) return false
          signalledAt = Date.now()
          return true
        }
      }
    })
    const exitedAt = Date.now()
    const ids = sim.requests().map(r => String(r.requestId))
    const exitMs = signalledAt === undefined ? undefined : exitedAt - signalledAt
    saw(
      describeRun(run, [
        // The bound checked below, not this run's milliseconds: docs/reliability.md must not
        // change from run to run.
        exitMs === undefined
          ? 'the signal was never sent'
          : `exited within ${EXIT_BOUND_MS / 1000} s of the signal`,
        `${ids.length} request id${ids.length === 1 ? '' : 's'} in the outputs and summary`
      ])
    )

    expect(signalledAt).toBeDefined()
    expect(exitMs!).toBeLessThan(EXIT_BOUND_MS)
    // The action handled the signal itself: a failed step, not a killed process.
    expect(run.signal).toBeNull()
    expect(run.exitCode).toBe(1)
    const message = errorText(run)
    expect(message).toContain(`cancelled (${row.signal})`)
    expect(message).toContain('request ids so far')
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)

    // Every request id obtained, in the outputs, the summary and the resume hint.
    expect(ids.length).toBeGreaterThan(0)
    const reported = (JSON.parse(run.outputs.requests) as { requestId: string }[]).map(
      r => r.requestId
    )
    expect([...reported].sort()).toEqual([...ids].sort())
    expect(ids).toContain(run.outputs.requestId)
    for (const id of ids) {
      expect(run.summary).toContain(id)
      expect(message).toContain(id)
    }
    if (row.phase !== 'a download') {
      for (const id of ids) expect(message).toMatch(new RegExp(`request-ids: [\\d,]*${id}`))
    }
    if (row.phase === 'a download') await expectNoCompleteLookingPartials(run, sim, ids)
    expectNoLeaks(run, { inputs, sim })
    // A fault the row set up that never fired would make the row prove nothing.
    expect(sim.unfiredFaults()).toEqual([])
  } finally {
    await sim.close()
  }
}

/**
 * The request whose file was still arriving has no file under a finished name; files that do have
 * one are whole, and are the ones the `files` output lists.
 */
async function expectNoCompleteLookingPartials(run: ActionRun, sim: Simulator, ids: string[]) {
  const listed = JSON.parse(run.outputs.files ?? '[]') as { path: string; sha256: string }[]
  let finished = 0
  for (const id of ids) {
    let names: string[] = []
    try {
      names = readdirSync(join(run.runnerTemp, 'amplitude-dsar', id))
    } catch {
      continue
    }
    for (const name of names) {
      if (!/^output-\d{3}\.json\.gz(\.age)?$/.test(name)) {
        expect(name).not.toMatch(/\.json\.gz(\.age)?$/)
        continue
      }
      const path = join(run.runnerTemp, 'amplitude-dsar', id, name)
      expect(sha256(readFileSync(path))).toBe((await sim.expectedFile(id, 0)).sha256)
      expect(listed.map(f => f.path)).toContain(path)
      finished++
    }
  }
  // One request's file was stored (the cue), the dribbled one's was not.
  expect(finished).toBe(1)
}

describe('cancellation', () => {
  for (const row of [...rows('SIGINT'), ...rows('SIGTERM')]) {
    report.row(
      'Cancellation',
      `${row.signal} during ${row.phase}`,
      row.did,
      saw => runRow(row, saw),
      { timeoutMs: 40_000 }
    )
  }
})
