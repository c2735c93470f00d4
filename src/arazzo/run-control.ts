/**
 * The bounds and the event stream one workflow run shares across all its nesting levels: the
 * injected clock and poll schedule, the AbortSignal, the optional deadline and the `maxSteps`
 * budget, the count of step executions and the last response (for messages and for Retry-After),
 * and the `onEvent` emitter with its header redaction. A `Stop` thrown from here ends the whole
 * run with a status (aborted, timedOut, maxSteps, or failed on a transport error), however deeply
 * nested the workflow that hit it.
 */

import { ArazzoRuntimeError } from './errors.js'
import { defaultPollSchedule, systemClock } from './pacing.js'
import type {
  Clock,
  EngineEvent,
  HttpRequest,
  HttpResponse,
  PollSchedule,
  RunOptions,
  RunStatus
} from './types.js'

export const DEFAULT_MAX_STEPS = 10000
const REDACTED = '***'
const ALWAYS_SENSITIVE = ['authorization', 'cookie', 'proxy-authorization']

/**
 * Ends the whole run (all nesting levels) with a status: abort, deadline, bounds, hard errors.
 * An Error (so that anything that catches it sees an error), carrying the run's status and the
 * error that explains it; the runner turns it back into a status.
 */
export class Stop extends Error {
  constructor(
    readonly status: RunStatus,
    readonly error?: Error
  ) {
    super(error ? `run stopped (${status}): ${error.message}` : `run stopped (${status})`, {
      cause: error
    })
    this.name = 'Stop'
  }
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export class RunControl {
  stepsExecuted = 0
  lastResponse?: HttpResponse
  readonly clock: Clock
  readonly schedule: PollSchedule
  readonly signal: AbortSignal
  private readonly maxSteps: number
  private readonly sensitive: Set<string>

  constructor(readonly options: RunOptions) {
    this.clock = options.clock ?? systemClock
    this.schedule = options.pollSchedule ?? defaultPollSchedule
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS
    this.signal = options.signal ?? new AbortController().signal
    this.sensitive = new Set([
      ...ALWAYS_SENSITIVE,
      ...(options.sensitiveHeaders ?? []).map(h => h.toLowerCase())
    ])
  }

  emit(event: DistributiveOmit<EngineEvent, 'at'>): void {
    this.options.onEvent?.({ ...event, at: this.clock.now() })
  }

  /** Waits (a poll or a retry delay) unless that would end past the deadline. */
  async wait(
    ms: number,
    reason: 'poll' | 'retry',
    workflowId: string,
    stepId: string
  ): Promise<void> {
    this.checkAborted(stepId)
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0)
    const until = this.clock.now() + delay
    const deadline = this.options.deadline
    if (deadline !== undefined && until > deadline) {
      throw new Stop(
        'timedOut',
        new ArazzoRuntimeError(
          `deadline reached: step '${stepId}' would ${reason === 'poll' ? 'poll again' : 'retry'} after the deadline` +
            this.lastStatusNote(),
          stepId,
          this.lastResponse?.status
        )
      )
    }
    if (delay === 0) return
    this.emit({ type: 'waiting', workflowId, stepId, reason, until })
    try {
      await this.clock.sleep(delay, this.signal)
    } catch (error) {
      this.checkAborted(stepId)
      throw error
    }
  }

  lastStatusNote(): string {
    return this.lastResponse ? ` (last status ${this.lastResponse.status})` : ''
  }

  checkAborted(stepId?: string): void {
    if (this.signal.aborted) {
      throw new Stop(
        'aborted',
        new ArazzoRuntimeError(
          `the run was aborted${stepId ? ` at step '${stepId}'` : ''}`,
          stepId,
          this.lastResponse?.status
        )
      )
    }
  }

  /** Counts one step execution against `maxSteps`; past the budget the run stops. */
  countStepExecution(stepId: string): void {
    if (this.stepsExecuted >= this.maxSteps) {
      throw new Stop(
        'maxSteps',
        new ArazzoRuntimeError(
          `the run reached its limit of ${this.maxSteps} step executions before step '${stepId}'` +
            this.lastStatusNote(),
          stepId,
          this.lastResponse?.status
        )
      )
    }
    this.stepsExecuted++
  }

  redact(request: HttpRequest): HttpRequest {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      headers[name] = this.sensitive.has(name.toLowerCase()) ? REDACTED : value
    }
    return { ...request, headers }
  }
}

/** Rejects as soon as the signal aborts, even if the transport ignores it. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      value => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      }
    )
  })
}
