/**
 * What a loaded document points at, resolved once at load time so a run needs no lookups: each
 * step's operation (by `operationPath` or `operationId`, across its source descriptions), and the
 * `$ref`s of workflow input schemas. Problems are collected with their pointers, not thrown.
 */
import { childPointer, isObject } from './document-nodes.js'
import { findOperationByPointer, parseOperationIdRef, parseOperationPath } from './openapi.js'
import type { OpenApiIndex } from './openapi.js'
import type { ArazzoDocument, ResolvedOperation, Step } from './types.js'
import type { ValidationProblem } from './validation-context.js'

const MAX_REF_DEPTH = 32

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

export function resolveOperations(
  document: ArazzoDocument,
  sources: Map<string, OpenApiIndex>,
  operations: Map<Step, ResolvedOperation>,
  problems: ValidationProblem[]
): void {
  document.workflows.forEach((workflow, w) => {
    workflow.steps.forEach((step, s) => {
      const pointer = `workflows/${w}/steps/${s}`
      if (step.operationPath !== undefined) {
        const at = childPointer(pointer, 'operationPath')
        const parsed = parseOperationPath(step.operationPath)
        const index = parsed && sources.get(parsed.sourceName)
        if (!parsed || !index) return // reported by validation or by the source load
        const operation = findOperationByPointer(index, parsed.pointer)
        if (!operation) {
          problems.push({
            pointer: at,
            message: `'${parsed.pointer}' is not an operation of source description '${parsed.sourceName}' (expected #/paths/<path>/<method>)`
          })
        } else operations.set(step, operation)
      } else if (step.operationId !== undefined) {
        const at = childPointer(pointer, 'operationId')
        const ref = parseOperationIdRef(step.operationId)
        if (ref.sourceName !== undefined) {
          const index = sources.get(ref.sourceName)
          if (!index) return
          const operation = index.byOperationId.get(ref.operationId)
          if (operation) operations.set(step, operation)
          else {
            problems.push({
              pointer: at,
              message: `unknown operationId '${ref.operationId}' in source description '${ref.sourceName}'`
            })
          }
          return
        }
        const matches = [...sources.values()]
          .map(index => index.byOperationId.get(ref.operationId))
          .filter((op): op is ResolvedOperation => op !== undefined)
        if (matches.length === 1) operations.set(step, matches[0])
        else if (matches.length === 0) {
          problems.push({ pointer: at, message: `unknown operationId '${ref.operationId}'` })
        } else {
          const names = matches.map(m => m.sourceName).join(', ')
          problems.push({
            pointer: at,
            message: `operationId '${ref.operationId}' is in several source descriptions (${names}): write $sourceDescriptions.<name>.${ref.operationId}`
          })
        }
      }
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Workflow input schemas
// ---------------------------------------------------------------------------------------------

/**
 * Replaces `$ref: '#/components/inputs/x'` in workflow input schemas (at the top and in
 * properties) by the referenced schema, so required names and defaults can be read directly.
 */
export function dereferenceInputs(document: ArazzoDocument, problems: ValidationProblem[]): void {
  const inputs = document.components?.inputs ?? {}
  const resolveRef = (schema: unknown, pointer: string, depth: number): unknown => {
    if (!isObject(schema) || typeof schema.$ref !== 'string') return schema
    const match = /^#\/components\/inputs\/(.+)$/.exec(schema.$ref)
    if (!match) return schema
    if (depth >= MAX_REF_DEPTH) {
      problems.push({ pointer, message: `$ref chain deeper than ${MAX_REF_DEPTH} (circular?)` })
      return schema
    }
    const name = match[1].replace(/~1/g, '/').replace(/~0/g, '~')
    const target = Object.hasOwn(inputs, name) ? inputs[name] : undefined
    if (target === undefined) return schema // reported by validation
    const { $ref: _ignored, ...siblings } = schema
    const resolved = resolveRef(target, pointer, depth + 1)
    return isObject(resolved) ? { ...resolved, ...siblings } : resolved
  }
  document.workflows.forEach((workflow, i) => {
    if (workflow.inputs === undefined) return
    const pointer = childPointer(childPointer('workflows', i), 'inputs')
    const schema = resolveRef(workflow.inputs, pointer, 0)
    if (!isObject(schema)) return
    if (isObject(schema.properties)) {
      const properties: Record<string, unknown> = {}
      for (const [name, property] of Object.entries(schema.properties)) {
        properties[name] = resolveRef(
          property,
          childPointer(childPointer(pointer, 'properties'), name),
          0
        )
      }
      workflow.inputs = { ...schema, properties }
    } else {
      workflow.inputs = schema
    }
  })
}
