/**
 * Validation of Success and Failure Action Objects, on steps, on workflows and under components:
 * their fixed fields, types (end/goto, plus retry for failures), goto targets (a step of the same
 * workflow or a workflow reference), retry bounds, criteria and unique names. A component action's
 * step target is checked where it is used, since only the using workflow knows its steps.
 */

import { childPointer, isObject, type ComponentKind, type JsonObject } from './document-nodes.js'
import { checkReusable, checkWorkflowReference } from './validate-references.js'
import { checkCriteria } from './validate-values.js'
import { FIELDS, type ValidationContext, type WorkflowScope } from './validation-context.js'

export function checkActions(
  v: ValidationContext,
  value: unknown,
  pointer: string,
  kind: 'success' | 'failure',
  scope: WorkflowScope
): void {
  const items = v.list(value, pointer, kind === 'success' ? 'success actions' : 'failure actions')
  if (!items) return
  const names = new Set<string>()
  const componentKind: ComponentKind = kind === 'success' ? 'successActions' : 'failureActions'
  items.forEach((item, i) => {
    const at = childPointer(pointer, i)
    if (!isObject(item)) {
      v.problem(at, 'an action must be an object')
      return
    }
    let action: JsonObject | undefined = item
    if (item.reference !== undefined) {
      v.knownFields(item, at, FIELDS.reusable)
      const target = checkReusable(v, item, at, componentKind)
      action = isObject(target) ? target : undefined
      // The component's own shape was checked under components; its step target depends on
      // the workflow it is used in.
      if (action && typeof action.stepId === 'string' && !scope.stepIds.has(action.stepId)) {
        v.problem(
          at,
          `${componentKind} '${String(action.name)}' goes to step '${action.stepId}', which is not in workflow '${scope.workflowId}'`
        )
      }
    } else {
      checkAction(v, item, at, kind, scope)
    }
    if (!action || typeof action.name !== 'string') return
    if (names.has(action.name)) v.problem(at, `duplicate action name '${action.name}'`)
    names.add(action.name)
  })
}

/** A Success or Failure Action Object; scope undefined for components (step targets unknown). */
export function checkAction(
  v: ValidationContext,
  action: JsonObject,
  pointer: string,
  kind: 'success' | 'failure',
  scope: WorkflowScope | undefined
): void {
  v.knownFields(action, pointer, kind === 'success' ? FIELDS.successAction : FIELDS.failureAction)
  v.requireString(action, 'name', pointer)
  const type = v.requireString(action, 'type', pointer)
  const allowed = kind === 'success' ? ['end', 'goto'] : ['end', 'goto', 'retry']
  if (type !== undefined && !allowed.includes(type)) {
    v.problem(childPointer(pointer, 'type'), `type must be ${allowed.join(' or ')}, not '${type}'`)
  }
  const stepId = v.optionalString(action, 'stepId', pointer)
  const workflowId = v.optionalString(action, 'workflowId', pointer)
  if (type === 'goto' && action.stepId === undefined && action.workflowId === undefined) {
    v.problem(pointer, 'goto needs stepId or workflowId')
  }
  if (action.stepId !== undefined && action.workflowId !== undefined) {
    v.problem(pointer, 'stepId and workflowId are mutually exclusive')
  }
  if (type === 'end' && (action.stepId !== undefined || action.workflowId !== undefined)) {
    v.warn(pointer, 'stepId/workflowId are ignored on an end action')
  }
  if (stepId !== undefined && scope && !scope.stepIds.has(stepId)) {
    v.problem(
      childPointer(pointer, 'stepId'),
      `no step '${stepId}' in workflow '${scope.workflowId}'`
    )
  }
  if (workflowId !== undefined)
    checkWorkflowReference(v, workflowId, childPointer(pointer, 'workflowId'))
  if (kind === 'failure') {
    const retryAfter = action.retryAfter
    if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !(retryAfter >= 0))) {
      v.problem(
        childPointer(pointer, 'retryAfter'),
        'retryAfter must be a non-negative number of seconds'
      )
    }
    const retryLimit = action.retryLimit
    if (
      retryLimit !== undefined &&
      (typeof retryLimit !== 'number' || !Number.isInteger(retryLimit) || retryLimit < 0)
    ) {
      v.problem(childPointer(pointer, 'retryLimit'), 'retryLimit must be a non-negative integer')
    }
    if (type !== 'retry' && (retryAfter !== undefined || retryLimit !== undefined)) {
      v.warn(pointer, 'retryAfter/retryLimit only apply to retry actions')
    }
  }
  if (action.criteria !== undefined)
    checkCriteria(v, action.criteria, childPointer(pointer, 'criteria'))
}
