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
 */

import { compileCriterion, evaluateCriterion } from './criteria.js'
import { ArazzoRuntimeError } from './errors.js'
import { compileValue, evaluateValue } from './compiled-values.js'
import type { LoadedArazzo } from './loader.js'
import { defaultPollSchedule, parseRetryAfter, systemClock } from './pacing.js'
import { buildRequest, lowerCaseKeys, parameterValue, stepParameters } from './request-builder.js'
import type {
  Clock,
  Criterion,
  EngineEvent,
  ExpressionContext,
  FailureAction,
  HttpRequest,
  HttpResponse,
  PollSchedule,
  ReusableObject,
  RunOptions,
  RunResult,
  RunStatus,
  Step,
  SuccessAction,
  Workflow
} from './types.js'
import { cached } from './compile-cache.js'
import { isObject, lookupComponent, parseComponentReference } from './document-nodes.js'
import { workflowInputNames } from './validate.js'

export const DEFAULT_MAX_STEPS = 10000
export const MAX_WORKFLOW_DEPTH = 16
const REDACTED = '***'
const ALWAYS_SENSITIVE = ['authorization', 'cookie', 'proxy-authorization']

/** Ends the whole run (all nesting levels) with a status: abort, deadline, bounds, hard errors. */
class Stop {
  constructor(
    readonly status: RunStatus,
    readonly error?: Error
  ) {}
}

interface WorkflowOutcome {
  status: RunStatus
  outputs: Record<string, unknown>
  steps: Record<string, { outputs: Record<string, unknown> }>
  error?: Error
  /** True when the run as a whole must stop (a Stop ended this workflow). */
  stopped: boolean
  lastResponse?: HttpResponse
}

/** A workflow with the document it belongs to (its operations, components and sources). */
interface Target {
  loaded: LoadedArazzo
  workflow: Workflow
}

/** What the workflows of one document share during a run. */
interface DocumentScope {
  workflows: ExpressionContext['workflows']
  sourceDescriptions: ExpressionContext['sourceDescriptions']
}

/** What a workflow's steps share while it runs. */
interface WorkflowState {
  doc: LoadedArazzo
  workflow: Workflow
  inputs: Record<string, unknown>
  steps: Record<string, { outputs: Record<string, unknown> }>
  /** Executions of each step so far (1 = ran once). */
  runs: Map<string, number>
  /** Poll re-runs of each step so far (for the poll schedule's n). */
  polls: Map<string, number>
  depth: number
}

interface StepExecution {
  passed: boolean
  ctx: ExpressionContext
  failed: string[]
  response?: HttpResponse
  /** e.g. `GET /api/2/dsar/requests/500123`, or `workflow 'x'`: for messages, never secret. */
  description: string
}

type Action = SuccessAction | FailureAction

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
    lastResponse: run.lastResponse,
    stepsExecuted: run.stepsExecuted
  }
}

class Run {
  stepsExecuted = 0
  lastResponse?: HttpResponse
  private readonly clock: Clock
  private readonly schedule: PollSchedule
  private readonly maxSteps: number
  private readonly signal: AbortSignal
  private readonly sensitive: Set<string>
  /** Per document: `$workflows` and `$sourceDescriptions` read their own document's. */
  private readonly scopes = new Map<LoadedArazzo, DocumentScope>()
  /** dependsOn workflows, by the workflow object (ids repeat across documents). */
  private readonly dependencies = new Map<Workflow, Promise<WorkflowOutcome>>()

