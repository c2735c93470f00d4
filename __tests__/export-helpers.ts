// Shared by the export-*.test.ts files (not a test file itself).
import { MANIFEST_NAME } from '../src/export/resume.js'
import { readdir, rm } from 'node:fs/promises'
import type { Simulator } from '../src/simulator/index.js'
import { tempDir as makeTempDir } from './support/temp.js'

/** Creates a documented-API request on the simulator and polls it until done. */
export async function doneRequest(
  sim: Simulator,
  userId = 'user-1'
): Promise<{ requestId: string; urls: string[] }> {
  const auth = { authorization: `Basic ${sim.basicAuth}` }
  const created = await fetch(`${sim.url}/api/2/dsar/requests`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ userId, startDate: '2024-01-01', endDate: '2024-03-31' })
  })
  const { requestId } = (await created.json()) as { requestId: number }
  for (let poll = 0; poll < 20; poll++) {
    const answer = await fetch(`${sim.url}/api/2/dsar/requests/${requestId}`, { headers: auth })
    const body = (await answer.json()) as { status: string; urls: string[] }
    if (body.status === 'done') return { requestId: String(requestId), urls: body.urls }
  }
  throw new Error(`request ${requestId} never finished`)
}

export function tempDir(): Promise<string> {
  return Promise.resolve(makeTempDir('dsar-export-'))
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** Names in a directory, or [] when it does not exist. */
/** The files of a directory, sorted; the resume manifest (src/export/resume.ts) left out. */
export async function namesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(name => name !== MANIFEST_NAME).sort()
  } catch {
    return []
  }
}
