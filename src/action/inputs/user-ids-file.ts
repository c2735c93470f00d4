/** `user-ids-file`: the subjects' user ids read from a file in the workspace (or RUNNER_TEMP). */
import { promises as fs } from 'node:fs'
import { idsFromJson, InputError, Inputs, isJsonArray, userIdProblem } from '../../run/index.js'
import { resolveWorkspaceFile } from './path-inputs.js'

const MAX_USER_IDS_FILE_BYTES = 10 * 1024 * 1024

/**
 * A JSON array of strings when the content starts with '[', otherwise one ID per line. Only
 * whole lines starting with '#' are comments: an ID may itself contain '#'.
 */
export async function readUserIdsFile(
  text: string,
  workspace: string,
  runnerTemp: string
): Promise<string[]> {
  if (text === '') return []
  const input = Inputs.UserIdsFile
  // RUNNER_TEMP too: a step may write the ids there to keep personal data out of the checkout
  // (the runner empties it after every job).
  const file = await resolveWorkspaceFile(input, text, workspace, runnerTemp)
  const handle = await fs.open(file, 'r')
  let content: string
  try {
    const { size } = await handle.stat()
    if (size > MAX_USER_IDS_FILE_BYTES) {
      throw new InputError(input, `'${text}' is larger than 10 MiB (${size} bytes)`)
    }
    content = (await handle.readFile('utf8')).replace(/^\uFEFF/, '')
  } finally {
    await handle.close()
  }

  const ids = isJsonArray(content) ? idsFromJson(input, content) : idsFromLines(input, content)
  if (ids.length === 0) throw new InputError(input, `'${text}' contains no user IDs`)
  return ids
}

function idsFromLines(input: string, content: string): string[] {
  const ids: string[] = []
  content.split('\n').forEach((raw, index) => {
    const id = raw.trim()
    if (id === '' || id.startsWith('#')) return
    const problem = userIdProblem(id)
    if (problem) throw new InputError(input, `line ${index + 1} ${problem}`)
    ids.push(id)
  })
  return ids
}
