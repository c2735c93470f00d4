/**
 * Reliability matrix, the ledger (`ledger: issues`): the bundled dist/index.js sweeping DSAR issues
 * against the DSAR simulator and the GitHub REST stand-in, with one thing wrong per row:
 * - faults: GitHub (5xx, secondary rate limits, 429, resets, the hour's budget spent, down) and
 *   Amplitude (5xx, refused credentials). Transient ones are survived with one DSAR per subject;
 *   others fail clearly, never submit without the write-ahead record, never lose a request id;
 * - bad forms: each must end in `needs-info`, naming the field, with nothing sent to Amplitude;
 * - hostile issue bodies and comments: huge bodies, markdown/HTML/mention injection, workflow
 *   commands, forged ledger state lines by anyone but the action (ignored), a tampered own comment.
 * Every row also checks that no credential or token shows and no stack trace is printed.
 */
import { ledgerComment } from '../../src/ledger/comments.js'
import { ledgerKey, sealFor } from '../../src/ledger/seal.js'
import { MARKER_PREFIX, type LedgerMarker } from '../../src/ledger/marker.js'
import { secondaryRateLimit } from '../../src/simulator/github/index.js'
import type { ActionRun } from '../support/action-harness.js'
import {
  closedPort,
  formBody,
  startLedgerWorld,
  type Form,
  type LedgerWorld
} from '../support/ledger-world.js'
import {
  describeRun,
  errorText,
  expectMasked,
  expectNoLeaks,
  Report,
  STACK_FRAME,
  visibleText,
  type Saw
} from './support.js'

const report = new Report('ledger')
report.note(
  'Test hooks in these runs (read by src/run/test-hooks.ts, unset on real runners): waits of the ' +
    "GitHub client's retries and of the API transport's back-off use a 20 ms unit instead of 1 s " +
    "(a GitHub retry-after of 1 s waits 20 ms), and GitHub's spacing of writes is 10 ms, 30 ms " +
    'between new comments, instead of 1 s and 3 s (DSAR_TEST_WRITE_SPACING_MS; e2e-ledger.test.ts ' +
    'checks the production spacing of a sweep).'
)

const ledgerOf = (run: ActionRun) =>
  JSON.parse(run.outputs.ledger ?? '[]') as { issue: number; state: string; requestIds: string[] }[]
const dsarPosts = (w: LedgerWorld) => w.sim.log.filter(e => e.method === 'POST').length
const states = (run: ActionRun) =>
  ledgerOf(run)
    .map(r => `#${r.issue} ${r.state}`)
    .join(', ') || 'none'

/** Runs a sweep and checks what every row must hold. */
async function sweep(world: LedgerWorld, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const run = await world.sweep(inputs)
  expectNoLeaks(run, {
    inputs: { 'api-key': world.sim.apiKey, 'secret-key': world.sim.secretKey },
    sim: world.sim
  })
  expect(visibleText(run)).not.toContain(world.gh.token)
  expectMasked(run, {
    'api-key': world.sim.apiKey,
    'secret-key': inputs['secret-key'] ?? world.sim.secretKey,
    'github-token': world.gh.token
  })
  expect(run.lines.join('\n')).not.toMatch(STACK_FRAME)
  return run
}

function describe(run: ActionRun, world: LedgerWorld): string {
  return describeRun(run, [`ledger ${states(run)}`, `${dsarPosts(world)} DSAR(s) created`])
}

