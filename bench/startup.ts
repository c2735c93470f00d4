/**
 * Start-up: how long `node dist/index.js` takes from the moment it is spawned to the moment its first
 * request reaches the DSAR simulator, against a bare `node -e ''` spawned and exited on the same machine.
 * Runs are interleaved (each round runs every measure once, in a rotating order) after one discarded
 * warm-up of each, so disk cache, CPU frequency drift and the load of other work on the machine hit
 * all alike; the result is the median. Both timestamps come from this process's performance.now():
 * the simulator is given it (as sub-millisecond epoch ms) for its clock, so a log entry's `at` is the
 * arrival time on the same monotonic scale as the spawn. Reference measures frame the result: a
 * one-line CommonJS http.get (the least any Node client costs) and the action without inputs (its
 * load alone, stopped by the first input check).
 *
 * What each start-up change saves is measured, not remembered: the built-in document is also run as
 * a user's YAML document (copied into the workspace, so yaml is loaded and the YAML parsed, as every
 * run did before the documents shipped prebuilt as JSON), then with one jsonpath or regex criterion
 * added (so jsonpath-rfc9535 or re2js is loaded too, as every run did before they became lazy).
 * BENCH_STARTUP_BASELINE=<a dist/ directory> adds an older build as one more measure.
 *
 * The right limit for an action that keeps @actions/core (the user's design card): bench/startup-floor.ts
 * (@actions/core, one input read, one http.get) bundled by ncc the way the action is, timed from spawn
 * to its request. @actions/core loads undici (through @actions/http-client, for OIDC tokens) and
 * @actions/exec and @actions/io (platform details) at import, whatever the caller uses.
 *
 * A second part shows that code a run does not use is never loaded (see
 * __tests__/support/module-log.ts), with a control run that downloads and encrypts to prove the
 * hook sees lazy chunks.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { prepareRunner, repoRoot } from '../__tests__/support/action-harness.js'
import { distChunks, distDir, moduleLog, type Chunk } from '../__tests__/support/module-log.js'
import type { BenchSection, Target } from './report.js'
import { spread } from './stats.js'

const actionEntry = join(distDir, 'index.js')
const TARGET_RATIO = 3.5
const TARGET_MS = 150
const KILL_AFTER_MS = 20_000
/** Libraries a run of the built-in workflows (submit and poll) never needs. */
const UNUSED_ON_BUILTIN_RUN = [
  '@actions/tool-cache',
  'yaml',
  're2js',
  'jsonpath-rfc9535',
  'export downloader',
  'age-encryption',
  '@actions/artifact'
]

// Libraries @actions/core 3 imports eagerly, and why they are there.
const EAGER_SUSPECTS = [
  {
    path: 'node_modules/undici/',
    why: 'undici (via @actions/core -> @actions/http-client, for OIDC tokens)'
  },
  {
    path: 'node_modules/@actions/exec/',
    why: '@actions/exec and @actions/io (via @actions/core platform details; child_process)'
  }
]

// The least any Node client can do: load node:http (CommonJS, so no ESM facade) and send a GET.
const MINIMAL_CLIENT = `require('node:http').get(process.argv[2], response => response.resume())
`

const BUILTINS_PROBE = `process.stdout.write(process.moduleLoadList.filter(m => m.startsWith('NativeModule ')).map(m => m.slice(13)).join('\\n'))`

/**
 * The built-in `amplitude` document given as a user's YAML document, plain and with one extra
 * criterion on the submit step that needs a library.
 */
const SUBMIT_CRITERION = '          - condition: $statusCode == 202\n'
const DOCUMENT_VARIANTS = {
  yaml: {
    label: 'the built-in document as a user YAML document (loads `yaml`, parses YAML)',
    extra: ''
  },
  jsonpath: {
    label: '… plus one jsonpath criterion (also loads `jsonpath-rfc9535`)',
    extra:
      '          - context: $response.body\n            condition: $.requestId\n            type: jsonpath\n'
  },
  regex: {
    label: '… plus one regex criterion instead (also loads `re2js`)',
    extra:
      "          - context: $statusCode\n            condition: '^202$'\n            type: regex\n"
  }
} as const
type DocumentVariant = keyof typeof DOCUMENT_VARIANTS

interface Spawned {
  exitCode: number | null
  /** performance.now() just before spawn. */
  spawnedAt: number
  /** performance.now() when the process exited. */
  exitedAt: number
  stdout: string
}

