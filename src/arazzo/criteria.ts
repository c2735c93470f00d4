/**
 * Criterion Objects (Arazzo 1.0.1): `simple`, `regex` and `jsonpath` conditions, compiled once
 * and evaluated many times. `xpath` is refused at compile time: there is no XPath 3.1 engine
 * here, and a half-working one would make success criteria lie.
 *
 * Compile-time errors: ArazzoSyntaxError for a simple or regex condition (or a context) that does
 * not parse; a plain ArazzoError for xpath, an unknown type or version, a malformed criterion,
 * a regex or jsonpath criterion without `context` (Arazzo 1.0.1: "If `type` is specified, then
 * the `context` MUST be provided"; an explicit `simple` without one only warns), and a jsonpath
 * condition that is not valid for its version: RFC 9535 (or the seed form), or
 * draft-goessner-dispatch-jsonpath-00 (translated to RFC 9535 by jsonpath-goessner.ts, which
 * refuses what would need JavaScript `eval`). The caller adds the criterion's JSON Pointer.
 *
 * Regex conditions are ECMAScript patterns run on RE2 only (safe-regex.ts): a document is untrusted
 * input, and a backtracking engine can take hours on a pattern such as `^(?=a)a*a*a*a*a*b`. A
 * pattern RE2 cannot run (lookaround, backreferences) is refused when the document loads, and a
 * value too long for its pattern's work budget fails the criterion. RE2's `\s` is ASCII whitespace
 * only and its `.` matches `\r`; no DSAR status or code comes near those differences.
 *
 * Embedded `{$...}` expressions in regex and jsonpath conditions (1.1.0 draft) are replaced by
 * their raw string value (objects as JSON) before the condition runs; the author writes any
 * quotes the query needs: `$[?@.status == '{$inputs.expectedStatus}']`. Such a condition is the
 * only one whose text is parsed at evaluation time, since the text only exists then.
 */
import { ArazzoError, ArazzoSyntaxError } from './errors.js'
import { evaluateExpression } from './expression-evaluation.js'
import { parseExpression, type Expression } from './expression-parser.js'
import {
  parseTemplate,
  renderTemplate,
  stringifyValue,
  type TemplatePart
} from './expression-templates.js'
import { evaluateJsonPathPlan, planJsonPath } from './jsonpath-criterion.js'
import { translateGoessner } from './jsonpath-goessner.js'
import type { JsonPathPlan } from './jsonpath-criterion.js'
import { compileSafeRegex, RegexRefused, type SafeRegex } from './safe-regex.js'
import {
  evaluateSimpleCondition,
  parseSimpleCondition,
  simpleConditionExpressions
} from './simple-condition.js'
import type { SimpleCondition } from './simple-condition.js'
import type { Criterion, ExpressionContext } from './types.js'

export type CriterionPlan =
  | {
      readonly type: 'simple'
      readonly condition: SimpleCondition
      readonly context?: Expression
    }
  | {
      readonly type: 'regex'
      readonly context: Expression
      readonly regex?: SafeRegex
      readonly template?: readonly TemplatePart[]
    }
  | {
      readonly type: 'jsonpath'
      readonly context: Expression
      readonly plan?: JsonPathPlan
      readonly template?: readonly TemplatePart[]
      /** draft-goessner-dispatch-jsonpath-00 syntax (translated before it runs). */
      readonly goessner?: boolean
    }

export interface CompiledCriterion {
  readonly criterion: Criterion
  /** Things the loader should warn about (the criterion still compiles). */
  readonly warnings: readonly string[]
  readonly plan: CriterionPlan
}

const JSONPATH_VERSIONS = ['draft-goessner-dispatch-jsonpath-00', 'rfc9535']
const XPATH_VERSIONS = ['xpath-10', 'xpath-20', 'xpath-30', 'xpath-31']
const CONTEXT_RULE = 'Arazzo 1.0.1: "If type is specified, then the context MUST be provided"'

export function compileCriterion(criterion: Criterion): CompiledCriterion {
  if (typeof criterion !== 'object' || criterion === null) {
    throw new ArazzoError('A criterion must be an object')
  }
  if (typeof criterion.condition !== 'string') {
    throw new ArazzoError('A criterion needs a string condition')
  }
  const type = criterionType(criterion.type)
  const warnings: string[] = []
  const context = criterion.context === undefined ? undefined : parseContext(criterion.context)
  const condition = criterion.condition
  switch (type) {
    case 'simple':
      if (criterion.type !== undefined && !context) {
        warnings.push(`a criterion with a type should have a context (${CONTEXT_RULE})`)
      }
      return {
        criterion,
        warnings,
        plan: {
          type,
          condition: parseSimpleCondition(condition, { allowContext: context !== undefined }),
          context
        }
      }
    case 'regex': {
      if (!context) throw new ArazzoError(`A regex criterion needs a context (${CONTEXT_RULE})`)
      const template = parseTemplate(condition, { bare: false })
      const regex = template ? undefined : compileRegex(condition)
      return { criterion, warnings, plan: { type, context, regex, template } }
    }
    case 'jsonpath': {
      if (!context) {
        throw new ArazzoError(
          `A jsonpath criterion needs a context, e.g. $response.body (${CONTEXT_RULE})`
        )
      }
      const goessner = isGoessner(criterion.type)
      const template = parseTemplate(condition, { bare: false })
      const plan = template ? undefined : planFor(condition, goessner)
      if (plan?.form === 'invalid') {
        throw new ArazzoError(
          `The jsonpath condition is not valid ${goessner ? JSONPATH_VERSIONS[0] : 'RFC 9535'}: ${plan.reason}`
        )
      }
      return { criterion, warnings, plan: { type, context, plan, template, goessner } }
    }
  }
}

