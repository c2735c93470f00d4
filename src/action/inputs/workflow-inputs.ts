/**
 * Which Arazzo workflow runs: the built-in documents or a file in the workspace, an optional
 * workflowId, the extra `inputs` object, and the sha256 pins of remote source descriptions.
 */
import { InputError, Inputs, quote, type WorkflowChoice } from '../../run/index.js'
import { resolveWorkspaceFile } from './path-inputs.js'
import { parseSourceIntegrity } from '../documents/source-integrity.js'
import { describeJsonError } from '../../policy/index.js'

const WORKFLOW_ID = /^[A-Za-z0-9_-]+$/

export async function parseWorkflow(text: string, workspace: string): Promise<WorkflowChoice> {
  const name = (text || 'amplitude').toLowerCase()
  if (name === 'amplitude' || name === 'apis-io') return { kind: 'builtin', name }
  if (!/\.(ya?ml|json)$/i.test(text)) {
    throw new InputError(
      Inputs.Workflow,
      `${quote(text)} is neither 'amplitude', 'apis-io' nor a path to an Arazzo document ` +
        '(.yml, .yaml or .json)'
    )
  }
  return { kind: 'file', path: await resolveWorkspaceFile(Inputs.Workflow, text, workspace) }
}

export function parseWorkflowId(text: string): string | undefined {
  if (text === '') return undefined
  if (!WORKFLOW_ID.test(text)) {
    throw new InputError(Inputs.WorkflowId, `${quote(text)} is not a workflowId (A-Z a-z 0-9 _ -)`)
  }
  return text
}

export function parseExtraInputs(text: string): Record<string, unknown> {
  if (text === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InputError(Inputs.Inputs, describeJsonError(text))
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed
    throw new InputError(Inputs.Inputs, `must be a JSON object, not ${kind}`)
  }
  return parsed as Record<string, unknown>
}

export function parseSourcePins(text: string): Map<string, string> {
  try {
    return parseSourceIntegrity(text)
  } catch (error) {
    throw new InputError(Inputs.SourceIntegrity, (error as Error).message)
  }
}