/** The GitHub runner's environment for one action run, in its own temp home. */
function runnerEnv(home: string, inputs: Record<string, string>): Record<string, string> {
  return prepareRunner(inputs, { workspace: home, home }).env
}

function spawnTimed(args: string[], env: Record<string, string>, cwd: string): Promise<Spawned> {
  return new Promise((done, fail) => {
    const spawnedAt = performance.now()
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.resume()
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
    child.on('error', fail)
    // 'exit' rather than 'close': the moment the process ends, not when its pipes drain.
    child.on('exit', code => {
      const exitedAt = performance.now()
      clearTimeout(killer)
      done({ exitCode: code, spawnedAt, exitedAt, stdout })
    })
  })
}

function actionInputs(sim: Simulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'user-ids': 'startup-subject',
    'api-url': sim.url,
    'api-key': sim.apiKey,
    'secret-key': sim.secretKey,
    'poll-interval': '0.05s',
    timeout: '20s',
    ...extra
  }
}

interface ActionTiming {
  toFirstRequestMs: number
  toExitMs: number
}

/** One action run: the built-in workflow, or a document variant written into its workspace. */
async function timeAction(
  sim: Simulator,
  scratch: string,
  n: number,
  o: { entry?: string; variant?: DocumentVariant } = {}
): Promise<ActionTiming> {
  const home = mkdtempSync(join(scratch, `action-${n}-`))
  const extra: Record<string, string> = {}
  if (o.variant) {
    writeDocumentVariant(home, o.variant)
    Object.assign(extra, { workflow: 'variant.arazzo.yml', 'workflow-id': 'submit-and-poll' })
  }
  const logged = sim.log.length
  const run = await spawnTimed(
    [o.entry ?? actionEntry],
    runnerEnv(home, actionInputs(sim, extra)),
    home
  )
  // The whole run is over once the process exited: its requests are all in the log by then.
  const first = sim.log.slice(logged).find(entry => entry.host === 'api')
  if (run.exitCode !== 0 || !first) {
    throw new Error(
      `start-up run ${n}${o.variant ? ` (${o.variant})` : ''}: exit ${run.exitCode}, first request seen: ${!!first}`
    )
  }
  return {
    toFirstRequestMs: first.at - epochOf(run.spawnedAt),
    toExitMs: run.exitedAt - run.spawnedAt
  }
}

function writeDocumentVariant(dir: string, variant: DocumentVariant): void {
  const shipped = join(repoRoot, 'src', 'workflows')
  const description = 'amplitude-dsar.openapi.yml'
  writeFileSync(join(dir, description), readFileSync(join(shipped, description)))
  const document = readFileSync(join(shipped, 'amplitude.arazzo.yml'), 'utf8')
  if (!document.includes(SUBMIT_CRITERION)) throw new Error('the submit criterion moved')
  const extra = DOCUMENT_VARIANTS[variant].extra
  // A function replacer: `$'` in the regex variant means something to a replacement string.
  writeFileSync(
    join(dir, 'variant.arazzo.yml'),
    document.replace(SUBMIT_CRITERION, () => SUBMIT_CRITERION + extra)
  )
}

