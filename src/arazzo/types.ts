/**
 * Types of the Arazzo 1.0.1 engine: the document model (as loaded from YAML/JSON) and the
 * runtime API the GitHub layer adapts. This module is the contract between the engine's parts
 * (loader, expressions, criteria, runner) and its callers; it imports nothing.
 */

// ---------------------------------------------------------------------------------------------
// Document model (the subset of fields the engine reads; unknown `x-` extensions are kept)
// ---------------------------------------------------------------------------------------------

export interface ArazzoDocument {
  arazzo: string
  info: { title: string; version: string; summary?: string; description?: string }
  sourceDescriptions: SourceDescription[]
  workflows: Workflow[]
  components?: Components
}

export interface SourceDescription {
  name: string
  url: string
  type?: 'openapi' | 'arazzo'
}

export interface Workflow {
  workflowId: string
  summary?: string
  description?: string
  inputs?: JsonSchema
  dependsOn?: string[]
  steps: Step[]
  successActions?: (SuccessAction | ReusableObject)[]
  failureActions?: (FailureAction | ReusableObject)[]
  outputs?: Record<string, string>
  parameters?: (Parameter | ReusableObject)[]
}

export interface Step {
  stepId: string
  description?: string
  operationId?: string
  operationPath?: string
  workflowId?: string
  parameters?: (Parameter | ReusableObject)[]
  requestBody?: RequestBody
  successCriteria?: Criterion[]
  onSuccess?: (SuccessAction | ReusableObject)[]
  onFailure?: (FailureAction | ReusableObject)[]
  outputs?: Record<string, string>
}

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie'

export interface Parameter {
  name: string
  in?: ParameterLocation
  value: unknown
}

export interface ReusableObject {
  reference: string
  value?: unknown
}

export interface RequestBody {
  contentType?: string
  payload?: unknown
  replacements?: { target: string; value: unknown }[]
}

export interface CriterionExpressionType {
  type: 'jsonpath' | 'xpath'
  version: string
}

export interface Criterion {
  context?: string
  condition: string
  type?: 'simple' | 'regex' | 'jsonpath' | 'xpath' | CriterionExpressionType
}

export interface SuccessAction {
  name: string
  type: 'end' | 'goto'
  workflowId?: string
  stepId?: string
  criteria?: Criterion[]
}

export interface FailureAction {
  name: string
  type: 'end' | 'goto' | 'retry'
  workflowId?: string
  stepId?: string
  retryAfter?: number
  retryLimit?: number
  criteria?: Criterion[]
}

export interface Components {
  inputs?: Record<string, JsonSchema>
  parameters?: Record<string, Parameter>
  successActions?: Record<string, SuccessAction>
  failureActions?: Record<string, FailureAction>
}

export type JsonSchema = Record<string, unknown>

// ---------------------------------------------------------------------------------------------
// Operations resolved from OpenAPI source descriptions
// ---------------------------------------------------------------------------------------------

export interface ResolvedOperation {
  sourceName: string
  operationId?: string
  method: string // upper case, e.g. 'GET'
  pathTemplate: string // e.g. '/api/2/dsar/requests/{request_id}'
  servers: string[] // server URLs from the description (operation, path or document level)
  /** The operation's parameters (path-level ones merged in), for their serialisation rules. */
  parameters?: OpenApiParameter[]
  /** Media types the operation's request body accepts, in the description's order. */
  requestContentTypes?: string[]
}

/** How OpenAPI says a parameter is serialised (OAS 3 style/explode; Swagger 2 mapped to them). */
export interface OpenApiParameter {
  name: string
  in: ParameterLocation
  style?: string
  explode?: boolean
  allowReserved?: boolean
  /** Set when the parameter is described with `content` (its value is serialised as this type). */
  contentType?: string
}

// ---------------------------------------------------------------------------------------------
// Runtime expressions
// ---------------------------------------------------------------------------------------------

