/**
 * Runs a Jentic arazzo-engine runner fixture (runner/tests/fixtures/<name>/test_config.yaml) the
 * way Jentic's own harness (runner/tests/test_fixture_discovery.py) does, against the responses
 * the fixture records, with this engine:
 * - mocks: the workflow's own `custom_mocks` first, then the fixture-wide ones of every source;
 *   a mock matches on method (default `post` for a workflow's own, `get` for fixture-wide ones,
 *   as there) and path: a full URL, or a path the request's path ends with; `{name}` matches one
 *   segment. Query parameters are not compared (Jentic's harness does not pass them either).
 *   Unlike Jentic's, a request no mock answers is not given an invented answer: it gets a 599 and
 *   is listed in `unmatched`, so a fixture runs only on what it records;
 * - success: `expect_success` against the run's status; `expected_outputs` looked up as Jentic
 *   does (the workflow's outputs, then `stepId.name` of step outputs, then any step output whose
 *   name is the key); `expected_api_calls` against the requests sent.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { LoadedArazzo } from '../../src/arazzo/loader.js'
import { VirtualClock } from '../../src/arazzo/pacing.js'
import { runWorkflow } from '../../src/arazzo/runner.js'
import type { HttpRequest, HttpResponse, RunResult } from '../../src/arazzo/types.js'

interface MockConfig {
  path?: string
  url?: string
  method?: string
  status_code?: number
  response?: unknown
  headers?: Record<string, string>
}

export interface WorkflowCase {
  id: string
  name?: string
  inputs?: Record<string, unknown>
  expect_success?: boolean
  expected_outputs?: Record<string, unknown>
  expected_api_calls?: number
  custom_mocks?: MockConfig[]
}

export interface FixtureConfig {
  base_urls?: Record<string, string>
  custom_mocks?: Record<string, MockConfig[]>
  workflows?: WorkflowCase[]
}

export function readFixtureConfig(dir: string): FixtureConfig {
  return parse(readFileSync(join(dir, 'test_config.yaml'), 'utf8')) as FixtureConfig
}

interface Mock {
  method: string
  pattern: RegExp
  fullUrl: boolean
  response: HttpResponse
}

function toMock(config: MockConfig, defaultMethod: string): Mock | undefined {
  const path = config.path ?? config.url
  if (!path) return undefined
  const fullUrl = /^https?:\/\//.test(path)
  const escaped = path
    .split(/\{[^}]+\}/)
    .map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+')
  return {
    method: (config.method ?? defaultMethod).toUpperCase(),
    pattern: new RegExp(fullUrl ? `^${escaped}$` : `${escaped}$`),
    fullUrl,
    response: {
      status: config.status_code ?? 200,
      headers: {
        'content-type': 'application/json',
        ...Object.fromEntries(
          Object.entries(config.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])
        )
      },
      body: config.response ?? {}
    }
  }
}

export interface FixtureRun {
  result: RunResult
  requests: HttpRequest[]
  /** Requests no recorded response answered. */
  unmatched: string[]
  /** What the case expected and what came out, key by key. */
  outputs: { key: string; expected: unknown; actual: unknown }[]
}

export async function runFixtureCase(
  loaded: LoadedArazzo,
  config: FixtureConfig,
  testCase: WorkflowCase,
  serverUrl?: string
): Promise<FixtureRun> {
  const mocks = [
    ...(testCase.custom_mocks ?? []).map(m => toMock(m, 'post')),
    ...Object.values(config.custom_mocks ?? {})
      .flat()
      .map(m => toMock(m, 'get'))
  ].filter((m): m is Mock => m !== undefined)
  const requests: HttpRequest[] = []
  const unmatched: string[] = []
  const result = await runWorkflow(loaded, {
    workflowId: testCase.id,
    inputs: testCase.inputs ?? {},
    clock: new VirtualClock(0),
    serverUrl,
    transport: async request => {
      requests.push(request)
      const url = new URL(request.url)
      const withoutQuery = `${url.origin}${url.pathname}`
      const mock = mocks.find(
        m => m.method === request.method && m.pattern.test(m.fullUrl ? withoutQuery : url.pathname)
      )
      if (mock) return structuredClone(mock.response)
      unmatched.push(`${request.method} ${withoutQuery}`)
      return { status: 599, headers: {}, body: undefined }
    }
  })
  const flat: Record<string, unknown> = {}
  for (const [stepId, { outputs }] of Object.entries(result.steps)) {
    for (const [name, value] of Object.entries(outputs)) flat[`${stepId}.${name}`] = value
  }
  const outputs = Object.entries(testCase.expected_outputs ?? {}).map(([key, expected]) => {
    let actual: unknown = result.outputs[key] ?? flat[key]
    if (actual === undefined) {
      actual = Object.entries(flat).find(([name]) => name.split('.').pop() === key)?.[1]
    }
    return { key, expected, actual }
  })
  return { result, requests, unmatched, outputs }
}
