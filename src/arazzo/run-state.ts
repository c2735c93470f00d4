/**
 * The shapes a workflow run passes between its parts: what one workflow ended with, the workflow
 * a reference resolved to (with its document), what the workflows of one document share (their
 * `$workflows` and `$sourceDescriptions`), what a running workflow's steps share, and what one
 * step execution produced. Types only.
 */

import type { LoadedArazzo } from './loader.js'
import type {
  ExpressionContext,
  FailureAction,
  HttpResponse,
  RunStatus,
  SuccessAction,
  Workflow
} from './types.js'

export interface WorkflowOutcome {
  status: RunStatus
  outputs: Record<string, unknown>
  steps: Record<string, { outputs: Record<string, unknown> }>
  error?: Error
  /** True when the run as a whole must stop (a Stop ended this workflow). */
  stopped: boolean
  lastResponse?: HttpResponse
}

/** A workflow with the document it belongs to (its operations, components and sources). */
export interface Target {
  loaded: LoadedArazzo
  workflow: Workflow
}

/** What the workflows of one document share during a run. */
export interface DocumentScope {
  workflows: ExpressionContext['workflows']
  sourceDescriptions: ExpressionContext['sourceDescriptions']
}

/** What a workflow's steps share while it runs. */
export interface WorkflowState {
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

/** What one execution of a step produced, for choosing its next action and for messages. */
export interface StepExecution {
  passed: boolean
  ctx: ExpressionContext
  failed: string[]
  response?: HttpResponse
  /** e.g. `GET /api/2/dsar/requests/500123`, or `workflow 'x'`: for messages, never secret. */
  description: string
}

export type Action = SuccessAction | FailureAction
