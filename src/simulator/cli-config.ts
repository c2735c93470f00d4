/**
 * The simulator CLI's settings (argv over env) and its start-up banner, kept apart from cli.ts
 * (which only runs) so they can be tested without starting a process.
 */

import { parseArgs } from 'node:util'
import type { JobPlan, RequestLogEntry, Simulator, SimulatorOptions } from './types.js'

export interface CliConfig {
  options: SimulatorOptions
  quiet: boolean
  help: boolean
}

/** Flag name -> what it sets. Each flag can also come from env DSAR_SIM_<FLAG_IN_SNAKE_CASE>. */
const NUMBER_FLAGS = {
  port: 'port',
  'storage-port': 'storagePort',
  'web-port': 'webPort',
  'budget-per-hour': 'budgetPerHour',
  'link-ttl-ms': 'linkTtlMs'
} as const
const PLAN_NUMBER_FLAGS = {
  'polls-in-staging': 'pollsInStaging',
  'polls-in-submitted': 'pollsInSubmitted',
  files: 'files',
  'lines-per-file': 'linesPerFile',
  'bytes-per-file': 'bytesPerFile'
} as const
const STRING_FLAGS = {
  host: 'host',
  'storage-host': 'storageHost',
  'web-host': 'webHost',
  'api-key': 'apiKey',
  'secret-key': 'secretKey'
} as const

export const CLI_USAGE = `Usage: npm run simulator -- [options]   (each option also from env DSAR_SIM_<NAME>)
  --host H              API host (127.0.0.1)      --storage-host H   storage host (127.0.0.2)
  --port N              API port (0 = any)        --storage-port N   storage port (0 = any)
  --output-links api|web  output links on the API host (api) or on a web-app host that
                        requires the credentials, like analytics.amplitude.com (web)
  --web-host H          web-app host (127.0.0.3)  --web-port N       web-app port (0 = any)
  --api-key K           org API key               --secret-key K     org secret key
  --polls-in-staging N  (1)                       --polls-in-submitted N (1)
  --outcome S           done | failed | any other status (done)
  --fail-reason S       failReason of failed jobs
  --files N             output files (2)          --lines-per-file N (10)
  --bytes-per-file N    approximate uncompressed size per file (overrides lines)
  --budget-per-hour N   (14400)                   --retry-after N|none|window (none)
  --link-ttl-ms N       link lifetime (2 days)    --quiet            no request log
  --help`

export function envName(flag: string): string {
  return `DSAR_SIM_${flag.replace(/-/g, '_').toUpperCase()}`
}

export function parseCliConfig(argv: string[], env: NodeJS.ProcessEnv): CliConfig {
  const stringFlags = [
    ...Object.keys(NUMBER_FLAGS),
    ...Object.keys(PLAN_NUMBER_FLAGS),
    ...Object.keys(STRING_FLAGS),
    'outcome',
    'fail-reason',
    'retry-after',
    'output-links'
  ]
  const parsed = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(stringFlags.map(flag => [flag, { type: 'string' as const }])),
      quiet: { type: 'boolean' },
      help: { type: 'boolean' }
    },
    strict: true,
    allowPositionals: false
  })
  const values = parsed.values as Record<string, string | boolean | undefined>
  const read = (flag: string): string | undefined => {
    const value = values[flag] ?? env[envName(flag)]
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
  }
  const number = (flag: string): number | undefined => {
    const text = read(flag)
    if (text === undefined) return undefined
    const value = Number(text)
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`--${flag} (or ${envName(flag)}) must be a number >= 0, got "${text}"`)
    }
    return value
  }
  const bool = (flag: string): boolean =>
    values[flag] === true || /^(1|true|yes)$/i.test(env[envName(flag)] ?? '')

  const options: SimulatorOptions = {}
  const job: JobPlan = {}
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    const value = number(flag)
    if (value !== undefined) options[key] = value
  }
  for (const [flag, key] of Object.entries(STRING_FLAGS)) {
    const value = read(flag)
    if (value !== undefined) options[key] = value
  }
  for (const [flag, key] of Object.entries(PLAN_NUMBER_FLAGS)) {
    const value = number(flag)
    if (value !== undefined) job[key] = value
  }
  const outcome = read('outcome')
  if (outcome !== undefined) job.outcome = outcome
  const failReason = read('fail-reason')
  if (failReason !== undefined) job.failReason = failReason
  if (Object.keys(job).length > 0) options.job = job

  const outputLinks = read('output-links')
  if (outputLinks !== undefined) {
    if (outputLinks !== 'api' && outputLinks !== 'web') {
      throw new Error(
        `--output-links (or ${envName('output-links')}) must be api or web, got "${outputLinks}"`
      )
    }
    options.outputLinksOn = outputLinks
  }

  const retryAfter = read('retry-after')
  if (retryAfter === 'none') options.retryAfterSeconds = null
  else if (retryAfter === 'window' || retryAfter === 'auto') options.retryAfterSeconds = 'window'
  else if (retryAfter !== undefined) options.retryAfterSeconds = number('retry-after')
  return { options, quiet: bool('quiet'), help: bool('help') }
}