async function withWorld(
  job: Parameters<typeof startLedgerWorld>[0],
  body: (world: LedgerWorld) => Promise<void>
): Promise<void> {
  const world = await startLedgerWorld(job)
  try {
    await body(world)
    // A row whose fault never happened proves nothing: every fault rule it set up has fired.
    expect(world.gh.unfiredFaults()).toEqual([])
    expect(world.sim.unfiredFaults()).toEqual([])
  } finally {
    await world.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

interface FaultRow {
  name: string
  did: string
  /** Sets the fault up; returns the issue. */
  setup: (world: LedgerWorld) => number
  expect: (run: ActionRun, world: LedgerWorld, issue: number) => void
  /** The stand-in whose injected fault the row is about (asserted to have fired). */
  fault?: 'github' | 'amplitude'
  gh?: Parameters<typeof startLedgerWorld>[0] extends infer O
    ? O extends { gh?: infer G }
      ? G
      : never
    : never
}

const survived =
  (state = 'submitted') =>
  (run: ActionRun, world: LedgerWorld, issue: number): void => {
    expect(run.exitCode).toBe(0)
    expect(ledgerOf(run)).toMatchObject([{ issue, state }])
    expect(dsarPosts(world)).toBe(1)
  }

const FAULTS: FaultRow[] = [
  {
    fault: 'github',
    name: 'GitHub 502 on the issues list',
    did: 'GET /issues answers 502 once',
    setup: w => {
      w.gh.addFault({
        method: 'GET',
        path: /\/issues$/,
        times: 1,
        action: { type: 'status', status: 502 }
      })
      return w.file({ userIds: 'alice@example.com' })
    },
    expect: survived()
  },
  {
    fault: 'github',
    name: 'GitHub connection reset while reading',
    did: 'GET /issues: the connection is dropped once',
    setup: w => {
      w.gh.addFault({ method: 'GET', path: /\/issues$/, times: 1, action: { type: 'reset' } })
      return w.file({ userIds: 'alice@example.com' })
    },
    expect: survived()
  },
  {
    fault: 'github',
    name: 'GitHub secondary rate limit (403) on the ledger comment',
    did: 'POST comment answers 403 "secondary rate limit", retry-after 2',
    setup: w => {
      w.gh.addFault({ method: 'POST', times: 1, action: secondaryRateLimit(403, 2) })
      return w.file({ userIds: 'alice@example.com' })
    },
    expect: survived()
  },
  {
    fault: 'github',
    name: 'GitHub 429 on the ledger edit',
    did: 'PATCH comment answers 429 "secondary rate limit", retry-after 1',
    setup: w => {
      w.gh.addFault({ method: 'PATCH', times: 1, action: secondaryRateLimit(429, 1) })
      return w.file({ userIds: 'alice@example.com' })
    },
    expect: survived()
  },
  {
    fault: 'github',
    name: 'GitHub 500 on every write-ahead attempt',
    did: 'POST comment answers 500 on every attempt',
    setup: w => {
      w.gh.addFault({ method: 'POST', action: { type: 'status', status: 500 } })
      return w.file({ userIds: 'alice@example.com' })
    },
    expect: (run, world) => {
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toContain('HTTP 500')
      expect(dsarPosts(world)).toBe(0) // no DSAR without its write-ahead record
    }
  },
  {
    name: "GitHub's hourly budget spent",
    did: 'the token has 2 requests per hour (the issues list is refused with x-ratelimit-remaining: 0)',
    gh: { rateLimitPerHour: 2 },
    setup: w => w.file({ userIds: 'alice@example.com' }),
    expect: (run, world) => {
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toMatch(/HTTP 403 .*API rate limit exceeded/)
      expect(run.lines.some(l => l.includes('not waiting'))).toBe(true)
      expect(dsarPosts(world)).toBe(0)
    }
  },
  {
    fault: 'github',
    name: 'GitHub fails after Amplitude answered',
    did: 'every PATCH answers 502 (the ledger edit with the request id fails)',
    setup: w => {
      w.gh.addFault({ method: 'PATCH', action: { type: 'status', status: 502 } })
      return w.file({ userIds: 'alice@example.com' })
    },
    expect: (run, world) => {
      expect(run.exitCode).toBe(1)
      const id = String(world.sim.requests()[0].requestId)
      expect(run.outputs.requestId).toBe(id)
      expect(run.summary).toContain(id)
      expect(run.lines.some(l => l.includes(`Amplitude accepted request ${id}`))).toBe(true)
      expect(errorText(run)).toContain(`request-ids: ${id}`)
    }
  },
  {
    fault: 'amplitude',
    name: 'Amplitude 503 on submit',
    did: 'the DSAR POST answers 503 once (not taken: repeated)',
    setup: w => {
      w.sim.addFault({
        host: 'api',
        method: 'POST',
        times: 1,
        action: { type: 'status', status: 503 }
      })
      return w.file({ userIds: 'alice@example.com' })
    },
    expect: (run, world, issue) => {
      expect(run.exitCode).toBe(0)
      expect(ledgerOf(run)).toMatchObject([{ issue, state: 'submitted' }])
      expect(world.sim.requests()).toHaveLength(1)
    }
  },
  {
    name: 'Amplitude refuses the credentials',
    did: 'api-key/secret-key wrong: the DSAR POST answers 401',
    setup: w => w.file({ userIds: 'alice@example.com' }),
    expect: (run, world, issue) => {
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toContain('HTTP 401')
      expect(world.sim.requests()).toHaveLength(0)
      // Nothing reached Amplitude: the write-ahead record is taken back, the issue stays new.
      expect(world.gh.comments(issue)).toEqual([])
      expect(world.gh.issue(issue).labels).toEqual(['dsar'])
    }
  }
]

for (const row of FAULTS) {
  report.row('Faults', row.name, row.did, async (saw: Saw) => {
    await withWorld({ sim: { job: { pollsInStaging: 2 } }, gh: row.gh }, async world => {
      const issue = row.setup(world)
      const inputs: Record<string, string> =
        row.name === 'Amplitude refuses the credentials'
          ? { 'secret-key': 'wrong-secret-0000' }
          : {}
      const run = await sweep(world, inputs)
      saw(describe(run, world))
      row.expect(run, world, issue)
      if (row.fault === 'github') expect(world.gh.faultsInjected).toBeGreaterThan(0)
      if (row.fault === 'amplitude') expect(world.sim.faultsInjected).toBeGreaterThan(0)
    })
  })
}

report.row(
  'Faults',
  "GitHub's budget too low for every new issue",
  '24 GitHub requests per hour, two issues filed at once; a second sweep an hour later',
  async saw => {
    // The GitHub budget rule (src/ledger/github-budget.ts): sweep 1 spends 5 calls reading (the
    // repository, GET /user, the labels, the issues, their comments), 19 are left, 2 (10%) kept
    // free: one submit's 10 (7, and 3 for its deadline check) fit, a second's not beside them.
    // Sweep 2, in GitHub's next hour, reads 5 and keeps 7 for #1's poll and 2 free: the 10 of
    // #2's submit still fit.
    let shift = 0
    await withWorld(
      {
        sim: { job: { pollsInStaging: 2 } },
        gh: { rateLimitPerHour: 24, now: () => Date.now() + shift }
      },
      async world => {
        const first = world.file({ userIds: 'alice@example.com' })
        const second = world.file({ userIds: 'bob@example.com' })
        const run = await sweep(world)
        const note =
          /GitHub API: \d+ call\(s\) left until \d\d:\d\d UTC; 1 new issue\(s\) left for the next sweep/
        const firstSweep = `${describe(run, world)}; log: "${run.lines.find(l => note.test(l))}"`
        expect(run.exitCode).toBe(0)
        expect(ledgerOf(run)).toMatchObject([{ issue: first, state: 'submitted' }])
        expect(dsarPosts(world)).toBe(1)
        // #2 untouched: no write-ahead comment, no state label, no DSAR; nothing refused by GitHub.
        expect(world.gh.comments(second)).toEqual([])
        expect(world.gh.issue(second).labels).toEqual(['dsar'])
        expect(world.gh.log.filter(e => e.status === 403 && e.path.includes('/issues'))).toEqual([])
        expect(run.lines.filter(l => note.test(l))).toHaveLength(1)
        expect(run.summary).toMatch(note)

        shift = 3_600_000 // GitHub's next hour
        const next = await sweep(world)
        saw(`${firstSweep}; next hour: ${describe(next, world)}`)
        expect(next.exitCode).toBe(0)
        expect(ledgerOf(next)).toMatchObject([
          { issue: first, state: 'submitted' },
          { issue: second, state: 'submitted' }
        ])
        expect(dsarPosts(world)).toBe(2)
        expect(world.sim.requests()).toHaveLength(2)
        expect(next.lines.some(l => note.test(l))).toBe(false)
      }
    )
  }
)

report.row(
  'Faults',
  'Amplitude 500 on a status check',
  'the status GET answers 500 once during the second sweep',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0 } } }, async world => {
      const issue = world.file({ userIds: 'alice@example.com' })
      await sweep(world)
      world.sim.addFault({
        host: 'api',
        method: 'GET',
        times: 1,
        action: { type: 'status', status: 500 }
      })
      const run = await sweep(world)
      saw(describe(run, world))
      expect(run.exitCode).toBe(0)
      expect(ledgerOf(run)).toMatchObject([{ issue, state: 'ready' }])
    })
  }
)

