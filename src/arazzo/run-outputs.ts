/**
 * Evaluation of step and workflow outputs. Each output expression is compiled once (cached on
 * the outputs map it belongs to) and evaluated against the context; an output whose expression
 * cannot be evaluated is undefined rather than an error, because outputs are read after failures
 * and timeouts too, when a caller still needs the request id and last status.
 */

import { cached } from './compile-cache.js'
import { compileValue, evaluateValue } from './compiled-values.js'
import type { ExpressionContext } from './types.js'

/**
 * Evaluates an outputs map in order into `into`, which may be the context's own `outputs` (a
 * workflow output may then read the ones before it).
 */
export function evaluateOutputs(
  outputs: Record<string, unknown> | undefined,
  ctx: ExpressionContext,
  into: Record<string, unknown> = {}
): Record<string, unknown> {
  for (const [name, expression] of Object.entries(outputs ?? {})) {
    into[name] = evaluateOutput(outputs as object, name, expression, ctx)
  }
  return into
}

function evaluateOutput(owner: object, name: string, expression: unknown, ctx: ExpressionContext) {
  try {
    return evaluateValue(
      cached(owner, `output:${name}`, () => compileValue(expression)),
      ctx
    )
  } catch {
    return undefined
  }
}
