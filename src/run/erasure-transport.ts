/**
 * The deletion API's transport, shared by an erasure run (src/action/erasure/) and the ledger's
 * erasures: the project's keys only (the 'erasure' credential scope), one call at a time, each at
 * least a second after the previous one ended (src/run/erasure-pacer.ts), 429s waited out; refused
 * keys stop the caller's `stop` (they would be refused for every call).
 */
import type { Clock, HttpTransport } from '../arazzo/index.js'
import { retryNotice, type RunDependencies } from './api-session.js'
import { IntervalPacer } from './erasure-pacer.js'
import { createActionTransport, TransportError } from './http-transport.js'
import { credentialRedactor } from './secret-helper.js'
import type { ErasureSettings } from './settings.js'
import { testHooks } from './test-hooks.js'

/** Both key pairs' every form, out of anything the run reports. */
export function composeRedactors(
  settings: { apiKey?: string; secretKey?: string; basicAuth: string },
  erasure: ErasureSettings
): (text: string) => string {
  const project = credentialRedactor({ ...erasure, basicAuth: erasure.basicAuth })
  const org = credentialRedactor({
    apiKey: settings.apiKey ?? '',
    secretKey: settings.secretKey ?? '',
    basicAuth: settings.basicAuth
  })
  return text => org(project(text))
}

/** The deletion API's transport: erasure scope, one call at a time, 1 a second, 429s waited out. */
export function erasureTransport(
  settings: { apiUrl: string },
  stop: AbortController,
  deps: RunDependencies,
  clock: Clock,
  deadline: number,
  redact: (text: string) => string
): HttpTransport {
  const hooks = testHooks()
  const { transport } = createActionTransport({
    apiOrigin: settings.apiUrl,
    scope: 'erasure',
    clock,
    pacer: new IntervalPacer(clock),
    maxConcurrency: 1,
    deadline,
    requestTimeoutMs: hooks.requestTimeoutMs,
    backoffBaseMs: hooks.backoffBaseMs,
    backoffMaxMs: hooks.backoffMaxMs,
    rateLimitMaxMs: hooks.backoffMaxMs,
    ...(deps.sendToApi && { send: deps.sendToApi }),
    ...(deps.random && { random: deps.random }),
    onRetry: retryNotice(redact)
  })
  return async (request, signal) => {
    try {
      return await transport(request, signal)
    } catch (error) {
      if (error instanceof TransportError && error.kind === 'auth') {
        // Refused keys would be refused for every batch: stop, naming the right keys.
        const method = request.method.toUpperCase()
        const refused = new TransportError(
          'auth',
          `HTTP ${error.status} from ${method} ${new URL(request.url).pathname}: the API refused the erasure keys (a project's API key and secret key are required)`,
          error.status
        )
        stop.abort(refused)
        throw refused
      }
      throw error
    }
  }
}
