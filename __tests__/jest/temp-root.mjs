// Tests leave nothing behind. Jest's globalSetup gives the whole run a temp root of its own
// (TMPDIR, which os.tmpdir() reads on every call, inherited by the workers and the action runs
// they spawn), so parallel jest runs on the same machine never see each other's folders; the
// leftovers reporter (leftovers-reporter.mjs) fails a green run that left anything in it, and
// globalTeardown removes the root either way.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT_VARIABLE = 'DSAR_TEST_TEMP_ROOT'

export function setup() {
  const root = mkdtempSync(join(tmpdir(), 'dsar-jest-'))
  process.env[ROOT_VARIABLE] = root
  process.env.TMPDIR = root
}

export function teardown() {
  const root = process.env[ROOT_VARIABLE]
  if (root) rmSync(root, { recursive: true, force: true })
}
