/**
 * Structural validation of an Arazzo 1.0.x document, done once at load time so a broken document
 * fails before any request is sent. Every problem carries the JSON Pointer of the offending node
 * (`workflows/0/steps/1/onSuccess/0`), and every runtime expression and criterion is compiled here
 * so syntax errors surface with their pointers instead of half-way through a run.
 *
 * MUST rules of the spec are errors, among them unknown fixed fields (only `x-` extensions may be
 * added: a misspelt `successcriteria` would otherwise be ignored and the step pass on any 2xx).
 * SHOULD rules (the `[A-Za-z0-9_-]+` naming of ids and names) and the engine's compatibility
 * rules (a bare `$inputs.x` inside a string is substituted) are warnings.
 */

import { compileCriterion, compileWarnings } from './criteria.js'
import { ArazzoError, ArazzoLoadError, ArazzoSyntaxError } from './errors.js'
import { compileValue, parseExpression, valueNotes } from './expressions.js'
import { escapePointerToken } from './json-pointer.js'
import type { Components, Criterion, Workflow } from './types.js'

export interface ValidationProblem {
  pointer: string
  message: string
}

export interface ValidationResult {
  problems: ValidationProblem[]
  warnings: string[]
}

/** An ArazzoLoadError that lists every problem found (the first one's pointer is `pointer`). */
export class ArazzoValidationError extends ArazzoLoadError {
  constructor(readonly problems: readonly ValidationProblem[]) {
    const [first, ...rest] = problems
    const more = rest.map(p => `\n  ${p.pointer ? `${p.pointer}: ` : ''}${p.message}`).join('')
    const count =
      rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : ''
    super(first.pointer, `${first.message}${count}${more}`)
    // Callers test `name`; this is a load error that happens to carry a list.
    this.name = 'ArazzoLoadError'
  }
}

export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/
/** Keys of outputs and components maps. */
export const KEY_PATTERN = /^[a-zA-Z0-9.\-_]+$/
export const PARAMETER_LOCATIONS = ['path', 'query', 'header', 'cookie'] as const
const ARAZZO_VERSION = /^1\.0\.\d+(-.+)?$/

type JsonObject = Record<string, unknown>
export type ComponentKind = 'inputs' | 'parameters' | 'successActions' | 'failureActions'

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `parent/child` in the pointer style of load errors (no leading '/', RFC 6901 escapes). */
export function childPointer(parent: string, key: string | number): string {
  const token = escapePointerToken(String(key))
  return parent === '' ? token : `${parent}/${token}`
}

/** `$components.parameters.page` => { kind: 'parameters', name: 'page' } (names may hold dots). */
export function parseComponentReference(
  reference: string
): { kind: ComponentKind; name: string } | undefined {
  const match = /^\$components\.(inputs|parameters|successActions|failureActions)\.(.+)$/.exec(
    reference
  )
  return match ? { kind: match[1] as ComponentKind, name: match[2] } : undefined
}

/** The component a reference names, if the document has it. */
export function lookupComponent(
  components: Components | undefined,
  kind: ComponentKind,
  name: string
): unknown {
  const map = components?.[kind]
  return isObject(map) && Object.hasOwn(map, name) ? map[name] : undefined
}

/** `$sourceDescriptions.name.rest` split, for workflow references into other documents. */
export function parseSourceReference(
  text: string
): { sourceName: string; rest: string } | undefined {
  const match = /^\$sourceDescriptions\.([A-Za-z0-9_-]+)\.(.+)$/.exec(text)
  return match ? { sourceName: match[1], rest: match[2] } : undefined
}

const compileCache = new WeakMap<object, Map<string, unknown>>()

/**
 * Memoizes a compilation on the object it came from (a parameter, a criterion...), so the
 * runner compiles each expression once however often a step polls.
 */
export function cached<T>(owner: object, key: string, make: () => T): T {
  let entries = compileCache.get(owner)
  if (!entries) {
    entries = new Map()
    compileCache.set(owner, entries)
  }
  if (!entries.has(key)) entries.set(key, make())
  return entries.get(key) as T
}

