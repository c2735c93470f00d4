/**
 * The action, read like actions/checkout's main: mask the credentials, read and check every input
 * (the settings), choose the mode, run it: the requests the inputs name
 * (src/action/request-run.ts), an erasure (src/action/erasure/), or with `ledger: issues` a sweep of
 * the DSAR issues (src/ledger/). Each mode reports its outputs and job summary; a failure reaches
 * `core.setFailed` as one clear line.
 *
 * `run()` takes optional dependencies (clock, API transport, GitHub access: see
 * src/run/api-session.ts) so benchmarks can drive the real action in virtual time; the runner
 * passes none.
 */
import * as core from '@actions/core'
import { loadWorkflowInput } from './action/documents/document-loading.js'
import { getSettings, type Settings } from './action/inputs/input-helper.js'
import { runRequests } from './action/request-run.js'
import { sweepReporter } from './action/reporting/sweep-summary.js'
import { messageOf, systemClock } from './arazzo/index.js'
import type { LedgerDependencies } from './ledger/index.js'
import { line, log, maskCredentials } from './run/index.js'

/** What a caller other than the runner may replace (src/run/api-session.ts, src/ledger/sweep.ts). */
export type RunDependencies = LedgerDependencies

class Cancelled extends Error {
  constructor(signal: string) {
    super(`cancelled (${signal})`)
  }
}

/** Settings, mode, run, report: each mode writes its own outputs and summary. */
export async function run(deps: RunDependencies = {}): Promise<void> {
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    log.warning(line`Received ${signal}: stopping and writing what is known`)
    stop.abort(new Cancelled(signal))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // First, before anything can log an input.
    maskCredentials()
    const clock = deps.clock ?? systemClock
    const settings = await getSettings({ now: () => new Date(clock.now()) })
    await runMode(settings, stop, deps)
  } catch (error) {
    core.setFailed(failureMessage(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** `ledger: issues` sweeps the issues; `request-type: erasure` deletes; otherwise the requests run. */
async function runMode(
  settings: Settings,
  stop: AbortController,
  deps: RunDependencies
): Promise<void> {
  if (settings.ledger) {
    // Loaded only for sweeps: Octokit and the ledger stay out of the start-up of other runs.
    const { sweepLedger } = await import('./ledger/index.js')
    const loaded = await loadWorkflowInput(settings, message => log.notice(line`${message}`))
    await sweepLedger(settings, settings.ledger, loaded, stop, sweepReporter(settings), {
      ...deps,
      // The deletion API's document, for issues that ask for an erasure (loaded when needed).
      erasureDocument: async () => {
        const { loadErasureDocument } = await import('./action/erasure/erasure-run.js')
        return loadErasureDocument(settings, stop.signal)
      }
    })
  } else if (settings.requestType === 'erasure') {
    const { runErasure } = await import('./action/erasure/erasure-run.js')
    await runErasure(settings, stop, deps)
  } else {
    await runRequests(settings, stop, deps)
  }
}

/** One line, no stack trace: the input, request id or HTTP status involved. */
function failureMessage(error: unknown): string {
  return messageOf(error)
}