report.row(
  'Faults',
  'Amplitude resets the connection on the DSAR POST',
  'the DSAR POST is handled (a DSAR created) but its answer is lost (connection reset); two sweeps',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 2 } } }, async world => {
      world.sim.addFault({
        host: 'api',
        method: 'POST',
        times: 1,
        action: { type: 'reset', afterHandling: true }
      })
      const issue = world.file({ userIds: 'alice@example.com' })
      const run = await sweep(world)
      expect(world.sim.faultsInjected).toBe(1)
      // The POST may have reached Amplitude (it did): never "nothing sent", never sent again.
      expect(ledgerOf(run)).toMatchObject([{ issue, state: 'needs-attention' }])
      const next = await sweep(world)
      saw(`${describe(run, world)}; next sweep: ledger ${states(next)}`)
      expect(world.sim.requests()).toHaveLength(1)
      expect(dsarPosts(world)).toBe(1)
      expect(world.gh.issue(issue).labels).toEqual(['dsar:needs-attention'])
      expect(ledgerOf(next).every(r => r.state !== 'submitted')).toBe(true)
    })
  }
)

report.row('Faults', 'GitHub down', 'GITHUB_API_URL points at a closed port', async saw => {
  await withWorld({}, async world => {
    world.file({ userIds: 'alice@example.com' })
    const api = `http://127.0.0.1:${await closedPort()}`
    const run = await world.sweep({}, { env: { GITHUB_API_URL: api } })
    saw(describe(run, world))
    expect(run.exitCode).toBe(1)
    expect(errorText(run)).toContain(`cannot reach GitHub at ${api}: connection refused`)
    expect(run.lines.join('\n')).not.toMatch(STACK_FRAME)
    expect(dsarPosts(world)).toBe(0)
  })
})

