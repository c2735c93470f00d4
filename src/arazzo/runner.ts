/**
 * Runs a loaded Arazzo workflow: builds each step's request, sends it through the injected
 * transport, checks success criteria, evaluates outputs, and follows success/failure actions.
 *
 * What the spec leaves to the runner, and how this one decides:
 * - A `goto` back to a step that already ran is a poll: it waits `pollSchedule.delayMs(n,
 *   Retry-After)` first (default 1 s fixed), because an unpaced loop hammers the provider.
 * - Every run is bounded: `maxSteps` (all step executions, nested ones too), a nesting depth of
 *   16, an optional `deadline` (no request starts and no wait ends past it: a wait that would
 *   end after it ends the run as `timedOut` at once) and an AbortSignal.
 * - Step outputs are evaluated whenever a response arrived, also when the step failed, and
 *   workflow outputs at the end of every run whatever its status: a caller needs the request id
 *   and last status even after a timeout.
 * - A retry whose limit is exhausted is skipped, so a later failure action can match (the spec:
 *   the limit "MUST be exhausted prior to executing subsequent failure actions"); if none does,
 *   the workflow fails.
 * - A `workflowId` step has no HTTP exchange of its own: its criteria see the child workflow's
 *   last response (`$statusCode`) and its outputs see the child's outputs as `$outputs`; it
 *   succeeds when the child succeeded and its criteria pass.
 * - Errors never include header values or bodies (they may hold credentials or personal data);
 *   `request` events show sensitive headers as '***'.
 *
 * This module runs workflows (inputs, dependsOn, outputs) and applies the chosen actions (next,
 * end, goto with its poll wait, retry, transfer to another workflow). One step's execution is in
 * step-execution.ts, the choice of action in step-actions.ts, output evaluation in
 * run-outputs.ts, and the run's bounds, waits and events in run-control.ts.
 */

import { isObject } from './document-nodes.js'
import { ArazzoRuntimeError } from './errors.js'
import type { LoadedArazzo } from './loader.js'
import { parseRetryAfter } from './pacing.js'
import { RunControl, Stop } from './run-control.js'
import { evaluateOutputs } from './run-outputs.js'
import type { DocumentScope, Target, WorkflowOutcome, WorkflowState } from './run-state.js'
import { actionEvent, chooseAction, mergeActions, stepFailure } from './step-actions.js'
import { executeStep, type StepHost } from './step-execution.js'
import type {
  ExpressionContext,
  FailureAction,
  RunOptions,
  RunResult,
  RunStatus,
  Workflow
} from './types.js'
import { workflowInputNames } from './validate.js'

export const MAX_WORKFLOW_DEPTH = 16

/**
 * Runs a workflow (default: the document's first; `$sourceDescriptions.<name>.<id>` names one of
 * an arazzo source description) to its end and reports how it ended.
 */
export async function runWorkflow(loaded: LoadedArazzo, options: RunOptions): Promise<RunResult> {
  const target =
    options.workflowId === undefined
      ? { loaded, workflow: loaded.workflow() }
      : loaded.resolveWorkflow(options.workflowId)
  const workflow = target.workflow
  const run = new Run(options)
  const outcome = await run.workflow(target, options.inputs ?? {}, 0)
  return {
    status: outcome.status,
    workflowId: workflow.workflowId,
    outputs: outcome.outputs,
    steps: outcome.steps,
    error: outcome.error,
    lastResponse: run.control.lastResponse,
    stepsExecuted: run.control.stepsExecuted
  }
}

class Run implements StepHost {
  readonly control: RunControl
  /** Per document: `$workflows` and `$sourceDescriptions` read their own document's. */
  private readonly scopes = new Map<LoadedArazzo, DocumentScope>()
  /** dependsOn workflows, by the workflow object (ids repeat across documents). */
  private readonly dependencies = new Map<Workflow, Promise<WorkflowOutcome>>()

  constructor(options: RunOptions) {
    this.control = new RunControl(options)
  }

  private scope(doc: LoadedArazzo): DocumentScope {
    let scope = this.scopes.get(doc)
    if (!scope) {
      const sourceDescriptions: DocumentScope['sourceDescriptions'] = {}
      for (const source of doc.document.sourceDescriptions) {
        sourceDescriptions[source.name] = { ...source }
      }
      scope = { workflows: {}, sourceDescriptions }
      this.scopes.set(doc, scope)
    }
    return scope
  }

  // -------------------------------------------------------------------------------------------
  // Workflows
  // -------------------------------------------------------------------------------------------

