/**
 * Loads the source descriptions a document uses: OpenAPI descriptions (indexed for their
 * operations) and Arazzo documents (loaded, validated and resolved like the root document, for
 * cross-document workflow references: `workflowId: $sourceDescriptions.<name>.<workflowId>` in a
 * step, a goto or a retry, and in `dependsOn`).
 *
 * Only sources some step or reference needs are read (an unused one is never fetched). Every
 * document, local or remote, gets the same bounds: the byte limit, the YAML alias limit (the
 * parser's), at most MAX_SOURCE_DEPTH levels of nested Arazzo documents, at most
 * MAX_SOURCE_DOCUMENTS documents in all, and no cycle (a document that, through its sources,
 * refers back to itself is refused with the chain). The same place is read once per load.
 */
import { ArazzoLoadError } from './errors.js'
import {
  indexOpenApi,
  isOpenApiDocument,
  parseOperationIdRef,
  parseOperationPath
} from './openapi.js'
import type { OpenApiIndex } from './openapi.js'
import {
  assertAllowed,
  describeLocation,
  locationKey,
  readLocation,
  resolveLocation,
  type ReadOptions,
  type SourceLocation
} from './source-location.js'
import type { ArazzoDocument, Workflow } from './types.js'
import { childPointer, isObject, parseSourceReference } from './document-nodes.js'
import type { ValidationProblem } from './validation-context.js'

/** Nested Arazzo documents below the root (root -> source -> its source ...). */
export const MAX_SOURCE_DEPTH = 8
/** Documents read for one load, the root and every description included. */
export const MAX_SOURCE_DOCUMENTS = 32

/**
 * A bound of the whole load was crossed (cycle, depth, number of documents): it ends the load
 * at once, with the chain of documents in its message, instead of being one problem among many.
 */
export class SourceBoundError extends ArazzoLoadError {}

/** What the loader needs of a loaded Arazzo document here. */
export interface NestedDocument {
  document: ArazzoDocument
  warnings: string[]
}

export type LoadedSource<Nested> =
  { kind: 'openapi'; index: OpenApiIndex } | { kind: 'arazzo'; loaded: Nested }

/** Shared by every document of one load. */
export interface SourceContext<Nested> {
  read: ReadOptions
  /** Location keys from the root to the document being loaded (the root's when it has one). */
  chain: string[]
  /** How deep the document being loaded is nested (the root: 0). */
  depth: number
  /** Each place once: a diamond of references loads the shared document one time. */
  cache: Map<string, Promise<LoadedSource<Nested>>>
  counter: { documents: number }
  /**
   * YAML/JSON parsing with the loader's bounds (aliases, duplicate keys). With `remote`, its
   * errors give a position only, never the fetched text (see REMOTE_CONTENT_WITHHELD).
   */
  parse: (
    text: string,
    what: string,
    pointer: string,
    warnings: string[],
    remote: boolean
  ) => Promise<unknown>
  /** A document parsed at build time for this local file (the loader's `prebuilt`), if any. */
  prebuilt?: (file: string) => unknown
  /** Loads a nested Arazzo document (validation, its own sources, operations). */
  loadNested: (
    parsed: unknown,
    location: SourceLocation,
    context: SourceContext<Nested>
  ) => Promise<Nested>
}

export interface Sources<Nested> {
  openapi: Map<string, OpenApiIndex>
  arazzo: Map<string, Nested>
  /** Names of the sources fetched over https: what they say is not repeated in messages. */
  remote: Set<string>
}

/**
 * Why a message about a fetched document gives positions only. Its host is chosen by a document,
 * and its answer may be something no one should read in a job log (an internal service's reply
 * shaped like an Arazzo document once had its key names quoted there).
 */
export const REMOTE_CONTENT_WITHHELD =
  'what the fetched document says is not repeated here; load a copy of it as a local file to see the details'

type Need = 'operations' | 'workflows'

/** A workflowId written in a step, an action or dependsOn, with its pointer. */
export interface WorkflowReference {
  pointer: string
  reference: string
}

/** Every workflow reference of the document (components' actions included). */
export function workflowReferences(document: ArazzoDocument): WorkflowReference[] {
  const found: WorkflowReference[] = []
  const actions = (list: unknown, pointer: string): void => {
    if (!Array.isArray(list)) return
    list.forEach((action, i) => {
      if (isObject(action) && typeof action.workflowId === 'string') {
        found.push({
          pointer: childPointer(childPointer(pointer, i), 'workflowId'),
          reference: action.workflowId
        })
      }
    })
  }
  document.workflows.forEach((workflow, w) => {
    const at = childPointer('workflows', w)
    ;(workflow.dependsOn ?? []).forEach((reference, i) => {
      found.push({ pointer: childPointer(childPointer(at, 'dependsOn'), i), reference })
    })
    actions(workflow.successActions, childPointer(at, 'successActions'))
    actions(workflow.failureActions, childPointer(at, 'failureActions'))
    workflow.steps.forEach((step, s) => {
      const stepAt = childPointer(childPointer(at, 'steps'), s)
      if (typeof step.workflowId === 'string') {
        found.push({ pointer: childPointer(stepAt, 'workflowId'), reference: step.workflowId })
      }
      actions(step.onSuccess, childPointer(stepAt, 'onSuccess'))
      actions(step.onFailure, childPointer(stepAt, 'onFailure'))
    })
  })
  for (const kind of ['successActions', 'failureActions'] as const) {
    const map = document.components?.[kind]
    if (!isObject(map)) continue
    for (const [name, action] of Object.entries(map)) {
      if (isObject(action) && typeof action.workflowId === 'string') {
        found.push({
          pointer: childPointer(childPointer(childPointer('components', kind), name), 'workflowId'),
          reference: action.workflowId
        })
      }
    }
  }
  return found
}