// ---------------------------------------------------------------------------------------------
// Bad forms
// ---------------------------------------------------------------------------------------------

const BAD_FORMS: [string, Form | string, RegExp][] = [
  ['free text, no form', 'Hi, please send me all my data. Thanks!', /User IDs/],
  ['every field left empty', {}, /no subject/],
  ['unknown headings only', '### Name\n\nAlice\n\n### Email\n\nalice@example.com', /no subject/],
  ['a field given twice', `${formBody({ userIds: 'a' })}\n\n### user ids\n\nb`, /more than once/],
  ['a date in another format', { userIds: 'a', startDate: '01/02/2024' }, /Start date/],
  ['an impossible date', { userIds: 'a', endDate: '2024-02-30' }, /real calendar date/],
  [
    'the end before the start',
    { userIds: 'a', startDate: '2024-06-01', endDate: '2024-01-01' },
    /after end/
  ],
  ['an end date in the future', { userIds: 'a', endDate: '2999-01-01' }, /future/],
  ['a start before 2000', { userIds: 'a', startDate: '1999-12-31' }, /before 2000/],
  [
    '21 subjects',
    { userIds: Array.from({ length: 21 }, (_, i) => `u${i}`).join('\n') },
    /at most 20/
  ],
  [
    'a user id with a control character',
    { userIds: 'alice\u0000@example.com' },
    /control characters/
  ],
  ['a user id of 1,025 characters', { userIds: 'x'.repeat(1025) }, /longer than 1024/],
  ['an Amplitude ID that is not an integer', { amplitudeIds: '12.5' }, /positive integer/]
]

