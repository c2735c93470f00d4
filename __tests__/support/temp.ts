/**
 * Temporary folders for a test file, removed after its last test: tests leave nothing behind (the
 * leftovers reporter, __tests__/jest/leftovers-reporter.mjs, fails a green run that did). The
 * folders live under the run's own temp root (TMPDIR, set by __tests__/jest/temp-root.mjs).
 *
 * The removal is registered when this module is first imported by a test file (Jest evaluates it
 * once per file); outside Jest (benchmarks) nothing is registered and callers clean up themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

if (typeof afterAll === 'function') afterAll(removeTempDirs)

/** A fresh folder `<TMPDIR>/<prefix>XXXXXX`, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}

/** Removes every folder made so far (also usable earlier, e.g. in an afterEach). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}
