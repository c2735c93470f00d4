/** Small statistics and a seeded random generator for the benchmarks. */

import { HOUR_MS } from '../src/run/budget.js'

/** A seeded PRNG (mulberry32): the same seed gives the same run. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The p-quantile (0..1) by linear interpolation; NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const index = (sorted.length - 1) * p
  const low = Math.floor(index)
  const high = Math.ceil(index)
  return sorted[low] + (sorted[high] - sorted[low]) * (index - low)
}

export interface Spread {
  median: number
  min: number
  max: number
  p25: number
  p75: number
  runs: number
}

export function spread(values: number[]): Spread {
  return {
    median: percentile(values, 0.5),
    min: Math.min(...values),
    max: Math.max(...values),
    p25: percentile(values, 0.25),
    p75: percentile(values, 0.75),
    runs: values.length
  }
}

/** The largest total cost admitted within any one-hour window (`admitted` in time order). */
export function peakHour(admitted: { at: number; cost: number }[]): number {
  let peak = 0
  let sum = 0
  let start = 0
  for (let end = 0; end < admitted.length; end++) {
    sum += admitted[end].cost
    while (admitted[start].at <= admitted[end].at - HOUR_MS) sum -= admitted[start++].cost
    peak = Math.max(peak, sum)
  }
  return peak
}
