// Renders docs/reliability.md from the JSON files the reliability suites (__tests__/reliability/) write
// when RELIABILITY_REPORT=<dir> is set: one table per matrix, every row, with a pass mark, plus the date
// and the Node version of the run. `npm run reliability` runs the suites, then this script.
//
//   node scripts/reliability-report.mjs <dir> [output.md]
//
// The JSON files are removed once rendered, so a later run never mixes in stale rows. Exits 1 when a
// suite is missing, any row failed, or a suite wrote fewer or more rows than it declares (a run
// filtered with -t); the document is still written, showing which.
//
// The document is deterministic: no date, no timings, no counts that depend on the machine's speed
// (the suites report the bounds they check instead), so regenerating it with nothing changed leaves
// no diff. When it changes, the action's behaviour (or the Node version) did.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dir = resolve(
  process.argv[2] ?? process.env.RELIABILITY_REPORT ?? join(root, 'tmp', 'reliability')
)
const output = resolve(process.argv[3] ?? join(root, 'docs', 'reliability.md'))

/** The matrices in the order, with what each one checks. */
const SUITES = [
  {
    suite: 'faults',
    title: 'Faults',
    intro:
      'One fault per row, injected by the DSAR simulator (or by an HTTPS or plain front before it) at one ' +
      'phase: submit (POST), poll (status GET), outputs link (the API GET that redirects to storage) and ' +
      'storage download (the presigned GET). A transient fault must be survived with nothing lost: one ' +
      'request created, done, every file whole (sha256 checked). A permanent one must fail with one clear ' +
      'message, keeping the request id obtained (outputs and summary), leaving no file that looks complete. ' +
      'A POST is never repeated unless the server said it did not take it (429, 503).'
  },
  {
    suite: 'bad-input',
    title: 'Bad input',
    intro:
      'An invalid value for an input of the contract, on top of otherwise valid inputs. Every row must ' +
      "be refused with one error naming the input (`Input '<name>': ...`), zero requests sent to the " +
      'simulator, no stack trace, and no credential or secret value echoed.'
  },
  {
    suite: 'hostile-documents',
    title: 'Hostile documents',
    intro:
      'A hostile or broken Arazzo document given as `workflow:`. Loops must end (paced polls and the ' +
      'deadline, max steps, the nesting limit of 16), parsing must be bounded (aliases, size, duplicate ' +
      'keys in linear time), regular expressions (regex criteria, JSONPath match/search) run on RE2 only, ' +
      'secret inputs may reach request headers only, local files outside the workspace are refused ' +
      '(remote descriptions: the Remote sources matrix), and broken references fail at load time with ' +
      'their JSON Pointer, ' +
      'before any request. Requests, when any, go to the API host only.'
  },
  {
    suite: 'remote-sources',
    title: 'Remote sources',
    intro:
      'A custom workflow whose work is done by a workflow of a remote Arazzo document (`type: arazzo`, ' +
      'https, fetched with @actions/tool-cache from a loopback HTTPS server the action trusts), broken in ' +
      'one way per row: size, nesting depth, a cycle, integrity (`source-integrity`), parsing, time, a ' +
      'local file, an HTTP error. Every row must be refused at load time with the JSON Pointer of the ' +
      'source description, before any API request, with no stack trace and nothing leaked.'
  },
  {
    suite: 'hostile-servers',
    title: 'Hostile servers',
    intro:
      'The DSAR simulator made to answer as a hostile or compromised server would (chosen bodies for ' +
      'chosen requests). What a server says must have its shape before it reaches a step output (request ' +
      'ids, statuses, dates, links: nothing a shell would run when pasted into `run:`), and must be escaped ' +
      'before it reaches the log (no line may start a workflow command) or the job summary (no HTML or ' +
      'markdown from outside); a refused value fails its request with a message naming the field, and ' +
      "what was already known is kept. Storage hosts too: no download from internal addresses, the run's " +
      'timeout binds downloads and requests in flight, a file has a byte cap, and a run that failed ' +
      'half-way resumes into the same download-path.'
  },
  {
    suite: 'cancellation',
    title: 'Cancellation',
    intro:
      'SIGINT or SIGTERM, as the runner sends on cancel, while polling and while a download is in ' +
      'progress. The action must exit within 2 s of the signal (measured from the signal to the exit), ' +
      'write its outputs and job summary with every request id obtained so far, and leave no partial ' +
      'file under a finished name.'
  },
  {
    suite: 'ledger',
    title: 'Ledger',
    intro:
      'The DSAR ledger (`ledger: issues`): sweeps of DSAR issues against the DSAR simulator and the GitHub ' +
      'REST stand-in (127.0.0.1), one thing wrong per row. GitHub and Amplitude faults: transient ones are ' +
      'survived with exactly one DSAR per subject; others fail with one clear message, never submit ' +
      'without the write-ahead ledger comment, never lose a request id Amplitude gave. Bad forms end in ' +
      '`needs-info` naming the field, with nothing sent to Amplitude. Hostile issue bodies and comments ' +
      '(huge, markdown/HTML/mention injection, workflow commands, forged ledger state lines by anyone but ' +
      "the action's own identity) are escaped or ignored. Every row also checks that no credential or " +
      'token shows and no stack trace is printed.'
  },
  {
    suite: 'ledger-pressure',
    title: 'Ledger under pressure',
    intro:
      'The ledger against bursts, deadlines, edited comments and overlapping sweeps (docs/ledger.md): a ' +
      'new issue is taken up only when the time left holds its whole submit, an issue cut before its POST ' +
      'stays new, state is kept per request, every GitHub call is cut at the deadline and lists are ' +
      'capped, a state line that fails its integrity check or a status answer for another subject stops ' +
      'at `needs-attention` with nothing polled or downloaded, overlapping sweeps never submit twice, the ' +
      'first sweep creates the labels, and an export is called delivered only when an artifact holds it.'
  },
  {
    suite: 'ledger-erasure',
    title: 'Erasure in the ledger',
    intro:
      "Issues whose form asks for an erasure, against the simulator's deletion API and the GitHub " +
      'stand-in (which records who added each label). No erasure call without an approval by a member ' +
      'other than the author with write access, given after the ledger read the form as it stands; none ' +
      'without `Identity verified`; none before the export of an access-then-erasure request was ' +
      'delivered; a cancellation inside the window calls DELETE for every id and nothing else, outside ' +
      'it nothing; a retried erasure never sends an id twice to a job that holds it; and no raw subject ' +
      'id reaches a comment, the log, the summary or the outputs (docs/erasure.md).'
  },
  {
    suite: 'ledger-deadlines',
    title: 'Ledger deadlines',
    intro:
      "Every request's legal clock (docs/desk.md): the due date per regime from the form's `Received on` " +
      'and `Regime`, `due-soon` seven days ahead and `overdue` after, each told in one comment and one ' +
      'label however many sweeps pass, `<label>:extended` moving the due date once, finishing removing the ' +
      'notices, the receipt and the job summary carrying the clock, a bad `Received on` ending in ' +
      '`needs-info` naming the field with nothing sent. The action runs on the real clock; rows set ' +
      '`Received on` relative to today.'
  },
  {
    suite: 'no-leaks',
    title: 'No leaks',
    intro:
      'Full runs, with faults in every phase, with and without `ACTIONS_STEP_DEBUG`. No log line, job ' +
      'summary, step output or state contains a credential in any form (raw, base64, base64url, ' +
      'URL-encoded) outside `::add-mask::` commands; no presigned storage URL is in the log; the storage ' +
      'host never receives credentials. Every row of the other matrices applies the same check to its ' +
      'own run.'
  },
  {
    suite: 'real-service',
    title: 'Against the real service',
    intro:
      'Where the documented Amplitude service differs from a simple simulator, and what real runs meet: ' +
      'output links on a second host that requires the credentials (the docs show them on ' +
      '`https://analytics.amplitude.com`), 429s without `Retry-After`, connections refused or reset, ' +
      'and the statuses and messages a user reads. Every row also applies the no-leaks check.'
  }
]

