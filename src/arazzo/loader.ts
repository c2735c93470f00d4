/**
 * Loads an Arazzo document (YAML or JSON), validates it, loads the OpenAPI source descriptions
 * its steps use and resolves every operation, so that a loaded document can run without further
 * file access. Every failure is one ArazzoLoadError listing all problems with their pointers.
 *
 * Untrusted input is expected: documents are size-capped before parsing, YAML alias expansion is
 * bounded (alias bombs), duplicate keys are refused, local files can be confined to allowed roots,
 * and remote source descriptions are refused unless the caller allows them.
 */

import { readFile, realpath, stat } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDocument } from 'yaml'
import { ArazzoLoadError } from './errors.js'
import {
  findOperationByPointer,
  indexOpenApi,
  isOpenApiDocument,
  parseOperationIdRef,
  parseOperationPath,
  type OpenApiIndex
} from './openapi.js'
import type { ArazzoDocument, ResolvedOperation, Step, Workflow } from './types.js'
import {
  ArazzoValidationError,
  childPointer,
  isObject,
  validateDocument,
  type ValidationProblem
} from './validate.js'

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
  /** Remote (http/https) source description URLs: refused unless this returns true for the URL
   *  (and then only https). Fetching them is not implemented yet: allowed ones are refused with
   *  a clear error too. Default: refused. */
  allowRemote?: (url: string) => boolean
  /** Default 5 MiB: larger documents (and source descriptions) are refused before parsing. */
  maxDocumentBytes?: number
  onNotice?: (message: string) => void
}

export interface LoadedArazzo {
  document: ArazzoDocument
  path?: string
  /** The workflow with this id (default: the first); unknown id => ArazzoLoadError naming it. */
  workflow(id?: string): Workflow
  /** The operation of an operationId/operationPath step of this document. */
  operation(step: Step): ResolvedOperation
  warnings: string[]
}

export const DEFAULT_MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
/** Generous for real documents, tiny next to what an alias bomb needs. */
const MAX_ALIAS_COUNT = 100
/** Bound on `$ref` chains when resolving workflow input schemas. */
const MAX_REF_DEPTH = 32

export async function loadArazzoFile(
  path: string,
  options: LoadOptions = {}
): Promise<LoadedArazzo> {
  const absolute = resolve(path)
  await assertAllowed(absolute, options.allowedRoots, '')
  const text = await readCapped(absolute, options.maxDocumentBytes, '')
  return load(text, { ...options, baseDir: dirname(absolute) }, absolute)
}

export async function loadArazzoText(
  text: string,
  options: LoadOptions & { baseDir?: string } = {}
): Promise<LoadedArazzo> {
  return load(text, options, undefined)
}

async function load(
  text: string,
  options: LoadOptions & { baseDir?: string },
  path: string | undefined
): Promise<LoadedArazzo> {
  const limit = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES
  const size = Buffer.byteLength(text, 'utf8')
  if (size > limit) {
    throw new ArazzoLoadError('', `the document is ${size} bytes, over the ${limit} byte limit`)
  }
  const warnings: string[] = []
  const parsed = parseYamlOrJson(text, 'the document', '', warnings)
  const { problems, warnings: validationWarnings } = validateDocument(parsed)
  warnings.push(...validationWarnings)
  const document = parsed as ArazzoDocument
  const operations = new Map<Step, ResolvedOperation>()
  if (problems.length === 0) {
    dereferenceInputs(document, problems)
    const baseDir = options.baseDir ?? process.cwd()
    const sources = await loadSources(document, baseDir, options, problems, warnings)
    resolveOperations(document, sources, operations, problems)
  }
  if (problems.length > 0) throw new ArazzoValidationError(problems)

  return {
    document,
    path,
    warnings,
    workflow(id?: string): Workflow {
      if (id === undefined) return document.workflows[0]
      const found = document.workflows.find(w => w.workflowId === id)
      if (!found) {
        const known = document.workflows.map(w => w.workflowId).join(', ')
        throw new ArazzoLoadError('workflows', `no workflow '${id}' (the document has: ${known})`)
      }
      return found
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
}

// ---------------------------------------------------------------------------------------------
// Parsing and files
// ---------------------------------------------------------------------------------------------

/** YAML 1.2 (JSON is YAML): one document, unique keys, bounded aliases. */
function parseYamlOrJson(text: string, what: string, pointer: string, warnings: string[]): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, logLevel: 'silent', prettyErrors: true })
  if (doc.errors.length > 0) {
    throw new ArazzoLoadError(
      pointer,
      `${what} is not valid YAML or JSON: ${firstLine(doc.errors[0].message)}`
    )
  }
  for (const warning of doc.warnings) warnings.push(`${what}: ${firstLine(warning.message)}`)
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

function isUnder(root: string, file: string): boolean {
  const rel = relative(root, file)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..')
}

