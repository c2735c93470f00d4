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
  close(): Promise<void>
}

export async function startLedgerWorld(
  options: { sim?: SimulatorOptions; gh?: GitHubStandInOptions } = {}
): Promise<LedgerWorld> {
  const sim = await startSimulator(options.sim)
  const gh = await startGitHubStandIn(options.gh)
  const member = 'priya'
  gh.addUser({ login: member, permission: 'write' })
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
            ...runOptions.env
          }
        }
      )
    },
    async close() {
      await Promise.all([sim.close(), gh.close()])
    }
  }
}