function readReports() {
  if (!existsSync(dir)) return new Map()
  const files = readdirSync(dir).filter(name => name.endsWith('.json'))
  return new Map(
    files.map(name => {
      const report = JSON.parse(readFileSync(join(dir, name), 'utf8'))
      return [report.suite, { ...report, file: join(dir, name) }]
    })
  )
}

/** Markdown table cell: one line, pipes escaped. */
function cell(text) {
  return String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')
}

function render(reports) {
  const known = SUITES.map(s => s.suite)
  const extra = [...reports.keys()].filter(s => !known.includes(s)).sort()
  const suites = [...SUITES, ...extra.map(suite => ({ suite, title: suite, intro: '' }))]
  const present = suites.filter(s => reports.has(s.suite))
  const all = present.flatMap(s => reports.get(s.suite).rows)
  const passed = all.filter(row => row.passed).length
  const node = [...new Set(present.map(s => reports.get(s.suite).node))].join(', ')
  const platform = [...new Set(present.map(s => reports.get(s.suite).platform))].join(', ')

  const lines = [
    '# Reliability and security matrices',
    '',
    '<!-- Generated by `npm run reliability` (scripts/reliability-report.mjs): do not edit by hand. -->',
    '',
    `Run with Node ${node || '-'} ` +
      `on ${platform || '-'}: **${passed} of ${all.length} rows passed**.`,
    '',
    'Every row runs the bundled action (`dist/index.js`) as the GitHub runner does (`INPUT_*` variables, ' +
      'output, summary and state files; see `__tests__/support/action-harness.ts`) against the DSAR ' +
      'simulator on 127.0.0.1, and asserts its expectation in `__tests__/reliability/`. ' +
      'Regenerate with `npm run reliability`.',
    '',
    '| Matrix | Rows | Passed |',
    '| --- | ---: | ---: |',
    ...suites.map(s => {
      const rows = reports.get(s.suite)?.rows ?? []
      const ok = rows.filter(row => row.passed).length
      return `| [${s.title}](#${anchor(s.title)}) | ${rows.length} | ${reports.has(s.suite) ? ok : 'not run'} |`
    }),
    ''
  ]
  for (const s of suites) {
    const report = reports.get(s.suite)
    lines.push(`## ${s.title}`, '')
    if (s.intro) lines.push(s.intro, '')
    if (!report) {
      lines.push('_This suite did not run._', '')
      continue
    }
    lines.push(
      '| # | Row | What was done | What the action did | Pass |',
      '| ---: | --- | --- | --- | :---: |'
    )
    report.rows.forEach((row, i) => {
      const mark = row.passed ? '✅' : '❌'
      lines.push(`| ${i + 1} | ${cell(row.row)} | ${cell(row.did)} | ${cell(row.got)} | ${mark} |`)
    })
    lines.push('')
    for (const note of report.notes ?? []) lines.push(note, '')
  }
  return {
    text: lines.join('\n'),
    rows: all.length,
    passed,
    missing: SUITES.filter(s => !reports.has(s.suite)),
    short: present
      .map(s => reports.get(s.suite))
      .filter(report => report.declared !== report.rows.length)
  }
}

function anchor(title) {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-')
}

const reports = readReports()
if (reports.size === 0) {
  console.error(`no reliability reports in ${dir}: run the suites with RELIABILITY_REPORT=${dir}`)
  process.exit(1)
}
const { text, rows, passed, missing, short } = render(reports)
mkdirSync(dirname(output), { recursive: true })
writeFileSync(output, text)
for (const report of reports.values()) rmSync(report.file)
console.log(`${output}: ${passed} of ${rows} rows passed`)
if (missing.length > 0) console.error(`missing suites: ${missing.map(s => s.suite).join(', ')}`)
for (const report of short) {
  // A filtered run (jest -t) or one cut short writes fewer rows than the suite declares: the
  // matrix would shrink silently.
  console.error(
    `${report.suite}: ${report.rows.length} of ${report.declared ?? '?'} declared rows written`
  )
}
process.exit(passed === rows && missing.length === 0 && short.length === 0 ? 0 : 1)
