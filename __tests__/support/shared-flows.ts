/**
 * A user's Arazzo document whose one step runs a workflow of a remote Arazzo document (`type:
 * arazzo`, named `shared`), and a run of the bundled action with it against the DSAR simulator,
 * trusting the description server's certificate. Used by the remote-source e2e test and matrix.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Simulator } from '../../src/simulator/index.js'
import { baseInputs, makeWorkspace, runAction, type ActionRun } from './action-harness.js'
import type { DescriptionServer } from './description-server.js'

const INPUTS = ['basicAuth', 'userId', 'startDate', 'endDate']

/** Step `run` calls `$sourceDescriptions.shared.<workflowId>` with the subject's inputs. */
export function sharedFlowsDocument(flowsUrl: string, workflowId = 'submit-and-poll'): string {
  return JSON.stringify({
    arazzo: '1.0.1',
    info: { title: 'Our DSAR, on the shared flows', version: '1.0.0' },
    sourceDescriptions: [{ name: 'shared', url: flowsUrl, type: 'arazzo' }],
    workflows: [
      {
        workflowId: 'dsar',
        inputs: {
          type: 'object',
          required: ['basicAuth', 'startDate', 'endDate'],
          properties: Object.fromEntries(INPUTS.map(name => [name, { type: 'string' }]))
        },
        steps: [
          {
            stepId: 'run',
            workflowId: `$sourceDescriptions.shared.${workflowId}`,
            parameters: INPUTS.map(name => ({ name, value: `$inputs.${name}` })),
            outputs: {
              requestId: '$outputs.requestId',
              status: '$outputs.finalStatus',
              urls: '$outputs.urls',
              expires: '$outputs.expires'
            }
          }
        ],
        outputs: {
          requestId: '$steps.run.outputs.requestId',
          finalStatus: '$steps.run.outputs.status',
          urls: '$steps.run.outputs.urls',
          expires: '$steps.run.outputs.expires'
        }
      }
    ]
  })
}

export interface SharedFlowsRun {
  sim: Simulator
  server: DescriptionServer
  /** The path of the shared document on the server. */
  flowsPath: string
  workflowId?: string
  inputs?: Record<string, string>
  env?: Record<string, string>
  /** Node options before the entry (e.g. the module-log hook). */
  nodeArgs?: string[]
}

/** Runs dist/index.js with the user's document in a fresh workspace; returns the run and inputs. */
export async function runWithSharedFlows(
  options: SharedFlowsRun
): Promise<{ run: ActionRun; inputs: Record<string, string> }> {
  const { sim, server } = options
  const workspace = makeWorkspace()
  writeFileSync(
    join(workspace, 'dsar.arazzo.json'),
    sharedFlowsDocument(server.url(options.flowsPath), options.workflowId)
  )
  const inputs: Record<string, string> = {
    ...baseInputs(sim),
    workflow: 'dsar.arazzo.json',
    ...options.inputs
  }
  const run = await runAction(inputs, {
    workspace,
    nodeArgs: options.nodeArgs,
    env: { NODE_EXTRA_CA_CERTS: server.certPath, ...options.env }
  })
  return { run, inputs }
}
