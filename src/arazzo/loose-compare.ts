/**
 * How a `simple` condition compares two values (Arazzo 1.0.1 + the 1.1.0 draft's "Condition
 * Evaluation"): strings case-insensitively, a number and a numeric string as numbers (ordering also
 * coerces two numeric strings, as header values are), null and undefined equal only each other, and
 * ordering with either is false.
 */
import { type ComparisonOperator, order } from './boolean-condition.js'

/** A string that reads as a decimal number (no hex, no Infinity, not blank). */
export function numericString(value: string): number | undefined {
  if (!/^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/.test(value)) return undefined
  return Number(value)
}

function fold(text: string): string {
  return text.toLowerCase()
}

function isNullish(value: unknown): value is null | undefined {
  return value === null || value === undefined
}

/** Arazzo `==`: case-insensitive strings, number/numeric-string coercion, null == undefined. */
export function looseEquals(a: unknown, b: unknown): boolean {
  if (isNullish(a) || isNullish(b)) return isNullish(a) && isNullish(b)
  if (typeof a === 'string' && typeof b === 'string') return fold(a) === fold(b)
  if (typeof a === 'number' && typeof b === 'string') return numericString(b) === a
  if (typeof a === 'string' && typeof b === 'number') return numericString(a) === b
  if (typeof a === 'boolean' && typeof b === 'string') return fold(b.trim()) === String(a)
  if (typeof a === 'string' && typeof b === 'boolean') return fold(a.trim()) === String(b)
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => looseEquals(item, b[i]))
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length &&
      keys.every(key => Object.hasOwn(b, key) && looseEquals(a[key], b[key]))
    )
  }
  return a === b
}

export function compareLoose(op: ComparisonOperator, a: unknown, b: unknown): boolean {
  if (op === '==') return looseEquals(a, b)
  if (op === '!=') return !looseEquals(a, b)
  if (isNullish(a) || isNullish(b)) return false
  let x = a
  let y = b
  if (typeof x === 'string' && (typeof y === 'number' || typeof y === 'string')) {
    const n = numericString(x)
    const m = typeof y === 'string' ? numericString(y) : y
    if (n !== undefined && m !== undefined) {
      x = n
      y = m
    }
  } else if (typeof x === 'number' && typeof y === 'string') {
    const m = numericString(y)
    if (m !== undefined) y = m
  }
  if (typeof x === 'string' && typeof y === 'string') return order(op, fold(x), fold(y))
  if (typeof x === 'number' && typeof y === 'number') return order(op, x, y)
  return false
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
