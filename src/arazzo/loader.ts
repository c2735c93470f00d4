/**
 * Loads an Arazzo document (YAML or JSON), validates it, loads the source descriptions its steps
 * and workflow references use (OpenAPI descriptions and other Arazzo documents, local or remote:
 * source-loader.ts) and resolves every operation, so that a loaded document can run without
 * further file or network access. Every failure is one ArazzoLoadError listing all problems with
 * their pointers.
 *
 * Untrusted input is expected: documents are size-capped before parsing, YAML alias expansion is
 * bounded (alias bombs), duplicate keys are refused, local files can be confined to allowed roots,
 * nested Arazzo documents are bounded in depth and number and may not form a cycle, and remote
 * (https) descriptions are read only through the caller's SourceReader.
 */

import { resolve } from 'node:path'
import { criterionEnginesNeeded, loadCriterionEngines } from './criteria-engines.js'
import { ArazzoLoadError } from './errors.js'
import { checkPathParameters } from './operation-checks.js'
import {
  loadSources,
  REMOTE_CONTENT_WITHHELD,
  withhold,
  type SourceContext
} from './source-loader.js'
import {
  locationKey,
  readCapped,
  assertAllowed,
  type SourceLocation,
  type SourceReader
} from './source-location.js'
import { dereferenceInputs, resolveOperations } from './resolve-references.js'
import { checkSecretFlow } from './secret-flow.js'
import type { ArazzoDocument, ResolvedOperation, Step, Workflow } from './types.js'
import { parseSourceReference } from './document-nodes.js'
import { validateDocument } from './validate.js'
import { ArazzoValidationError } from './validation-context.js'

export type { SourceReader } from './source-location.js'

export interface LoadOptions {
  /**
   * Directories searched (by file name) when a local source description file is missing: the
   * action ships its own copies, so the seed (which points at
   * ../openapi/amplitude-dsar-api-openapi.yml) runs when copied alone. Using one emits a notice.
   */
  fallbackDescriptionDirs?: string[]
  /** Local files (the document and its source descriptions) must lie under one of these
   *  (realpath); default: no restriction. Fallback directories are trusted as given. */
  allowedRoots?: string[]
  /** Reads remote source descriptions (https only; http is refused before it is called).
   *  Default: none, and remote descriptions are refused. */
  sourceReader?: SourceReader
  /**
   * Inputs that hold secrets (the action's credentials): the document may use them only in request
   * headers of operation steps, or pass them on as the same input of another workflow
   * (secret-flow.ts). A document that uses one anywhere else is refused.
   */
  secretInputs?: readonly string[]
  /**
   * Documents already parsed, by absolute file path: the action's own, turned into JSON at build
   * time (trusted, so neither read nor parsed again, and `yaml` need not load). A file listed here
   * is still subject to `allowedRoots`.
   */
  prebuilt?: ReadonlyMap<string, unknown>
  /** Default 5 MiB: larger documents (and source descriptions) are refused before parsing. */
  maxDocumentBytes?: number
  /** Stops remote reads (the caller's deadline or cancellation). */
  signal?: AbortSignal
  onNotice?: (message: string) => void
}

export interface LoadedArazzo {
  document: ArazzoDocument
  path?: string
  /** The workflow with this id (default: the first); unknown id => ArazzoLoadError naming it. */
  workflow(id?: string): Workflow
  /**
   * A workflowId as this document writes it: a local id, or `$sourceDescriptions.<name>.<id>`
   * for a workflow of an arazzo source description (returned with its own loaded document).
   */
  resolveWorkflow(reference: string): { loaded: LoadedArazzo; workflow: Workflow }
  /** The operation of an operationId/operationPath step of this document. */
  operation(step: Step): ResolvedOperation
  /** The arazzo source descriptions this document uses, loaded, by name. */
  sources: ReadonlyMap<string, LoadedArazzo>
  warnings: string[]
}

