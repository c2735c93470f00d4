/**
 * Validation of the references a document makes to things outside the node being checked:
 * workflowIds (local, or `$sourceDescriptions.<name>.<id>` into an arazzo source), operationIds
 * (which OpenAPI source they name), `$components` Reusable Objects and `#/components/inputs`
 * schema references. Each reference is resolved against what the ValidationContext has learnt of
 * the document, so a dangling one fails at load time rather than mid-run.
 */

import {
  childPointer,
  lookupComponent,
  parseComponentReference,
  parseSourceReference,
  type ComponentKind,
  type JsonObject
} from './document-nodes.js'
import { checkValue } from './validate-values.js'
import type { ValidationContext } from './validation-context.js'

/** A workflowId in a step, action or dependsOn: local, or `$sourceDescriptions.x.id`. */
export function checkWorkflowReference(v: ValidationContext, id: string, pointer: string): void {
  const external = parseSourceReference(id)
  if (external) {
    if (!v.sourceTypes.has(external.sourceName)) {
      v.problem(pointer, `no source description named '${external.sourceName}'`)
    } else if (v.sourceTypes.get(external.sourceName) === 'openapi') {
      v.problem(
        pointer,
        `'${external.sourceName}' is an OpenAPI source description, which has no workflows: name a workflow of this document, or of an arazzo source description as $sourceDescriptions.<name>.<workflowId>`
      )
    }
    // An arazzo source's workflows are checked once it is loaded (source-loader.ts).
    return
  }
  if (!v.workflowIds.has(id)) v.problem(pointer, `no workflow '${id}' in this document`)
}

/** `$sourceDescriptions.<name>.<id>`, or a bare id when there is one OpenAPI source (a MUST). */
export function checkOperationId(v: ValidationContext, operationId: string, pointer: string): void {
  const external = parseSourceReference(operationId)
  if (external) {
    const type = v.sourceTypes.get(external.sourceName)
    if (!v.sourceTypes.has(external.sourceName)) {
      v.problem(pointer, `no source description named '${external.sourceName}'`)
    } else if (type === 'arazzo') {
      v.problem(
        pointer,
        `'${external.sourceName}' is an arazzo source description: an operationId must name an OpenAPI one (for a workflow, use workflowId)`
      )
    }
    return
  }
  const openapi = [...v.sourceTypes].filter(([, type]) => type !== 'arazzo')
  if (openapi.length > 1) {
    v.problem(
      pointer,
      `the document has several OpenAPI source descriptions (${openapi.map(([name]) => name).join(', ')}), so operationId must name one: write $sourceDescriptions.<name>.${operationId}`
    )
  }
}

/** Checks a Reusable Object and returns the component it names (undefined if broken). */
export function checkReusable(
  v: ValidationContext,
  item: JsonObject,
  pointer: string,
  kind: ComponentKind
): unknown {
  const reference = item.reference
  const at = childPointer(pointer, 'reference')
  if (typeof reference !== 'string') {
    v.problem(at, 'reference must be a $components expression string')
    return undefined
  }
  const parsed = parseComponentReference(reference)
  if (!parsed || parsed.kind !== kind) {
    v.problem(at, `reference must look like $components.${kind}.<name>, not '${reference}'`)
    return undefined
  }
  const target = lookupComponent(v.components, kind, parsed.name)
  if (target === undefined) {
    v.problem(at, `no components.${kind} entry '${parsed.name}'`)
    return undefined
  }
  if (item.value !== undefined) {
    if (kind === 'parameters') checkValue(v, item.value, childPointer(pointer, 'value'))
    else v.warn(childPointer(pointer, 'value'), 'value only applies to parameter references')
  }
  return target
}

export function checkInputsRef(v: ValidationContext, ref: string, pointer: string): void {
  const match = /^#\/components\/inputs\/(.+)$/.exec(ref)
  if (!match) {
    if (ref.startsWith('#')) v.problem(pointer, `'${ref}' must point into #/components/inputs`)
    else v.warn(pointer, `external schema reference '${ref}' is not resolved`)
    return
  }
  const name = match[1].replace(/~1/g, '/').replace(/~0/g, '~')
  if (lookupComponent(v.components, 'inputs', name) === undefined) {
    v.problem(pointer, `no components.inputs entry '${name}'`)
  }
}
