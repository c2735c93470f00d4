/**
 * What every run needs to talk to the Amplitude API, composed once: the clock, the deadline, the
 * budget pacer, the transport (origin rule, retries, concurrency) and the credential redactor. The
 * request runs (src/main.ts) and the ledger sweep (src/ledger/sweep.ts) both start from it.
 *
 * `RunDependencies` is how a caller other than the runner drives the real action: the lifecycle
 * benchmark (bench/lifecycle.ts) runs `run()` on a discrete-event clock against in-process models of
 * Amplitude and GitHub. Production passes nothing and gets the system clock and the network. Every
 * dependency is optional and replaces exactly one thing:
 * - `clock`: time and sleeps (deadline, budget pacer, polls, retries, "today", timestamps);
 * - `sendToApi`: one HTTP attempt to the Amplitude API (the transport's rules still apply around it);
 * - `random`: the transport's back-off jitter (a seeded generator makes a simulation repeatable).
 * The ledger adds how it reaches GitHub (`LedgerDependencies`, src/ledger/sweep.ts).
 */
import {
  type Clock,
  type HttpRequest,
  type HttpTransport,
  type PollSchedule,
  systemClock
} from '../arazzo/index.js'
import type { BudgetPacer } from './budget.js'
import {
  createActionTransport,
  NOT_PROCESSED_STATUSES,
  sendOnce,
  TransportError,
  type TransportOptions
} from './http-transport.js'
import type { RunSettings } from './settings.js'
import { line, log } from './log.js'
import { createBudgetPacer, createPollSchedule } from './pacing-policy.js'
import { formatDuration } from './request-runner.js'
import { credentialRedactor } from './secret-helper.js'
import { testHooks, type TestHooks } from './test-hooks.js'

export interface RunDependencies {
  /** Time and sleeps. Default: the system clock. */
  clock?: Clock
  /** Sends one attempt to the Amplitude API. Default: node:http(s). */
  sendToApi?: TransportOptions['send']
  /** The transport's back-off jitter, 0 <= x < 1. Default: Math.random. */
  random?: () => number
}

export interface ApiSession {
  clock: Clock
  startedAt: number
  /** Epoch ms (by `clock`) when the run's `timeout` runs out. */
  deadline: number
  pacer: BudgetPacer
  /** The action transport; refused credentials abort `stop` (they would fail every request). */
  transport: HttpTransport
  redact: (text: string) => string
  hooks: TestHooks
  pollSchedule: PollSchedule
  maxSteps: number
  /**
   * Whether an attempt of `request` may have been taken by the server: handed to the network and
   * then not answered, or answered with anything but a refusal (4xx) or "not processed" (429,
   * 503). A request stopped before that (the deadline, the budget, the origin rule, a connection
   * that never opened) was never taken.
   */
  wasSent: (request: HttpRequest) => boolean
}

export function openApiSession(
  settings: RunSettings,
  stop: AbortController,
  deps: RunDependencies = {}
): ApiSession {
  const clock = deps.clock ?? systemClock
  const startedAt = clock.now()
  const deadline = startedAt + settings.timeoutMs
  const pacer = createBudgetPacer(clock)
  const hooks = testHooks()
  const sent = new WeakSet<HttpRequest>()
  const send = deps.sendToApi ?? sendOnce
  const redact = credentialRedactor({
    apiKey: settings.apiKey ?? '',
    secretKey: settings.secretKey ?? '',
    basicAuth: settings.basicAuth
  })
  const { transport } = createActionTransport({
    apiOrigin: settings.apiUrl,
    clock,
    pacer,
    maxConcurrency: settings.maxConcurrency,
    deadline,
    requestTimeoutMs: hooks.requestTimeoutMs,
    backoffBaseMs: hooks.backoffBaseMs,
    backoffMaxMs: hooks.backoffMaxMs,
    rateLimitMaxMs: hooks.backoffMaxMs,
    send: async (request, signal, limits) => {
      try {
        const response = await send(request, signal, limits)
        const refused = response.status >= 400 && response.status < 500
        if (!refused && !NOT_PROCESSED_STATUSES.has(response.status)) sent.add(request)
        return response
      } catch (error) {
        if (!(error instanceof TransportError && error.neverSent)) sent.add(request)
        throw error
      }
    },
    ...(deps.random && { random: deps.random }),
    onRetry: n =>
      log.info(
        line`${n.reason} on ${n.method} ${redact(n.path)}; attempt ${n.attempt + 1} in ${formatDuration(n.delayMs)}`
      )
  })
  // Refused credentials would be refused for every subject: stop them all at once.
  const guarded: HttpTransport = async (request, signal) => {
    try {
      return await transport(request, signal)
    } catch (error) {
      if (error instanceof TransportError && error.kind === 'auth') stop.abort(error)
      throw error
    }
  }
  return {
    clock,
    startedAt,
    deadline,
    pacer,
    transport: guarded,
    redact,
    hooks,
    pollSchedule: createPollSchedule(settings.pollIntervalMs),
    maxSteps: Math.min(1_000_000, Math.ceil(settings.timeoutMs / settings.pollIntervalMs) + 100),
    wasSent: request => sent.has(request)
  }
}
