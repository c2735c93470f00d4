/**
 * What every part of document validation shares: the problem and warning lists (with the error
 * that carries them out of the loader), the fixed fields Arazzo 1.0.1 allows on each object, and
 * the `ValidationContext` that the check modules (validate-values, validate-references,
 * validate-actions, validate-steps, validate-components, validate) report into. The context also
 * holds what one document's checks learn about it as they go (its source description types,
 * workflow ids and components), because later checks resolve references against them.
 */

import { ArazzoError, ArazzoLoadError } from './errors.js'
import { childPointer, type JsonObject } from './document-nodes.js'

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

/** The fixed fields of each Arazzo object; anything else must be an `x-` extension. */
export const FIELDS = {
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

/** What checks inside one workflow need to know about it (steps may be jumped to forward). */
export interface WorkflowScope {
  workflowId: string
  stepIds: Set<string>
}

/** Collects the problems (errors) and warnings of one document, and what its checks learnt. */
export class ValidationContext {
  readonly problems: ValidationProblem[] = []
  readonly warnings: string[] = []
  readonly sourceTypes = new Map<string, string | undefined>()
  readonly workflowIds = new Set<string>()
  components: JsonObject = {}

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
}

/** The message of anything thrown: an Error's own, or the value as text (never a stack trace). */
export function messageOf(error: unknown): string {
  if (error instanceof ArazzoError || error instanceof Error) return error.message
  return String(error)
}
