/**
 * `npm run local-action`: the action's sources (src/main.ts) under GitHub's @github/local-action, which
 * stubs @actions/core and reads the inputs from a dotenv file. Run against the DSAR simulator, the
 * outputs local-action reports must be the real ones; a failing run must make the wrapper exit 1 even
 * though local-action itself exits 0.
 */
import { jest } from '@jest/globals'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { repoRoot } from './support/action-harness.js'
import { tempDir } from './support/temp.js'

/** local-action compiles the sources with tsx: seconds here, a minute at a quarter of the speed. */
const SAFETY_NET_MS = 240_000

let sim: Simulator
let home: string

beforeEach(async () => {
  home = tempDir('dsar-local-action-')
  sim = await startSimulator({ job: { pollsInStaging: 1, pollsInSubmitted: 1, files: 2 } })
})
afterEach(async () => {
  await sim.close()
  rmSync(home, { recursive: true, force: true })
})

function envFile(inputs: Record<string, string>): string {
  const settings: Record<string, string> = {
    RUNNER_TEMP: join(home, 'runner-temp'),
    GITHUB_STEP_SUMMARY: join(home, 'summary.md'),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]))
  }
  const file = join(home, 'local.env')
  writeFileSync(
    file,
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('')
  )
  return file
}

async function localAction(
  file: string
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'local-action.mjs'), file], {
    cwd: repoRoot,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const code = await new Promise<number | null>(done => child.on('close', done))
  return { code, stdout, stderr }
}

/** The "Action Outputs" table local-action prints (console.table: `│ n │ 'name' │ 'value' │`). */
function reportedOutputs(stdout: string): Record<string, string> {
  const section = stdout.slice(stdout.lastIndexOf('Action Outputs'))
  const outputs: Record<string, string> = {}
  for (const line of section.split('\n')) {
    const row = /^│\s*\d+\s*│\s*'([^']+)'\s*│\s*(.*?)\s*│$/.exec(line)
    if (!row) continue
    const value = row[2]
    outputs[row[1]] = /^(['"`]).*\1$/.test(value) ? value.slice(1, -1) : value
  }
  return outputs
}

const inputs = (): Record<string, string> => ({
  'user-ids': 'demo-user-1',
  'api-url': sim.url,
  'api-key': sim.apiKey,
  'secret-key': sim.secretKey,
  'poll-interval': '0.05s',
  timeout: '60s',
  download: 'true'
})

test('src/main.ts exports run() and does nothing on import (local-action imports it, then calls run)', async () => {
  const written: string[] = []
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    written.push(String(chunk))
    return true
  })
  const before = process.exitCode
  try {
    const main = await import('../src/main.js')
    expect(typeof main.run).toBe('function')
  } finally {
    write.mockRestore()
  }
  // Had the import run the action, missing inputs would have printed ::error:: and set exit code 1.
  expect(written).toEqual([])
  expect(process.exitCode).toBe(before)
})

test(
  'runs src/main.ts end to end: the outputs it reports are the simulator’s request and files',
  async () => {
    const run = await localAction(envFile(inputs()))
    expect(run.stderr).not.toContain('FAILED')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('The action succeeded')

    const outputs = reportedOutputs(run.stdout)
    const id = String(sim.requests()[0].requestId)
    expect(outputs.requestId).toBe(id)
    expect(outputs.finalStatus).toBe('done')
    const files = JSON.parse(outputs.files) as { path: string; sha256: string; requestId: string }[]
    expect(files).toHaveLength(2)
    for (const [n, file] of files.entries()) {
      expect(file.path).toBe(
        join(home, 'runner-temp', 'amplitude-dsar', id, `output-00${n + 1}.json.gz`)
      )
      expect(file.requestId).toBe(id)
      const expected = await sim.expectedFile(id, n)
      expect(createHash('sha256').update(readFileSync(file.path)).digest('hex')).toBe(
        expected.sha256
      )
      expect(file.sha256).toBe(expected.sha256)
    }
    // The job summary went to the file the env file named.
    expect(readFileSync(join(home, 'summary.md'), 'utf8')).toContain(id)
  },
  SAFETY_NET_MS
)

test(
  'a failed run: local-action exits 0 with an ::error:: line, the wrapper exits 1 with it',
  async () => {
    const run = await localAction(envFile({ ...inputs(), 'secret-key': 'not-the-secret' }))
    expect(run.stdout).toMatch(/^::error::HTTP 401 from POST /m)
    expect(run.stderr).toContain('The action FAILED (local-action exits 0 regardless): HTTP 401')
    expect(run.code).toBe(1)
    const outputs = reportedOutputs(run.stdout)
    expect(outputs.requestId).toBe('')
    expect(JSON.parse(outputs.requests)).toEqual([expect.objectContaining({ requestId: null })])
  },
  SAFETY_NET_MS
)
