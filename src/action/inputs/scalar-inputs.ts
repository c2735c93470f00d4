/**
 * Scalar inputs: booleans, bounded integers, durations (poll-interval, timeout); the date
 * range is src/run/dates.ts (the issue form reads it too). A value outside its bounds is refused, never clamped.
 */
import { InputError, Inputs, parseDuration, quote } from '../../run/index.js'
import { read } from './input-reading.js'

const DEFAULT_POLL_INTERVAL = '60s'
const MIN_POLL_INTERVAL_MS = 1_000
const DEFAULT_TIMEOUT = '5h30m'
const MAX_TIMEOUT_MS = 6 * 3_600_000

/** Booleans per the YAML 1.2 core schema, as core.getBooleanInput reads them. */
export function parseBoolean(input: Inputs, fallback: boolean): boolean {
  const text = read(input)
  if (text === '') return fallback
  if (['true', 'True', 'TRUE'].includes(text)) return true
  if (['false', 'False', 'FALSE'].includes(text)) return false
  throw new InputError(
    input,
    `${quote(text)} is not a boolean (expected true | True | TRUE | false | False | FALSE)`
  )
}

function parseDurationInput(input: Inputs, text: string): number {
  try {
    return parseDuration(text)
  } catch (error) {
    throw new InputError(input, (error as Error).message)
  }
}

export function parsePollInterval(text: string, loopback: boolean): number {
  const ms = parseDurationInput(Inputs.PollInterval, text || DEFAULT_POLL_INTERVAL)
  if (ms <= 0) throw new InputError(Inputs.PollInterval, 'must be longer than 0')
  // Every poll spends the organization's shared DSAR budget; only a local test server may be
  // polled faster than once a second.
  if (ms < MIN_POLL_INTERVAL_MS && !loopback) {
    throw new InputError(
      Inputs.PollInterval,
      'must be at least 1s (shorter intervals are allowed only with a loopback api-url)'
    )
  }
  return ms
}

/** The timeout: longer than 0, at most what a GitHub job may run. */
export function parseTimeout(text: string): number {
  const ms = parseDurationInput(Inputs.Timeout, text || DEFAULT_TIMEOUT)
  if (ms <= 0) throw new InputError(Inputs.Timeout, 'must be longer than 0')
  if (ms > MAX_TIMEOUT_MS) {
    throw new InputError(
      Inputs.Timeout,
      'must be at most 6h: a GitHub job is stopped after 6 hours; for longer waits submit with ' +
        'wait: false and collect later with request-ids'
    )
  }
  return ms
}

/**
 * A run that waits holds at least one poll interval: a shorter timeout could only submit and then
 * fail. A ledger sweep or a `wait: false` run never waits between polls, so it is not held to it.
 */
export function checkTimeoutHoldsOnePoll(
  text: string,
  timeoutMs: number,
  pollIntervalMs: number
): void {
  if (timeoutMs >= pollIntervalMs) return
  throw new InputError(
    Inputs.Timeout,
    `${quote(text)} is shorter than one poll-interval (${formatSeconds(pollIntervalMs)}): the ` +
      'request would be submitted and the run would stop before its first status read ' +
      '(a bare number is seconds: timeout: 90 is 90 s)'
  )
}

function formatSeconds(ms: number): string {
  return `${ms / 1000} s`
}

export function parseInteger(input: Inputs, fallback: number, min: number, max: number): number {
  const text = read(input)
  if (text === '') return fallback
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new InputError(input, `${quote(text)} is not an integer from ${min} to ${max}`)
  }
  return value
}
