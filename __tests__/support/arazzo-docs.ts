/**
 * Minimal Arazzo documents for the engine's unit tests: writes a document and its OpenAPI
 * source descriptions to a fresh temp directory, loads it, and runs it against an in-memory
 * transport that records every request.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { loadArazzoText, type LoadedArazzo, type LoadOptions } from '../../src/arazzo/loader.js'
import { runWorkflow } from '../../src/arazzo/runner.js'
import { VirtualClock } from '../../src/arazzo/pacing.js'
import type { HttpRequest, HttpResponse, RunResult } from '../../src/arazzo/types.js'
import { tempDir } from './temp.js'

export const API_SERVER = 'https://api.example.test'

/** A small OpenAPI 3.1 description; `paths` is its `paths` object. */
export function openapi(paths: Record<string, unknown>): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'api', version: '1' },
    servers: [{ url: API_SERVER }],
    paths
  }
}

/** An Arazzo 1.0.1 document with one `api` source (or the given ones) and these workflows. */
export function arazzo(
  workflows: unknown[],
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    arazzo: '1.0.1',
    info: { title: 'minimal', version: '1.0.0' },
    sourceDescriptions: [{ name: 'api', url: './api.openapi.json', type: 'openapi' }],
    workflows,
    ...extra
  }
}

/** Writes `files` (relative path -> JSON value or text) to a new temp dir and returns it. */
export function writeFiles(files: Record<string, unknown>): string {
  const dir = tempDir('arazzo-doc-')
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(
      join(dir, name),
      typeof content === 'string' ? content : JSON.stringify(content, null, 2)
    )
  }
  return dir
}

/** Loads `document` with `api.openapi.json` (and any other files) beside it. */
export async function loadWith(
  document: unknown,
  api: Record<string, unknown>,
  files: Record<string, unknown> = {},
  options: LoadOptions = {}
): Promise<LoadedArazzo> {
  const dir = writeFiles({ 'api.openapi.json': api, ...files })
  const text = typeof document === 'string' ? document : JSON.stringify(document)
  return loadArazzoText(text, { baseDir: dir, ...options })
}

/** Loads and returns the error it fails with (fails the test when loading succeeds). */
export async function loadFailure(
  document: unknown,
  api: Record<string, unknown>,
  files: Record<string, unknown> = {},
  options: LoadOptions = {}
): Promise<Error> {
  const outcome = await loadWith(document, api, files, options).then(
    () => undefined,
    (error: unknown) => error as Error
  )
  if (!outcome) throw new Error('the document loaded, but it should have been refused')
  return outcome
}

export type Responder = (request: HttpRequest) => HttpResponse

/** Runs a workflow against `respond` (default: 200 with `{}`), recording the requests. */
export async function runRecorded(
  loaded: LoadedArazzo,
  inputs: Record<string, unknown> = {},
  respond: Responder = () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: {}
  }),
  workflowId?: string
): Promise<{ result: RunResult; requests: HttpRequest[] }> {
  const requests: HttpRequest[] = []
  const result = await runWorkflow(loaded, {
    workflowId,
    inputs,
    clock: new VirtualClock(0),
    transport: async request => {
      requests.push(request)
      return respond(request)
    }
  })
  return { result, requests }
}
