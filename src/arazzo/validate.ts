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
 *
 * This module walks the document, its source descriptions and its workflows; the checks of
 * values and criteria, references, actions, steps and components live in the validate-*.ts
 * modules beside it, all reporting into one ValidationContext.
 */

import { childPointer, isObject, NAME_PATTERN, type JsonObject } from './document-nodes.js'
import type { Workflow } from './types.js'
import { checkActions } from './validate-actions.js'
import { checkComponents } from './validate-components.js'
import { checkInputsRef, checkWorkflowReference } from './validate-references.js'
import { checkParameters, checkStep } from './validate-steps.js'
import { checkOutputs } from './validate-values.js'
import {
  FIELDS,
  ValidationContext,
  type ValidationResult,
  type WorkflowScope
} from './validation-context.js'

const ARAZZO_VERSION = /^1\.0\.\d+(-.+)?$/

/** Validates a parsed document; never throws (problems are returned). */
export function validateDocument(doc: unknown): ValidationResult {
  const context = new ValidationContext()
  checkDocument(context, doc)
  return { problems: context.problems, warnings: context.warnings }
}

function checkDocument(v: ValidationContext, doc: unknown): void {
  if (!isObject(doc)) {
    v.problem('', 'an Arazzo document must be an object')
    return
  }
  v.knownFields(doc, '', FIELDS.root)
  checkVersion(v, doc)
  checkInfo(v, doc.info)
  checkSourceDescriptions(v, doc.sourceDescriptions)
  if (doc.components !== undefined) {
    if (isObject(doc.components)) v.components = doc.components
    else v.problem('components', 'components must be an object')
  }
  const workflows = checkWorkflowList(v, doc.workflows)
  checkComponents(v)
  workflows.forEach((workflow, i) => {
    if (isObject(workflow)) checkWorkflow(v, workflow, childPointer('workflows', i))
  })
  checkDependencyCycles(v, workflows)
}

function checkVersion(v: ValidationContext, doc: JsonObject): void {
  if (doc.arazzo === undefined) v.problem('', 'arazzo is required')
  else if (typeof doc.arazzo !== 'string' || !ARAZZO_VERSION.test(doc.arazzo)) {
    v.problem('arazzo', `unsupported Arazzo version ${JSON.stringify(doc.arazzo)} (need 1.0.x)`)
  }
}

function checkInfo(v: ValidationContext, info: unknown): void {
  if (info === undefined) {
    v.problem('', 'info is required')
    return
  }
  if (!isObject(info)) {
    v.problem('info', 'info must be an object')
    return
  }
  v.knownFields(info, 'info', FIELDS.info)
  v.requireString(info, 'title', 'info')
  if (info.version === undefined) v.problem('info', 'version is required')
  else if (typeof info.version === 'number') {
    v.warn('info/version', 'version should be a string (quote it in YAML)')
  } else if (typeof info.version !== 'string') {
    v.problem('info/version', 'version must be a string')
  }
}

function checkSourceDescriptions(v: ValidationContext, value: unknown): void {
  if (value === undefined) {
    v.problem('', 'sourceDescriptions is required')
    return
  }
  const items = v.list(value, 'sourceDescriptions', 'sourceDescriptions')
  if (!items) return
  if (items.length === 0) v.problem('sourceDescriptions', 'sourceDescriptions must not be empty')
  items.forEach((item, i) => {
    const pointer = childPointer('sourceDescriptions', i)
    if (!isObject(item)) {
      v.problem(pointer, 'a source description must be an object')
      return
    }
    v.knownFields(item, pointer, FIELDS.source)
    const name = v.requireString(item, 'name', pointer)
    v.requireString(item, 'url', pointer)
    const type = v.optionalString(item, 'type', pointer)
    if (type !== undefined && type !== 'openapi' && type !== 'arazzo') {
      v.problem(childPointer(pointer, 'type'), `type must be openapi or arazzo, not '${type}'`)
    }
    if (name === undefined) return
    if (!NAME_PATTERN.test(name)) {
      v.warn(childPointer(pointer, 'name'), `name '${name}' should match ${NAME_PATTERN.source}`)
    }
    if (v.sourceTypes.has(name)) {
      v.problem(childPointer(pointer, 'name'), `duplicate source description name '${name}'`)
    }
    v.sourceTypes.set(name, type)
  })
}