const FIELDS = {
  root: ['arazzo', 'info', 'sourceDescriptions', 'workflows', 'components'],
  info: ['title', 'summary', 'description', 'version'],
  source: ['name', 'url', 'type'],
  workflow: [
    'workflowId',
    'summary',
    'description',
    'inputs',
    'dependsOn',
    'steps',
    'successActions',
    'failureActions',
    'outputs',
    'parameters'
  ],
  step: [
    'stepId',
    'description',
    'operationId',
    'operationPath',
    'workflowId',
    'parameters',
    'requestBody',
    'successCriteria',
    'onSuccess',
    'onFailure',
    'outputs'
  ],
  parameter: ['name', 'in', 'value'],
  reusable: ['reference', 'value'],
  successAction: ['name', 'type', 'workflowId', 'stepId', 'criteria'],
  failureAction: ['name', 'type', 'workflowId', 'stepId', 'retryAfter', 'retryLimit', 'criteria'],
  criterion: ['context', 'condition', 'type'],
  expressionType: ['type', 'version'],
  requestBody: ['contentType', 'payload', 'replacements'],
  replacement: ['target', 'value'],
  components: ['inputs', 'parameters', 'successActions', 'failureActions']
} as const

interface WorkflowScope {
  workflowId: string
  stepIds: Set<string>
}

class Validator {
  readonly problems: ValidationProblem[] = []
  readonly warnings: string[] = []
  private readonly sourceTypes = new Map<string, string | undefined>()
  private readonly workflowIds = new Set<string>()
  private components: JsonObject = {}

  problem(pointer: string, message: string): void {
    this.problems.push({ pointer, message })
  }

  warn(pointer: string, message: string): void {
    this.warnings.push(pointer ? `${pointer}: ${message}` : message)
  }

