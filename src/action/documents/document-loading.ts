/**
 * Chooses the Arazzo document the action runs (a built-in one or the user's) and loads it: the
 * shipped documents pre-parsed at build time, remote source descriptions fetched (and pinned) on
 * the way. A broken document is reported against the `workflow` input, before any request.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ArazzoError,
  loadArazzoFile,
  type LoadedArazzo,
  type SourceReader
} from '../../arazzo/index.js'
import {
  BUILTIN_WORKFLOWS,
  InputError,
  Inputs,
  line,
  log,
  testHooks,
  type RunSettings
} from '../../run/index.js'
import type { RemoteSourceOptions } from './remote-sources.js'

/** Where the shipped Arazzo and OpenAPI documents are: dist/workflows when bundled, src/workflows in tests. */
export function bundledWorkflowsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  // dist/ when bundled; src/workflows beside src/action/documents/ in tests.
  const candidates = [join(here, 'workflows'), join(here, '..', '..', 'workflows')]
  const found = candidates.find(dir => existsSync(join(dir, BUILTIN_WORKFLOWS.amplitude.file)))
  if (!found)
    throw new Error(`the built-in workflows are missing (looked in ${candidates.join(', ')})`)
  return found
}

/** What loading may need besides the settings: remote descriptions are fetched on the way. */
export interface LoadChoices {
  /** Stops remote fetches (cancellation). */
  signal?: AbortSignal
  /** Per remote description, retries included (default 60 s; the DSAR_TEST_REQUEST_TIMEOUT_MS hook). */
  remoteTimeoutMs?: number
}

/** The chosen document, with a broken one reported against the `workflow` input. */
export async function loadWorkflowInput(
  settings: Pick<RunSettings, 'workflow' | 'sourceIntegrity'>,
  onNotice: (message: string) => void,
  choices: LoadChoices = {}
): Promise<LoadedArazzo> {
  try {
    return await loadChosenDocument(settings, onNotice, choices)
  } catch (error) {
    if (error instanceof ArazzoError) throw new InputError(Inputs.Workflow, error.message)
    throw error
  }
}

/**
 * The workflow inputs the action fills from secrets: a document may use them only in request
 * headers (the loader refuses any other use, with its JSON Pointer).
 */
export const SECRET_INPUTS = ['basicAuth'] as const

/**
 * The build (scripts/package.mjs) also writes every shipped YAML document, parsed, into one JSON file
 * beside them: reading that is much cheaper at start-up than parsing YAML (and loading `yaml`).
 */
export const PREBUILT_DOCUMENTS_FILE = 'documents.json'

/** The shipped documents as parsed at build time, by absolute path; empty when not built (tests). */
export async function prebuiltDocuments(shipped: string): Promise<Map<string, unknown>> {
  let text: string
  try {
    text = await readFile(join(shipped, PREBUILT_DOCUMENTS_FILE), 'utf8')
  } catch {
    return new Map()
  }
  const byName = JSON.parse(text) as Record<string, unknown>
  return new Map(Object.entries(byName).map(([name, parsed]) => [join(shipped, name), parsed]))
}

export async function loadChosenDocument(
  settings: Pick<RunSettings, 'workflow' | 'sourceIntegrity'>,
  onNotice: (message: string) => void,
  choices: LoadChoices = {}
): Promise<LoadedArazzo> {
  const shipped = bundledWorkflowsDir()
  const prebuilt = await prebuiltDocuments(shipped)
  if (settings.workflow.kind === 'builtin') {
    return loadArazzoFile(join(shipped, BUILTIN_WORKFLOWS[settings.workflow.name].file), {
      allowedRoots: [shipped],
      secretInputs: SECRET_INPUTS,
      prebuilt,
      onNotice
    })
  }
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  return loadArazzoFile(settings.workflow.path, {
    allowedRoots: [workspace, shipped],
    fallbackDescriptionDirs: [shipped],
    secretInputs: SECRET_INPUTS,
    sourceReader: lazyRemoteSourceReader({
      pins: settings.sourceIntegrity,
      timeoutMs: choices.remoteTimeoutMs ?? testHooks().requestTimeoutMs,
      log: (url, message) => log.info(line`source description ${url}: ${message}`)
    }),
    signal: choices.signal,
    prebuilt,
    onNotice
  })
}

/**
 * The remote source reader, loaded (with @actions/tool-cache and semver) on the first remote
 * description a document names: most runs name none, and their start-up need not compile it.
 */
function lazyRemoteSourceReader(options: RemoteSourceOptions): SourceReader {
  let reader: Promise<SourceReader> | undefined
  return async (url, limits) => {
    reader ??= import('./remote-sources.js').then(m => m.createRemoteSourceReader(options))
    return (await reader)(url, limits)
  }
}
