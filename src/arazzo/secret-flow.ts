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
 * The check reads the text of every value the engine evaluates (parameter values, payloads,
 * replacements, outputs, criterion conditions and contexts) for references to a secret:
 * `$inputs.<name>`, `$workflows.<id>.inputs.<name>`, and `$request.header.<name>` for a header that
 * carries a secret. Reading the text rather than one parsed form covers every place an expression
 * can sit (bare, `{$...}`, inside a simple condition or a regex template) at the price of refusing
 * a string literal that merely mentions one, which no DSAR document needs.
 */
import type { ValidationProblem } from './validation-context.js'
import {
  childPointer,
  isObject,
  lookupComponent,
  parseComponentReference
} from './document-nodes.js'
import type { ArazzoDocument, Components } from './types.js'

type Json = Record<string, unknown>

/** Characters that end a name segment of a runtime expression (see NAME_SEGMENT in expression-parser.ts). */
const NAME_END = String.raw`(?![^\s.#{}$,;'"()[\]<>=!&|/\\])`
/** Header names are RFC 9110 tokens; what follows one is not a tchar. */
const TOKEN_END = String.raw`(?![!#$%&'*+\-.^_\`|~0-9A-Za-z])`

/**
 * Every use of a secret input the document makes outside request headers, as load problems (JSON
 * Pointer of the offending value, what it would reach). `secretInputs` are input names.
 */
export function checkSecretFlow(
  document: ArazzoDocument,
  secretInputs: readonly string[]
): ValidationProblem[] {
  if (secretInputs.length === 0) return []
  const check = new SecretFlow(document, secretInputs)
  check.run()
  return check.problems
}

class SecretFlow {
  readonly problems: ValidationProblem[] = []
  private readonly secrets: RegExp
  /** Header names (lower case) some step fills from a secret. */
  private readonly secretHeaders = new Set<string>()
  /** Values read later for `$request.header.<secret header>` (known only after all headers). */
  private readonly scanned: { value: unknown; pointer: string; reaches: string }[] = []

  constructor(
    private readonly document: ArazzoDocument,
    private readonly secretInputs: readonly string[]
  ) {
    const names = secretInputs.map(escapeRegex).join('|')
    this.secrets = new RegExp(
      String.raw`\$(?:inputs|workflows\.[A-Za-z0-9_-]+\.inputs)\.(${names})${NAME_END}`
    )
  }

  run(): void {
    const components: Components = this.document.components ?? {}
    this.document.workflows.forEach((workflow, w) => {
      const at = childPointer('workflows', w)
      workflow.steps.forEach((step, s) => {
        const stepAt = childPointer(childPointer(at, 'steps'), s)
        const isOperation = step.workflowId === undefined
        const parameters = [
          ...listed(workflow.parameters, childPointer(at, 'parameters')),
          ...listed(step.parameters, childPointer(stepAt, 'parameters'))
        ]
        for (const { item, pointer } of parameters) {
          this.parameter(item, pointer, isOperation, step.stepId, step.workflowId, components)
        }
        this.forbid(step.requestBody, childPointer(stepAt, 'requestBody'), 'a request body')
        this.forbid(step.successCriteria, childPointer(stepAt, 'successCriteria'), 'criteria')
        this.forbid(step.onSuccess, childPointer(stepAt, 'onSuccess'), 'criteria')
        this.forbid(step.onFailure, childPointer(stepAt, 'onFailure'), 'criteria')
        this.forbid(step.outputs, childPointer(stepAt, 'outputs'), 'an output')
      })
      this.forbid(workflow.successActions, childPointer(at, 'successActions'), 'criteria')
      this.forbid(workflow.failureActions, childPointer(at, 'failureActions'), 'criteria')
      this.forbid(workflow.outputs, childPointer(at, 'outputs'), 'an output')
    })
    for (const kind of ['successActions', 'failureActions'] as const) {
      this.forbid(components[kind], childPointer('components', kind), 'criteria')
    }
    this.secretHeaderReads()
  }

