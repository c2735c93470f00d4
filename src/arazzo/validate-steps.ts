/**
 * Validation of Step Objects: exactly one of operationId, operationPath or workflowId (and that
 * it names something real), parameters (locations, duplicates, references), the request body and
 * its JSON Pointer replacements, success criteria, onSuccess/onFailure actions and outputs.
 */

import { childPointer, isObject, PARAMETER_LOCATIONS, type JsonObject } from './document-nodes.js'
import { checkActions } from './validate-actions.js'
import { checkOperationId, checkReusable, checkWorkflowReference } from './validate-references.js'
import { checkCriteria, checkOutputs, checkValue } from './validate-values.js'
import { FIELDS, type ValidationContext, type WorkflowScope } from './validation-context.js'

export function checkStep(
  v: ValidationContext,
  step: JsonObject,
  pointer: string,
  scope: WorkflowScope
): void {
  v.knownFields(step, pointer, FIELDS.step)
  v.optionalString(step, 'description', pointer)
  const kinds = (['operationId', 'operationPath', 'workflowId'] as const).filter(
    k => step[k] !== undefined
  )
  if (kinds.length === 0) {
    v.problem(pointer, 'a step needs one of operationId, operationPath or workflowId')
  } else if (kinds.length > 1) {
    v.problem(pointer, `${kinds.join(' and ')} are mutually exclusive`)
  }
  const operationId = v.optionalString(step, 'operationId', pointer)
  if (operationId !== undefined)
    checkOperationId(v, operationId, childPointer(pointer, 'operationId'))
  const operationPath = v.optionalString(step, 'operationPath', pointer)
  if (operationPath !== undefined) {
    const match = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#/.exec(operationPath)
    if (!match) {
      v.problem(
        childPointer(pointer, 'operationPath'),
        'operationPath must look like {$sourceDescriptions.<name>.url}#/paths/<path>/<method>'
      )
    } else if (!v.sourceTypes.has(match[1])) {
      v.problem(childPointer(pointer, 'operationPath'), `no source description named '${match[1]}'`)
    }
  }
  const workflowId = v.optionalString(step, 'workflowId', pointer)
  if (workflowId !== undefined) {
    if (workflowId === scope.workflowId) {
      v.warn(
        childPointer(pointer, 'workflowId'),
        'the step calls its own workflow (bounded by the nesting limit)'
      )
    }
    checkWorkflowReference(v, workflowId, childPointer(pointer, 'workflowId'))
  }
  const isOperation = operationId !== undefined || operationPath !== undefined
  checkParameters(v, step.parameters, childPointer(pointer, 'parameters'), isOperation)
  if (step.requestBody !== undefined) {
    if (!isOperation) v.warn(childPointer(pointer, 'requestBody'), 'ignored on a workflow step')
    checkRequestBody(v, step.requestBody, childPointer(pointer, 'requestBody'))
  }
  if (step.successCriteria !== undefined) {
    checkCriteria(v, step.successCriteria, childPointer(pointer, 'successCriteria'))
  }
  checkActions(v, step.onSuccess, childPointer(pointer, 'onSuccess'), 'success', scope)
  checkActions(v, step.onFailure, childPointer(pointer, 'onFailure'), 'failure', scope)
  checkOutputs(v, step.outputs, childPointer(pointer, 'outputs'))
}

export function checkParameters(
  v: ValidationContext,
  value: unknown,
  pointer: string,
  needsLocation: boolean
): void {
  const items = v.list(value, pointer, 'parameters')
  if (!items) return
  const seen = new Set<string>()
  items.forEach((item, i) => {
    const at = childPointer(pointer, i)
    if (!isObject(item)) {
      v.problem(at, 'a parameter must be an object')
      return
    }
    let parameter: JsonObject | undefined = item
    if (item.reference !== undefined) {
      v.knownFields(item, at, FIELDS.reusable)
      const target = checkReusable(v, item, at, 'parameters')
      parameter = isObject(target) ? target : undefined
    } else {
      checkParameter(v, item, at, needsLocation)
    }
    if (!parameter || typeof parameter.name !== 'string') return
    const key = `${parameter.name}\u0000${typeof parameter.in === 'string' ? parameter.in : ''}`
    if (seen.has(key)) {
      v.problem(
        at,
        `duplicate parameter '${parameter.name}'${parameter.in ? ` in ${parameter.in}` : ''}`
      )
    }
    seen.add(key)
    if (needsLocation && parameter !== item && parameter.in === undefined) {
      v.problem(at, `parameter '${parameter.name}' needs 'in' for an operation step`)
    }
  })
}

export function checkParameter(
  v: ValidationContext,
  parameter: JsonObject,
  pointer: string,
  needsLocation: boolean
): void {
  v.knownFields(parameter, pointer, FIELDS.parameter)
  v.requireString(parameter, 'name', pointer)
  const location = parameter.in
  if (location === undefined) {
    if (needsLocation) v.problem(pointer, "in is required for an operation step's parameters")
  } else if (
    typeof location !== 'string' ||
    !(PARAMETER_LOCATIONS as readonly string[]).includes(location)
  ) {
    v.problem(childPointer(pointer, 'in'), `in must be one of ${PARAMETER_LOCATIONS.join(', ')}`)
  }
  if (!Object.hasOwn(parameter, 'value')) v.problem(pointer, 'value is required')
  else checkValue(v, parameter.value, childPointer(pointer, 'value'))
}

export function checkRequestBody(v: ValidationContext, value: unknown, pointer: string): void {
  if (!isObject(value)) {
    v.problem(pointer, 'requestBody must be an object')
    return
  }
  v.knownFields(value, pointer, FIELDS.requestBody)
  v.optionalString(value, 'contentType', pointer)
  if (value.payload !== undefined) checkValue(v, value.payload, childPointer(pointer, 'payload'))
  const replacementsPointer = childPointer(pointer, 'replacements')
  v.list(value.replacements, replacementsPointer, 'replacements')?.forEach((item, i) => {
    const at = childPointer(replacementsPointer, i)
    if (!isObject(item)) {
      v.problem(at, 'a replacement must be an object')
      return
    }
    v.knownFields(item, at, FIELDS.replacement)
    const target = v.requireString(item, 'target', at)
    if (target !== undefined && target !== '' && !target.startsWith('/')) {
      v.problem(
        childPointer(at, 'target'),
        'target must be a JSON Pointer (XPath targets are not supported)'
      )
    }
    if (!Object.hasOwn(item, 'value')) v.problem(at, 'value is required')
    else checkValue(v, item.value, childPointer(at, 'value'))
  })
}