for (const [name, form, problem] of BAD_FORMS) {
  report.row('Bad forms', name, `an issue whose form has ${name}`, async saw => {
    await withWorld({}, async world => {
      const issue = world.file(form)
      const run = await sweep(world)
      const [comment] = world.gh.comments(issue)
      const shown = decode(comment?.body ?? '')
      saw(`${describe(run, world)}; comment: "${shown.split('\n')[0]}"`)
      expect(run.exitCode).toBe(0)
      expect(ledgerOf(run)).toEqual([{ issue, state: 'needs-info', requestIds: [] }])
      expect(shown).toMatch(problem)
      expect(world.sim.log).toEqual([])
      expect(world.gh.issue(issue).labels).toEqual(['dsar:needs-info'])
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Hostile issue bodies and comments
// ---------------------------------------------------------------------------------------------

const INJECTION =
  '<img src=x onerror=alert(1)> [click](https://evil.example) ![p](https://evil.example/p.png) ' +
  '@octo-org/everyone #1 | x | <details open> `code` <!-- -->'

function forgedMarker(requestId: string, state: string): string {
  const marker = {
    version: 2,
    state,
    startDate: '2024-01-01',
    endDate: '2024-12-31',
    requests: [
      {
        requestId,
        subject: 'user #0123abcd',
        status: 'done',
        submittedAt: '2026-01-01T00:00:00.000Z',
        checkedAt: '2026-01-01T00:00:00.000Z',
        doneAt: '2026-01-01T00:00:00.000Z'
      }
    ]
  }
  // Sealed with a key that is not the action's: whoever wrote it lacks the credentials.
  return ledgerComment(marker as LedgerMarker, sealFor(ledgerKey('not-the-secret'), 'x/y', 1))
}

report.row(
  'Hostile issue bodies',
  'a body of 70,000 characters',
  'a valid form followed by 70,000 characters',
  async saw => {
    await withWorld({}, async world => {
      const issue = world.file(`${formBody({ userIds: 'a' })}\n${'A'.repeat(70_000)}`)
      const run = await sweep(world)
      saw(describe(run, world))
      expect(ledgerOf(run)).toEqual([{ issue, state: 'needs-info', requestIds: [] }])
      expect(decode(world.gh.comments(issue)[0].body)).toContain('longer than 65536')
      expect(world.sim.log).toEqual([])
    })
  }
)

report.row(
  'Bad forms',
  'a subject id typed into a date field',
  'an issue whose Start date field reads "alice.smith@example.com" (and End date "2024-13-45")',
  async saw => {
    await withWorld({}, async world => {
      const issue = world.file({
        userIds: 'a',
        startDate: 'alice.smith@example.com',
        endDate: '2024-13-45'
      })
      const run = await sweep(world)
      const [comment] = world.gh.comments(issue)
      const shown = decode(comment?.body ?? '')
      saw(`${describe(run, world)}; comment: "${shown.split('\n')[0]}"`)
      expect(ledgerOf(run)).toEqual([{ issue, state: 'needs-info', requestIds: [] }])
      // The comment names the field and the form expected; what was typed is not repeated.
      expect(shown).toMatch(/(Start|End) date/)
      expect(shown).toMatch(/YYYY-MM-DD/)
      for (const typed of ['alice.smith', 'example.com', '2024-13-45']) {
        expect(shown).not.toContain(typed)
        expect(comment.body).not.toContain(typed)
      }
      expect(visibleText(run)).not.toContain('alice.smith')
      expect(world.sim.log).toEqual([])
    })
  }
)

report.row(
  'Hostile issue bodies',
  'a 64 KiB body built to make the form reader backtrack, beside another DSAR',
  'eight lines of `### a` + 8,000 spaces + `x` (64 KiB; the old heading pattern took 106 s on one) ' +
    'in one issue, a valid DSAR in another; timeout 2m',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 2 } } }, async world => {
      const line = `### a${' '.repeat(8_000)}x`
      const body = Array.from({ length: 8 }, (_, i) => `${line}${i}`).join('\n')
      expect(body.length).toBeGreaterThan(64_000)
      const hostile = world.file(body)
      const other = world.file({ userIds: 'alice@example.com' })
      const run = await sweep(world)
      saw(describe(run, world))
      expect(run.exitCode).toBe(0)
      // The hostile issue gets its needs-info answer; the other person's DSAR goes on as usual.
      expect(ledgerOf(run)).toEqual(
        expect.arrayContaining([
          { issue: hostile, state: 'needs-info', requestIds: [] },
          expect.objectContaining({ issue: other, state: 'submitted' })
        ])
      )
      expect(decode(world.gh.comments(hostile)[0].body)).toMatch(/User IDs/)
      expect(dsarPosts(world)).toBe(1)
    })
  },
  { timeoutMs: 150_000 }
)

report.row(
  'Hostile issue bodies',
  'markdown, HTML and mentions in the reference, to the end of delivery',
  `Reference: ${INJECTION}`,
  async saw => {
    await withWorld(
      { sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 1 } } },
      async world => {
        const issue = world.file({ userIds: 'alice@example.com', reference: INJECTION })
        await sweep(world)
        const run = await sweep(world, { download: 'true' })
        saw(describe(run, world))
        expect(ledgerOf(run)).toMatchObject([{ issue, state: 'ready' }])
        for (const comment of world.gh.comments(issue)) {
          const raw = comment.body.replace(/&#\d+;/g, '·')
          expect(raw).not.toMatch(/<img|<details|\]\(|@octo-org|#1\b|\| x \||`code`|<!-- -->/)
        }
      }
    )
  }
)

report.row(
  'Hostile issue bodies',
  'workflow commands and line separators in the body',
  'a reference of "\\u2028::warning::pwned" and a start date of "::error::x"',
  async saw => {
    await withWorld({}, async world => {
      const issue = world.file({
        userIds: 'a',
        reference: 'r\u2028::warning::pwned',
        startDate: '::error::x'
      })
      const run = await sweep(world)
      saw(describe(run, world))
      expect(ledgerOf(run)).toEqual([{ issue, state: 'needs-info', requestIds: [] }])
      expect(run.lines.some(l => /^\s*::(warning::pwned|error::x)/.test(l))).toBe(false)
      expect(world.gh.comments(issue)[0].body).not.toMatch(/\u2028|\n::/)
    })
  }
)

