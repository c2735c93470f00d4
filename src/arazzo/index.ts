/**
 * The Arazzo 1.0.1 engine's public entry: load and validate a document, run a workflow with an
 * injected transport and clock. A library: nothing here depends on @actions/*.
 */

export * from './types.js'
export { ArazzoError, ArazzoLoadError, ArazzoRuntimeError, ArazzoSyntaxError } from './errors.js'
export {
  loadArazzoFile,
  loadArazzoText,
  DEFAULT_MAX_DOCUMENT_BYTES,
  type LoadOptions,
  type LoadedArazzo,
  type SourceReader
} from './loader.js'
export { MAX_SOURCE_DEPTH, MAX_SOURCE_DOCUMENTS } from './source-loader.js'
export { validateDocument, workflowInputNames } from './validate.js'
export {
  ArazzoValidationError,
  messageOf,
  type ValidationProblem,
  type ValidationResult
} from './validation-context.js'
export { runWorkflow, MAX_WORKFLOW_DEPTH } from './runner.js'
export { DEFAULT_MAX_STEPS } from './run-control.js'
export {
  systemClock,
  systemRandom,
  jitteredBackoffMs,
  VirtualClock,
  fixedPollSchedule,
  backoffPollSchedule,
  parseRetryAfter,
  defaultPollSchedule,
  DEFAULT_POLL_INTERVAL_MS
} from './pacing.js'
export {
  createFetchTransport,
  fetchTransport,
  decodeBody,
  type FetchTransportOptions
} from './fetch-transport.js'