/** Refuses a file outside the allowed roots (both sides through realpath, so symlinks count). */
async function assertAllowed(
  file: string,
  roots: string[] | undefined,
  pointer: string
): Promise<void> {
  if (!roots) return
  let real: string
  try {
    real = await realpath(file)
  } catch {
    // A missing file is reported by the read; checking the lexical path keeps the error honest.
    real = file
  }
  for (const root of roots) {
    let realRoot: string
    try {
      realRoot = await realpath(root)
    } catch {
      continue
    }
    if (isUnder(realRoot, real)) return
  }
  throw new ArazzoLoadError(pointer, `${file} is outside the allowed directories`)
}

async function readCapped(
  file: string,
  maxBytes: number | undefined,
  pointer: string
): Promise<string> {
  const limit = maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES
  let size: number
  try {
    const info = await stat(file)
    if (!info.isFile()) throw new ArazzoLoadError(pointer, `${file} is not a file`)
    size = info.size
  } catch (error) {
    if (error instanceof ArazzoLoadError) throw error
    throw new ArazzoLoadError(pointer, `cannot read ${file}: ${describeFsError(error)}`)
  }
  if (size > limit) {
    throw new ArazzoLoadError(pointer, `${file} is ${size} bytes, over the ${limit} byte limit`)
  }
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new ArazzoLoadError(pointer, `cannot read ${file}: ${describeFsError(error)}`)
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code
  if (code === 'ENOENT') return 'file not found'
  if (code === 'EACCES') return 'permission denied'
  return error instanceof Error ? error.message : String(error)
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------
// Source descriptions
// ---------------------------------------------------------------------------------------------

/** The names of the source descriptions some step needs (unused ones are never loaded). */
function neededSources(document: ArazzoDocument): Set<string> {
  const needed = new Set<string>()
  const openapiNames = document.sourceDescriptions.filter(s => s.type !== 'arazzo').map(s => s.name)
  for (const workflow of document.workflows) {
    for (const step of workflow.steps) {
      if (step.operationPath !== undefined) {
        const parsed = parseOperationPath(step.operationPath)
        if (parsed) needed.add(parsed.sourceName)
      } else if (step.operationId !== undefined) {
        const ref = parseOperationIdRef(step.operationId)
        if (ref.sourceName) needed.add(ref.sourceName)
        else openapiNames.forEach(name => needed.add(name))
      }
    }
  }
  return needed
}

async function loadSources(
  document: ArazzoDocument,
  baseDir: string,
  options: LoadOptions,
  problems: ValidationProblem[],
  warnings: string[]
): Promise<Map<string, OpenApiIndex>> {
  const indexes = new Map<string, OpenApiIndex>()
  const needed = neededSources(document)
  for (const [i, source] of document.sourceDescriptions.entries()) {
    if (!needed.has(source.name)) continue
    const pointer = childPointer('sourceDescriptions', i)
    try {
      const text = await readSource(source.url, baseDir, options, childPointer(pointer, 'url'))
      const parsed = parseYamlOrJson(
        text,
        `source description '${source.name}'`,
        childPointer(pointer, 'url'),
        warnings
      )
      if (!isOpenApiDocument(parsed)) {
        const message =
          isObject(parsed) && parsed.arazzo !== undefined
            ? 'is an Arazzo document: arazzo source descriptions are not supported yet'
            : 'is not an OpenAPI description'
        problems.push({
          pointer: childPointer(pointer, 'url'),
          message: `source description '${source.name}' ${message}`
        })
        continue
      }
      const index = indexOpenApi(source.name, parsed)
      for (const problem of index.problems)
        warnings.push(`source description '${source.name}': ${problem}`)
      indexes.set(source.name, index)
    } catch (error) {
      if (!(error instanceof ArazzoLoadError)) throw error
      problems.push({ pointer: error.pointer, message: error.detail })
    }
  }
  return indexes
}

async function readSource(
  url: string,
  baseDir: string,
  options: LoadOptions,
  pointer: string
): Promise<string> {
  if (/^https?:\/\//i.test(url)) {
    if (!options.allowRemote?.(url)) {
      throw new ArazzoLoadError(
        pointer,
        `remote source description ${url} refused (remote descriptions are not allowed)`
      )
    }
    if (!/^https:\/\//i.test(url)) {
      throw new ArazzoLoadError(
        pointer,
        `remote source description ${url} refused: only https is allowed`
      )
    }
    throw new ArazzoLoadError(
      pointer,
      `remote source description ${url}: fetching remote descriptions is not implemented; use a local copy`
    )
  }
  if (
    /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) &&
    !/^file:/i.test(url) &&
    !/^[A-Za-z]:[\\/]/.test(url)
  ) {
    throw new ArazzoLoadError(pointer, `unsupported source description URL scheme in ${url}`)
  }
  const withoutFragment = url.split('#')[0]
  let file: string
  if (/^file:/i.test(withoutFragment)) {
    file = fileURLToPath(withoutFragment)
  } else {
    let decoded = withoutFragment
    try {
      decoded = decodeURIComponent(withoutFragment)
    } catch {
      // Not percent-encoded: use as written.
    }
    file = resolve(baseDir, decoded)
  }
  if (!(await exists(file))) {
    for (const dir of options.fallbackDescriptionDirs ?? []) {
      const candidate = join(dir, basename(file))
      if (await exists(candidate)) {
        options.onNotice?.(
          `source description ${url} not found at ${file}; using the bundled copy ${candidate}`
        )
        return readCapped(candidate, options.maxDocumentBytes, pointer)
      }
    }
  }
  await assertAllowed(file, options.allowedRoots, pointer)
  return readCapped(file, options.maxDocumentBytes, pointer)
}

