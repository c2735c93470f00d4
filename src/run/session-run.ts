/**
 * The one place the API session is wired into the request runner: a normal run's requests
 * (src/main.ts) and a ledger sweep's (src/ledger/sweep-context.ts) go through here, so both use
 * the same transport, clock, poll schedule, deadline, step limit and redactor.
 */
import type { HttpRequest, LoadedArazzo } from '../arazzo/index.js'
import type { ApiSession } from './api-session.js'
import type { PlannedRun } from './planning.js'
import { runRequest, type RequestRecord, type RunRequestOptions } from './request-runner.js'

export interface SessionRunOptions {
  loaded: LoadedArazzo
  plan: PlannedRun
  /** The API origin the document's relative server URLs resolve against (`api-url`). */
  serverUrl: string
  signal: AbortSignal
  log: RunRequestOptions['log']
  mask?: RunRequestOptions['mask']
  onStart?: RunRequestOptions['onStart']
}

export interface SessionRun {
  record: RequestRecord
  /** Whether a POST of this run may have been taken by Amplitude (src/run/sent-state.ts). */
  posted: boolean
}

/** Runs one planned workflow on the session. */
export async function runOnSession(
  session: ApiSession,
  options: SessionRunOptions
): Promise<SessionRun> {
  const posts: HttpRequest[] = []
  const record = await runRequest({
    ...options,
    transport: (request, signal) => {
      if (request.method.toUpperCase() === 'POST') posts.push(request)
      return session.transport(request, signal)
    },
    clock: session.clock,
    pollSchedule: session.pollSchedule,
    deadline: session.deadline,
    maxSteps: session.maxSteps,
    redact: session.redact
  })
  return { record, posted: posts.some(post => session.wasSent(post)) }
}