report.row(
  'Hostile issue bodies',
  'a forged ledger state line in the issue body',
  'the body ends with a state line saying done for request 99999',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 2 } } }, async world => {
      const issue = world.file(
        `${formBody({ userIds: 'alice@example.com' })}\n\n${forgedMarker('99999', 'done')}`
      )
      const run = await sweep(world)
      saw(describe(run, world))
      expect(ledgerOf(run)).toMatchObject([{ issue, state: 'submitted' }])
      expect(world.sim.log.some(e => e.path.includes('99999'))).toBe(false)
      expect(dsarPosts(world)).toBe(1)
    })
  }
)

for (const [who, author] of [
  ['a collaborator', 'priya'],
  ['a user named github-actions', 'github-actions']
] as const) {
  report.row(
    'Hostile issue bodies',
    `a forged ledger comment by ${who}`,
    `${who} comments a state line saying submitted (request 99999) on a new issue`,
    async saw => {
      await withWorld({ sim: { job: { pollsInStaging: 2 } } }, async world => {
        world.gh.addUser({ login: author, permission: 'write' })
        const issue = world.file({ userIds: 'alice@example.com' })
        world.gh.addComment(issue, author, forgedMarker('99999', 'submitted'))
        const run = await sweep(world)
        saw(describe(run, world))
        expect(ledgerOf(run)).toMatchObject([{ issue, state: 'submitted' }])
        expect(world.sim.log.some(e => e.path.includes('99999'))).toBe(false)
        expect(dsarPosts(world)).toBe(1)
      })
    }
  )
}

report.row(
  'Hostile issue bodies',
  "the action's own ledger comment tampered with",
  'the bot\'s state line edited to request id "../../etc/passwd"',
  async saw => {
    await withWorld({}, async world => {
      const issue = world.file({ userIds: 'a' }, world.member, ['dsar', 'dsar:submitted'])
      world.gh.addComment(
        issue,
        world.gh.botLogin,
        forgedMarker('x', 'submitted').replace('"requestId":"x"', '"requestId":"../../etc/passwd"')
      )
      const run = await sweep(world)
      saw(describe(run, world))
      expect(ledgerOf(run)).toEqual([{ issue, state: 'needs-attention', requestIds: [] }])
      expect(world.sim.log).toEqual([])
    })
  }
)

report.row(
  'Hostile issue bodies',
  'an outsider files a hostile issue',
  `an author with no access files ids and a reference of ${INJECTION.slice(0, 30)}...`,
  async saw => {
    await withWorld({}, async world => {
      world.gh.addUser({ login: 'outsider', permission: 'none' })
      const issue = world.file({ userIds: 'victim@example.com', reference: INJECTION }, 'outsider')
      const run = await sweep(world)
      saw(describe(run, world))
      expect(ledgerOf(run)).toEqual([{ issue, state: 'refused', requestIds: [] }])
      const body = world.gh.comments(issue)[0].body
      expect(body).not.toMatch(/victim|evil|#[0-9a-f]{8}/)
      expect(world.sim.log).toEqual([])
    })
  }
)

report.row(
  'Hostile issue bodies',
  'a pull request carrying the label',
  'a pull request labelled dsar with a valid form',
  async saw => {
    await withWorld({}, async world => {
      world.gh.fileIssue({
        author: world.member,
        body: formBody({ userIds: 'a' }),
        labels: ['dsar'],
        pullRequest: true
      })
      const run = await sweep(world)
      saw(describe(run, world))
      expect(run.exitCode).toBe(0)
      expect(ledgerOf(run)).toEqual([])
      expect(world.sim.log).toEqual([])
    })
  }
)

report.row(
  'Hostile issue bodies',
  'a state line from another action',
  `a collaborator's comment with "${MARKER_PREFIX}" and broken JSON`,
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 2 } } }, async world => {
      const issue = world.file({ userIds: 'a' })
      world.gh.addComment(issue, world.member, `${MARKER_PREFIX}{"version":1,"state": -->`)
      const run = await sweep(world)
      saw(describe(run, world))
      expect(ledgerOf(run)).toMatchObject([{ issue, state: 'submitted' }])
    })
  }
)

/** Comment text as GitHub renders it: numeric entities decoded. */
function decode(text: string): string {
  return text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
}