function resolveOperations(
  document: ArazzoDocument,
  sources: Map<string, OpenApiIndex>,
  operations: Map<Step, ResolvedOperation>,
  problems: ValidationProblem[]
): void {
  document.workflows.forEach((workflow, w) => {
    workflow.steps.forEach((step, s) => {
      const pointer = `workflows/${w}/steps/${s}`
      if (step.operationPath !== undefined) {
        const at = childPointer(pointer, 'operationPath')
        const parsed = parseOperationPath(step.operationPath)
        const index = parsed && sources.get(parsed.sourceName)
        if (!parsed || !index) return // reported by validation or by the source load
        const operation = findOperationByPointer(index, parsed.pointer)
        if (!operation) {
          problems.push({
            pointer: at,
            message: `'${parsed.pointer}' is not an operation of source description '${parsed.sourceName}' (expected #/paths/<path>/<method>)`
          })
        } else operations.set(step, operation)
      } else if (step.operationId !== undefined) {
        const at = childPointer(pointer, 'operationId')
        const ref = parseOperationIdRef(step.operationId)
        if (ref.sourceName !== undefined) {
          const index = sources.get(ref.sourceName)
          if (!index) return
          const operation = index.byOperationId.get(ref.operationId)
          if (operation) operations.set(step, operation)
          else {
            problems.push({
              pointer: at,
              message: `unknown operationId '${ref.operationId}' in source description '${ref.sourceName}'`
            })
          }
          return
        }
        const matches = [...sources.values()]
          .map(index => index.byOperationId.get(ref.operationId))
          .filter((op): op is ResolvedOperation => op !== undefined)
        if (matches.length === 1) operations.set(step, matches[0])
        else if (matches.length === 0) {
          problems.push({ pointer: at, message: `unknown operationId '${ref.operationId}'` })
        } else {
          const names = matches.map(m => m.sourceName).join(', ')
          problems.push({
            pointer: at,
            message: `operationId '${ref.operationId}' is in several source descriptions (${names}): write $sourceDescriptions.<name>.${ref.operationId}`
          })
        }
      }
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Workflow input schemas
// ---------------------------------------------------------------------------------------------

/**
 * Replaces `$ref: '#/components/inputs/x'` in workflow input schemas (at the top and in
 * properties) by the referenced schema, so required names and defaults can be read directly.
 */
function dereferenceInputs(document: ArazzoDocument, problems: ValidationProblem[]): void {
  const inputs = document.components?.inputs ?? {}
  const resolveRef = (schema: unknown, pointer: string, depth: number): unknown => {
    if (!isObject(schema) || typeof schema.$ref !== 'string') return schema
    const match = /^#\/components\/inputs\/(.+)$/.exec(schema.$ref)
    if (!match) return schema
    if (depth >= MAX_REF_DEPTH) {
      problems.push({ pointer, message: `$ref chain deeper than ${MAX_REF_DEPTH} (circular?)` })
      return schema
    }
    const name = match[1].replace(/~1/g, '/').replace(/~0/g, '~')
    const target = Object.hasOwn(inputs, name) ? inputs[name] : undefined
    if (target === undefined) return schema // reported by validation
    const { $ref: _ignored, ...siblings } = schema
    const resolved = resolveRef(target, pointer, depth + 1)
    return isObject(resolved) ? { ...resolved, ...siblings } : resolved
  }
  document.workflows.forEach((workflow, i) => {
    if (workflow.inputs === undefined) return
    const pointer = childPointer(childPointer('workflows', i), 'inputs')
    const schema = resolveRef(workflow.inputs, pointer, 0)
    if (!isObject(schema)) return
    if (isObject(schema.properties)) {
      const properties: Record<string, unknown> = {}
      for (const [name, property] of Object.entries(schema.properties)) {
        properties[name] = resolveRef(
          property,
          childPointer(childPointer(pointer, 'properties'), name),
          0
        )
      }
      workflow.inputs = { ...schema, properties }
    } else {
      workflow.inputs = schema
    }
  })
}