  knownFields(value: JsonObject, pointer: string, fields: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!fields.includes(key) && !key.startsWith('x-')) {
        const near = fields.find(field => field.toLowerCase() === key.toLowerCase())
        this.problem(
          childPointer(pointer, key),
          `unknown field '${key}'${near ? ` (did you mean '${near}'?)` : ''}: Arazzo 1.0.1 allows only its fixed fields and x- extensions here`
        )
      }
    }
  }

  requireString(value: JsonObject, key: string, pointer: string): string | undefined {
    const field = value[key]
    if (field === undefined) {
      this.problem(pointer, `${key} is required`)
      return undefined
    }
    if (typeof field !== 'string') {
      this.problem(childPointer(pointer, key), `${key} must be a string`)
      return undefined
    }
    return field
  }

  optionalString(value: JsonObject, key: string, pointer: string): string | undefined {
    const field = value[key]
    if (field === undefined) return undefined
    if (typeof field !== 'string') {
      this.problem(childPointer(pointer, key), `${key} must be a string`)
      return undefined
    }
    return field
  }

  list(value: unknown, pointer: string, what: string): unknown[] | undefined {
    if (value === undefined) return undefined
    if (!Array.isArray(value)) {
      this.problem(pointer, `${what} must be a list`)
      return undefined
    }
    return value
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  expression(text: unknown, pointer: string): void {
    if (typeof text !== 'string') {
      this.problem(pointer, 'must be a runtime expression string')
      return
    }
    try {
      parseExpression(text)
    } catch (error) {
      this.problem(pointer, messageOf(error))
    }
  }

  value(value: unknown, pointer: string): void {
    let notes: ReturnType<typeof valueNotes>
    try {
      notes = valueNotes(compileValue(value))
    } catch (error) {
      this.problem(pointer, messageOf(error))
      return
    }
    for (const token of notes.bare) {
      this.warn(
        pointer,
        `'${token}' inside a string is substituted as a compatibility rule; Arazzo 1.0.1 writes an embedded expression as '{${token}}'`
      )
    }
    for (const { text, reason } of notes.notExpressions) {
      this.warn(pointer, `'${text}' is not a runtime expression (${reason}): it is sent as text`)
    }
  }

  /** An output value: `$...` must parse as an expression; other strings may template `{$...}`. */
  output(value: unknown, pointer: string): void {
    if (typeof value !== 'string') {
      this.problem(pointer, 'an output must be a runtime expression string')
      return
    }
    if (value.startsWith('$')) this.expression(value, pointer)
    else this.value(value, pointer)
  }

  outputs(value: unknown, pointer: string): void {
    if (value === undefined) return
    if (!isObject(value)) {
      this.problem(pointer, 'outputs must be a map of names to runtime expressions')
      return
    }
    for (const [key, expression] of Object.entries(value)) {
      const at = childPointer(pointer, key)
      if (!KEY_PATTERN.test(key)) {
        this.problem(at, `output name '${key}' must match ${KEY_PATTERN.source}`)
      }
      this.output(expression, at)
    }
  }

  criteria(value: unknown, pointer: string): void {
    const items = this.list(value, pointer, 'criteria')
    items?.forEach((item, i) => this.criterion(item, childPointer(pointer, i)))
  }

  criterion(value: unknown, pointer: string): void {
    if (!isObject(value)) {
      this.problem(pointer, 'a criterion must be an object')
      return
    }
    this.knownFields(value, pointer, FIELDS.criterion)
    if (isObject(value.type)) {
      this.knownFields(value.type, childPointer(pointer, 'type'), FIELDS.expressionType)
    }
    if (this.requireString(value, 'condition', pointer) === undefined) return
    // The criteria module owns the rules on types and contexts (e.g. a jsonpath criterion
    // without context defaults to $response.body with a warning; a regex one is an error).
    try {
      const compiled = compileCriterion(value as unknown as Criterion)
      for (const warning of compileWarnings(compiled)) this.warn(pointer, warning)
    } catch (error) {
      this.problem(criterionErrorPointer(value, pointer, error), messageOf(error))
    }
  }

  // -------------------------------------------------------------------------------------------
  // Document
  // -------------------------------------------------------------------------------------------

  document(doc: unknown): void {
    if (!isObject(doc)) {
      this.problem('', 'an Arazzo document must be an object')
      return
    }
    this.knownFields(doc, '', FIELDS.root)
    this.version(doc)
    this.info(doc.info)
    this.sourceDescriptions(doc.sourceDescriptions)
    if (doc.components !== undefined) {
      if (isObject(doc.components)) this.components = doc.components
      else this.problem('components', 'components must be an object')
    }
    const workflows = this.workflowList(doc.workflows)
    this.componentsObject()
    workflows.forEach((workflow, i) => {
      if (isObject(workflow)) this.workflow(workflow, childPointer('workflows', i))
    })
    this.dependencyCycles(workflows)
  }

  version(doc: JsonObject): void {
    if (doc.arazzo === undefined) this.problem('', 'arazzo is required')
    else if (typeof doc.arazzo !== 'string' || !ARAZZO_VERSION.test(doc.arazzo)) {
      this.problem(
        'arazzo',
        `unsupported Arazzo version ${JSON.stringify(doc.arazzo)} (need 1.0.x)`
      )
    }
  }

  info(info: unknown): void {
    if (info === undefined) {
      this.problem('', 'info is required')
      return
    }
    if (!isObject(info)) {
      this.problem('info', 'info must be an object')
      return
    }
    this.knownFields(info, 'info', FIELDS.info)
    this.requireString(info, 'title', 'info')
    if (info.version === undefined) this.problem('info', 'version is required')
    else if (typeof info.version === 'number') {
      this.warn('info/version', 'version should be a string (quote it in YAML)')
    } else if (typeof info.version !== 'string') {
      this.problem('info/version', 'version must be a string')
    }
  }

  sourceDescriptions(value: unknown): void {
    if (value === undefined) {
      this.problem('', 'sourceDescriptions is required')
      return
    }
    const items = this.list(value, 'sourceDescriptions', 'sourceDescriptions')
    if (!items) return
    if (items.length === 0)
      this.problem('sourceDescriptions', 'sourceDescriptions must not be empty')
    items.forEach((item, i) => {
      const pointer = childPointer('sourceDescriptions', i)
      if (!isObject(item)) {
        this.problem(pointer, 'a source description must be an object')
        return
      }
      this.knownFields(item, pointer, FIELDS.source)
      const name = this.requireString(item, 'name', pointer)
      this.requireString(item, 'url', pointer)
      const type = this.optionalString(item, 'type', pointer)
      if (type !== undefined && type !== 'openapi' && type !== 'arazzo') {
        this.problem(childPointer(pointer, 'type'), `type must be openapi or arazzo, not '${type}'`)
      }
      if (name === undefined) return
      if (!NAME_PATTERN.test(name)) {
        this.warn(
          childPointer(pointer, 'name'),
          `name '${name}' should match ${NAME_PATTERN.source}`
        )
      }
      if (this.sourceTypes.has(name)) {
        this.problem(childPointer(pointer, 'name'), `duplicate source description name '${name}'`)
      }
      this.sourceTypes.set(name, type)
    })
  }

  workflowList(value: unknown): unknown[] {
    if (value === undefined) {
      this.problem('', 'workflows is required')
      return []
    }
    const items = this.list(value, 'workflows', 'workflows')
    if (!items) return []
    if (items.length === 0) this.problem('workflows', 'workflows must not be empty')
    items.forEach((item, i) => {
      const pointer = childPointer('workflows', i)
      if (!isObject(item)) {
        this.problem(pointer, 'a workflow must be an object')
        return
      }
      const id = this.requireString(item, 'workflowId', pointer)
      if (id === undefined) return
      if (this.workflowIds.has(id)) {
        this.problem(childPointer(pointer, 'workflowId'), `duplicate workflowId '${id}'`)
      }
      if (!NAME_PATTERN.test(id)) {
        this.warn(
          childPointer(pointer, 'workflowId'),
          `workflowId '${id}' should match ${NAME_PATTERN.source}`
        )
      }
      this.workflowIds.add(id)
    })
    return items
  }

  /** A workflowId in a step, action or dependsOn: local, or `$sourceDescriptions.x.id`. */
  workflowReference(id: string, pointer: string): void {
    const external = parseSourceReference(id)
    if (external) {
      if (!this.sourceTypes.has(external.sourceName)) {
        this.problem(pointer, `no source description named '${external.sourceName}'`)
      } else if (this.sourceTypes.get(external.sourceName) === 'openapi') {
        this.problem(
          pointer,
          `'${external.sourceName}' is an OpenAPI source description, which has no workflows: name a workflow of this document, or of an arazzo source description as $sourceDescriptions.<name>.<workflowId>`
        )
      }
      // An arazzo source's workflows are checked once it is loaded (source-loader.ts).
      return
    }
    if (!this.workflowIds.has(id)) this.problem(pointer, `no workflow '${id}' in this document`)
  }

  workflow(workflow: JsonObject, pointer: string): void {
    this.knownFields(workflow, pointer, FIELDS.workflow)
    this.optionalString(workflow, 'summary', pointer)
    this.optionalString(workflow, 'description', pointer)
    const scope: WorkflowScope = {
      workflowId: typeof workflow.workflowId === 'string' ? workflow.workflowId : '',
      stepIds: new Set()
    }
    this.inputs(workflow.inputs, childPointer(pointer, 'inputs'))
    const dependsOn = this.list(workflow.dependsOn, childPointer(pointer, 'dependsOn'), 'dependsOn')
    dependsOn?.forEach((id, i) => {
      const at = childPointer(childPointer(pointer, 'dependsOn'), i)
      if (typeof id !== 'string') this.problem(at, 'dependsOn entries must be workflowIds')
      else if (id === scope.workflowId) this.problem(at, 'a workflow cannot depend on itself')
      else this.workflowReference(id, at)
    })

    const stepsPointer = childPointer(pointer, 'steps')
    const steps =
      workflow.steps === undefined ? undefined : this.list(workflow.steps, stepsPointer, 'steps')
    if (workflow.steps === undefined) this.problem(pointer, 'steps is required')
    else if (steps && steps.length === 0) this.problem(stepsPointer, 'steps must not be empty')
    // Step ids first: actions may jump forward.
    steps?.forEach((step, i) => {
      const at = childPointer(stepsPointer, i)
      if (!isObject(step)) {
        this.problem(at, 'a step must be an object')
        return
      }
      const id = this.requireString(step, 'stepId', at)
      if (id === undefined) return
      if (!NAME_PATTERN.test(id)) {
        this.warn(childPointer(at, 'stepId'), `stepId '${id}' should match ${NAME_PATTERN.source}`)
      }
      if (scope.stepIds.has(id)) {
        this.problem(
          childPointer(at, 'stepId'),
          `duplicate stepId '${id}' in workflow '${scope.workflowId}'`
        )
      }
      scope.stepIds.add(id)
    })
    const hasOperationStep =
      steps?.some(
        s => isObject(s) && (s.operationId !== undefined || s.operationPath !== undefined)
      ) ?? false
    this.parameters(workflow.parameters, childPointer(pointer, 'parameters'), hasOperationStep)
    this.actions(workflow.successActions, childPointer(pointer, 'successActions'), 'success', scope)
    this.actions(workflow.failureActions, childPointer(pointer, 'failureActions'), 'failure', scope)
    steps?.forEach((step, i) => {
      if (isObject(step)) this.step(step, childPointer(stepsPointer, i), scope)
    })
    this.outputs(workflow.outputs, childPointer(pointer, 'outputs'))
  }

  inputs(value: unknown, pointer: string): void {
    if (value === undefined) return
    if (!isObject(value)) {
      this.problem(pointer, 'inputs must be a JSON Schema object')
      return
    }
    if (typeof value.$ref === 'string') this.inputsRef(value.$ref, childPointer(pointer, '$ref'))
  }

  inputsRef(ref: string, pointer: string): void {
    const match = /^#\/components\/inputs\/(.+)$/.exec(ref)
    if (!match) {
      if (ref.startsWith('#')) this.problem(pointer, `'${ref}' must point into #/components/inputs`)
      else this.warn(pointer, `external schema reference '${ref}' is not resolved`)
      return
    }
    const name = match[1].replace(/~1/g, '/').replace(/~0/g, '~')
    if (lookupComponent(this.components as Components, 'inputs', name) === undefined) {
      this.problem(pointer, `no components.inputs entry '${name}'`)
    }
  }

  step(step: JsonObject, pointer: string, scope: WorkflowScope): void {
    this.knownFields(step, pointer, FIELDS.step)
    this.optionalString(step, 'description', pointer)
    const kinds = (['operationId', 'operationPath', 'workflowId'] as const).filter(
      k => step[k] !== undefined
    )
    if (kinds.length === 0) {
      this.problem(pointer, 'a step needs one of operationId, operationPath or workflowId')
    } else if (kinds.length > 1) {
      this.problem(pointer, `${kinds.join(' and ')} are mutually exclusive`)
    }
    const operationId = this.optionalString(step, 'operationId', pointer)
    if (operationId !== undefined)
      this.operationId(operationId, childPointer(pointer, 'operationId'))
    const operationPath = this.optionalString(step, 'operationPath', pointer)
    if (operationPath !== undefined) {
      const match = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#/.exec(operationPath)
      if (!match) {
        this.problem(
          childPointer(pointer, 'operationPath'),
          'operationPath must look like {$sourceDescriptions.<name>.url}#/paths/<path>/<method>'
        )
      } else if (!this.sourceTypes.has(match[1])) {
        this.problem(
          childPointer(pointer, 'operationPath'),
          `no source description named '${match[1]}'`
        )
      }
    }
    const workflowId = this.optionalString(step, 'workflowId', pointer)
    if (workflowId !== undefined) {
      if (workflowId === scope.workflowId) {
        this.warn(
          childPointer(pointer, 'workflowId'),
          'the step calls its own workflow (bounded by the nesting limit)'
        )
      }
      this.workflowReference(workflowId, childPointer(pointer, 'workflowId'))
    }
    const isOperation = operationId !== undefined || operationPath !== undefined
    this.parameters(step.parameters, childPointer(pointer, 'parameters'), isOperation)
    if (step.requestBody !== undefined) {
      if (!isOperation)
        this.warn(childPointer(pointer, 'requestBody'), 'ignored on a workflow step')
      this.requestBody(step.requestBody, childPointer(pointer, 'requestBody'))
    }
    if (step.successCriteria !== undefined) {
      this.criteria(step.successCriteria, childPointer(pointer, 'successCriteria'))
    }
    this.actions(step.onSuccess, childPointer(pointer, 'onSuccess'), 'success', scope)
    this.actions(step.onFailure, childPointer(pointer, 'onFailure'), 'failure', scope)
    this.outputs(step.outputs, childPointer(pointer, 'outputs'))
  }

  /** `$sourceDescriptions.<name>.<id>`, or a bare id when there is one OpenAPI source (a MUST). */
  operationId(operationId: string, pointer: string): void {
    const external = parseSourceReference(operationId)
    if (external) {
      const type = this.sourceTypes.get(external.sourceName)
      if (!this.sourceTypes.has(external.sourceName)) {
        this.problem(pointer, `no source description named '${external.sourceName}'`)
      } else if (type === 'arazzo') {
        this.problem(
          pointer,
          `'${external.sourceName}' is an arazzo source description: an operationId must name an OpenAPI one (for a workflow, use workflowId)`
        )
      }
      return
    }
    const openapi = [...this.sourceTypes].filter(([, type]) => type !== 'arazzo')
    if (openapi.length > 1) {
      this.problem(
        pointer,
        `the document has several OpenAPI source descriptions (${openapi.map(([name]) => name).join(', ')}), so operationId must name one: write $sourceDescriptions.<name>.${operationId}`
      )
    }
  }

  parameters(value: unknown, pointer: string, needsLocation: boolean): void {
    const items = this.list(value, pointer, 'parameters')
    if (!items) return
    const seen = new Set<string>()
    items.forEach((item, i) => {
      const at = childPointer(pointer, i)
      if (!isObject(item)) {
        this.problem(at, 'a parameter must be an object')
        return
      }
      let parameter: JsonObject | undefined = item
      if (item.reference !== undefined) {
        this.knownFields(item, at, FIELDS.reusable)
        const target = this.reusable(item, at, 'parameters')
        parameter = isObject(target) ? target : undefined
      } else {
        this.parameter(item, at, needsLocation)
      }
      if (!parameter || typeof parameter.name !== 'string') return
      const key = `${parameter.name}\u0000${typeof parameter.in === 'string' ? parameter.in : ''}`
      if (seen.has(key)) {
        this.problem(
          at,
          `duplicate parameter '${parameter.name}'${parameter.in ? ` in ${parameter.in}` : ''}`
        )
      }
      seen.add(key)
      if (needsLocation && parameter !== item && parameter.in === undefined) {
        this.problem(at, `parameter '${parameter.name}' needs 'in' for an operation step`)
      }
    })
  }

  parameter(parameter: JsonObject, pointer: string, needsLocation: boolean): void {
    this.knownFields(parameter, pointer, FIELDS.parameter)
    this.requireString(parameter, 'name', pointer)
    const location = parameter.in
    if (location === undefined) {
      if (needsLocation) this.problem(pointer, "in is required for an operation step's parameters")
    } else if (
      typeof location !== 'string' ||
      !(PARAMETER_LOCATIONS as readonly string[]).includes(location)
    ) {
      this.problem(
        childPointer(pointer, 'in'),
        `in must be one of ${PARAMETER_LOCATIONS.join(', ')}`
      )
    }
    if (!Object.hasOwn(parameter, 'value')) this.problem(pointer, 'value is required')
    else this.value(parameter.value, childPointer(pointer, 'value'))
  }

  /** Checks a Reusable Object and returns the component it names (undefined if broken). */
  reusable(item: JsonObject, pointer: string, kind: ComponentKind): unknown {
    const reference = item.reference
    const at = childPointer(pointer, 'reference')
    if (typeof reference !== 'string') {
      this.problem(at, 'reference must be a $components expression string')
      return undefined
    }
    const parsed = parseComponentReference(reference)
    if (!parsed || parsed.kind !== kind) {
      this.problem(at, `reference must look like $components.${kind}.<name>, not '${reference}'`)
      return undefined
    }
    const target = lookupComponent(this.components as Components, kind, parsed.name)
    if (target === undefined) {
      this.problem(at, `no components.${kind} entry '${parsed.name}'`)
      return undefined
    }
    if (item.value !== undefined) {
      if (kind === 'parameters') this.value(item.value, childPointer(pointer, 'value'))
      else this.warn(childPointer(pointer, 'value'), 'value only applies to parameter references')
    }
    return target
  }

  requestBody(value: unknown, pointer: string): void {
    if (!isObject(value)) {
      this.problem(pointer, 'requestBody must be an object')
      return
    }
    this.knownFields(value, pointer, FIELDS.requestBody)
    this.optionalString(value, 'contentType', pointer)
    if (value.payload !== undefined) this.value(value.payload, childPointer(pointer, 'payload'))
    const replacementsPointer = childPointer(pointer, 'replacements')
    this.list(value.replacements, replacementsPointer, 'replacements')?.forEach((item, i) => {
      const at = childPointer(replacementsPointer, i)
      if (!isObject(item)) {
        this.problem(at, 'a replacement must be an object')
        return
      }
      this.knownFields(item, at, FIELDS.replacement)
      const target = this.requireString(item, 'target', at)
      if (target !== undefined && target !== '' && !target.startsWith('/')) {
        this.problem(
          childPointer(at, 'target'),
          'target must be a JSON Pointer (XPath targets are not supported)'
        )
      }
      if (!Object.hasOwn(item, 'value')) this.problem(at, 'value is required')
      else this.value(item.value, childPointer(at, 'value'))
    })
  }

  actions(
    value: unknown,
    pointer: string,
    kind: 'success' | 'failure',
    scope: WorkflowScope
  ): void {
    const items = this.list(
      value,
      pointer,
      kind === 'success' ? 'success actions' : 'failure actions'
    )
    if (!items) return
    const names = new Set<string>()
    const componentKind: ComponentKind = kind === 'success' ? 'successActions' : 'failureActions'
    items.forEach((item, i) => {
      const at = childPointer(pointer, i)
      if (!isObject(item)) {
        this.problem(at, 'an action must be an object')
        return
      }
      let action: JsonObject | undefined = item
      if (item.reference !== undefined) {
        this.knownFields(item, at, FIELDS.reusable)
        const target = this.reusable(item, at, componentKind)
        action = isObject(target) ? target : undefined
        // The component's own shape was checked under components; its step target depends on
        // the workflow it is used in.
        if (action && typeof action.stepId === 'string' && !scope.stepIds.has(action.stepId)) {
          this.problem(
            at,
            `${componentKind} '${String(action.name)}' goes to step '${action.stepId}', which is not in workflow '${scope.workflowId}'`
          )
        }
      } else {
        this.action(item, at, kind, scope)
      }
      if (!action || typeof action.name !== 'string') return
      if (names.has(action.name)) this.problem(at, `duplicate action name '${action.name}'`)
      names.add(action.name)
    })
  }

  /** A Success or Failure Action Object; scope undefined for components (step targets unknown). */
  action(
    action: JsonObject,
    pointer: string,
    kind: 'success' | 'failure',
    scope: WorkflowScope | undefined
  ): void {
    this.knownFields(
      action,
      pointer,
      kind === 'success' ? FIELDS.successAction : FIELDS.failureAction
    )
    this.requireString(action, 'name', pointer)
    const type = this.requireString(action, 'type', pointer)
    const allowed = kind === 'success' ? ['end', 'goto'] : ['end', 'goto', 'retry']
    if (type !== undefined && !allowed.includes(type)) {
      this.problem(
        childPointer(pointer, 'type'),
        `type must be ${allowed.join(' or ')}, not '${type}'`
      )
    }
    const stepId = this.optionalString(action, 'stepId', pointer)
    const workflowId = this.optionalString(action, 'workflowId', pointer)
    if (type === 'goto' && action.stepId === undefined && action.workflowId === undefined) {
      this.problem(pointer, 'goto needs stepId or workflowId')
    }
    if (action.stepId !== undefined && action.workflowId !== undefined) {
      this.problem(pointer, 'stepId and workflowId are mutually exclusive')
    }
    if (type === 'end' && (action.stepId !== undefined || action.workflowId !== undefined)) {
      this.warn(pointer, 'stepId/workflowId are ignored on an end action')
    }
    if (stepId !== undefined && scope && !scope.stepIds.has(stepId)) {
      this.problem(
        childPointer(pointer, 'stepId'),
        `no step '${stepId}' in workflow '${scope.workflowId}'`
      )
    }
    if (workflowId !== undefined)
      this.workflowReference(workflowId, childPointer(pointer, 'workflowId'))
    if (kind === 'failure') {
      const retryAfter = action.retryAfter
      if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !(retryAfter >= 0))) {
        this.problem(
          childPointer(pointer, 'retryAfter'),
          'retryAfter must be a non-negative number of seconds'
        )
      }
      const retryLimit = action.retryLimit
      if (
        retryLimit !== undefined &&
        (typeof retryLimit !== 'number' || !Number.isInteger(retryLimit) || retryLimit < 0)
      ) {
        this.problem(
          childPointer(pointer, 'retryLimit'),
          'retryLimit must be a non-negative integer'
        )
      }
      if (type !== 'retry' && (retryAfter !== undefined || retryLimit !== undefined)) {
        this.warn(pointer, 'retryAfter/retryLimit only apply to retry actions')
      }
    }
    if (action.criteria !== undefined)
      this.criteria(action.criteria, childPointer(pointer, 'criteria'))
  }

  componentsObject(): void {
    const components = this.components
    this.knownFields(components, 'components', FIELDS.components)
    const maps: ComponentKind[] = ['inputs', 'parameters', 'successActions', 'failureActions']
    for (const kind of maps) {
      const map = components[kind]
      const pointer = childPointer('components', kind)
      if (map === undefined) continue
      if (!isObject(map)) {
        this.problem(pointer, `components.${kind} must be a map`)
        continue
      }
      for (const [key, entry] of Object.entries(map)) {
        const at = childPointer(pointer, key)
        if (!KEY_PATTERN.test(key))
          this.problem(at, `component name '${key}' must match ${KEY_PATTERN.source}`)
        if (!isObject(entry)) {
          this.problem(at, `a components.${kind} entry must be an object`)
          continue
        }
        if (kind === 'parameters') this.parameter(entry, at, false)
        else if (kind === 'successActions') this.action(entry, at, 'success', undefined)
        else if (kind === 'failureActions') this.action(entry, at, 'failure', undefined)
      }
    }
  }

  dependencyCycles(workflows: unknown[]): void {
    const graph = new Map<string, { deps: string[]; index: number }>()
    workflows.forEach((w, index) => {
      if (!isObject(w) || typeof w.workflowId !== 'string') return
      const deps = Array.isArray(w.dependsOn)
        ? w.dependsOn.filter((d): d is string => typeof d === 'string')
        : []
      graph.set(w.workflowId, { deps, index })
    })
    const state = new Map<string, 'visiting' | 'done'>()
    const reported = new Set<string>()
    const visit = (id: string, trail: string[]): void => {
      const node = graph.get(id)
      if (!node || state.get(id) === 'done') return
      if (state.get(id) === 'visiting') {
        const cycle = [...trail.slice(trail.indexOf(id)), id]
        if (cycle.length > 2 && !reported.has(id)) {
          reported.add(id)
          this.problem(
            childPointer(childPointer('workflows', node.index), 'dependsOn'),
            `circular dependsOn: ${cycle.join(' -> ')}`
          )
        }
        return
      }
      state.set(id, 'visiting')
      for (const dep of node.deps) visit(dep, [...trail, id])
      state.set(id, 'done')
    }
    for (const id of graph.keys()) visit(id, [])
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

function messageOf(error: unknown): string {
  if (error instanceof ArazzoError || error instanceof Error) return error.message
  return String(error)
}

/** Validates a parsed document; never throws (problems are returned). */
export function validateDocument(doc: unknown): ValidationResult {
  const validator = new Validator()
  validator.document(doc)
  return { problems: validator.problems, warnings: validator.warnings }
}

/** The names a workflow's inputs schema declares (after the loader resolved `$ref`s). */
export function workflowInputNames(workflow: Workflow): {
  properties: string[]
  required: string[]
} {
  const schema = workflow.inputs
  const properties = isObject(schema?.properties) ? Object.keys(schema.properties) : []
  const required = Array.isArray(schema?.required)
    ? schema.required.filter((name): name is string => typeof name === 'string')
    : []
  return { properties, required }
}
