/**
 * Runs the bundled action (dist/index.js) the way the GitHub runner does: a child process on Node 24
 * with `INPUT_<NAME>` variables (upper-cased, dashes kept), and the GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
 * GITHUB_STATE, RUNNER_TEMP and GITHUB_WORKSPACE files and folders it expects. Returns what a workflow
 * run would show: exit code, parsed step outputs, the job summary and the log lines.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseCommandFile } from '../../src/demo/command-file.js'
import { tempDir } from './temp.js'

export { parseCommandFile }

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The bundle under test; DSAR_ACTION_ENTRY points the suites at another build (e.g. main's, to see a new row fail there). */
export const actionEntry = process.env.DSAR_ACTION_ENTRY ?? join(repoRoot, 'dist', 'index.js')

export interface ActionRunOptions {
  /** Extra environment (e.g. ACTIONS_STEP_DEBUG). */
  env?: Record<string, string>
  /** Reuse a workspace (to place files the inputs point at); a fresh temp dir otherwise. */
  workspace?: string
  /** Kill the process after this long (a test safety net, not an assertion). Default 60 s. */
  killAfterMs?: number
  /** Node options before the entry (e.g. `--import` of a module-log hook). */
  nodeArgs?: string[]
  /** Send this signal once `when` returns true for a log line (cancellation tests). */
  signal?: { name: NodeJS.Signals; when: (line: string) => boolean }
  /** Sees every log line as it arrives (e.g. to start a server once the action reports a refusal). */
  onLine?: (line: string) => void
  /**
   * Return the connect guard's refusals in `guarded` instead of failing: only for the row that
   * shows the guard itself at work (the action must never try to reach beyond loopback otherwise).
   */
  reportGuarded?: boolean
}

export interface ActionRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  outputs: Record<string, string>
  summary: string
  state: string
  stdout: string
  stderr: string
  /** stdout and stderr lines, in arrival order. */
  lines: string[]
  workspace: string
  runnerTemp: string
  durationMs: number
  /** Connections the guard refused (JSON lines); empty unless `reportGuarded` was set. */
  guarded: string[]
}

/**
 * The inputs of an ordinary run against the DSAR simulator (or a front before it): its API, its
 * keys, one subject, quick polls and a generous timeout; `extra` adds or overrides (an empty value
 * is an input left unset, as on the runner).
 */
export function baseInputs(
  sim: { url: string; apiKey: string; secretKey: string },
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    'api-url': sim.url,
    'api-key': sim.apiKey,
    'secret-key': sim.secretKey,
    'user-ids': 'subject-1@example.com',
    'poll-interval': '0.05s',
    timeout: '30s',
    ...extra
  }
}

export function makeWorkspace(): string {
  return tempDir('dsar-ws-')
}

export interface PreparedRunner {
  env: Record<string, string>
  files: { GITHUB_OUTPUT: string; GITHUB_STEP_SUMMARY: string; GITHUB_STATE: string }
  workspace: string
  runnerTemp: string
}

/**
 * The runner's environment for one action run: a temp home with empty GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
 * and GITHUB_STATE files, a RUNNER_TEMP folder, the workspace, and one `INPUT_<NAME>` per input
 * (upper-cased, dashes kept, as the runner does). Benchmarks use it to spawn the action themselves,
 * in a `home` of their own that they clean up.
 */
export function prepareRunner(
  inputs: Record<string, string>,
  options: { workspace?: string; env?: Record<string, string>; home?: string } = {}
): PreparedRunner {
  const workspace = options.workspace ?? makeWorkspace()
  const home = options.home ?? tempDir('dsar-runner-')
  const runnerTemp = join(home, 'temp')
  mkdirSync(runnerTemp)
  const files = {
    GITHUB_OUTPUT: join(home, 'output'),
    GITHUB_STEP_SUMMARY: join(home, 'summary'),
    GITHUB_STATE: join(home, 'state')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    GITHUB_REPOSITORY: 'octo-org/privacy-ops',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    // The test run's own temp root (__tests__/jest/temp-root.mjs): what a run leaves there is seen.
    ...(process.env.TMPDIR !== undefined && { TMPDIR: process.env.TMPDIR }),
    ...files,
    ...options.env
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  return { env, files, workspace, runnerTemp }
}

/** The connect guard every run is preloaded with (support/network-guard.ts). */
const NETWORK_GUARD = join(repoRoot, '__tests__', 'support', 'network-guard.ts')

export async function runAction(
  inputs: Record<string, string>,
  options: ActionRunOptions = {}
): Promise<ActionRun> {
  if (!existsSync(actionEntry)) throw new Error(`${actionEntry} is missing: run npm run package`)
  const { env, files, workspace, runnerTemp } = prepareRunner(inputs, options)
  // Nothing leaves this machine: the guard refuses (and records) any socket beyond loopback, so
  // even a regressed build that names 169.254.169.254 or 10.x reaches nothing.
  const guardLog = join(dirname(files.GITHUB_OUTPUT), 'connect-guard.log')
  writeFileSync(guardLog, '')
  env.DSAR_CONNECT_GUARD_LOG = guardLog

  const started = Date.now()
  const nodeArgs = ['--import', NETWORK_GUARD, ...(options.nodeArgs ?? [])]
  const child = spawn(process.execPath, [...nodeArgs, actionEntry], {
    cwd: workspace,
    env
  })
  const lines: string[] = []
  let stdout = ''
  let stderr = ''
  let signalled = false
  const onLine = (line: string): void => {
    lines.push(line)
    options.onLine?.(line)
    if (options.signal && !signalled && options.signal.when(line)) {
      signalled = true
      child.kill(options.signal.name)
    }
  }
  const out = lineSplitter(onLine)
  const err = lineSplitter(onLine)
  // Decoded as text by the streams, so a character split across two chunks stays whole.
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (text: string) => {
    stdout += text
    out.push(text)
  })
  child.stderr.on('data', (text: string) => {
    stderr += text
    err.push(text)
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(done =>
    child.on('close', (code, sig) => done([code, sig]))
  )
  clearTimeout(killer)
  out.end()
  err.end()
  const guarded = readFileSync(guardLog, 'utf8').split('\n').filter(Boolean)
  if (guarded.length > 0 && !options.reportGuarded) {
    throw new Error(
      `the action tried to reach beyond loopback (connect guard): ${guarded.join(' ')}`
    )
  }

  return {
    exitCode,
    signal,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    state: readFileSync(files.GITHUB_STATE, 'utf8'),
    stdout,
    stderr,
    lines,
    workspace,
    runnerTemp,
    durationMs: Date.now() - started,
    guarded
  }
}

/**
 * Cuts a stream's text into lines the way the runner reads a log: a line ends at '\n', whatever
 * chunks it arrived in (a credential split across two chunks must still be one line for the leak
 * check). `end()` gives the last line when the output does not end with a newline. Empty lines
 * are dropped.
 */
export function lineSplitter(onLine: (line: string) => void): {
  push(text: string): void
  end(): void
} {
  let partial = ''
  return {
    push(text) {
      const parts = (partial + text).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) if (line.length > 0) onLine(line)
    },
    end() {
      if (partial.length > 0) onLine(partial)
      partial = ''
    }
  }
}