/**
 * The runtime expressions a compiled criterion evaluates, by where they sit: its context, and
 * those its condition reads (operands of a simple condition, `{$...}` of a regex or jsonpath
 * template). The secret-flow check reads these, so it sees exactly what the runner parsed.
 */
export function criterionExpressions(compiled: CompiledCriterion): {
  context: Expression[]
  condition: Expression[]
} {
  const { plan } = compiled
  const context = plan.context ? [plan.context] : []
  if (plan.type === 'simple') {
    return { context, condition: simpleConditionExpressions(plan.condition) }
  }
  const template = plan.template ?? []
  return { context, condition: template.filter(part => typeof part !== 'string') }
}

export function compileWarnings(compiled: CompiledCriterion): string[] {
  return [...compiled.warnings]
}

/** Pass or fail. Never throws: evaluation errors fail the criterion (1.1.0 draft). */
export function evaluateCriterion(compiled: CompiledCriterion, ctx: ExpressionContext): boolean {
  try {
    return evaluatePlan(compiled.plan, ctx)
  } catch {
    // Only pathological values get here (e.g. equality on a body nested deeper than the stack).
    return false
  }
}

function evaluatePlan(plan: CriterionPlan, ctx: ExpressionContext): boolean {
  switch (plan.type) {
    case 'simple': {
      const contextValue = plan.context ? evaluateExpression(plan.context, ctx) : undefined
      return evaluateSimpleCondition(plan.condition, ctx, contextValue)
    }
    case 'regex': {
      const value = evaluateExpression(plan.context, ctx)
      if (value === null || value === undefined) return false
      const regex = plan.regex ?? compileRegexQuietly(renderTemplate(plan.template ?? [], ctx))
      return regex !== undefined && regex.test(stringifyValue(value))
    }
    case 'jsonpath': {
      const value = evaluateExpression(plan.context, ctx)
      const jsonPath =
        plan.plan ?? planFor(renderTemplate(plan.template ?? [], ctx), plan.goessner === true)
      return evaluateJsonPathPlan(jsonPath, value)
    }
  }
}

/** All criteria pass (the spec's implicit AND); also returns the conditions that failed. */
export function evaluateCriteria(
  compiled: readonly CompiledCriterion[],
  ctx: ExpressionContext
): { passed: boolean; failed: string[] } {
  const failed = compiled
    .filter(criterion => !evaluateCriterion(criterion, ctx))
    .map(criterion => criterion.criterion.condition)
  return { passed: failed.length === 0, failed }
}

function criterionType(type: Criterion['type']): 'simple' | 'regex' | 'jsonpath' {
  if (type === undefined || type === 'simple') return 'simple'
  if (type === 'regex' || type === 'jsonpath') return type
  if (type === 'xpath') throw new ArazzoError('xpath criteria are not supported')
  if (typeof type === 'object' && type !== null) {
    const { type: kind, version } = type as { type?: unknown; version?: unknown }
    if (kind === 'jsonpath') {
      if (typeof version === 'string' && JSONPATH_VERSIONS.includes(version)) return 'jsonpath'
      throw new ArazzoError(`Unknown jsonpath version ${JSON.stringify(version)}`)
    }
    if (kind === 'xpath') {
      if (typeof version === 'string' && XPATH_VERSIONS.includes(version)) {
        throw new ArazzoError(`xpath criteria are not supported (${version})`)
      }
      throw new ArazzoError(`Unknown xpath version ${JSON.stringify(version)}`)
    }
    throw new ArazzoError(`Unknown criterion expression type ${JSON.stringify(kind)}`)
  }
  throw new ArazzoError(`Unknown criterion type ${JSON.stringify(type)}`)
}

/** How a jsonpath condition runs; a Goessner one is translated to RFC 9535 first. */
function planFor(condition: string, goessner: boolean): JsonPathPlan {
  if (!goessner) return planJsonPath(condition)
  let translated: string
  try {
    translated = translateGoessner(condition)
  } catch (error) {
    // Not a Goessner path: the seed's comparison form is accepted under either version.
    const fallback = planJsonPath(condition)
    if (fallback.form === 'comparison') return fallback
    return { form: 'invalid', reason: error instanceof Error ? error.message : String(error) }
  }
  return planJsonPath(translated)
}

function isGoessner(type: Criterion['type']): boolean {
  return typeof type === 'object' && type !== null && type.version === JSONPATH_VERSIONS[0]
}

/** The context is one runtime expression; `{$...}` around it is tolerated. */
function parseContext(context: unknown): Expression {
  if (typeof context !== 'string') throw new ArazzoError('A criterion context must be a string')
  const braced = /^\{(\$[^{}]*)\}$/.exec(context)
  if (!braced) return parseExpression(context)
  try {
    return parseExpression(braced[1])
  } catch (error) {
    if (!(error instanceof ArazzoSyntaxError)) throw error
    throw new ArazzoSyntaxError(context, error.position + 1, error.detail)
  }
}

/** An ECMAScript pattern on RE2; one RE2 cannot run is refused (see the module comment). */
function compileRegex(pattern: string): SafeRegex {
  try {
    return compileSafeRegex(pattern)
  } catch (error) {
    if (!(error instanceof RegexRefused)) throw error
    throw new ArazzoSyntaxError(pattern, 0, `Regular expression refused: ${error.message}`)
  }
}

/** A pattern made at run time (a template): undefined when RE2 cannot run it. */
function compileRegexQuietly(pattern: string): SafeRegex | undefined {
  try {
    return compileSafeRegex(pattern)
  } catch {
    return undefined
  }
}
