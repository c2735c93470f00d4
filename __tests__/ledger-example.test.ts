/**
 * The ledger's example workflow: the action's own `timeout` ends the sweep inside the job's
 * `timeout-minutes` (GitHub kills a job at that limit without a clean stop), with room to record.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { parseDuration } from '../src/run/duration.js'
import { reserveMs } from '../src/ledger/sweep-time.js'

test("examples/workflows/dsar-ledger.yml: the action's timeout ends inside the job's timeout-minutes", () => {
  const file = join(import.meta.dirname, '..', 'examples', 'workflows', 'dsar-ledger.yml')
  const workflow = parse(readFileSync(file, 'utf8')) as {
    jobs: { sweep: { 'timeout-minutes': number; steps: { with?: Record<string, string> }[] } }
  }
  const job = workflow.jobs.sweep
  const step = job.steps.find(s => s.with?.ledger === 'issues')!
  const timeoutMs = parseDuration(step.with!.timeout)
  const jobMs = job['timeout-minutes'] * 60_000
  // Start-up, checkout and the summary also take time: at least five minutes to spare.
  expect(timeoutMs + 5 * 60_000).toBeLessThanOrEqual(jobMs)
  expect(reserveMs(timeoutMs)).toBeGreaterThan(0)
})