  async workflow(
    target: Target,
    givenInputs: Record<string, unknown>,
    depth: number
  ): Promise<WorkflowOutcome> {
    const { workflow } = target
    const state: WorkflowState = {
      doc: target.loaded,
      workflow,
      inputs: withDefaults(workflow, givenInputs),
      steps: {},
      runs: new Map(),
      polls: new Map(),
      depth
    }
    this.control.emit({ type: 'workflowStarted', workflowId: workflow.workflowId })
    let status: RunStatus
    let error: Error | undefined
    let stopped = false
    try {
      ;({ status, error } = await this.workflowBody(state))
    } catch (thrown) {
      stopped = true
      if (thrown instanceof Stop) {
        status = thrown.status
        error = thrown.error
      } else {
        status = 'failed'
        error = thrown instanceof Error ? thrown : new ArazzoRuntimeError(String(thrown))
      }
    }
    const outputs = this.workflowOutputs(state)
    this.scope(state.doc).workflows[workflow.workflowId] = { inputs: state.inputs, outputs }
    this.control.emit({
      type: 'workflowFinished',
      workflowId: workflow.workflowId,
      status,
      outputs
    })
    return {
      status,
      outputs,
      steps: state.steps,
      error,
      stopped,
      lastResponse: this.control.lastResponse
    }
  }

  private async workflowBody(state: WorkflowState): Promise<{ status: RunStatus; error?: Error }> {
    const { workflow } = state
    if (state.depth > MAX_WORKFLOW_DEPTH) {
      throw new ArazzoRuntimeError(
        `workflow '${workflow.workflowId}' is nested deeper than ${MAX_WORKFLOW_DEPTH} levels`
      )
    }
    const missing = workflowInputNames(workflow).required.filter(
      name => state.inputs[name] === undefined
    )
    if (missing.length > 0) {
      throw new ArazzoRuntimeError(
        `workflow '${workflow.workflowId}' is missing required input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`
      )
    }
    for (const id of workflow.dependsOn ?? []) {
      const outcome = await this.dependency(id, state)
      if (outcome.stopped) throw new Stop(outcome.status, outcome.error)
      if (outcome.status !== 'succeeded') {
        return {
          status: 'failed',
          error: new ArazzoRuntimeError(
            `workflow '${workflow.workflowId}' depends on '${id}', which ended ${outcome.status}` +
              (outcome.error ? `: ${outcome.error.message}` : '')
          )
        }
      }
    }
    return this.steps(state)
  }

  /** A dependsOn workflow runs once per run, however many workflows depend on it. */
  private dependency(id: string, state: WorkflowState): Promise<WorkflowOutcome> {
    const target = state.doc.resolveWorkflow(id)
    let outcome = this.dependencies.get(target.workflow)
    if (!outcome) {
      outcome = this.workflow(target, state.inputs, state.depth + 1)
      this.dependencies.set(target.workflow, outcome)
    }
    return outcome
  }

  private workflowOutputs(state: WorkflowState): Record<string, unknown> {
    const outputs: Record<string, unknown> = {}
    return evaluateOutputs(state.workflow.outputs, { ...this.baseContext(state), outputs }, outputs)
  }

  // -------------------------------------------------------------------------------------------
  // Steps and the actions that follow them
  // -------------------------------------------------------------------------------------------

