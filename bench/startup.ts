/**
 * Start-up: how long `node dist/index.js` takes from the moment it is spawned to the moment its first
 * request reaches the DSAR simulator, against a bare `node -e ''` spawned and exited on the same machine.
 * Runs are interleaved (each round runs every measure once, in a rotating order) after one discarded
 * warm-up of each, so disk cache and CPU frequency drift hit all alike. Both timestamps come from
 * this process's performance.now(): the simulator is given it (as sub-millisecond epoch ms) for its
 * clock, so a log entry's `at` is the arrival time on the same monotonic scale as the spawn. Two
 * reference measures frame the result: a one-line CommonJS http.get (the least any Node client
 * costs) and the action without inputs (its load alone, stopped by the first input check).
 *
 * A second part shows that code a run does not use is never loaded: the action is run once more with
 * `--import` of a tiny module hook that writes every module URL Node loads to a file, and the dist/
 * chunks among them are matched against the chunks holding @actions/artifact, age-encryption and the
 * export downloader. A control run that downloads and encrypts proves the hook sees lazy chunks.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { prepareRunner } from '../__tests__/support/action-harness.js'
import type { BenchSection, Target } from './report.js'
import { spread } from './stats.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const distDir = join(repoRoot, 'dist')
const actionEntry = join(distDir, 'index.js')
const TARGET_RATIO = 2
const TARGET_MS = 150
const KILL_AFTER_MS = 20_000

// The lazy chunks ncc splits off, recognised by a name only that library's code contains.
const CHUNK_MARKERS = [
  { label: '@actions/artifact', marker: 'DefaultArtifactClient' },
  { label: 'age-encryption', marker: 'class Encrypter' },
  { label: 'export downloader', marker: 'downloadRequestOutputs' }
]

// Libraries @actions/core 3 imports eagerly, and why they are there.
const EAGER_SUSPECTS = [
  {
    path: 'node_modules/undici/',
    why: 'undici and tunnel (via @actions/core -> @actions/http-client, for OIDC tokens)'
  },
  {
    path: 'node_modules/@actions/exec/',
    why: '@actions/exec and @actions/io (via @actions/core platform details; child_process)'
  }
]

// Logs every module URL as it is loaded (synchronous hooks: Node >= 22.15 / 23.5).
const LOAD_HOOK = `import { registerHooks } from 'node:module'
import { appendFileSync } from 'node:fs'
const out = process.env.BENCH_MODULE_LOG
registerHooks({
  load(url, context, nextLoad) {
    appendFileSync(out, url + '\\n')
    return nextLoad(url, context)
  }
})
// The built-in modules Node loaded, for comparison with a bare start.
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter(m => m.startsWith('NativeModule '))
  appendFileSync(out + '.builtins', builtins.map(m => m.slice(13)).join('\\n'))
})
`

// The least any Node client can do: load node:http (CommonJS, so no ESM facade) and send a GET.
const MINIMAL_CLIENT = `require('node:http').get(process.argv[2], response => response.resume())
`

const BUILTINS_PROBE = `process.stdout.write(process.moduleLoadList.filter(m => m.startsWith('NativeModule ')).map(m => m.slice(13)).join('\\n'))`

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

async function timeAction(sim: Simulator, scratch: string, n: number): Promise<ActionTiming> {
  const home = mkdtempSync(join(scratch, `action-${n}-`))
  const logged = sim.log.length
  const run = await spawnTimed([actionEntry], runnerEnv(home, actionInputs(sim)), home)
  // The whole run is over once the process exited: its requests are all in the log by then.
  const first = sim.log.slice(logged).find(entry => entry.host === 'api')
  if (run.exitCode !== 0 || !first) {
    throw new Error(`start-up run ${n}: exit ${run.exitCode}, first request seen: ${!!first}`)
  }
  return {
    toFirstRequestMs: first.at - epochOf(run.spawnedAt),
    toExitMs: run.exitedAt - run.spawnedAt
  }
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

interface ChunkUse {
  file: string
  bytes: number
  holds: string[]
}

/** Every dist/ file that is a lazy chunk, with the libraries it holds. */
function distChunks(): ChunkUse[] {
  return readdirSync(distDir)
    .filter(name => /^\d+\.index\.js$/.test(name))
    .map(file => {
      const text = readFileSync(join(distDir, file), 'utf8')
      return {
        file,
        bytes: statSync(join(distDir, file)).size,
        holds: CHUNK_MARKERS.filter(m => text.includes(m.marker)).map(m => m.label)
      }
    })
}

interface ModuleUse {
  /** dist/ files loaded (the entry and any lazy chunks). */
  files: string[]
  /** Node built-in modules loaded, public and internal. */
  builtins: string[]
  exitCode: number | null
}