export function formatBanner(simulator: Simulator, options: SimulatorOptions): string {
  const plan = typeof options.job === 'object' ? options.job : {}
  const setting = options.retryAfterSeconds
  const retry =
    setting === 'window'
      ? 'Retry-After from the window'
      : typeof setting === 'number'
        ? `Retry-After ${setting}s`
        : 'no Retry-After'
  const size =
    plan.bytesPerFile !== undefined
      ? `~${plan.bytesPerFile} bytes`
      : `${plan.linesPerFile ?? 10} lines`
  return [
    'Amplitude DSAR simulator running (Ctrl+C to stop)',
    `  API URL      ${simulator.url}`,
    `  Storage URL  ${simulator.storageUrl}`,
    ...(simulator.webUrl
      ? [`  Web URL      ${simulator.webUrl}  (output links; credentials required)`]
      : []),
    `  API key      ${simulator.apiKey}`,
    `  Secret key   ${simulator.secretKey}`,
    `  Basic auth   ${simulator.basicAuth}`,
    `  Jobs         staging x${plan.pollsInStaging ?? 1} -> submitted x${plan.pollsInSubmitted ?? 1}` +
      ` -> ${plan.outcome ?? 'done'}, ${plan.files ?? 2} file(s) of ${size}`,
    `  Budget       ${options.budgetPerHour ?? 14400} cost per sliding hour (POST 8, GET 1), ${retry}`,
    `  Deletions    /api/2/deletions/users with the project keys ${simulator.erasureApiKey} / ${simulator.erasureSecretKey}` +
      ' (1 request/s; jobs by the simulator clock)',
    '',
    "Action inputs for a local run (e.g. env 'INPUT_API-URL=...' ... node dist/index.js):",
    `INPUT_API-URL=${simulator.url}`,
    `INPUT_API-KEY=${simulator.apiKey}`,
    `INPUT_SECRET-KEY=${simulator.secretKey}`,
    `INPUT_USER-IDS=user-1`,
    `INPUT_START-DATE=2024-01-01`,
    `INPUT_END-DATE=2024-12-31`,
    `INPUT_POLL-INTERVAL=1s`,
    `INPUT_DOWNLOAD=true`,
    ...(simulator.webUrl ? [`INPUT_CREDENTIAL-ORIGINS=${simulator.webUrl}`] : []),
    `(or INPUT_BASIC-AUTH=${simulator.basicAuth} instead of the two keys)`,
    '',
    'For an erasure: INPUT_REQUEST-TYPE=erasure with',
    `INPUT_ERASURE-API-KEY=${simulator.erasureApiKey}`,
    `INPUT_ERASURE-SECRET-KEY=${simulator.erasureSecretKey}`
  ].join('\n')
}

export function formatLogEntry(entry: RequestLogEntry): string {
  // Presigned queries are long and carry nothing a reader needs.
  const path = entry.path.length > 100 ? `${entry.path.slice(0, 97)}...` : entry.path
  const took = entry.durationMs === undefined ? '' : ` ${Math.round(entry.durationMs)}ms`
  const fault = entry.fault ? ` [fault: ${entry.fault}]` : ''
  return `${new Date(entry.at).toISOString()} ${entry.host.padEnd(7)} ${entry.method} ${path} -> ${
    entry.status || 'reset'
  }${took}${fault}`
}