/** What a runtime expression can read. Absent parts evaluate to undefined. */
export interface ExpressionContext {
  url?: string
  method?: string
  statusCode?: number
  request?: {
    headers: Record<string, string>
    query: Record<string, string>
    path: Record<string, string>
    body?: unknown
  }
  response?: {
    headers: Record<string, string> // keys lower-cased
    body?: unknown
  }
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
  steps: Record<string, { outputs: Record<string, unknown> }>
  workflows: Record<string, { inputs: Record<string, unknown>; outputs: Record<string, unknown> }>
  sourceDescriptions: Record<string, Record<string, unknown>>
  components: Components
}

// ---------------------------------------------------------------------------------------------
// Engine runtime API
// ---------------------------------------------------------------------------------------------

export interface HttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
}

export interface HttpResponse {
  status: number
  /** Header names lower-cased. */
  headers: Record<string, string>
  /** Parsed JSON when the body is JSON, else the text (undefined when empty). */
  body: unknown
}

/** Sends one request. Throws on network failure; resolves for every HTTP status. */
export type HttpTransport = (request: HttpRequest, signal: AbortSignal) => Promise<HttpResponse>

/** Injected time, so tests and simulations can run with virtual time. */
export interface Clock {
  now(): number // epoch milliseconds
  /** Resolves after ms, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** How long to wait before the n-th re-run of a step (a poll). */
export interface PollSchedule {
  /**
   * @param pollNumber 1 for the first re-run of a step, 2 for the second, ...
   * @param retryAfterMs the last response's Retry-After, when it had one
   */
  delayMs(pollNumber: number, retryAfterMs?: number): number
}

export type EngineEvent =
  | { type: 'workflowStarted'; workflowId: string; at: number }
  | { type: 'stepStarted'; workflowId: string; stepId: string; attempt: number; at: number }
  | { type: 'request'; workflowId: string; stepId: string; request: HttpRequest; at: number }
  | { type: 'response'; workflowId: string; stepId: string; status: number; at: number }
  | {
      type: 'criteria'
      workflowId: string
      stepId: string
      passed: boolean
      failed?: string[] // the conditions that did not pass
      at: number
    }
  | {
      type: 'stepOutputs'
      workflowId: string
      stepId: string
      outputs: Record<string, unknown>
      at: number
    }
  | {
      type: 'action'
      workflowId: string
      stepId: string
      action: 'end' | 'goto' | 'retry' | 'next' | 'fail'
      name?: string
      target?: string
      at: number
    }
  | {
      type: 'waiting'
      workflowId: string
      stepId: string
      reason: 'poll' | 'retry'
      until: number
      at: number
    }
  | {
      type: 'workflowFinished'
      workflowId: string
      status: RunStatus
      outputs: Record<string, unknown>
      at: number
    }

export type RunStatus = 'succeeded' | 'failed' | 'timedOut' | 'aborted' | 'maxSteps'

export interface RunOptions {
  /** Defaults to the document's first workflow. */
  workflowId?: string
  inputs: Record<string, unknown>
  transport: HttpTransport
  clock?: Clock
  pollSchedule?: PollSchedule
  /** Bound on step executions (polls included) for the whole run, nested workflows too. */
  maxSteps?: number
  /** Epoch ms (by the clock): no request starts, and no wait extends, past it. */
  deadline?: number
  signal?: AbortSignal
  /** Replaces the servers of every source description (the action's `api-url`/`region`). */
  serverUrl?: string
  /** Header names (case-insensitive) whose values are redacted in events. */
  sensitiveHeaders?: string[]
  onEvent?: (event: EngineEvent) => void
}

export interface RunResult {
  status: RunStatus
  workflowId: string
  /** The workflow's outputs, evaluated from whatever is known, also when not succeeded. */
  outputs: Record<string, unknown>
  steps: Record<string, { outputs: Record<string, unknown> }>
  /** Why the run did not succeed. */
  error?: Error
  /** The last HTTP response seen, for error messages. */
  lastResponse?: HttpResponse
  stepsExecuted: number
}
