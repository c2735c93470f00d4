/**
 * The ledger's calls to Amplitude's deletion API, each one a workflow of the built-in
 * `amplitude-erasure` document run by the engine, through the erasure transport of an erasure
 * run (src/run/erasure-transport.ts, shared with the action's erasure run): the project's keys
 * only (the 'erasure' credential scope), one call at a time, at least a second apart, 429s waited out. One transport (one pacer) per sweep,
 * shared by every issue, so the sweep as a whole never sends more than one call a second.
 */
import { runWorkflow, type HttpTransport, type LoadedArazzo } from '../arazzo/index.js'
import {
  composeRedactors,
  erasureTransport,
  readJobs,
  type ErasureJob,
  type ErasureSettings
} from '../run/index.js'
import type { SweepContext } from './sweep-context.js'

export interface CallResult {
  ok: boolean
  jobs: ErasureJob[]
  /** Why the call did not give a usable answer (redacted). */
  problem?: string
}

export interface ErasureCalls {
  /** The project's jobs from `startDay` to `endDay` (one GET). */
  jobs(startDay: string, endDay: string): Promise<CallResult>
  /** Adds ids (at most 100) to the project's job (one POST). */
  submit(
    ids: { amplitudeIds?: number[]; userIds?: string[] },
    requester: string
  ): Promise<CallResult>
  /** Takes one id out of a staging job (one DELETE); ok false with the problem otherwise. */
  revoke(amplitudeId: number, day: string): Promise<{ ok: boolean; problem?: string }>
}

/** The sweep's deletion-API calls, or why there are none (no erasure keys). */
export function erasureCalls(ctx: SweepContext): Promise<ErasureCalls> | undefined {
  const keys = ctx.ledger.erasure
  const load = ctx.erasureDocument
  if (!keys || !load) return undefined
  ctx.erasureCalls ??= open(ctx, keys, load)
  return ctx.erasureCalls
}

async function open(
  ctx: SweepContext,
  keys: ErasureSettings,
  load: () => Promise<LoadedArazzo>
): Promise<ErasureCalls> {
  const { settings, session } = ctx
  const loaded = await load()
  // Refused keys stop the erasure calls of this sweep, not its access requests.
  const stop = new AbortController()
  ctx.signal.addEventListener('abort', () => stop.abort(ctx.signal.reason), { once: true })
  const redact = composeRedactors(settings, keys)
  const transport: HttpTransport = erasureTransport(
    settings,
    stop,
    { ...ctx.apiDependencies, clock: session.clock },
    session.clock,
    session.deadline,
    redact
  )
  const run = async (workflowId: string, inputs: Record<string, unknown>): Promise<CallResult> => {
    if (stop.signal.aborted) {
      return { ok: false, jobs: [], problem: redact((stop.signal.reason as Error).message) }
    }
    const result = await runWorkflow(loaded, {
      workflowId,
      inputs: { basicAuth: keys.basicAuth, ...inputs },
      transport,
      clock: session.clock,
      deadline: session.deadline,
      signal: stop.signal,
      serverUrl: settings.apiUrl,
      sensitiveHeaders: ['authorization'],
      maxSteps: 10
    })
    if (result.status !== 'succeeded') {
      return {
        ok: false,
        jobs: [],
        problem: redact(result.error?.message ?? `the deletion API call ended ${result.status}`)
      }
    }
    if (!('jobs' in result.outputs)) return { ok: true, jobs: [] }
    const { jobs, refused } = readJobs(result.outputs.jobs)
    return refused.length > 0
      ? { ok: false, jobs, problem: refused.join('; ') }
      : { ok: true, jobs }
  }
  return {
    jobs: (startDay, endDay) => run('jobs', { startDay, endDay }),
    submit: (ids, requester) => run('submit', { ...ids, requester }),
    revoke: async (amplitudeId, day) => {
      const result = await run('revoke', { amplitudeId, day })
      return result.ok ? { ok: true } : { ok: false, problem: result.problem }
    }
  }
}
