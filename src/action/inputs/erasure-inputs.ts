/**
 * The erasure inputs: `request-type`, the project's keys (`erasure-api-key`/`erasure-secret-key`,
 * their own pair, so that one workflow can hold the org's DSAR keys and a project's keys side by
 * side), `erasure-requester`, and job days as `request-ids` when resuming. Messages never quote a
 * key. Where the keys may go is decided in src/policy/credentials.ts, not here.
 */
import {
  type ErasureSettings,
  hasControlCharacter,
  InputError,
  Inputs,
  quote,
  type RequestType
} from '../../run/index.js'
import { read } from './input-reading.js'
import { checkKeyPair } from './credential-inputs.js'

/** Used when neither `erasure-requester` nor GITHUB_ACTOR says who asked. */
export const FALLBACK_REQUESTER = 'amplitude-dsar-action'
const MAX_REQUESTER_LENGTH = 200

export function parseRequestType(text: string): RequestType {
  const type = (text || 'access').toLowerCase()
  if (type !== 'access' && type !== 'erasure') {
    throw new InputError(
      Inputs.RequestType,
      `${quote(text)} is not a request type (expected 'access' or 'erasure')`
    )
  }
  return type
}

/** The project's key pair and the requester; only read for `request-type: erasure`. */
export function parseErasureInputs(actor = process.env.GITHUB_ACTOR ?? ''): ErasureSettings {
  const apiKey = read(Inputs.ErasureApiKey)
  const secretKey = read(Inputs.ErasureSecretKey)
  const keys = checkKeyPair(
    { key: Inputs.ErasureApiKey, secret: Inputs.ErasureSecretKey },
    apiKey,
    secretKey,
    "request-type: erasure needs a project's keys: set erasure-api-key and erasure-secret-key " +
      "(the project's API key and secret key, not the organisation's DSAR keys)"
  )
  return { ...keys, requester: parseRequester(read(Inputs.ErasureRequester), actor) }
}

/** Who asked: the input, else the GitHub actor, else the action's name. One line, 200 characters. */
export function parseRequester(text: string, actor: string): string {
  const requester = text || actor.trim() || FALLBACK_REQUESTER
  if (hasControlCharacter(requester)) {
    throw new InputError(Inputs.ErasureRequester, 'contains control characters')
  }
  if ([...requester].length > MAX_REQUESTER_LENGTH) {
    throw new InputError(
      Inputs.ErasureRequester,
      `is longer than ${MAX_REQUESTER_LENGTH} characters`
    )
  }
  return requester
}

/** An erasure is resumed by its jobs' days (`YYYY-MM-DD`): Amplitude lists jobs by day. */
export function checkJobDays(requestIds: string[]): void {
  requestIds.forEach((id, index) => {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(id) ? Date.parse(`${id}T00:00:00Z`) : NaN
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== id) {
      throw new InputError(
        Inputs.RequestIds,
        `entry ${index + 1} is not a job day: with request-type: erasure, request ids are the days of deletion jobs (YYYY-MM-DD)`
      )
    }
  })
}