  private async steps(state: WorkflowState): Promise<{ status: RunStatus; error?: Error }> {
    const { workflow } = state
    const workflowId = workflow.workflowId
    /** Retries used per failure action name, for the current step; reset on leaving it. */
    const retries = new Map<string, number>()
    let index = 0
    for (;;) {
      const step = workflow.steps[index]
      const execution = await executeStep(this, state, step)
      const stepId = step.stepId

      if (execution.passed) {
        retries.clear()
        const action = chooseAction(
          mergeActions(state.doc, step.onSuccess, workflow.successActions, 'successActions'),
          execution.ctx
        )
        if (!action) {
          this.control.emit({ type: 'action', workflowId, stepId, action: 'next' })
          index++
          if (index >= workflow.steps.length) return { status: 'succeeded' }
          continue
        }
        this.control.emit(actionEvent(workflowId, stepId, action))
        if (action.type === 'end') return { status: 'succeeded' }
        if (action.stepId !== undefined) {
          index = await this.transition(state, action.stepId)
          continue
        }
        return this.transferTo(state, action.workflowId as string)
      }

      const actions = mergeActions(
        state.doc,
        step.onFailure,
        workflow.failureActions,
        'failureActions'
      )
      let exhausted: FailureAction | undefined
      const action = chooseAction(actions, execution.ctx, candidate => {
        if (candidate.type !== 'retry') return true
        const used = retries.get(candidate.name) ?? 0
        if (used < (candidate.retryLimit ?? 1)) return true
        exhausted ??= candidate
        return false
      })
      if (!action) {
        this.control.emit({ type: 'action', workflowId, stepId, action: 'fail' })
        return { status: 'failed', error: stepFailure(stepId, execution, exhausted) }
      }
      this.control.emit(actionEvent(workflowId, stepId, action))
      if (action.type === 'retry') {
        retries.set(action.name, (retries.get(action.name) ?? 0) + 1)
        const failedResponse = execution.response
        await this.beforeRetry(state, action)
        const fromHeader = parseRetryAfter(
          failedResponse?.headers['retry-after'],
          this.control.clock.now()
        )
        await this.control.wait(
          fromHeader ?? (action.retryAfter ?? 0) * 1000,
          'retry',
          workflowId,
          stepId
        )
        continue
      }
      if (action.type === 'end') {
        return {
          status: 'failed',
          error: stepFailure(
            stepId,
            execution,
            undefined,
            `ended by failure action '${action.name}'`
          )
        }
      }
      retries.clear()
      if (action.stepId !== undefined) {
        index = await this.transition(state, action.stepId)
        continue
      }
      return this.transferTo(state, action.workflowId as string)
    }
  }

  /** The index of a goto's target step, after the poll wait when it already ran. */
  private async transition(state: WorkflowState, targetStepId: string): Promise<number> {
    const index = state.workflow.steps.findIndex(s => s.stepId === targetStepId)
    if (index < 0) {
      throw new ArazzoRuntimeError(
        `no step '${targetStepId}' in workflow '${state.workflow.workflowId}'`,
        targetStepId
      )
    }
    if ((state.runs.get(targetStepId) ?? 0) > 0) {
      const pollNumber = (state.polls.get(targetStepId) ?? 0) + 1
      state.polls.set(targetStepId, pollNumber)
      const retryAfter = parseRetryAfter(
        this.control.lastResponse?.headers['retry-after'],
        this.control.clock.now()
      )
      const delay = this.control.schedule.delayMs(pollNumber, retryAfter)
      await this.control.wait(delay, 'poll', state.workflow.workflowId, targetStepId)
    }
    return index
  }

  /** A goto to a workflow: run it, then the current workflow ends with its result. */
  private async transferTo(
    state: WorkflowState,
    workflowId: string
  ): Promise<{ status: RunStatus; error?: Error }> {
    const outcome = await this.workflow(
      state.doc.resolveWorkflow(workflowId),
      state.inputs,
      state.depth + 1
    )
    if (outcome.stopped) throw new Stop(outcome.status, outcome.error)
    return outcome.status === 'succeeded'
      ? { status: 'succeeded' }
      : { status: 'failed', error: outcome.error }
  }

  /** A retry naming a step or workflow runs it first; context then returns to the retry. */
  private async beforeRetry(state: WorkflowState, action: FailureAction): Promise<void> {
    if (action.stepId !== undefined) {
      const step = state.workflow.steps.find(s => s.stepId === action.stepId)
      if (!step) {
        throw new ArazzoRuntimeError(
          `no step '${action.stepId}' in workflow '${state.workflow.workflowId}'`
        )
      }
      await executeStep(this, state, step)
    } else if (action.workflowId !== undefined) {
      const outcome = await this.workflow(
        state.doc.resolveWorkflow(action.workflowId),
        state.inputs,
        state.depth + 1
      )
      if (outcome.stopped) throw new Stop(outcome.status, outcome.error)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Expression context
  // -------------------------------------------------------------------------------------------

  baseContext(state: WorkflowState): ExpressionContext {
    return {
      inputs: state.inputs,
      outputs: {},
      steps: state.steps,
      workflows: this.scope(state.doc).workflows,
      sourceDescriptions: this.scope(state.doc).sourceDescriptions,
      components: state.doc.document.components ?? {}
    }
  }
}

/** Input defaults from the workflow's schema properties, without touching the caller's object. */
function withDefaults(workflow: Workflow, given: Record<string, unknown>): Record<string, unknown> {
  const inputs: Record<string, unknown> = { ...given }
  const properties = isObject(workflow.inputs?.properties) ? workflow.inputs.properties : {}
  for (const [name, schema] of Object.entries(properties)) {
    if (inputs[name] === undefined && isObject(schema) && schema.default !== undefined) {
      inputs[name] = structuredClone(schema.default)
    }
  }
  return inputs
}