/** bench/startup-floor.ts bundled by ncc as the action is (unminified, ESM); returns its entry. */
function buildFloor(scratch: string): string {
  const out = join(scratch, 'floor')
  const ncc = join(repoRoot, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
  const source = join(repoRoot, 'bench', 'startup-floor.ts')
  execFileSync(process.execPath, [ncc, 'build', source, '-o', out, '-q'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit']
  })
  return join(out, 'index.js')
}

/** The @actions/core floor, spawn to its one request. */
async function timeFloor(sim: Simulator, entry: string, scratch: string): Promise<number> {
  const logged = sim.log.length
  const run = await spawnTimed(
    [entry],
    { PATH: process.env.PATH ?? '', 'INPUT_API-URL': sim.url },
    scratch
  )
  const first = sim.log.slice(logged).find(e => e.host === 'api')
  if (run.exitCode !== 0 || !first) throw new Error(`@actions/core floor: exit ${run.exitCode}`)
  return first.at - epochOf(run.spawnedAt)
}

/** The bundle loaded and evaluated, then stopped by the first input check (no inputs given). */
async function timeLoadOnly(scratch: string, n: number): Promise<number> {
  const home = mkdtempSync(join(scratch, `load-${n}-`))
  const run = await spawnTimed([actionEntry], runnerEnv(home, {}), home)
  if (run.exitCode !== 1 || !run.stdout.includes('::error::')) {
    throw new Error(`load-only run ${n}: expected an input error, got exit ${run.exitCode}`)
  }
  return run.exitedAt - run.spawnedAt
}

async function timeMinimalClient(sim: Simulator, script: string): Promise<number> {
  const logged = sim.log.length
  const run = await spawnTimed(
    [script, `${sim.url}/`],
    { PATH: process.env.PATH ?? '' },
    dirname(script)
  )
  const first = sim.log.slice(logged).find(entry => entry.host === 'api')
  if (run.exitCode !== 0 || !first) throw new Error(`minimal client: exit ${run.exitCode}`)
  return first.at - epochOf(run.spawnedAt)
}

async function timeBare(scratch: string): Promise<number> {
  const run = await spawnTimed(['-e', ''], { PATH: process.env.PATH ?? '' }, scratch)
  if (run.exitCode !== 0) throw new Error(`node -e '' exited ${run.exitCode}`)
  return run.exitedAt - run.spawnedAt
}

interface ModuleUse {
  /** dist/ files loaded (the entry and any lazy chunks). */
  files: string[]
  /** Node built-in modules loaded, public and internal. */
  builtins: string[]
  exitCode: number | null
}

/** Runs the action with the module-load hook; returns what it loaded. */
async function modulesLoaded(
  sim: Simulator,
  scratch: string,
  name: string,
  extra: Record<string, string>
): Promise<ModuleUse> {
  const home = mkdtempSync(join(scratch, `${name}-`))
  const log = moduleLog()
  const env = { ...runnerEnv(home, actionInputs(sim, extra)), ...log.env }
  const run = await spawnTimed([...log.nodeArgs, actionEntry], env, home)
  const { distFiles, builtins } = log.read()
  return { files: distFiles, builtins, exitCode: run.exitCode }
}

async function bareBuiltins(scratch: string): Promise<string[]> {
  const run = await spawnTimed(['-e', BUILTINS_PROBE], { PATH: process.env.PATH ?? '' }, scratch)
  return run.stdout.split('\n').filter(Boolean)
}

async function ageRecipient(): Promise<string> {
  const age = await import('age-encryption')
  return age.identityToRecipient(await age.generateIdentity())
}

/**
 * When the start-up target is missed, names the libraries in the main bundle that a submit-and-poll
 * run never calls but evaluates at start (found by their paths, which ncc keeps in comments).
 */
function eagerDependencyNote(missed: boolean): string[] {
  if (!missed) return []
  const bundle = readFileSync(actionEntry, 'utf8')
  const eager = EAGER_SUSPECTS.filter(s => bundle.includes(s.path)).map(s => s.why)
  if (eager.length === 0) return []
  return [
    `The main bundle evaluates at start libraries this run never calls: ${eager.join('; ')}. ` +
      'They, and the built-in modules they pull in (listed above), load before the first request. ' +
      '@actions/core imports them itself at load (its oidc-utils and platform modules have top-level ' +
      'code webpack cannot prove pure, so ncc cannot leave them out), so they are part of the ' +
      '@actions/core floor row too.'
  ]
}

/** A performance.now() reading as sub-millisecond epoch ms, the simulator's clock here. */
const epochOf = (monotonic: number) => performance.timeOrigin + monotonic

const ms = (value: number) => value.toFixed(1)
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`

function timingRow(
  label: string,
  values: number[],
  bareMedian: number,
  actionMedian: number
): string[] {
  const s = spread(values)
  const delta = s.median - actionMedian
  return [
    label,
    ms(s.median),
    `${ms(s.p25)}–${ms(s.p75)}`,
    `${ms(s.min)}–${ms(s.max)}`,
    String(s.runs),
    `${(s.median / bareMedian).toFixed(2)}x`,
    `${delta >= 0 ? '+' : ''}${ms(delta)}`
  ]
}

export async function benchStartup(o: { runs?: number } = {}): Promise<BenchSection> {
  // BENCH_STARTUP_RUNS: more rounds when the machine is busy (the medians settle slowly under load).
  const runs = o.runs ?? (Number(process.env.BENCH_STARTUP_RUNS) || 20)
  const nodeMajor = Number(process.versions.node.split('.')[0])
  const baselineDir = process.env.BENCH_STARTUP_BASELINE
  const baselineEntry = baselineDir ? join(resolve(baselineDir), 'index.js') : undefined
  if (baselineEntry && !existsSync(baselineEntry)) throw new Error(`no ${baselineEntry}`)
  const scratch = mkdtempSync(join(tmpdir(), 'bench-startup-'))
  const sim = await startSimulator({
    job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 1, linesPerFile: 5 },
    // The spawn time and the arrival time on one monotonic clock (epoch-based for presigned URLs).
    now: () => epochOf(performance.now())
  })
  try {
    const minimalClient = join(scratch, 'minimal-client.cjs')
    writeFileSync(minimalClient, MINIMAL_CLIENT)
    const floorEntry = buildFloor(scratch)
    const floorBytes = statSync(floorEntry).size
    const first = (t: ActionTiming) => t.toFirstRequestMs
    const samples = new Map<string, number[]>()
    const measures: [string, (n: number) => Promise<number>][] = [
      ['bare', () => timeBare(scratch)],
      ['minimal', () => timeMinimalClient(sim, minimalClient)],
      ['coreFloor', () => timeFloor(sim, floorEntry, scratch)],
      ['loadOnly', n => timeLoadOnly(scratch, n)],
      [
        'action',
        async n => {
          const timing = await timeAction(sim, scratch, n)
          samples.get('actionExit')!.push(timing.toExitMs)
          return timing.toFirstRequestMs
        }
      ],
      ...(Object.keys(DOCUMENT_VARIANTS) as DocumentVariant[]).map(
        variant =>
          [variant, (n: number) => timeAction(sim, scratch, n, { variant }).then(first)] as [
            string,
            (n: number) => Promise<number>
          ]
      ),
      ...(baselineEntry
        ? [
            [
              'baseline',
              (n: number) => timeAction(sim, scratch, n, { entry: baselineEntry }).then(first)
            ] as [string, (n: number) => Promise<number>]
          ]
        : [])
    ]
    for (const [name] of measures) samples.set(name, [])
    samples.set('actionExit', [])
    // Warm-up (discarded): the first spawn pays for reading node and dist/ from disk.
    for (const [, measure] of measures) await measure(0)
    samples.get('actionExit')!.length = 0

    for (let i = 1; i <= runs; i++) {
      // Rotate the order each round, so no measure always follows the same one.
      for (let k = 0; k < measures.length; k++) {
        const [name, measure] = measures[(i + k) % measures.length]
        samples.get(name)!.push(await measure(i))
      }
    }

    const chunks = distChunks()
    const plain = await modulesLoaded(sim, scratch, 'modules-plain', {})
    const control = await modulesLoaded(sim, scratch, 'modules-download', {
      download: 'true',
      'encrypt-to': await ageRecipient()
    })
    const bareLoaded = new Set(await bareBuiltins(scratch))
    const extraBuiltins = plain.builtins.filter(m => !bareLoaded.has(m))
    const publicExtra = extraBuiltins.filter(m => !m.startsWith('internal/'))

    const bareS = spread(samples.get('bare')!)
    const firstS = spread(samples.get('action')!)
    const ratio = firstS.median / bareS.median
    const row = (label: string, name: string) =>
      timingRow(label, samples.get(name)!, bareS.median, firstS.median)

    const chunkLine = (loaded: string[]) =>
      chunks
        .map(
          c =>
            `${c.file} (${c.holds.join(', ') || 'other'}) ${loaded.includes(c.file) ? 'LOADED' : 'not loaded'}`
        )
        .join('; ')
    const unusedChunks = chunks.filter(c => c.holds.some(h => UNUSED_ON_BUILTIN_RUN.includes(h)))
    const unusedLoaded = unusedChunks.filter(c => plain.files.includes(c.file))
    // The hook must see lazy chunks when they are used, or "not loaded" would prove nothing.
    const holds = (c: Chunk, label: string) => c.holds.some(h => h === label)
    const controlSaw = chunks
      .filter(c => holds(c, 'age-encryption') || holds(c, 'export downloader'))
      .every(c => control.files.includes(c.file))

    const savedRows = (Object.keys(DOCUMENT_VARIANTS) as DocumentVariant[]).map(variant =>
      row(DOCUMENT_VARIANTS[variant].label, variant)
    )
    const median = (name: string) => spread(samples.get(name)!).median
    const targets: Target[] = [
      {
        name: `start-up median at most ${TARGET_RATIO}x bare node (limit: bare \`node -e ''\`)`,
        met: ratio <= TARGET_RATIO,
        detail: `${ms(firstS.median)} ms vs ${ms(bareS.median)} ms bare = ${ratio.toFixed(2)}x`
      },
      {
        name: `start-up median under ${TARGET_MS} ms`,
        met: firstS.median < TARGET_MS,
        detail: `${ms(firstS.median)} ms`
      },
      {
        name: 'unused code (yaml, re2js, jsonpath-rfc9535, export download, encryption, artifact upload) not loaded on a submit-and-poll run',
        met:
          plain.exitCode === 0 &&
          unusedChunks.length > 0 &&
          unusedLoaded.length === 0 &&
          controlSaw,
        detail:
          `dist files loaded: ${plain.files.join(', ')} (exit ${plain.exitCode}); ` +
          (unusedLoaded.length === 0
            ? 'no lazy chunk'
            : `lazy chunks loaded anyway: ${unusedLoaded.map(c => c.file).join(', ')}`) +
          `; the control run (download + encrypt-to) ${controlSaw ? 'did' : 'did NOT'} load the export and age chunks`
      }
    ]
    if (nodeMajor !== 24) {
      targets.push({
        name: 'measured on Node 24',
        met: false,
        detail: `ran on ${process.version} (${process.execPath})`
      })
    }

    return {
      id: 'startup',
      title: 'Start-up',
      description:
        `Time from just before spawn to the first request arriving at the simulator, for ` +
        `\`node dist/index.js\` (one user id, an instant job) on Node ${process.version}, against a bare ` +
        `\`node -e ''\` spawned until it exits. ${runs} interleaved rounds after one discarded warm-up; ` +
        `spawn and arrival times both come from this process's performance.now() (the simulator's clock). ` +
        `The last column is each median minus the action's: for the document variants, what the ` +
        `built-in path no longer pays.`,
      headers: [
        'measure',
        'median ms',
        'p25–p75 ms',
        'min–max ms',
        'runs',
        'vs bare',
        'vs action ms'
      ],
      rows: [
        row("bare `node -e ''`, spawn to exit", 'bare'),
        row('floor: a 1-line CommonJS `http.get`, spawn to first request', 'minimal'),
        row(
          'floor with `@actions/core`: ncc bundle of `@actions/core` + one `getInput` + `http.get`, spawn to first request',
          'coreFloor'
        ),
        row(
          '`node dist/index.js` without inputs (load, then the first input check fails), spawn to exit',
          'loadOnly'
        ),
        row('**`node dist/index.js`, spawn to first request**', 'action'),
        row(
          '`node dist/index.js`, spawn to exit (whole run: POST, one poll after 0.05 s)',
          'actionExit'
        ),
        ...savedRows,
        ...(baselineEntry
          ? [row(`baseline build (${baselineDir}), spawn to first request`, 'baseline')]
          : [])
      ],
      targets,
      notes: [
        `The right limit for an action that keeps \`@actions/core\`: the \`@actions/core\` floor ` +
          `(${kib(floorBytes)} bundled, most of it undici) starts in ${ms(median('coreFloor'))} ms, ` +
          `${(median('coreFloor') / bareS.median).toFixed(2)}x bare node; the action takes ` +
          `${(firstS.median / median('coreFloor')).toFixed(2)}x that floor ` +
          `(+${ms(firstS.median - median('coreFloor'))} ms: its own code compiled and run, the ` +
          `document loaded and checked, the request built).`,
        `What the start-up changes save, from the rows above (medians of this run): prebuilt JSON ` +
          `documents instead of loading \`yaml\` and parsing YAML ${ms(median('yaml') - firstS.median)} ms; ` +
          `lazy \`jsonpath-rfc9535\` ${ms(median('jsonpath') - median('yaml'))} ms; lazy \`re2js\` ` +
          `${ms(median('regex') - median('yaml'))} ms` +
          (baselineEntry
            ? `; all together against the baseline build ${ms(median('baseline') - firstS.median)} ms.`
            : '.') +
          ' The bundle is not minified: minified, it measured slower to start.',
        `dist/index.js is ${kib(statSync(actionEntry).size)}; lazy chunks: ` +
          chunks
            .map(c => `${c.file} ${kib(c.bytes)} (${c.holds.join(', ') || 'other'})`)
            .join(', ') +
          '.',
        `Submit-and-poll run: ${chunkLine(plain.files)}.`,
        `Control run with download + encrypt-to (exit ${control.exitCode}): ${chunkLine(control.files)}.`,
        `Built-in modules: bare node loads ${bareLoaded.size}, the submit-and-poll run ` +
          `${plain.builtins.length} (${extraBuiltins.length} more, of them public: ${publicExtra.join(', ')}).`,
        ...eagerDependencyNote(ratio > TARGET_RATIO)
      ]
    }
  } finally {
    await sim.close()
    rmSync(scratch, { recursive: true, force: true })
  }
}