export const DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
/** Generous for real documents, tiny next to what an alias bomb needs. */
const MAX_ALIAS_COUNT = 100
/** Bound on `$ref` chains when resolving workflow input schemas. */

export async function loadArazzoFile(
  path: string,
  options: LoadOptions = {}
): Promise<LoadedArazzo> {
  const absolute = resolve(path)
  await assertAllowed(absolute, options.allowedRoots, '')
  const prebuilt = prebuiltCopy(options.prebuilt, absolute)
  if (prebuilt) return loadRoot(prebuilt, { kind: 'file', path: absolute }, options, absolute)
  const text = await readCapped(
    absolute,
    options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES,
    ''
  )
  return loadRoot({ text }, { kind: 'file', path: absolute }, options, absolute)
}

export async function loadArazzoText(
  text: string,
  options: LoadOptions & { baseDir?: string } = {}
): Promise<LoadedArazzo> {
  return loadRoot(
    { text },
    { kind: 'dir', path: options.baseDir ?? process.cwd() },
    options,
    undefined
  )
}

async function loadRoot(
  root: { text: string } | { parsed: unknown },
  base: SourceLocation | { kind: 'dir'; path: string },
  options: LoadOptions,
  path: string | undefined
): Promise<LoadedArazzo> {
  const limit = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES
  const warnings: string[] = []
  let parsed: unknown
  if ('text' in root) {
    const size = Buffer.byteLength(root.text, 'utf8')
    if (size > limit) {
      throw new ArazzoLoadError('', `the document is ${size} bytes, over the ${limit} byte limit`)
    }
    parsed = await parseYamlOrJson(root.text, 'the document', '', warnings)
  } else {
    parsed = root.parsed
  }
  // Nested Arazzo documents receive the same secrets (as the same inputs), under the same rule.
  const secretInputs = options.secretInputs ?? []
  const context: SourceContext<LoadedArazzo> = {
    read: {
      sourceReader: options.sourceReader,
      allowedRoots: options.allowedRoots,
      fallbackDescriptionDirs: options.fallbackDescriptionDirs,
      maxDocumentBytes: limit,
      signal: options.signal,
      onNotice: options.onNotice
    },
    chain: base.kind === 'dir' ? [] : [locationKey(base)],
    depth: 0,
    cache: new Map(),
    counter: { documents: 1 },
    parse: parseYamlOrJson,
    prebuilt: file => prebuiltCopy(options.prebuilt, file)?.parsed,
    loadNested: (nested, location, nestedContext) =>
      loadParsed(nested, location, nestedContext, [], undefined, secretInputs)
  }
  return loadParsed(parsed, base, context, warnings, path, secretInputs)
}

/** Validates a parsed document, loads its sources and resolves its operations. */
async function loadParsed(
  parsed: unknown,
  base: SourceLocation | { kind: 'dir'; path: string },
  context: SourceContext<LoadedArazzo>,
  warnings: string[],
  path: string | undefined,
  secretInputs: readonly string[]
): Promise<LoadedArazzo> {
  await loadCriterionEngines(criterionEnginesNeeded(parsed))
  const { problems, warnings: validationWarnings } = validateDocument(parsed)
  const remote = base.kind === 'remote'
  if (remote && validationWarnings.length > 0) {
    warnings.push(`${validationWarnings.length} warning(s); ${REMOTE_CONTENT_WITHHELD}`)
  } else warnings.push(...validationWarnings)
  const document = parsed as ArazzoDocument
  const operations = new Map<Step, ResolvedOperation>()
  let sources = new Map<string, LoadedArazzo>()
  if (problems.length === 0) problems.push(...checkSecretFlow(document, secretInputs))
  if (problems.length === 0) {
    dereferenceInputs(document, problems)
    const fromSources = problems.length
    const loaded = await loadSources(document, base, context, problems, warnings)
    const sourcesEnd = problems.length
    sources = loaded.arazzo
    resolveOperations(document, loaded.openapi, operations, problems)
    checkPathParameters(document, operations, problems)
    if (remote) withhold(problems, [fromSources, sourcesEnd])
  } else if (remote) withhold(problems)
  if (problems.length > 0) throw new ArazzoValidationError(problems)
  return loadedDocument(document, path, warnings, operations, sources)
}