/** Runs the action with the load hook; returns what it loaded. */
async function modulesLoaded(
  sim: Simulator,
  scratch: string,
  name: string,
  extra: Record<string, string>
): Promise<ModuleUse> {
  const home = mkdtempSync(join(scratch, `${name}-`))
  const hook = join(scratch, 'module-log-hook.mjs')
  writeFileSync(hook, LOAD_HOOK)
  const moduleLog = join(home, 'modules.txt')
  writeFileSync(moduleLog, '')
  const env = { ...runnerEnv(home, actionInputs(sim, extra)), BENCH_MODULE_LOG: moduleLog }
  const run = await spawnTimed(['--import', hook, actionEntry], env, home)
  const files = readFileSync(moduleLog, 'utf8')
    .split('\n')
    .filter(url => url.startsWith('file:'))
    .map(url => fileURLToPath(url))
    .filter(path => dirname(path) === distDir)
    .map(path => basename(path))
  const builtins = readFileSync(`${moduleLog}.builtins`, 'utf8').split('\n').filter(Boolean)
  return { files: [...new Set(files)], builtins, exitCode: run.exitCode }
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
      'They, and the built-in modules they pull in (listed above), load before the first request.'
  ]
}

/** A performance.now() reading as sub-millisecond epoch ms, the simulator's clock here. */
const epochOf = (monotonic: number) => performance.timeOrigin + monotonic

const ms = (value: number) => value.toFixed(1)
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`

function timingRow(label: string, values: number[], bareMedian: number): string[] {
  const s = spread(values)
  return [
    label,
    ms(s.median),
    `${ms(s.p25)}–${ms(s.p75)}`,
    `${ms(s.min)}–${ms(s.max)}`,
    String(s.runs),
    `${(s.median / bareMedian).toFixed(2)}x`
  ]
}

export async function benchStartup(o: { runs?: number } = {}): Promise<BenchSection> {
  const runs = o.runs ?? 20
  const nodeMajor = Number(process.versions.node.split('.')[0])
  const scratch = mkdtempSync(join(tmpdir(), 'bench-startup-'))
  const sim = await startSimulator({
    job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 1, linesPerFile: 5 },
    // The spawn time and the arrival time on one monotonic clock (epoch-based for presigned URLs).
    now: () => epochOf(performance.now())
  })
  try {
    const minimalClient = join(scratch, 'minimal-client.cjs')
    writeFileSync(minimalClient, MINIMAL_CLIENT)
    const measures = {
      bare: () => timeBare(scratch),
      minimal: () => timeMinimalClient(sim, minimalClient),
      loadOnly: (n: number) => timeLoadOnly(scratch, n),
      action: (n: number) => timeAction(sim, scratch, n)
    }
    // Warm-up (discarded): the first spawn pays for reading node and dist/ from disk.
    await measures.bare()
    await measures.minimal()
    await measures.loadOnly(0)
    await measures.action(0)

    const bare: number[] = []
    const minimal: number[] = []
    const loadOnly: number[] = []
    const toFirst: number[] = []
    const toExit: number[] = []
    for (let i = 1; i <= runs; i++) {
      // Rotate the order each round, so no measure always follows the same one.
      const round: (() => Promise<void>)[] = [
        async () => void bare.push(await measures.bare()),
        async () => void minimal.push(await measures.minimal()),
        async () => void loadOnly.push(await measures.loadOnly(i)),
        async () => {
          const action = await measures.action(i)
          toFirst.push(action.toFirstRequestMs)
          toExit.push(action.toExitMs)
        }
      ]
      for (let k = 0; k < round.length; k++) await round[(i + k) % round.length]()
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

    const bareS = spread(bare)
    const firstS = spread(toFirst)
    const ratio = firstS.median / bareS.median

    const chunkLine = (loaded: string[]) =>
      chunks
        .map(
          c =>
            `${c.file} (${c.holds.join(', ') || 'other'}) ${loaded.includes(c.file) ? 'LOADED' : 'not loaded'}`
        )
        .join('; ')
    const unusedChunks = chunks.filter(c => c.holds.length > 0)
    const unusedLoaded = unusedChunks.filter(c => plain.files.includes(c.file))
    // The hook must see lazy chunks when they are used, or "not loaded" would prove nothing.
    const controlSaw = chunks
      .filter(c => c.holds.includes('age-encryption') || c.holds.includes('export downloader'))
      .every(c => control.files.includes(c.file))

    const targets: Target[] = [
      {
        name: `start-up median at most ${TARGET_RATIO}x bare node`,
        met: ratio <= TARGET_RATIO,
        detail: `${ms(firstS.median)} ms vs ${ms(bareS.median)} ms bare = ${ratio.toFixed(2)}x`
      },
      {
        name: `start-up median under ${TARGET_MS} ms`,
        met: firstS.median < TARGET_MS,
        detail: `${ms(firstS.median)} ms`
      },
      {
        name: 'unused code (artifact upload, encryption, export download) not loaded on a submit-and-poll run',
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
        `spawn and arrival times both come from this process's performance.now() (the simulator's clock).`,
      headers: ['measure', 'median ms', 'p25–p75 ms', 'min–max ms', 'runs', 'vs bare'],
      rows: [
        timingRow("bare `node -e ''`, spawn to exit", bare, bareS.median),
        timingRow(
          'floor: a 1-line CommonJS `http.get`, spawn to first request',
          minimal,
          bareS.median
        ),
        timingRow(
          '`node dist/index.js` without inputs (load, then the first input check fails), spawn to exit',
          loadOnly,
          bareS.median
        ),
        timingRow('**`node dist/index.js`, spawn to first request**', toFirst, bareS.median),
        timingRow(
          '`node dist/index.js`, spawn to exit (whole run: POST, one poll after 0.05 s)',
          toExit,
          bareS.median
        )
      ],
      targets,
      notes: [
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
