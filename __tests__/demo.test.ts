/**
 * `npm run demo`: the log shown as GitHub shows it (log view), the job summary as text (summary view),
 * and the bundled demo end to end: the whole story, with nothing of the runner protocol left raw.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogView, parseCommand } from '../src/demo/log-view.js'
import { demoSettings } from '../src/demo/settings.js'
import { renderSummary } from '../src/demo/summary-view.js'
import { DEFAULT_API_KEY, DEFAULT_SECRET_KEY } from '../src/simulator/index.js'
import { repoRoot } from './support/action-harness.js'

function view(lines: string[], groups: 'folded' | 'open' = 'folded', debug = false): string[] {
  const shown: string[] = []
  const log = createLogView({ groups, debug, write: line => shown.push(line) })
  for (const line of lines) log.line(line)
  log.end()
  return shown
}

describe('log view', () => {
  test('add-mask lines disappear and their values read *** from then on, longest first', () => {
    expect(
      view([
        'before: s3cret',
        '::add-mask::s3cret',
        '::add-mask::s3cret-and-more',
        'key s3cret, pair s3cret-and-more',
        '  ::add-mask::indented'
      ])
    ).toEqual(['before: s3cret', 'key ***, pair ***'])
  })

  test('groups fold to their title and line count, or open indented', () => {
    const lines = ['start', '::group::subject 1: done', 'poll 1', 'poll 2', '::endgroup::', 'after']
    expect(view(lines)).toEqual(['start', '▶ subject 1: done  (2 lines folded)', 'after'])
    expect(view(lines, 'open')).toEqual([
      'start',
      '▼ subject 1: done',
      '  poll 1',
      '  poll 2',
      'after'
    ])
    // A group the stream never closed is still shown.
    expect(view(['::group::cut short', 'line'])).toEqual(['▶ cut short  (1 line folded)'])
  })

  test('annotations read Warning:/Error:/Notice:, with their escaped data restored', () => {
    expect(
      view([
        '::warning::links expire at 2026-12-01T10:00:00Z; download them before then',
        '::error::HTTP 401 from POST /api/2/dsar/requests%0Aresume with request-ids: 1,2',
        '::notice title=Seed%3A copy,file=wf.yml,line=3::used 100%25 of it'
      ])
    ).toEqual([
      'Warning: links expire at 2026-12-01T10:00:00Z; download them before then',
      'Error: HTTP 401 from POST /api/2/dsar/requests',
      'resume with request-ids: 1,2',
      'Notice: Seed: copy: used 100% of it (wf.yml:3)'
    ])
  })

  test('debug lines are hidden unless step debug is on; stop-commands pauses commands', () => {
    expect(view(['::debug::detail', 'x'])).toEqual(['x'])
    expect(view(['::debug::detail'], 'folded', true)).toEqual(['Debug: detail'])
    expect(
      view([
        '::stop-commands::tok123',
        '::add-mask::not-a-mask',
        '::tok123::',
        '::add-mask::m',
        'm'
      ])
    ).toEqual(['::add-mask::not-a-mask', '***'])
  })

  test('only lines starting with :: (after blanks) are commands', () => {
    expect(parseCommand('text ::warning::no')).toBeUndefined()
    expect(parseCommand('  ::warning::yes')).toMatchObject({ name: 'warning', data: 'yes' })
    expect(view(['::set-env name=A::b'])).toEqual(['::set-env name=A::b'])
  })
})

describe('summary view', () => {
  test('tables become aligned columns under their header; entities are decoded', () => {
    const lines = renderSummary(
      '<h2>Amplitude DSAR</h2>\n<table><tr><th>Request id</th><th>Status</th></tr>' +
        '<tr><td>53367</td><td>failed (a &amp; b &lt;c&gt;)</td></tr></table>\n' +
        '<p>Uploaded as artifact <a href="https://github.com/o/r/actions/runs/1/artifacts/9">dsar</a></p>'
    )
    const text = lines.join('\n')
    expect(text).toContain('Amplitude DSAR')
    expect(text).toMatch(/REQUEST ID {3}STATUS\n53367 {8}failed \(a & b <c>\)/)
    expect(text).toContain('dsar <https://github.com/o/r/actions/runs/1/artifacts/9>')
  })

  test('decoded server text cannot start a workflow command or carry control characters', () => {
    const lines = renderSummary('<p>&#58;&#58;add-mask&#58;&#58;x</p><p>bell &#7; here</p>')
    expect(lines.some(line => /^\s*::/.test(line))).toBe(false)
    expect(lines.join('\n')).toContain('bell \\u0007 here')
  })
})

test('demo settings: defaults, and a clear note for values it does not understand', () => {
  const notes: string[] = []
  expect(demoSettings({}, note => notes.push(note))).toEqual({
    userIds: 'demo-user-1, demo-user-2',
    workflow: 'amplitude',
    encrypt: true,
    files: 2,
    groups: 'folded',
    rawLog: false,
    keepFiles: false
  })
  expect(notes).toEqual([])
  const odd = demoSettings({ DEMO_ENCRYPT: 'maybe', DEMO_FILES: '0', DEMO_GROUPS: 'open' }, note =>
    notes.push(note)
  )
  expect(odd).toMatchObject({ encrypt: true, files: 2, groups: 'open' })
  expect(notes).toEqual([
    'DEMO_FILES=0 is not a whole number from 1 to 20: using 2',
    'DEMO_ENCRYPT=maybe is not true or false: using true'
  ])
})

test('npm run demo (dist/demo): submit, poll, download, encrypt, decrypt one file, readable log and summary', async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'demo', 'index.js')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', DEMO_USER_IDS: 'demo-user-1' }
  })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
  const code = await new Promise<number | null>(done => child.on('close', done))

  expect(code).toBe(0)
  // Nothing of the runner protocol is left raw, and the credentials never show.
  expect(out.split('\n').filter(line => /^\s*::/.test(line))).toEqual([])
  expect(out).not.toContain(DEFAULT_API_KEY)
  expect(out).not.toContain(DEFAULT_SECRET_KEY)
  expect(out).toMatch(/^▶ subject 1 \(user #[0-9a-f]{8}\) {2}\(\d+ lines folded\)$/m)
  // Downloaded, age-encrypted, then decrypted and checked against the files output.
  expect(out).toMatch(/stored output-001\.json\.gz\.age \(\d+ bytes as served, 10 events/)
  const files = JSON.parse(out.split('\nfiles:\n')[1].split('\n\n')[0]) as { encrypted: boolean }[]
  expect(files).toHaveLength(2)
  expect(files.every(f => f.encrypted)).toBe(true)
  expect(out).toMatch(/output-001\.json\.gz\.age: decrypted, then checked against the files output/)
  expect(out).toMatch(/sha256 of the gzip {2}matches \([0-9a-f]{64}\)/)
  expect(out).toContain('events              10 (the output says 10)')
  expect(out).toContain('"user_id": "demo-user-1"')
  // The summary as text: the facts, the requests table and the files relative to download-path.
  const summary = out.split('4. The job summary')[1]
  expect(summary).toMatch(/API host {11}127\.0\.0\.1:\d+/)
  expect(summary).toMatch(/SUBJECT {3,}REQUEST ID {3,}STATUS/)
  expect(summary).toMatch(
    /^\d+\/output-001\.json\.gz\.age {3,}\d+ {3,}10 {3,}[0-9a-f]{64} {3,}yes \(age\)$/m
  )
  expect(summary).not.toContain('<td>')
  expect(out).toMatch(/exit code 0; the simulator answered \d+ requests/)
}, 120_000)

test('npm run demo -- --ledger: three sweeps take a DSAR to ready to collect, refuse an outsider, ask for a fixed date; the desk erases one request and cancels another; the temporary folder is removed', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'dsar-demo-tmp-'))
  try {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'dist', 'demo', 'index.js'), '--ledger'],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', TMPDIR: tmp }
      }
    )
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    const code = await new Promise<number | null>(done => child.on('close', done))
    expect(code).toBe(0)
    // It says that it shortens GitHub's write spacing (a test hook) against the stand-in.
    expect(out).toMatch(/GitHub's spacing of writes .* is shortened to 50 ms for the stand-in/)
    // It did download (into that folder) before removing it.
    expect(out).toContain('request 53367: output 1 of 1: downloading')
    expect(out).toMatch(new RegExp(`wrote ${tmp}/dsar-ledger-demo-\\w+/\\S+/receipt\\.json`))
    const lastSweep = out.slice(
      out.lastIndexOf('=== sweep 3 of 3'),
      out.indexOf('=== The privacy desk')
    )
    expect(lastSweep).toMatch(/#1 \[open\] labels: dsar:ready/)
    expect(lastSweep).toContain('**DSAR ready to collect (not delivered)**')
    expect(lastSweep).toMatch(/#2 \[open\] labels: dsar:refused/)
    expect(lastSweep).toMatch(/#3 \[open\] labels: dsar:needs-info/)
    expect(out).not.toContain('bob@example.com')
    // The privacy desk: access, then erasure, through approval to erased; an erasure cancelled.
    const desk = out.slice(out.indexOf('=== The privacy desk'))
    expect(desk).toMatch(/#1 \[closed\] labels: .*dsar:erased/)
    expect(desk).toMatch(/#2 \[open\] labels: .*dsar:cancelled/)
    expect(desk).toContain('**DSAR erased**')
    expect(desk).toContain('DELETE /api/2/deletions/users/')
    expect(out).not.toContain('dana@example.com')
    expect(out).not.toContain('eve@example.com')
    expect(readdirSync(tmp)).toEqual([])
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}, 180_000)
