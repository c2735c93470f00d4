/**
 * Where a secret input may flow in a document: into request headers of operation steps (which the
 * caller's transport sends to the API's own origin only), and on to another workflow as an input of
 * the same secret name (where the same rule holds). Nowhere else: not into criteria, outputs, request
 * bodies, query, path or cookie parameters, nor into another workflow's other inputs.
 *
 * Why at load time, and why so strict: redaction catches a secret only where it appears whole. A
 * document with regex criteria on `$inputs.basicAuth`, one `goto` per candidate character, each
 * target step emitting a literal, rebuilds the credentials in its outputs character by character,
 * and no output then contains them. Only refusing the flow itself closes that.
 *
 * The check decides on PARSED expressions, from the same parsers the runner uses (compileValue for
 * values, compileCriterion for criteria), never on a second reading of the text: an earlier regex
 * over the text knew only ids of `[A-Za-z0-9_-]+`, so `$workflows.sub:x.inputs.basicAuth` (an id
 * the parser accepts) walked past it. One rule (`secretRead`) then says which parsed references
 * carry a secret: `$inputs.<secret>` and `$workflows.<any id>.inputs.<secret>` (with any property
 * path or JSON Pointer tail), and `$request.header.<name>` of a header some step fills from a
 * secret. Outputs never carry one (they may not read one), so `$steps`/`$workflows` outputs are
 * clean by induction. Every string under a refused place is also read as a value (whole
 * expression, `{$...}`, bare token), so a string the runner might evaluate in either form is seen.
 */
import { compileValue, expressionsIn } from './compiled-values.js'
import { compileCriterion, criterionExpressions } from './criteria.js'
import type { Expression } from './expression-parser.js'
import type { ValidationProblem } from './validation-context.js'
import {
  childPointer,
  isObject,
  lookupComponent,
  parseComponentReference
} from './document-nodes.js'
import type { ArazzoDocument, Components, Criterion } from './types.js'

type Json = Record<string, unknown>

/** A parsed expression and the JSON Pointer of the document string it came from. */
interface Found {
  expression: Expression
  pointer: string
}

/** A parameter value the check has read, with what the value would reach. */
interface ParameterUse {
  found: Found[]
  name: string
  reaches: string
  /** Header of an operation step: may carry a secret (and then makes its name a secret header). */
  header: boolean
  /** Input of a child workflow: may carry a secret of the same name. */
  childInput: boolean
}

/**
 * Every use of a secret input the document makes outside request headers, as load problems (JSON
 * Pointer of the offending value, what it would reach). `secretInputs` are input names.
 */
export function checkSecretFlow(
  document: ArazzoDocument,
  secretInputs: readonly string[]
): ValidationProblem[] {
  if (secretInputs.length === 0) return []
  const places: { found: Found[]; reaches: string }[] = []
  const parameters: ParameterUse[] = []
  collect(document, places, parameters)

  // Headers filled from a secret, or from a header filled from one: to a fixed point.
  const secretHeaders = new Set<string>()
  const secrets = new Set(secretInputs)
  for (let grew = true; grew;) {
    grew = false
    for (const use of parameters) {
      const name = use.name.toLowerCase()
      if (!use.header || secretHeaders.has(name)) continue
      if (use.found.some(f => secretRead(f.expression, secrets, secretHeaders))) {
        secretHeaders.add(name)
        grew = true
      }
    }
  }

  const problems: ValidationProblem[] = []
  const refuse = (found: Found[], reaches: string, allowed?: string): void => {
    for (const { expression, pointer } of found) {
      const secret = secretRead(expression, secrets, secretHeaders)
      if (secret === undefined || secret === allowed) continue
      problems.push({ pointer, message: message(secret, expression, reaches) })
    }
  }
  for (const use of parameters) {
    if (use.header) continue
    refuse(use.found, use.reaches, use.childInput && secrets.has(use.name) ? use.name : undefined)
  }
  for (const place of places) refuse(place.found, place.reaches)
  return dedupe(problems)
}

/**
 * The one rule: the secret input a parsed reference reads, if any. `$inputs.a.b` reads input
 * `a.b` or property `b` of input `a` (longest name first), so every prefix of the path counts.
 */
function secretRead(
  expression: Expression,
  secrets: ReadonlySet<string>,
  secretHeaders: ReadonlySet<string>
): string | undefined {
  const ref = expression.ref
  if (ref.source === 'inputs' || (ref.source === 'workflows' && ref.field === 'inputs')) {
    for (let n = 1; n <= ref.path.length; n++) {
      const name = ref.path.slice(0, n).join('.')
      if (secrets.has(name)) return name
    }
    return undefined
  }
  if (ref.source === 'request' && ref.part === 'header') {
    const name = ref.name.toLowerCase()
    if (secretHeaders.has(name)) return `header:${name}`
  }
  return undefined
}

function message(secret: string, expression: Expression, reaches: string): string {
  if (secret.startsWith('header:')) {
    return (
      `${expression.source} reads a header that carries a secret input; it would reach ${reaches}. ` +
      'Secret inputs may be used in request headers only'
    )
  }
  return (
    `the secret input '${secret}' would reach ${reaches}: secret inputs may be used only in ` +
    'request headers of operation steps (and passed on as the same secret input of another workflow)'
  )
}

