/**
 * One execution of one step. An operation step builds its request, sends it through the
 * injected transport (raced against the abort signal, refused past the deadline) and reads the
 * response; a `workflowId` step runs the child workflow with the step's parameters as inputs, and
 * its criteria see the child's last response and its outputs the child's outputs. Either way the
 * success criteria are checked and the step's outputs evaluated (also when the step failed: a
 * caller needs the last status), and the `stepStarted`, `request`, `response`, `criteria` and
 * `stepOutputs` events are emitted.
 */

import { ArazzoRuntimeError } from './errors.js'
import { buildRequest, lowerCaseKeys, parameterValue, stepParameters } from './request-builder.js'
import { raceAbort, Stop, type RunControl } from './run-control.js'
import { evaluateOutputs } from './run-outputs.js'
import type { StepExecution, Target, WorkflowOutcome, WorkflowState } from './run-state.js'
import { criterionPasses } from './step-actions.js'
import type { ExpressionContext, HttpResponse, Step } from './types.js'

/** What a step needs from the run that executes it. */
export interface StepHost {
  readonly control: RunControl
  baseContext(state: WorkflowState): ExpressionContext
  workflow(target: Target, inputs: Record<string, unknown>, depth: number): Promise<WorkflowOutcome>
}

export async function executeStep(
  run: StepHost,
  state: WorkflowState,
  step: Step
): Promise<StepExecution> {
  run.control.checkAborted(step.stepId)
  run.control.countStepExecution(step.stepId)
  const attempt = (state.runs.get(step.stepId) ?? 0) + 1
  state.runs.set(step.stepId, attempt)
  run.control.emit({
    type: 'stepStarted',
    workflowId: state.workflow.workflowId,
    stepId: step.stepId,
    attempt
  })
  return step.workflowId !== undefined
    ? executeWorkflowStep(run, state, step, step.workflowId)
    : executeOperationStep(run, state, step)
}

async function executeOperationStep(
  run: StepHost,
  state: WorkflowState,
  step: Step
): Promise<StepExecution> {
  const workflowId = state.workflow.workflowId
  const base = run.baseContext(state)
  const built = buildRequest({
    step,
    operation: state.doc.operation(step),
    parameters: stepParameters(state.doc.document.components, state.workflow, step, true),
    ctx: base,
    serverUrl: run.control.options.serverUrl
  })
  const deadline = run.control.options.deadline
  if (deadline !== undefined && run.control.clock.now() > deadline) {
    throw new Stop(
      'timedOut',
      new ArazzoRuntimeError(
        `deadline reached before step '${step.stepId}' could send its request` +
          run.control.lastStatusNote(),
        step.stepId,
        run.control.lastResponse?.status
      )
    )
  }
  run.control.emit({
    type: 'request',
    workflowId,
    stepId: step.stepId,
    request: run.control.redact(built.request)
  })
  let response: HttpResponse
  try {
    response = await raceAbort(
      run.control.options.transport(built.request, run.control.signal),
      run.control.signal
    )
  } catch (error) {
    run.control.checkAborted(step.stepId)
    // The caller's transport may throw its own typed errors: hand them back untouched.
    throw new Stop('failed', error instanceof Error ? error : new Error(String(error)))
  }
  run.control.lastResponse = response
  run.control.emit({ type: 'response', workflowId, stepId: step.stepId, status: response.status })
  const ctx: ExpressionContext = {
    ...base,
    url: built.request.url,
    method: built.request.method,
    statusCode: response.status,
    request: built.context,
    response: { headers: lowerCaseKeys(response.headers), body: response.body }
  }
  const failed = failedCriteria(step, ctx)
  const passed =
    step.successCriteria && step.successCriteria.length > 0
      ? failed.length === 0
      : response.status >= 200 && response.status < 300
  const description = `${built.request.method} ${safePath(built.request.url)} returned ${response.status}`
  return finishStep(run, state, step, ctx, passed, failed, description, response)
}

async function executeWorkflowStep(
  run: StepHost,

  state: WorkflowState,
  step: Step,
  targetId: string
): Promise<StepExecution> {
  const base = run.baseContext(state)
  const inputs: Record<string, unknown> = {}
  for (const parameter of stepParameters(
    state.doc.document.components,
    state.workflow,
    step,
    false
  )) {
    inputs[parameter.name] = parameterValue(parameter, base)
  }
  const outcome = await run.workflow(state.doc.resolveWorkflow(targetId), inputs, state.depth + 1)
  if (outcome.stopped) throw new Stop(outcome.status, outcome.error)
  const last = outcome.lastResponse
  const ctx: ExpressionContext = {
    ...base,
    outputs: outcome.outputs,
    statusCode: last?.status,
    response: last ? { headers: lowerCaseKeys(last.headers), body: last.body } : undefined
  }
  const failed = failedCriteria(step, ctx)
  const passed = outcome.status === 'succeeded' && failed.length === 0
  const description = `workflow '${targetId}' ended ${outcome.status}${
    outcome.error ? ` (${outcome.error.message})` : ''
  }`
  return finishStep(run, state, step, ctx, passed, failed, description, last)
}

function failedCriteria(step: Step, ctx: ExpressionContext): string[] {
  return (step.successCriteria ?? [])
    .filter(criterion => !criterionPasses(criterion, ctx))
    .map(criterion => criterion.condition)
}

function finishStep(
  run: StepHost,

  state: WorkflowState,
  step: Step,
  ctx: ExpressionContext,
  passed: boolean,
  failed: string[],
  description: string,
  response: HttpResponse | undefined
): StepExecution {
  const workflowId = state.workflow.workflowId
  run.control.emit({
    type: 'criteria',
    workflowId,
    stepId: step.stepId,
    passed,
    ...(failed.length > 0 ? { failed } : {})
  })
  const outputs = evaluateOutputs(step.outputs, ctx)
  state.steps[step.stepId] = { outputs }
  run.control.emit({ type: 'stepOutputs', workflowId, stepId: step.stepId, outputs })
  return { passed, ctx, failed, response, description }
}

/** The URL's path, for messages: never the query (it may carry keys) nor credentials. */
function safePath(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return '(invalid URL)'
  }
}
