/**
 * Validation of the values a document computes at run time: runtime expressions, parameter and
 * payload values that embed them (with the warnings about bare `$tokens` and expression
 * look-alikes), workflow and step outputs, and success/action criteria. Each is compiled here
 * exactly as the runner will compile it, so a syntax error is reported at load time with the
 * pointer of the field that holds it.
 */

import { compileCriterion, compileWarnings } from './criteria.js'
import { childPointer, isObject, KEY_PATTERN, type JsonObject } from './document-nodes.js'
import { ArazzoSyntaxError } from './errors.js'
import { compileValue, valueNotes } from './compiled-values.js'
import { parseExpression } from './expression-parser.js'
import type { Criterion } from './types.js'
import { FIELDS, messageOf, type ValidationContext } from './validation-context.js'

export function checkExpression(v: ValidationContext, text: unknown, pointer: string): void {
  if (typeof text !== 'string') {
    v.problem(pointer, 'must be a runtime expression string')
    return
  }
  try {
    parseExpression(text)
  } catch (error) {
    v.problem(pointer, messageOf(error))
  }
}

export function checkValue(v: ValidationContext, value: unknown, pointer: string): void {
  let notes: ReturnType<typeof valueNotes>
  try {
    notes = valueNotes(compileValue(value))
  } catch (error) {
    v.problem(pointer, messageOf(error))
    return
  }
  for (const token of notes.bare) {
    v.warn(
      pointer,
      `'${token}' inside a string is substituted as a compatibility rule; Arazzo 1.0.1 writes an embedded expression as '{${token}}'`
    )
  }
  for (const { text, reason } of notes.notExpressions) {
    v.warn(pointer, `'${text}' is not a runtime expression (${reason}): it is sent as text`)
  }
}

/** An output value: `$...` must parse as an expression; other strings may template `{$...}`. */
export function checkOutput(v: ValidationContext, value: unknown, pointer: string): void {
  if (typeof value !== 'string') {
    v.problem(pointer, 'an output must be a runtime expression string')
    return
  }
  if (value.startsWith('$')) checkExpression(v, value, pointer)
  else checkValue(v, value, pointer)
}

export function checkOutputs(v: ValidationContext, value: unknown, pointer: string): void {
  if (value === undefined) return
  if (!isObject(value)) {
    v.problem(pointer, 'outputs must be a map of names to runtime expressions')
    return
  }
  for (const [key, expression] of Object.entries(value)) {
    const at = childPointer(pointer, key)
    if (!KEY_PATTERN.test(key)) {
      v.problem(at, `output name '${key}' must match ${KEY_PATTERN.source}`)
    }
    checkOutput(v, expression, at)
  }
}

export function checkCriteria(v: ValidationContext, value: unknown, pointer: string): void {
  const items = v.list(value, pointer, 'criteria')
  items?.forEach((item, i) => checkCriterion(v, item, childPointer(pointer, i)))
}

export function checkCriterion(v: ValidationContext, value: unknown, pointer: string): void {
  if (!isObject(value)) {
    v.problem(pointer, 'a criterion must be an object')
    return
  }
  v.knownFields(value, pointer, FIELDS.criterion)
  if (isObject(value.type)) {
    v.knownFields(value.type, childPointer(pointer, 'type'), FIELDS.expressionType)
  }
  if (v.requireString(value, 'condition', pointer) === undefined) return
  // The criteria module owns the rules on types and contexts (e.g. a jsonpath criterion
  // without context defaults to $response.body with a warning; a regex one is an error).
  try {
    const compiled = compileCriterion(value as unknown as Criterion)
    for (const warning of compileWarnings(compiled)) v.warn(pointer, warning)
  } catch (error) {
    v.problem(criterionErrorPointer(value, pointer, error), messageOf(error))
  }
}

/** A syntax error points at the field whose text it quotes; other errors at the criterion. */
function criterionErrorPointer(criterion: JsonObject, pointer: string, error: unknown): string {
  if (!(error instanceof ArazzoSyntaxError)) return pointer
  if (typeof criterion.context === 'string' && error.source === criterion.context) {
    return childPointer(pointer, 'context')
  }
  return childPointer(pointer, 'condition')
}