/** Walks every place the runner evaluates: parameters apart, everything else refused outright. */
function collect(
  document: ArazzoDocument,
  places: { found: Found[]; reaches: string }[],
  parameters: ParameterUse[]
): void {
  const components: Components = document.components ?? {}
  const place = (value: unknown, pointer: string, reaches: string): void => {
    places.push({ found: expressionsUnder(value, pointer), reaches })
  }
  document.workflows.forEach((workflow, w) => {
    const at = childPointer('workflows', w)
    workflow.steps.forEach((step, s) => {
      const stepAt = childPointer(childPointer(at, 'steps'), s)
      const isOperation = step.workflowId === undefined
      const listedParameters = [
        ...listed(workflow.parameters, childPointer(at, 'parameters')),
        ...listed(step.parameters, childPointer(stepAt, 'parameters'))
      ]
      for (const { item, pointer } of listedParameters) {
        const use = parameterUse(
          item,
          pointer,
          isOperation,
          step.stepId,
          step.workflowId,
          components
        )
        if (use) parameters.push(use)
      }
      place(step.requestBody, childPointer(stepAt, 'requestBody'), 'a request body')
      place(step.successCriteria, childPointer(stepAt, 'successCriteria'), 'criteria')
      place(step.onSuccess, childPointer(stepAt, 'onSuccess'), 'criteria')
      place(step.onFailure, childPointer(stepAt, 'onFailure'), 'criteria')
      place(step.outputs, childPointer(stepAt, 'outputs'), 'an output')
    })
    place(workflow.successActions, childPointer(at, 'successActions'), 'criteria')
    place(workflow.failureActions, childPointer(at, 'failureActions'), 'criteria')
    place(workflow.outputs, childPointer(at, 'outputs'), 'an output')
  })
  for (const kind of ['successActions', 'failureActions'] as const) {
    place(components[kind], childPointer('components', kind), 'criteria')
  }
}

/** A parameter (resolved through its component reference) and the expressions its value reads. */
function parameterUse(
  item: unknown,
  pointer: string,
  isOperation: boolean,
  stepId: string,
  childWorkflow: string | undefined,
  components: Components
): ParameterUse | undefined {
  if (!isObject(item)) return undefined
  let parameter: Json = item
  let valueAt = childPointer(pointer, 'value')
  if (typeof item.reference === 'string') {
    const parsed = parseComponentReference(item.reference)
    const target = parsed && lookupComponent(components, 'parameters', parsed.name)
    if (!parsed || !isObject(target)) return undefined // reported by validation
    const overridden = item.value !== undefined
    parameter = { ...target, ...(overridden && { value: item.value }) }
    if (!overridden)
      valueAt = childPointer(childPointer('components/parameters', parsed.name), 'value')
  }
  const name = typeof parameter.name === 'string' ? parameter.name : ''
  const reaches = isOperation
    ? `the ${String(parameter.in ?? 'unplaced')} parameter '${name}' of step '${stepId}'`
    : `input '${name}' of workflow '${childWorkflow}' (only an input of the same secret name may receive it)`
  return {
    found: expressionsUnder(parameter.value, valueAt),
    name,
    reaches,
    header: isOperation && parameter.in === 'header',
    childInput: !isOperation
  }
}

/**
 * Every expression the runner could evaluate under a document value, parsed as the runner parses
 * it: each criterion-shaped object (a string `condition`) through compileCriterion, and each
 * string through compileValue. Iterative, so no document depth overflows it.
 */
function expressionsUnder(value: unknown, pointer: string): Found[] {
  const found: Found[] = []
  const stack: { value: unknown; pointer: string }[] = [{ value, pointer }]
  while (stack.length > 0) {
    const { value: current, pointer: at } = stack.pop()!
    if (typeof current === 'string') {
      for (const expression of valueExpressions(current)) found.push({ expression, pointer: at })
    } else if (Array.isArray(current) || isObject(current)) {
      if (isObject(current) && typeof current.condition === 'string') {
        found.push(...criterionUnder(current as unknown as Criterion, at))
      }
      // Pushed last-first, so problems come out in document order.
      const children = Object.entries(current)
      for (let i = children.length - 1; i >= 0; i--) {
        const [key, item] = children[i]
        stack.push({ value: item as unknown, pointer: childPointer(at, key) })
      }
    }
  }
  return found
}

function valueExpressions(text: string): Expression[] {
  try {
    return expressionsIn(compileValue(text))
  } catch {
    return [] // a `{$...}` that does not parse: validation reports it, and nothing runs it
  }
}

function criterionUnder(criterion: Criterion, pointer: string): Found[] {
  let parts: { context: Expression[]; condition: Expression[] }
  try {
    parts = criterionExpressions(compileCriterion(criterion))
  } catch {
    return [] // a criterion that does not compile is a validation problem, and never runs
  }
  return [
    ...parts.context.map(expression => ({ expression, pointer: childPointer(pointer, 'context') })),
    ...parts.condition.map(expression => ({
      expression,
      pointer: childPointer(pointer, 'condition')
    }))
  ]
}

/** The items of a parameter list with their pointers (non-lists were reported by validation). */
function listed(list: unknown, pointer: string): { item: unknown; pointer: string }[] {
  return Array.isArray(list)
    ? list.map((item, i) => ({ item, pointer: childPointer(pointer, i) }))
    : []
}

/** One problem per pointer and message (a string read both as a value and a criterion). */
function dedupe(problems: ValidationProblem[]): ValidationProblem[] {
  const seen = new Set<string>()
  return problems.filter(problem => {
    const key = `${problem.pointer}\n${problem.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