  constructor(private readonly options: RunOptions) {
    this.clock = options.clock ?? systemClock
    this.schedule = options.pollSchedule ?? defaultPollSchedule
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS
    this.signal = options.signal ?? new AbortController().signal
    this.sensitive = new Set([
      ...ALWAYS_SENSITIVE,
      ...(options.sensitiveHeaders ?? []).map(h => h.toLowerCase())
    ])
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

  private emit(event: DistributiveOmit<EngineEvent, 'at'>): void {
    this.options.onEvent?.({ ...event, at: this.clock.now() } as EngineEvent)
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
    this.emit({ type: 'workflowStarted', workflowId: workflow.workflowId })
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
    this.emit({ type: 'workflowFinished', workflowId: workflow.workflowId, status, outputs })
    return { status, outputs, steps: state.steps, error, stopped, lastResponse: this.lastResponse }
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
    const ctx = { ...this.baseContext(state), outputs }
    for (const [name, expression] of Object.entries(state.workflow.outputs ?? {})) {
      outputs[name] = this.evaluateOutput(state.workflow.outputs as object, name, expression, ctx)
    }
    return outputs
  }

  // -------------------------------------------------------------------------------------------
  // Steps and actions
  // -------------------------------------------------------------------------------------------

  private async steps(state: WorkflowState): Promise<{ status: RunStatus; error?: Error }> {
    const { workflow } = state
    const workflowId = workflow.workflowId
    /** Retries used per failure action name, for the current step; reset on leaving it. */
    const retries = new Map<string, number>()
    let index = 0
    for (;;) {
      const step = workflow.steps[index]
      const execution = await this.executeStep(state, step)
      const stepId = step.stepId

      if (execution.passed) {
        retries.clear()
        const action = this.chooseAction(
          this.mergeActions(state.doc, step.onSuccess, workflow.successActions, 'successActions'),
          execution.ctx
        )
        if (!action) {
          this.emit({ type: 'action', workflowId, stepId, action: 'next' })
          index++
          if (index >= workflow.steps.length) return { status: 'succeeded' }
          continue
        }
        this.emit(actionEvent(workflowId, stepId, action))
        if (action.type === 'end') return { status: 'succeeded' }
        if (action.stepId !== undefined) {
          index = await this.transition(state, action.stepId)
          continue
        }
        return this.transferTo(state, action.workflowId as string)
      }

      const actions = this.mergeActions(
        state.doc,
        step.onFailure,
        workflow.failureActions,
        'failureActions'
      )
      let exhausted: FailureAction | undefined
      const action = this.chooseAction(actions, execution.ctx, candidate => {
        if (candidate.type !== 'retry') return true
        const used = retries.get(candidate.name) ?? 0
        if (used < (candidate.retryLimit ?? 1)) return true
        exhausted ??= candidate
        return false
      }) as FailureAction | undefined
      if (!action) {
        this.emit({ type: 'action', workflowId, stepId, action: 'fail' })
        return { status: 'failed', error: stepFailure(stepId, execution, exhausted) }
      }
      this.emit(actionEvent(workflowId, stepId, action))
      if (action.type === 'retry') {
        retries.set(action.name, (retries.get(action.name) ?? 0) + 1)
        const failedResponse = execution.response
        await this.beforeRetry(state, action)
        const fromHeader = parseRetryAfter(failedResponse?.headers['retry-after'], this.clock.now())
        await this.wait(fromHeader ?? (action.retryAfter ?? 0) * 1000, 'retry', workflowId, stepId)
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
        this.lastResponse?.headers['retry-after'],
        this.clock.now()
      )
      const delay = this.schedule.delayMs(pollNumber, retryAfter)
      await this.wait(delay, 'poll', state.workflow.workflowId, targetStepId)
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
      await this.executeStep(state, step)
    } else if (action.workflowId !== undefined) {
      const outcome = await this.workflow(
        state.doc.resolveWorkflow(action.workflowId),
        state.inputs,
        state.depth + 1
      )
      if (outcome.stopped) throw new Stop(outcome.status, outcome.error)
    }
  }

  /** Step actions first, then workflow-level ones the step does not override by name. */
  private mergeActions(
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
  private chooseAction(
    actions: Action[],
    ctx: ExpressionContext,
    usable: (action: FailureAction) => boolean = () => true
  ): Action | undefined {
    return actions.find(
      action =>
        (action.criteria ?? []).every(criterion => this.criterionPasses(criterion, ctx)) &&
        usable(action as FailureAction)
    )
  }

  private criterionPasses(criterion: Criterion, ctx: ExpressionContext): boolean {
    try {
      const compiled = cached(criterion, 'criterion', () => compileCriterion(criterion))
      return evaluateCriterion(compiled, ctx)
    } catch {
      // Validated at load; a criterion that still cannot be evaluated does not pass.
      return false
    }
  }

  /** Waits (a poll or a retry delay) unless that would end past the deadline. */
  private async wait(
    ms: number,
    reason: 'poll' | 'retry',
    workflowId: string,
    stepId: string
  ): Promise<void> {
    this.checkAborted(stepId)
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0)
    const until = this.clock.now() + delay
    const deadline = this.options.deadline
    if (deadline !== undefined && until > deadline) {
      throw new Stop(
        'timedOut',
        new ArazzoRuntimeError(
          `deadline reached: step '${stepId}' would ${reason === 'poll' ? 'poll again' : 'retry'} after the deadline` +
            this.lastStatusNote(),
          stepId,
          this.lastResponse?.status
        )
      )
    }
    if (delay === 0) return
    this.emit({ type: 'waiting', workflowId, stepId, reason, until })
    try {
      await this.clock.sleep(delay, this.signal)
    } catch (error) {
      this.checkAborted(stepId)
      throw error
    }
  }

  private lastStatusNote(): string {
    return this.lastResponse ? ` (last status ${this.lastResponse.status})` : ''
  }

  private checkAborted(stepId?: string): void {
    if (this.signal.aborted) {
      throw new Stop(
        'aborted',
        new ArazzoRuntimeError(
          `the run was aborted${stepId ? ` at step '${stepId}'` : ''}`,
          stepId,
          this.lastResponse?.status
        )
      )
    }
  }

  // -------------------------------------------------------------------------------------------
  // One step execution
  // -------------------------------------------------------------------------------------------

  private async executeStep(state: WorkflowState, step: Step): Promise<StepExecution> {
    this.checkAborted(step.stepId)
    if (this.stepsExecuted >= this.maxSteps) {
      throw new Stop(
        'maxSteps',
        new ArazzoRuntimeError(
          `the run reached its limit of ${this.maxSteps} step executions before step '${step.stepId}'` +
            this.lastStatusNote(),
          step.stepId,
          this.lastResponse?.status
        )
      )
    }
    this.stepsExecuted++
    const attempt = (state.runs.get(step.stepId) ?? 0) + 1
    state.runs.set(step.stepId, attempt)
    this.emit({
      type: 'stepStarted',
      workflowId: state.workflow.workflowId,
      stepId: step.stepId,
      attempt
    })
    return step.workflowId !== undefined
      ? this.executeWorkflowStep(state, step, step.workflowId)
      : this.executeOperationStep(state, step)
  }

  private async executeOperationStep(state: WorkflowState, step: Step): Promise<StepExecution> {
    const workflowId = state.workflow.workflowId
    const base = this.baseContext(state)
    const built = buildRequest({
      step,
      operation: state.doc.operation(step),
      parameters: stepParameters(state.doc.document.components, state.workflow, step, true),
      ctx: base,
      serverUrl: this.options.serverUrl
    })
    const deadline = this.options.deadline
    if (deadline !== undefined && this.clock.now() > deadline) {
      throw new Stop(
        'timedOut',
        new ArazzoRuntimeError(
          `deadline reached before step '${step.stepId}' could send its request` +
            this.lastStatusNote(),
          step.stepId,
          this.lastResponse?.status
        )
      )
    }
    this.emit({
      type: 'request',
      workflowId,
      stepId: step.stepId,
      request: this.redact(built.request)
    })
    let response: HttpResponse
    try {
      response = await raceAbort(this.options.transport(built.request, this.signal), this.signal)
    } catch (error) {
      this.checkAborted(step.stepId)
      // The caller's transport may throw its own typed errors: hand them back untouched.
      throw new Stop('failed', error instanceof Error ? error : new Error(String(error)))
    }
    this.lastResponse = response
    this.emit({ type: 'response', workflowId, stepId: step.stepId, status: response.status })
    const ctx: ExpressionContext = {
      ...base,
      url: built.request.url,
      method: built.request.method,
      statusCode: response.status,
      request: built.context,
      response: { headers: lowerCaseKeys(response.headers), body: response.body }
    }
    const failed = this.failedCriteria(step, ctx)
    const passed =
      step.successCriteria && step.successCriteria.length > 0
        ? failed.length === 0
        : response.status >= 200 && response.status < 300
    const description = `${built.request.method} ${safePath(built.request.url)} returned ${response.status}`
    return this.finishStep(state, step, ctx, passed, failed, description, response)
  }

  private async executeWorkflowStep(
    state: WorkflowState,
    step: Step,
    targetId: string
  ): Promise<StepExecution> {
    const base = this.baseContext(state)
    const inputs: Record<string, unknown> = {}
    for (const parameter of stepParameters(
      state.doc.document.components,
      state.workflow,
      step,
      false
    )) {
      inputs[parameter.name] = parameterValue(parameter, base)
    }
    const outcome = await this.workflow(
      state.doc.resolveWorkflow(targetId),
      inputs,
      state.depth + 1
    )
    if (outcome.stopped) throw new Stop(outcome.status, outcome.error)
    const last = outcome.lastResponse
    const ctx: ExpressionContext = {
      ...base,
      outputs: outcome.outputs,
      statusCode: last?.status,
      response: last ? { headers: lowerCaseKeys(last.headers), body: last.body } : undefined
    }
    const failed = this.failedCriteria(step, ctx)
    const passed = outcome.status === 'succeeded' && failed.length === 0
    const description = `workflow '${targetId}' ended ${outcome.status}${
      outcome.error ? ` (${outcome.error.message})` : ''
    }`
    return this.finishStep(state, step, ctx, passed, failed, description, last)
  }

  private failedCriteria(step: Step, ctx: ExpressionContext): string[] {
    return (step.successCriteria ?? [])
      .filter(criterion => !this.criterionPasses(criterion, ctx))
      .map(criterion => criterion.condition)
  }

  private finishStep(
    state: WorkflowState,
    step: Step,
    ctx: ExpressionContext,
    passed: boolean,
    failed: string[],
    description: string,
    response: HttpResponse | undefined
  ): StepExecution {
    const workflowId = state.workflow.workflowId
    this.emit({
      type: 'criteria',
      workflowId,
      stepId: step.stepId,
      passed,
      ...(failed.length > 0 ? { failed } : {})
    })
    const outputs: Record<string, unknown> = {}
    for (const [name, expression] of Object.entries(step.outputs ?? {})) {
      outputs[name] = this.evaluateOutput(step.outputs as object, name, expression, ctx)
    }
    state.steps[step.stepId] = { outputs }
    this.emit({ type: 'stepOutputs', workflowId, stepId: step.stepId, outputs })
    return { passed, ctx, failed, response, description }
  }

  private evaluateOutput(owner: object, name: string, expression: unknown, ctx: ExpressionContext) {
    try {
      return evaluateValue(
        cached(owner, `output:${name}`, () => compileValue(expression)),
        ctx
      )
    } catch {
      return undefined
    }
  }

  // -------------------------------------------------------------------------------------------
  // Requests
  // -------------------------------------------------------------------------------------------

  private baseContext(state: WorkflowState): ExpressionContext {
    return {
      inputs: state.inputs,
      outputs: {},
      steps: state.steps,
      workflows: this.scope(state.doc).workflows,
      sourceDescriptions: this.scope(state.doc).sourceDescriptions,
      components: state.doc.document.components ?? {}
    }
  }

  private redact(request: HttpRequest): HttpRequest {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      headers[name] = this.sensitive.has(name.toLowerCase()) ? REDACTED : value
    }
    return { ...request, headers }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

function actionEvent(
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

function stepFailure(
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

/** The URL's path, for messages: never the query (it may carry keys) nor credentials. */
function safePath(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return '(invalid URL)'
  }
}

/** Rejects as soon as the signal aborts, even if the transport ignores it. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      value => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      }
    )
  })
}
