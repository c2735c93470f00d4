/**
 * `npm run demo -- --ledger`: the DSAR ledger end to end on this machine. Starts the DSAR simulator and
 * the GitHub REST stand-in on 127.0.0.1, files three issues (a DSAR from a collaborator, one from an
 * outsider, one with a broken form), then runs the bundled action (dist/index.js) three times with
 * `ledger: issues`, as three scheduled sweeps would, printing each sweep's log and the issues'
 * comments and labels as they change; then the privacy desk's erasures (src/demo/desk.ts). Like the other demo, it removes its temporary folder (which holds
 * the downloaded exports: personal data, even simulated) unless DEMO_KEEP_FILES=true.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startGitHubStandIn, type GitHubStandIn } from '../simulator/github/index.js'
import { startSimulator } from '../simulator/index.js'
import { formBody } from '../ledger/index.js'
import { parseCommandFile } from './command-file.js'

const action = join(dirname(fileURLToPath(import.meta.url)), '..', 'index.js')
const SWEEPS = 3
/**
 * On a runner the ledger spaces its GitHub writes as GitHub asks (1 s apart, 3 s between comments),
 * which would make this demo's ~50 writes to the stand-in take a minute of waiting. The demo's days
 * are virtual, so it shortens that spacing with the action's test hook, and says so.
 */
const WRITE_SPACING = { DSAR_TEST_WRITE_SPACING_MS: '50' }

function form(userIds: string, reference: string, startDate = '2024-01-01'): string {
  return formBody({ userIds, reference, startDate })
}

export async function ledgerDemo(): Promise<void> {
  const simulator = await startSimulator({
    job: { pollsInStaging: 0, pollsInSubmitted: 1, files: 1, linesPerFile: 25 }
  })
  const github = await startGitHubStandIn()
  github.addUser({ login: 'priya', permission: 'write' })
  github.addUser({ login: 'stranger', permission: 'none' })
  const issues = [
    github.fileIssue({
      author: 'priya',
      body: form('alice@example.com', 'TICKET-101'),
      labels: ['dsar']
    }),
    github.fileIssue({
      author: 'stranger',
      body: form('bob@example.com', 'please'),
      labels: ['dsar']
    }),
    github.fileIssue({
      author: 'priya',
      body: form('carol@example.com', 'TICKET-102', '2024-13-01'),
      labels: ['dsar']
    })
  ]
  console.log(
    `DSAR simulator: ${simulator.url}; GitHub REST stand-in: ${github.url} (${github.repository})`
  )
  console.log(
    "GitHub's spacing of writes (1 s apart, 3 s between comments on a runner) is shortened to " +
      `${WRITE_SPACING.DSAR_TEST_WRITE_SPACING_MS} ms for the stand-in (DSAR_TEST_WRITE_SPACING_MS, a test hook).`
  )
  console.log(
    'Filed: #1 by a collaborator, #2 by an outsider, #3 with a start date of 2024-13-01\n'
  )
  const home = mkdtempSync(join(tmpdir(), 'dsar-ledger-demo-'))
  const keep = process.env.DEMO_KEEP_FILES === 'true'
  let code: number | null = 0
  // The runs' files are the demo's own: gone when it ends.
  try {
    for (let sweep = 1; sweep <= SWEEPS; sweep++) {
      console.log(`=== sweep ${sweep} of ${SWEEPS}: node ${action} with ledger: issues ===`)
      const run = await sweepOnce(
        join(home, `sweep-${sweep}`),
        {
          ledger: 'issues',
          'github-token': github.token,
          'api-url': simulator.url,
          'api-key': simulator.apiKey,
          'secret-key': simulator.secretKey,
          download: 'true',
          timeout: '2m'
        },
        { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: github.repository }
      )
      code = run.code
      console.log(`--- output ledger: ${run.outputs.ledger ?? '(none)'}; exit code ${run.code} ---`)
      printIssues(github, issues)
    }
    // The privacy desk (issue 22): access, then erasure; an erasure cancelled in its window.
    const { deskDemo } = await import('./desk.js')
    const desk = await deskDemo(home)
    if (desk !== 0) code = desk
  } finally {
    if (keep) console.log(`Files kept in ${home}`)
    else rmSync(home, { recursive: true, force: true })
  }
  console.log(
    `The stand-in saw ${github.log.length} GitHub requests, the simulator ${simulator.log.length}.`
  )
  await Promise.all([simulator.close(), github.close()])
  process.exitCode = code ?? 1
}

export async function sweepOnce(
  home: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string>,
  showLog = true
): Promise<{ code: number | null; outputs: Record<string, string> }> {
  mkdirSync(join(home, 'temp'), { recursive: true })
  const files = {
    GITHUB_OUTPUT: join(home, 'output'),
    GITHUB_STEP_SUMMARY: join(home, 'summary.md')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: home,
    RUNNER_TEMP: join(home, 'temp'),
    GITHUB_RUN_ID: '1',
    ...WRITE_SPACING,
    ...files,
    ...extraEnv
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const code = await new Promise<number | null>(done => {
    const child = spawn(process.execPath, [action], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (showLog && line !== '' && !line.startsWith('::add-mask::')) console.log(`  | ${line}`)
      }
    })
    child.on('close', done)
  })
  return { code, outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')) }
}

function printIssues(github: GitHubStandIn, issues: number[]): void {
  for (const n of issues) {
    const issue = github.issue(n)
    console.log(`#${n} [${issue.state}] labels: ${issue.labels.join(', ')}`)
    for (const comment of github.comments(n)) {
      const body = comment.body.replace(/&#(\d+);/g, (_m, c: string) =>
        String.fromCharCode(Number(c))
      )
      console.log(
        `  comment ${comment.id} by ${comment.user.login}, updated ${new Date(comment.updatedAt).toISOString()}:`
      )
      for (const line of body.split('\n')) console.log(`    ${line}`)
    }
  }
  console.log('')
}