/** The sources some step or reference needs, and what for. */
function neededSources(document: ArazzoDocument): Map<string, Set<Need>> {
  const needed = new Map<string, Set<Need>>()
  const need = (name: string, what: Need): void => {
    const set = needed.get(name) ?? new Set<Need>()
    set.add(what)
    needed.set(name, set)
  }
  const openapiNames = document.sourceDescriptions.filter(s => s.type !== 'arazzo').map(s => s.name)
  for (const workflow of document.workflows) {
    for (const step of workflow.steps) {
      if (step.operationPath !== undefined) {
        const parsed = parseOperationPath(step.operationPath)
        if (parsed) need(parsed.sourceName, 'operations')
      } else if (step.operationId !== undefined) {
        const ref = parseOperationIdRef(step.operationId)
        if (ref.sourceName) need(ref.sourceName, 'operations')
        else openapiNames.forEach(name => need(name, 'operations'))
      }
    }
  }
  for (const { reference } of workflowReferences(document)) {
    const external = parseSourceReference(reference)
    if (external) need(external.sourceName, 'workflows')
  }
  return needed
}

/**
 * A fetched document's own problems by position only (their messages quote its content). The
 * problems of loading its sources in `keep` ([start, end) indices) are the loader's own words
 * about URLs and stay as they are.
 */
export function withhold(problems: ValidationProblem[], keep: [number, number] = [0, 0]): void {
  problems.forEach((problem, i) => {
    if (i >= keep[0] && i < keep[1]) return
    problems[i] = {
      pointer: positionOnly(problem.pointer),
      message: `refused; ${REMOTE_CONTENT_WITHHELD}`
    }
  })
}

/** Arazzo 1.0.1's own field names: a pointer keeps these and indices; other keys are content. */
const ARAZZO_FIELDS = new Set(
  (
    'arazzo info title summary description version sourceDescriptions name url type workflows ' +
    'workflowId inputs dependsOn steps stepId operationId operationPath parameters in value ' +
    'requestBody contentType payload replacements target successCriteria onSuccess onFailure ' +
    'outputs successActions failureActions criteria context condition retryAfter retryLimit ' +
    'components reference'
  ).split(' ')
)

/** A JSON Pointer with every key that is not an Arazzo field or an index shown as `*`. */
function positionOnly(pointer: string): string {
  return pointer
    .split('/')
    .map(token => (token === '' || /^\d+$/.test(token) || ARAZZO_FIELDS.has(token) ? token : '*'))
    .join('/')
}

/** Loads the needed sources of `document` (at `base`); problems are collected, not thrown. */
export async function loadSources<Nested extends NestedDocument>(
  document: ArazzoDocument,
  base: SourceLocation | { kind: 'dir'; path: string },
  context: SourceContext<Nested>,
  problems: ValidationProblem[],
  warnings: string[]
): Promise<Sources<Nested>> {
  const sources: Sources<Nested> = { openapi: new Map(), arazzo: new Map(), remote: new Set() }
  const needed = neededSources(document)
  for (const [i, source] of document.sourceDescriptions.entries()) {
    const needs = needed.get(source.name)
    if (!needs) continue
    const pointer = childPointer(childPointer('sourceDescriptions', i), 'url')
    try {
      const location = resolveLocation(source.url, base, pointer)
      if (location.kind === 'remote') sources.remote.add(source.name)
      const loaded = await loadOne({ name: source.name, location, context, pointer, warnings })
      const declared = source.type
      if (declared !== undefined && declared !== loaded.kind) {
        throw new ArazzoLoadError(
          pointer,
          `source description '${source.name}' is declared type ${declared} but is ${loaded.kind === 'arazzo' ? 'an Arazzo document' : 'an OpenAPI description'}`
        )
      }
      if (loaded.kind === 'openapi') {
        if (needs.has('workflows')) {
          problems.push({
            pointer,
            message: `source description '${source.name}' is an OpenAPI description, which has no workflows: a workflowId can only name a workflow of an arazzo source description`
          })
        }
        sources.openapi.set(source.name, loaded.index)
      } else {
        if (needs.has('operations')) {
          problems.push({
            pointer,
            message: `source description '${source.name}' is an Arazzo document: operationId and operationPath must target an OpenAPI description`
          })
        }
        sources.arazzo.set(source.name, loaded.loaded)
      }
    } catch (error) {
      if (!(error instanceof ArazzoLoadError) || error instanceof SourceBoundError) throw error
      problems.push({ pointer: error.pointer || pointer, message: error.detail })
    }
  }
  checkWorkflowReferences(document, sources, problems)
  return sources
}

