// `npm run local-action [-- ENV_FILE]`: runs the action's sources (src/main.ts exports run()) under
// GitHub's own local runner, @github/local-action, which stubs @actions/core and reads the inputs from
// a dotenv file (ENV_FILE, else .env when it exists, else .env.example).
//
// When that file sets DSAR_SIM_PORT, the bundled DSAR simulator (dist/simulator) is started first with
// the file's DSAR_SIM_* settings and stopped afterwards, so the example needs nothing else running.
//
// local-action itself exits 0 even when the action fails: setFailed only prints an `::error::` line.
// This wrapper reads that line back and exits 1 with the failure, so scripts and CI can trust the
// exit code.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEnv } from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const envFile = process.argv[2] ?? (existsSync(join(root, '.env')) ? '.env' : '.env.example')
const settings = parseEnv(readFileSync(resolve(root, envFile), 'utf8'))

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

/** Starts dist/simulator with the env file's DSAR_SIM_* settings; resolves once it listens. */
function startSimulator() {
  const env = { ...process.env }
  for (const [name, value] of Object.entries(settings))
    if (name.startsWith('DSAR_SIM_')) env[name] = value
  const child = spawn(process.execPath, [join(root, 'dist', 'simulator', 'index.js'), '--quiet'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let said = ''
  return new Promise((resolveStart, reject) => {
    const onData = chunk => {
      said += chunk.toString('utf8')
      const url = /API URL\s+(\S+)/.exec(said)
      if (url) {
        child.stdout.off('data', onData)
        child.stdout.resume()
        console.log(`DSAR simulator (dist/simulator) listening at ${url[1]}`)
        resolveStart(child)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', chunk => (said += chunk.toString('utf8')))
    child.on('exit', code =>
      reject(new Error(`the simulator exited (${code}) before listening:\n${said}`))
    )
  })
}

/** The runner's folders and a fresh job summary file, as the env file names them. */
function prepareRunnerFiles() {
  if (settings.RUNNER_TEMP) mkdirSync(resolve(root, settings.RUNNER_TEMP), { recursive: true })
  if (settings.GITHUB_STEP_SUMMARY) {
    const summary = resolve(root, settings.GITHUB_STEP_SUMMARY)
    mkdirSync(dirname(summary), { recursive: true })
    writeFileSync(summary, '')
  }
}

async function runLocalAction() {
  const bin = join(root, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js')
  const env = { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) }
  const child = spawn(process.execPath, [bin, '.', 'src/main.ts', envFile], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let text = ''
  child.stdout.on('data', chunk => {
    process.stdout.write(chunk)
    text += chunk.toString('utf8')
  })
  const code = await new Promise(done => child.on('close', done))
  const errors = text
    .replace(ANSI, '')
    .split('\n')
    .filter(line => line.startsWith('::error::'))
    .map(line => line.slice('::error::'.length))
  return { code, errors }
}

async function main() {
  prepareRunnerFiles()
  const simulator = settings.DSAR_SIM_PORT ? await startSimulator() : undefined
  try {
    const { code, errors } = await runLocalAction()
    if (settings.GITHUB_STEP_SUMMARY) {
      console.log(`Job summary: ${settings.GITHUB_STEP_SUMMARY}`)
    }
    if (code !== 0) {
      console.error(`local-action itself failed (exit ${code})`)
      process.exitCode = code ?? 1
    } else if (errors.length > 0) {
      console.error(`The action FAILED (local-action exits 0 regardless): ${errors.join('; ')}`)
      process.exitCode = 1
    } else {
      console.log('The action succeeded: no ::error:: line; its outputs are in the table above.')
    }
  } finally {
    simulator?.kill('SIGTERM')
  }
}

await main()
