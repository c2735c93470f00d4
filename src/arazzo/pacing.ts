/**
 * Time and pacing for the runner: a real clock, a virtual clock for tests and simulations, the
 * poll schedules that space out `goto`-loops, and Retry-After parsing.
 *
 * Pacing exists because an unpaced poll loop is a denial of service against the provider (the
 * Amplitude DSAR budget is shared by a whole organization), so every re-run of a step waits.
 */

import type { Clock, PollSchedule } from './types.js'

/** setTimeout fires at once for delays above 2^31-1 ms, so longer sleeps are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted')
}

/** Wall-clock time (Date.now) and setTimeout sleeps that reject promptly when aborted. */
export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    let remaining = Math.max(0, ms)
    do {
      const chunk = Math.min(remaining, MAX_TIMER_MS)
      await sleepOnce(chunk, signal)
      remaining -= chunk
    } while (remaining > 0)
  }
}

function sleepOnce(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal))
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(abortReason(signal as AbortSignal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * A clock whose sleeps complete on the next macrotask, advancing its time by the slept amount.
 * Records every sleep so tests can assert the waits without waiting.
 */
export class VirtualClock implements Clock {
  private current: number
  /** Every completed sleep, in order (ms). */
  readonly sleeps: number[] = []

  constructor(start = 0) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  /** Total virtual time spent sleeping. */
  get totalSlept(): number {
    return this.sleeps.reduce((sum, ms) => sum + ms, 0)
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal))
        return
      }
      const onAbort = (): void => {
        clearImmediate(handle)
        reject(abortReason(signal as AbortSignal))
      }
      // A macrotask (not a microtask) so other pending work, such as an abort, can run first.
      const handle = setImmediate(() => {
        signal?.removeEventListener('abort', onAbort)
        const slept = Math.max(0, ms)
        this.current += slept
        this.sleeps.push(slept)
        resolve()
      })
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Moves time forward without a sleep (e.g. to simulate a slow request). */
  advance(ms: number): void {
    this.current += Math.max(0, ms)
  }
}

/** The same wait before every poll, never shorter than the server's Retry-After. */
export function fixedPollSchedule(ms: number): PollSchedule {
  const base = Math.max(0, ms)
  return {
    delayMs: (_pollNumber: number, retryAfterMs?: number) => Math.max(base, retryAfterMs ?? 0)
  }
}

/**
 * Waits growing by `factor` (default 2) from `initialMs` up to `maxMs` (default unbounded);
 * never below `initialMs` and never below the server's Retry-After (which may exceed maxMs).
 */
export function backoffPollSchedule(o: {
  initialMs: number
  factor?: number
  maxMs?: number
}): PollSchedule {
  const initial = Math.max(0, o.initialMs)
  const factor = o.factor !== undefined && o.factor >= 1 ? o.factor : 2
  const max = o.maxMs ?? Number.POSITIVE_INFINITY
  return {
    delayMs(pollNumber: number, retryAfterMs?: number): number {
      const exponent = Math.max(0, Math.floor(pollNumber) - 1)
      const grown = Math.min(max, initial * factor ** exponent)
      return Math.max(initial, grown, retryAfterMs ?? 0)
    }
  }
}

/** The system's random source, 0 <= x < 1 (a seeded one makes a simulation repeatable). */
export const systemRandom = (): number => Math.random()

/**
 * The one back-off formula: `baseMs` doubled per failure up to `maxMs`, half of it jittered (so
 * clients that failed together do not retry together), never sooner than the server's Retry-After.
 */
export function jitteredBackoffMs(o: {
  /** 1 for the first retry. */
  attempt: number
  baseMs: number
  maxMs: number
  random: () => number
  retryAfterMs?: number
}): number {
  const exponential = Math.min(o.maxMs, o.baseMs * 2 ** (o.attempt - 1))
  const jittered = exponential / 2 + (o.random() * exponential) / 2
  return Math.max(Math.round(jittered), o.retryAfterMs ?? 0)
}

/** The runner's default: one second between polls (callers normally pass their own). */
export const DEFAULT_POLL_INTERVAL_MS = 1000
export const defaultPollSchedule: PollSchedule = fixedPollSchedule(DEFAULT_POLL_INTERVAL_MS)

/**
 * An HTTP Retry-After value (RFC 9110: delay-seconds or an HTTP-date) as milliseconds from `now`;
 * undefined when absent or unreadable. Dates in the past give 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (text === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  // Only accept things that look like an HTTP-date, not any string Date.parse happens to read.
  if (!/[A-Za-z]{3}/.test(text)) return undefined
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
