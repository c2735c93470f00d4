/**
 * `npm run demo`: runs the bundled action (dist/index.js) exactly as the GitHub runner would, against the
 * embedded DSAR simulator on 127.0.0.1, then prints its step outputs and job summary. Needs nothing
 * installed: it is bundled into dist/demo/index.js.
 *
 * Environment knobs: DEMO_USER_IDS (default two demo users), DEMO_WORKFLOW (`amplitude` or `apis-io`).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseCommandFile } from './command-file.js'
import { startSimulator } from '../simulator/index.js'

const action = join(dirname(fileURLToPath(import.meta.url)), '..', 'index.js')

async function main(): Promise<void> {
  const simulator = await startSimulator({
    job: { pollsInStaging: 1, pollsInSubmitted: 2, files: 2 }
  })
  const home = mkdtempSync(join(tmpdir(), 'dsar-demo-'))
  const files = {
    GITHUB_OUTPUT: join(home, 'output'),
    GITHUB_STEP_SUMMARY: join(home, 'summary.md'),
    GITHUB_STATE: join(home, 'state')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  mkdirSync(join(home, 'temp'))
  const inputs: Record<string, string> = {
    'user-ids': process.env.DEMO_USER_IDS ?? 'demo-user-1, demo-user-2',
    'api-key': simulator.apiKey,
    'secret-key': simulator.secretKey,
    'api-url': simulator.url,
    'poll-interval': '0.2s',
    timeout: '2m',
    workflow: process.env.DEMO_WORKFLOW ?? 'amplitude'
  }
  console.log(`DSAR simulator: API ${simulator.url}, storage ${simulator.storageUrl}`)
  console.log(`Running node ${action} with:`)
  for (const [name, value] of Object.entries(inputs)) {
    const shown = name === 'secret-key' || name === 'api-key' ? '***' : value
    console.log(`  ${name}: ${shown}`)
  }
  console.log('--- action log ---')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: process.cwd(),
    RUNNER_TEMP: join(home, 'temp'),
    ...files
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const code = await new Promise<number | null>(done => {
    const child = spawn(process.execPath, [action], { env, stdio: 'inherit' })
    child.on('close', done)
  })
  console.log('--- step outputs ($GITHUB_OUTPUT) ---')
  for (const [name, value] of Object.entries(
    parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'))
  )) {
    console.log(`${name}: ${value}`)
  }
  console.log('--- job summary ($GITHUB_STEP_SUMMARY) ---')
  console.log(readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'))
  console.log(`--- exit code ${code}; the simulator saw ${simulator.log.length} requests ---`)
  await simulator.close()
  process.exitCode = code ?? 1
}

await main()
