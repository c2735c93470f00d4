/**
 * Checks of operation steps against the operation they target, done at load time so that a step
 * that cannot build its request fails before any request is sent: every `{name}` of the
 * operation's path template must be given by an `in: path` parameter of the step (its own, the
 * workflow's, or a reusable one). The Arazzo examples say parameter names "must be resolvable at
 * the referenced operation"; a missing path value could only fail later, half-way through a run.
 */
import { stepParameters } from './request-builder.js'
import type { ArazzoDocument, ResolvedOperation, Step } from './types.js'
import { childPointer } from './document-nodes.js'
import type { ValidationProblem } from './validation-context.js'

export function checkPathParameters(
  document: ArazzoDocument,
  operations: ReadonlyMap<Step, ResolvedOperation>,
  problems: ValidationProblem[]
): void {
  document.workflows.forEach((workflow, w) => {
    workflow.steps.forEach((step, s) => {
      const operation = operations.get(step)
      if (!operation) return
      const given = stepParameters(document.components, workflow, step, true)
        .filter(p => p.in === 'path')
        .map(p => p.name)
      const needed = [...operation.pathTemplate.matchAll(/\{([^}]+)\}/g)].map(m => m[1])
      const missing = needed.filter(name => !given.includes(name))
      if (missing.length === 0) return
      const pointer = childPointer(childPointer(childPointer('workflows', w), 'steps'), s)
      problems.push({
        pointer,
        message:
          `${operation.method} ${operation.pathTemplate} needs path parameter${missing.length > 1 ? 's' : ''} ` +
          `${missing.map(name => `'${name}'`).join(', ')}, which no parameter of step '${step.stepId}' gives` +
          (given.length > 0
            ? ` (it gives ${given.map(name => `'${name}'`).join(', ')} in path)`
            : '')
      })
    })
  })
}