  /** A parameter: a header of an operation step, or a secret input of a child workflow, may carry one. */
  private parameter(
    item: unknown,
    pointer: string,
    isOperation: boolean,
    stepId: string,
    childWorkflow: string | undefined,
    components: Components
  ): void {
    if (!isObject(item)) return
    let parameter: Json = item
    let valueAt = childPointer(pointer, 'value')
    if (typeof item.reference === 'string') {
      const parsed = parseComponentReference(item.reference)
      const target = parsed && lookupComponent(components, 'parameters', parsed.name)
      if (!parsed || !isObject(target)) return // reported by validation
      const overridden = item.value !== undefined
      parameter = { ...target, ...(overridden && { value: item.value }) }
      if (!overridden)
        valueAt = childPointer(childPointer('components/parameters', parsed.name), 'value')
    }
    const name = typeof parameter.name === 'string' ? parameter.name : ''
    const secret = this.firstSecret(parameter.value)
    if (secret === undefined) {
      this.scanned.push({
        value: parameter.value,
        pointer: valueAt,
        reaches: `parameter '${name}'`
      })
      return
    }
    if (isOperation && parameter.in === 'header') {
      this.secretHeaders.add(name.toLowerCase())
      return
    }
    if (!isOperation && this.secretInputs.includes(name)) return
    const reaches = isOperation
      ? `the ${String(parameter.in ?? 'unplaced')} parameter '${name}' of step '${stepId}'`
      : `input '${name}' of workflow '${childWorkflow}' (only an input of the same secret name may receive it)`
    this.refuse(valueAt, secret, reaches)
  }

  /** Nothing under `value` may read a secret. */
  private forbid(value: unknown, pointer: string, reaches: string): void {
    for (const found of strings(value, pointer)) {
      this.scanned.push({ ...found, reaches })
      const secret = this.firstSecret(found.value)
      if (secret !== undefined) this.refuse(found.pointer, secret, reaches)
    }
  }

  /** `$request.header.Authorization` would read the secret back out of the request. */
  private secretHeaderReads(): void {
    if (this.secretHeaders.size === 0) return
    const names = [...this.secretHeaders].map(escapeRegex).join('|')
    const reads = new RegExp(String.raw`\$request\.header\.(${names})${TOKEN_END}`, 'i')
    for (const { value, pointer, reaches } of this.scanned) {
      for (const found of strings(value, pointer)) {
        const match = reads.exec(found.value)
        if (!match) continue
        this.problems.push({
          pointer: found.pointer,
          message:
            `${match[0]} reads a header that carries a secret input; it would reach ${reaches}. ` +
            'Secret inputs may be used in request headers only'
        })
      }
    }
  }

  private firstSecret(value: unknown): string | undefined {
    for (const found of strings(value, '')) {
      const match = this.secrets.exec(found.value)
      if (match) return match[1]
    }
    return undefined
  }

  private refuse(pointer: string, secret: string, reaches: string): void {
    this.problems.push({
      pointer,
      message:
        `the secret input '${secret}' would reach ${reaches}: secret inputs may be used only in ` +
        'request headers of operation steps (and passed on as the same secret input of another workflow)'
    })
  }
}

/** The items of a parameter list with their pointers (non-lists were reported by validation). */
function listed(list: unknown, pointer: string): { item: unknown; pointer: string }[] {
  return Array.isArray(list)
    ? list.map((item, i) => ({ item, pointer: childPointer(pointer, i) }))
    : []
}

/**
 * Every string under a value, with its pointer, in document order; iterative, so no document depth
 * overflows it.
 */
function strings(value: unknown, pointer: string): { value: string; pointer: string }[] {
  const found: { value: string; pointer: string }[] = []
  const stack: { value: unknown; pointer: string }[] = [{ value, pointer }]
  while (stack.length > 0) {
    const { value: current, pointer: at } = stack.pop()!
    if (typeof current === 'string') found.push({ value: current, pointer: at })
    else if (Array.isArray(current) || isObject(current)) {
      const children = Object.entries(current).map(([key, item]) => ({
        value: item as unknown,
        pointer: childPointer(at, key)
      }))
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
    }
  }
  return found
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