function loadedDocument(
  document: ArazzoDocument,
  path: string | undefined,
  warnings: string[],
  operations: Map<Step, ResolvedOperation>,
  sources: Map<string, LoadedArazzo>
): LoadedArazzo {
  const loaded: LoadedArazzo = {
    document,
    path,
    warnings,
    sources,
    workflow(id?: string): Workflow {
      if (id === undefined) return document.workflows[0]
      const found = document.workflows.find(w => w.workflowId === id)
      if (!found) {
        const known = document.workflows.map(w => w.workflowId).join(', ')
        throw new ArazzoLoadError('workflows', `no workflow '${id}' (the document has: ${known})`)
      }
      return found
    },
    resolveWorkflow(reference: string) {
      const external = parseSourceReference(reference)
      const nested = external && sources.get(external.sourceName)
      if (external && nested) return { loaded: nested, workflow: nested.workflow(external.rest) }
      return { loaded, workflow: loaded.workflow(reference) }
    },
    operation(step: Step): ResolvedOperation {
      const found = operations.get(step)
      if (!found) {
        throw new ArazzoLoadError(
          '',
          `step '${step.stepId}' is not an operation step of this document`
        )
      }
      return found
    }
  }
  return loaded
}

// ---------------------------------------------------------------------------------------------
// Parsing and files
// ---------------------------------------------------------------------------------------------

/** A fresh copy of a prebuilt document (loading changes what it loads), if there is one. */
function prebuiltCopy(
  prebuilt: ReadonlyMap<string, unknown> | undefined,
  file: string
): { parsed: unknown } | undefined {
  const parsed = prebuilt?.get(file)
  return parsed === undefined ? undefined : { parsed: structuredClone(parsed) }
}

/**
 * YAML 1.2 (JSON is YAML): one document, unique keys (checked in linear time by
 * duplicate-keys.ts, not by the library's quadratic check), bounded aliases. `yaml` (and the key
 * check built on it) is loaded here, on first use, so a run of prebuilt documents never loads it.
 */
async function parseYamlOrJson(
  text: string,
  what: string,
  pointer: string,
  warnings: string[],
  remote = false
): Promise<unknown> {
  const [{ parseDocument }, { findKeyProblem }] = await Promise.all([
    import('yaml'),
    import('./duplicate-keys.js')
  ])
  const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'silent', prettyErrors: true })
  if (doc.errors.length > 0) {
    const [error] = doc.errors
    const at = error.linePos?.[0]
    const position = at ? `line ${at.line}, column ${at.col}` : `offset ${error.pos[0]}`
    throw new ArazzoLoadError(
      pointer,
      remote
        ? `${what} is not valid YAML or JSON (${error.code} at ${position}); ${REMOTE_CONTENT_WITHHELD}`
        : `${what} is not valid YAML or JSON: ${firstLine(error.message)}`
    )
  }
  const keyProblem = findKeyProblem(doc)
  if (keyProblem && remote) {
    throw new ArazzoLoadError(
      pointer,
      `${what} is not valid YAML or JSON: a duplicate key; ${REMOTE_CONTENT_WITHHELD}`
    )
  }
  if (keyProblem) {
    const where = keyProblem.pointer === '' ? 'at the top level' : `at ${keyProblem.pointer}`
    throw new ArazzoLoadError(
      pointer,
      `${what} is not valid YAML or JSON: ${keyProblem.message} (${where})`
    )
  }
  if (remote && doc.warnings.length > 0) {
    warnings.push(`${what}: ${doc.warnings.length} YAML warning(s); ${REMOTE_CONTENT_WITHHELD}`)
  } else for (const warning of doc.warnings) warnings.push(`${what}: ${firstLine(warning.message)}`)
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new ArazzoLoadError(pointer, `${what} was refused: ${message}`)
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]
}
