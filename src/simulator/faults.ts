/**
 * Fault rules: which request gets which injected failure. Rules are tried in the order added;
 * each counts the requests it matches, lets its first `skip` through, affects the next `times`,
 * then stays inert. The first rule that applies wins, and rules after it do not count that request.
 */

import type { FaultAction, FaultRule } from './types.js'

export interface FaultTarget {
  method: string
  /** Path without the query string. */
  path: string
  host: 'api' | 'web' | 'storage'
}

interface ActiveRule {
  rule: FaultRule
  matched: number
  injected: number
}

export class FaultList {
  private rules: ActiveRule[] = []
  /** Faults applied since the list was made (clear() keeps it): a fault row asserts its fault fired. */
  private applied = 0

  add(rule: FaultRule): void {
    validateRule(rule)
    this.rules.push({ rule, matched: 0, injected: 0 })
  }

  clear(): void {
    this.rules = []
  }

  /** The action to apply to this request, if any (and counts it). */
  pick(target: FaultTarget): FaultAction | undefined {
    for (const active of this.rules) {
      if (!matches(active.rule, target)) continue
      active.matched++
      const skip = active.rule.skip ?? 0
      const times = active.rule.times ?? Infinity
      if (active.matched > skip && active.matched <= skip + times) {
        active.injected++
        this.applied++
        return active.rule.action
      }
    }
    return undefined
  }

  /** How many requests got an injected fault so far. */
  get injected(): number {
    return this.applied
  }

  /** The rules added (and not cleared) that have not affected any request yet. */
  unfired(): FaultRule[] {
    return this.rules.filter(active => active.injected === 0).map(active => active.rule)
  }
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.host !== undefined && rule.host !== target.host) return false
  if (rule.method !== undefined && rule.method.toUpperCase() !== target.method.toUpperCase()) {
    return false
  }
  if (rule.path === undefined) return true
  if (typeof rule.path === 'string') return rule.path === target.path
  rule.path.lastIndex = 0 // a /g or /y RegExp keeps state between tests
  return rule.path.test(target.path)
}

function validateRule(rule: FaultRule): void {
  const counts: [string, number | undefined][] = [
    ['times', rule.times],
    ['skip', rule.skip]
  ]
  for (const [name, value] of counts) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RangeError(`fault ${name} must be an integer >= 0, got ${value}`)
    }
  }
  const action = rule.action
  switch (action.type) {
    case 'status':
      if (!(Number.isInteger(action.status) && action.status >= 100 && action.status <= 599)) {
        throw new RangeError(`fault status must be 100-599, got ${action.status}`)
      }
      break
    case 'stall':
      if (!(action.ms >= 0)) throw new RangeError(`stall ms must be >= 0, got ${action.ms}`)
      break
    case 'dribble':
      if (!(action.bytesPerSecond > 0)) {
        throw new RangeError(`dribble bytesPerSecond must be > 0, got ${action.bytesPerSecond}`)
      }
      break
    case 'hugeBody':
      if (!(Number.isInteger(action.bytes) && action.bytes >= 0)) {
        throw new RangeError(`hugeBody bytes must be an integer >= 0, got ${action.bytes}`)
      }
      break
    case 'reset':
    case 'malformedJson':
    case 'truncatedGzip':
      break
    default:
      throw new TypeError(`unknown fault action ${JSON.stringify(action)}`)
  }
}
