/**
 * The ledger's world for end-to-end tests: the DSAR simulator and the GitHub REST stand-in on
 * loopback, and `sweep()`, which runs the bundled dist/index.js once with `ledger: issues` the way
 * the runner does (a fresh process per sweep, as on a runner). Issues are filed with `formBody()`
 * (src/ledger/form.ts), the body GitHub renders from the shipped issue form.
 */
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js'
import {
  startGitHubStandIn,
  type GitHubStandIn,
  type GitHubStandInOptions
} from '../../src/simulator/github/index.js'
import { formBody, type FormFields } from '../../src/ledger/form.js'
import { ledgerComment } from '../../src/ledger/comments.js'
import { ledgerLabels } from '../../src/ledger/labels.js'
import { MARKER_PREFIX, type LedgerMarker } from '../../src/ledger/marker.js'
import { ledgerKey, sealFor } from '../../src/ledger/seal.js'
import { encodeBasicAuth } from '../../src/run/secret-helper.js'
import { runAction, type ActionRun, type ActionRunOptions } from './action-harness.js'

/** The fields of the issue form; `formBody` renders them as GitHub does. */
export type Form = FormFields
export { formBody }

export interface LedgerWorld {
  sim: Simulator
  gh: GitHubStandIn
  /** A collaborator (write permission) who files issues. */
  member: string
  file(form: Form | string, author?: string, labels?: string[]): number
  sweep(inputs?: Record<string, string>, options?: ActionRunOptions): Promise<ActionRun>
  /** A ledger comment as the action writes it for issue `n` (sealed with the world's secret key). */
  ledgerComment(n: number, marker: LedgerMarker, reference?: string): string
  /**
   * Time passes: the `until` (deadline) of the run that left issue `n` submitting is put an hour
   * back, as the action would have written it an hour earlier (re-sealed; through the REST API).
   */
  runDeadlinePassed(n: number): Promise<void>
  close(): Promise<void>
}

/** The test hook's write spacing in the world's sweeps (DSAR_TEST_WRITE_SPACING_MS). */
export const WRITE_SPACING_MS = '10'

export async function startLedgerWorld(
  options: {
    sim?: SimulatorOptions
    gh?: GitHubStandInOptions
    /** No labels yet (a repository the ledger never swept); default: the ledger's labels exist. */
    emptyRepository?: boolean
  } = {}
): Promise<LedgerWorld> {
  const sim = await startSimulator(options.sim)
  const gh = await startGitHubStandIn(options.gh)
  const member = 'priya'
  gh.addUser({ login: member, permission: 'write' })
  if (!options.emptyRepository) {
    for (const l of ledgerLabels('dsar')) gh.addLabel(l.name, l.color, l.description)
  }
  const key = ledgerKey(encodeBasicAuth(sim.apiKey, sim.secretKey))
  return {
    sim,
    gh,
    member,
    file(form, author = member, labels = ['dsar']) {
      const body = typeof form === 'string' ? form : formBody(form)
      return gh.fileIssue({ author, body, labels })
    },
    sweep(inputs = {}, runOptions = {}) {
      return runAction(
        {
          ledger: 'issues',
          'github-token': gh.token,
          'api-url': sim.url,
          'api-key': sim.apiKey,
          'secret-key': sim.secretKey,
          timeout: '2m',
          ...inputs
        },
        {
          ...runOptions,
          env: {
            GITHUB_API_URL: gh.url,
            GITHUB_REPOSITORY: gh.repository,
            DSAR_TEST_BACKOFF_BASE_MS: '20',
            // GitHub's spacing of writes (1 s, 3 s between comments) would add minutes to every
            // suite: 10 ms here. e2e-ledger.test.ts sweeps once with the production spacing.
            DSAR_TEST_WRITE_SPACING_MS: WRITE_SPACING_MS,
            ...runOptions.env
          }
        }
      )
    },
    ledgerComment(n, marker, reference) {
      return ledgerComment(marker, sealFor(key, gh.repository, n), reference)
    },
    async runDeadlinePassed(n) {
      const comment = gh.comments(n).find(c => c.body.includes(MARKER_PREFIX))
      if (!comment) throw new Error(`issue #${n} has no ledger comment`)
      const line = comment.body.trimEnd().split('\n').pop()!
      const { mac: _mac, ...marker } = JSON.parse(
        line.slice(MARKER_PREFIX.length, -' -->'.length)
      ) as LedgerMarker & { mac: string }
      const until = new Date(Date.parse(marker.until ?? new Date().toISOString()) - 3_600_000)
      const body = ledgerComment(
        { ...marker, until: until.toISOString() },
        sealFor(key, gh.repository, n)
      )
      const answer = await fetch(`${gh.url}/repos/${gh.repository}/issues/comments/${comment.id}`, {
        method: 'PATCH',
        headers: { authorization: `token ${gh.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body })
      })
      if (answer.status !== 200) throw new Error(`PATCH comment: HTTP ${answer.status}`)
    },
    async close() {
      await Promise.all([sim.close(), gh.close()])
    }
  }
}

/** A loopback port nothing listens on (bound, then closed): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net')
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}
