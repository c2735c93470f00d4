/**
 * `npm run demo`: the whole story of a DSAR on the embedded simulator, with the bundled action
 * (dist/index.js) run exactly as the GitHub runner runs it: submit, poll, download and verify the
 * export, age-encrypt it to a key the demo generates, then decrypt one file and show its first event.
 * The log is shown as GitHub shows it, and the job summary as text. Bundled into dist/demo/index.js,
 * so it needs nothing installed. Settings: see ./settings.ts and docs/development.md ("The demo").
 * `npm run demo -- --ledger` shows the DSAR ledger instead (src/demo/ledger.ts).
 */
import { generateIdentity, identityToRecipient } from 'age-encryption'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { forLog } from '../policy/index.js'
import { startSimulator } from '../simulator/index.js'
import { parseCommandFile } from './command-file.js'
import { readBack } from './export-view.js'
import { createLogView } from './log-view.js'
import { demoSettings } from './settings.js'
import { renderSummary } from './summary-view.js'

const action = join(dirname(fileURLToPath(import.meta.url)), '..', 'index.js')
const say = (line = ''): void => console.log(line)
const section = (title: string): void =>
  say(`\n── ${title} ${'─'.repeat(Math.max(3, 76 - title.length))}`)

interface DownloadedFileOutput {
  path: string
  requestId?: string
  sha256: string
  bytes: number
  events: number
  encrypted: boolean
}

async function main(): Promise<void> {
  const settings = demoSettings(process.env, line => say(`note: ${line}`))
  const simulator = await startSimulator({
    job: { pollsInStaging: 1, pollsInSubmitted: 2, files: settings.files }
  })
  const home = mkdtempSync(join(tmpdir(), 'dsar-demo-'))
  try {
    const identity = settings.encrypt ? await generateIdentity() : undefined
    const recipient = identity ? await identityToRecipient(identity) : undefined
    const inputs: Record<string, string> = {
      'user-ids': settings.userIds,
      'api-key': simulator.apiKey,
      'secret-key': simulator.secretKey,
      'api-url': simulator.url,
      'poll-interval': '0.2s',
      timeout: '2m',
      workflow: settings.workflow,
      download: 'true',
      ...(recipient && { 'encrypt-to': recipient })
    }
    say(
      'Amplitude DSAR action: a data subject access request, end to end, on the embedded simulator'
    )
    say(`  simulator   API ${simulator.url}, file storage ${simulator.storageUrl}`)
    if (recipient) {
      say(`  age key     generated for this demo; the export is encrypted to ${recipient}`)
      say('              (the private identity never leaves this process)')
    }
    say(`  action      node ${relative(process.cwd(), action)}, as the runner runs it, with:`)
    for (const [name, value] of Object.entries(inputs)) {
      const shown = name === 'secret-key' || name === 'api-key' ? '***' : value
      say(`                ${name}: ${shown}`)
    }

    section(
      settings.rawLog
        ? "1. The action's log (raw runner protocol)"
        : `1. The action's log, as GitHub shows it (groups ${settings.groups}` +
            `${settings.groups === 'folded' ? '; DEMO_GROUPS=open unfolds them' : ''})`
    )
    const runner = await runAction(home, inputs, settings)

    section('2. Step outputs ($GITHUB_OUTPUT)')
    const outputs = parseCommandFile(readFileSync(runner.files.GITHUB_OUTPUT, 'utf8'))
    for (const [name, value] of Object.entries(outputs)) {
      if (name !== 'files') say(`${name}: ${forLog(value)}`)
    }
    const files = outputs.files ? (JSON.parse(outputs.files) as DownloadedFileOutput[]) : []
    if (outputs.files) {
      say('files:')
      for (const line of JSON.stringify(files, null, 2).split('\n')) say(`  ${forLog(line)}`)
    }

    if (files.length > 0) {
      section(
        identity
          ? "3. One file, decrypted with the demo's age identity"
          : '3. One file, read back (not encrypted: DEMO_ENCRYPT=false)'
      )
      const file = files[0]
      const back = await readBack(file.path, file.encrypted ? identity : undefined)
      const name = relative(runner.downloadPath, file.path)
      say(`${name}: ${file.encrypted ? 'decrypted, then ' : ''}checked against the files output:`)
      say(
        `  sha256 of the gzip  ${back.sha256 === file.sha256 ? 'matches' : 'DIFFERS'} (${back.sha256})`
      )
      say(`  events              ${back.events} (the output says ${file.events})`)
      say('  its first event:')
      for (const line of prettyJson(back.firstEvent ?? '(none)').split('\n'))
        say(`    ${forLog(line)}`)
    }

    section('4. The job summary ($GITHUB_STEP_SUMMARY), as text')
    for (const line of renderSummary(readFileSync(runner.files.GITHUB_STEP_SUMMARY, 'utf8'))) {
      say(line)
    }

    section(
      `exit code ${runner.code}; the simulator answered ${simulator.log.length} requests` +
        (settings.keepFiles ? `; files kept in ${home}` : '')
    )
    process.exitCode = runner.code ?? 1
  } finally {
    await simulator.close()
    if (!settings.keepFiles) rmSync(home, { recursive: true, force: true })
  }
}

/** Runs dist/index.js with the runner's environment; its output goes through the log view. */
async function runAction(
  home: string,
  inputs: Record<string, string>,
  settings: { groups: 'folded' | 'open'; rawLog: boolean }
): Promise<{ code: number | null; files: Record<string, string>; downloadPath: string }> {
  const files = {
    GITHUB_OUTPUT: join(home, 'output'),
    GITHUB_STEP_SUMMARY: join(home, 'summary.html'),
    GITHUB_STATE: join(home, 'state')
  }
  for (const file of Object.values(files)) writeFileSync(file, '')
  const runnerTemp = join(home, 'runner-temp')
  mkdirSync(runnerTemp)
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: home,
    RUNNER_TEMP: runnerTemp,
    ...files
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const child = spawn(process.execPath, [action], {
    cwd: home,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const view = settings.rawLog
    ? { line: (text: string) => say(text), end: () => undefined }
    : createLogView({ groups: settings.groups, write: say })
  const closed = new Promise<number | null>(done => child.on('close', done))
  await Promise.all(
    [child.stdout, child.stderr].map(async stream => {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        view.line(line)
      }
    })
  )
  view.end()
  return { code: await closed, files, downloadPath: join(runnerTemp, 'amplitude-dsar') }
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

if (process.argv.includes('--ledger')) {
  // The ledger's demo (src/demo/ledger.ts): sweeps of DSAR issues against both stand-ins.
  const { ledgerDemo } = await import('./ledger.js')
  await ledgerDemo()
} else {
  await main()
}