/** One source description to load, and where its problems and warnings go. */
interface SourceJob<Nested> {
  name: string
  location: SourceLocation
  context: SourceContext<Nested>
  pointer: string
  warnings: string[]
}

async function loadOne<Nested extends NestedDocument>(
  job: SourceJob<Nested>
): Promise<LoadedSource<Nested>> {
  const { location, context, pointer } = job
  const key = locationKey(location)
  if (context.chain.includes(key)) {
    const cycle = [...context.chain.slice(context.chain.indexOf(key)), key]
    throw new SourceBoundError(
      pointer,
      `circular source descriptions: ${cycle.map(describeKey).join(' -> ')}`
    )
  }
  let pending = context.cache.get(key)
  if (!pending) {
    pending = readAndLoad(job)
    context.cache.set(key, pending)
  }
  return pending
}

async function readAndLoad<Nested extends NestedDocument>({
  name,
  location,
  context,
  pointer,
  warnings
}: SourceJob<Nested>): Promise<LoadedSource<Nested>> {
  if (++context.counter.documents > MAX_SOURCE_DOCUMENTS) {
    throw new SourceBoundError(
      pointer,
      `more than ${MAX_SOURCE_DOCUMENTS} documents would be loaded (source description '${name}')`
    )
  }
  const what = `source description '${name}'`
  const parsed = await readParsed(location, context, what, pointer, warnings)
  if (isOpenApiDocument(parsed)) {
    const index = indexOpenApi(name, parsed)
    if (location.kind === 'remote' && index.problems.length > 0) {
      warnings.push(
        `${what}: ${index.problems.length} problem(s) in it; ${REMOTE_CONTENT_WITHHELD}`
      )
    } else for (const problem of index.problems) warnings.push(`${what}: ${problem}`)
    return { kind: 'openapi', index }
  }
  if (!isObject(parsed) || parsed.arazzo === undefined) {
    throw new ArazzoLoadError(
      pointer,
      `${what} is neither an OpenAPI description nor an Arazzo document`
    )
  }
  if (context.depth + 1 > MAX_SOURCE_DEPTH) {
    const chain = [...context.chain, locationKey(location)].map(describeKey).join(' -> ')
    throw new SourceBoundError(
      pointer,
      `arazzo source descriptions nested deeper than ${MAX_SOURCE_DEPTH} levels: ${chain}`
    )
  }
  const nestedContext = {
    ...context,
    chain: [...context.chain, locationKey(location)],
    depth: context.depth + 1
  }
  try {
    const loaded = await context.loadNested(parsed, location, nestedContext)
    for (const warning of loaded.warnings) warnings.push(`${what}: ${warning}`)
    return { kind: 'arazzo', loaded }
  } catch (error) {
    if (!(error instanceof ArazzoLoadError)) throw error
    // A bound names its whole chain already: it goes up as it is, at this document's pointer.
    if (error instanceof SourceBoundError) throw new SourceBoundError(pointer, error.detail)
    // A problem deep down keeps its own pointer inside the message, after the chain to it.
    throw new ArazzoLoadError(pointer, `${what} (${describeLocation(location)}): ${error.message}`)
  }
}

/** A prebuilt copy of a local file (still confined to the allowed roots), or the file parsed. */
async function readParsed<Nested>(
  location: SourceLocation,
  context: SourceContext<Nested>,
  what: string,
  pointer: string,
  warnings: string[]
): Promise<unknown> {
  if (location.kind === 'file') {
    const prebuilt = context.prebuilt?.(location.path)
    if (prebuilt !== undefined) {
      await assertAllowed(location.path, context.read.allowedRoots, pointer)
      return prebuilt
    }
  }
  const text = await readLocation(location, context.read, pointer)
  return context.parse(text, what, pointer, warnings, location.kind === 'remote')
}

function describeKey(key: string): string {
  return key.startsWith('file:')
    ? key.slice('file:'.length)
    : describeLocation({ kind: 'remote', url: key })
}

/** `$sourceDescriptions.<name>.<id>` must reach a workflow of a loaded Arazzo document. */
function checkWorkflowReferences<Nested extends NestedDocument>(
  document: ArazzoDocument,
  sources: Sources<Nested>,
  problems: ValidationProblem[]
): void {
  for (const { pointer, reference } of workflowReferences(document)) {
    const external = parseSourceReference(reference)
    if (!external) continue
    const nested = sources.arazzo.get(external.sourceName)
    if (!nested) continue // not loaded: its load problem is already reported
    const ids = nested.document.workflows.map((w: Workflow) => w.workflowId)
    if (!ids.includes(external.rest)) {
      const has = sources.remote.has(external.sourceName) ? '' : ` (it has: ${ids.join(', ')})`
      problems.push({
        pointer,
        message: `no workflow '${external.rest}' in source description '${external.sourceName}'${has}`
      })
    }
  }
}
