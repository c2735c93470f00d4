/**
 * Choosing what happens after a step: the step's success or failure actions merged with the
 * workflow's (step ones first, `$components` references resolved), the first whose criteria all
 * pass, the `action` event that reports the choice, and the error a failed step ends its
 * workflow with (its request line and status, failed criteria, an exhausted retry). Pure
 * functions; the runner applies the chosen action.
 */

import { cached } from './compile-cache.js'
import { compileCriterion, evaluateCriterion } from './criteria.js'
import { isObject, lookupComponent, parseComponentReference } from './document-nodes.js'
import { ArazzoRuntimeError } from './errors.js'
import type { LoadedArazzo } from './loader.js'
import type { DistributiveOmit } from './run-control.js'
import type { Action, StepExecution } from './run-state.js'
import type {
  Criterion,
  EngineEvent,
  ExpressionContext,
  FailureAction,
  ReusableObject
} from './types.js'

/** Step actions first, then workflow-level ones the step does not override by name. */
export function mergeActions(
  doc: LoadedArazzo,
  stepActions: (Action | ReusableObject)[] | undefined,
  workflowActions: (Action | ReusableObject)[] | undefined,
  kind: 'successActions' | 'failureActions'
): Action[] {
  const resolve = (item: Action | ReusableObject): Action | undefined => {
    if (!('reference' in item) || item.reference === undefined) return item as Action
    const parsed = parseComponentReference(item.reference)
    const target = parsed && lookupComponent(doc.document.components, kind, parsed.name)
    return isObject(target) ? (target as unknown as Action) : undefined
  }
  const own = (stepActions ?? []).map(resolve).filter((a): a is Action => a !== undefined)
  const names = new Set(own.map(a => a.name))
  const inherited = (workflowActions ?? [])
    .map(resolve)
    .filter((a): a is Action => a !== undefined && !names.has(a.name))
  return [...own, ...inherited]
}

/** The first action whose criteria all pass (and that `usable` accepts). */
export function chooseAction(
  actions: Action[],
  ctx: ExpressionContext,
  usable: (action: FailureAction) => boolean = () => true
): Action | undefined {
  return actions.find(
    action =>
      (action.criteria ?? []).every(criterion => criterionPasses(criterion, ctx)) &&
      usable(action as FailureAction)
  )
}

export function criterionPasses(criterion: Criterion, ctx: ExpressionContext): boolean {
  try {
    const compiled = cached(criterion, 'criterion', () => compileCriterion(criterion))
    return evaluateCriterion(compiled, ctx)
  } catch {
    // Validated at load; a criterion that still cannot be evaluated does not pass.
    return false
  }
}

export function actionEvent(
  workflowId: string,
  stepId: string,
  action: Action
): DistributiveOmit<EngineEvent, 'at'> {
  return {
    type: 'action',
    workflowId,
    stepId,
    action: action.type,
    name: action.name,
    ...(action.stepId !== undefined || action.workflowId !== undefined
      ? { target: action.stepId ?? action.workflowId }
      : {})
  }
}

export function stepFailure(
  stepId: string,
  execution: StepExecution,
  exhausted?: FailureAction,
  note?: string
): ArazzoRuntimeError {
  const parts = [`step '${stepId}' failed: ${execution.description}`]
  if (execution.failed.length > 0) parts.push(`failed criteria: ${execution.failed.join('; ')}`)
  if (exhausted) {
    parts.push(`retry '${exhausted.name}' exhausted after ${exhausted.retryLimit ?? 1} attempt(s)`)
  }
  if (note) parts.push(note)
  return new ArazzoRuntimeError(parts.join('; '), stepId, execution.response?.status)
}