function checkWorkflowList(v: ValidationContext, value: unknown): unknown[] {
  if (value === undefined) {
    v.problem('', 'workflows is required')
    return []
  }
  const items = v.list(value, 'workflows', 'workflows')
  if (!items) return []
  if (items.length === 0) v.problem('workflows', 'workflows must not be empty')
  items.forEach((item, i) => {
    const pointer = childPointer('workflows', i)
    if (!isObject(item)) {
      v.problem(pointer, 'a workflow must be an object')
      return
    }
    const id = v.requireString(item, 'workflowId', pointer)
    if (id === undefined) return
    if (v.workflowIds.has(id)) {
      v.problem(childPointer(pointer, 'workflowId'), `duplicate workflowId '${id}'`)
    }
    if (!NAME_PATTERN.test(id)) {
      v.warn(
        childPointer(pointer, 'workflowId'),
        `workflowId '${id}' should match ${NAME_PATTERN.source}`
      )
    }
    v.workflowIds.add(id)
  })
  return items
}

function checkWorkflow(v: ValidationContext, workflow: JsonObject, pointer: string): void {
  v.knownFields(workflow, pointer, FIELDS.workflow)
  v.optionalString(workflow, 'summary', pointer)
  v.optionalString(workflow, 'description', pointer)
  const scope: WorkflowScope = {
    workflowId: typeof workflow.workflowId === 'string' ? workflow.workflowId : '',
    stepIds: new Set()
  }
  checkInputs(v, workflow.inputs, childPointer(pointer, 'inputs'))
  const dependsOn = v.list(workflow.dependsOn, childPointer(pointer, 'dependsOn'), 'dependsOn')
  dependsOn?.forEach((id, i) => {
    const at = childPointer(childPointer(pointer, 'dependsOn'), i)
    if (typeof id !== 'string') v.problem(at, 'dependsOn entries must be workflowIds')
    else if (id === scope.workflowId) v.problem(at, 'a workflow cannot depend on itself')
    else checkWorkflowReference(v, id, at)
  })

  const stepsPointer = childPointer(pointer, 'steps')
  const steps =
    workflow.steps === undefined ? undefined : v.list(workflow.steps, stepsPointer, 'steps')
  if (workflow.steps === undefined) v.problem(pointer, 'steps is required')
  else if (steps && steps.length === 0) v.problem(stepsPointer, 'steps must not be empty')
  // Step ids first: actions may jump forward.
  steps?.forEach((step, i) => {
    const at = childPointer(stepsPointer, i)
    if (!isObject(step)) {
      v.problem(at, 'a step must be an object')
      return
    }
    const id = v.requireString(step, 'stepId', at)
    if (id === undefined) return
    if (!NAME_PATTERN.test(id)) {
      v.warn(childPointer(at, 'stepId'), `stepId '${id}' should match ${NAME_PATTERN.source}`)
    }
    if (scope.stepIds.has(id)) {
      v.problem(
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
  checkParameters(v, workflow.parameters, childPointer(pointer, 'parameters'), hasOperationStep)
  checkActions(
    v,
    workflow.successActions,
    childPointer(pointer, 'successActions'),
    'success',
    scope
  )
  checkActions(
    v,
    workflow.failureActions,
    childPointer(pointer, 'failureActions'),
    'failure',
    scope
  )
  steps?.forEach((step, i) => {
    if (isObject(step)) checkStep(v, step, childPointer(stepsPointer, i), scope)
  })
  checkOutputs(v, workflow.outputs, childPointer(pointer, 'outputs'))
}

function checkInputs(v: ValidationContext, value: unknown, pointer: string): void {
  if (value === undefined) return
  if (!isObject(value)) {
    v.problem(pointer, 'inputs must be a JSON Schema object')
    return
  }
  if (typeof value.$ref === 'string') checkInputsRef(v, value.$ref, childPointer(pointer, '$ref'))
}

function checkDependencyCycles(v: ValidationContext, workflows: unknown[]): void {
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
        v.problem(
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
