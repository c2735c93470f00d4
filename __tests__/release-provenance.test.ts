/**
 * What a release attests is what runs: release.yml's subject list is produced by its own script,
 * run here against this checkout, and must name action.yml and every file under dist/ (the
 * built-in workflows run from dist/workflows/documents.json, which a `dist/**\/*.js` subject
 * missed). The examples pin the action as the README says: a full commit SHA, the tag as a comment.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { parse } from 'yaml'
import { repoRoot } from './support/action-harness.js'

interface Step {
  id?: string
  uses?: string
  run?: string
  with?: Record<string, string>
}

const release = parse(readFileSync(join(repoRoot, '.github/workflows/release.yml'), 'utf8')) as {
  jobs: Record<string, { steps: Step[] }>
}
const steps = Object.values(release.jobs).flatMap(job => job.steps)

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(repoRoot, path)]
  })
}

test('release.yml attests action.yml and every file under dist/', () => {
  const attest = steps.find(step => step.uses?.startsWith('actions/attest-build-provenance@'))
  expect(attest).toBeDefined()
  const subjectPath = attest!.with?.['subject-path'] ?? ''
  const produced = /^\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}$/.exec(subjectPath.trim())
  expect(produced).not.toBeNull()
  const [, stepId, output] = produced!
  const lister = steps.find(step => step.id === stepId)
  expect(lister?.run).toBeDefined()

  // Run the release's own listing script in this checkout, as the runner would.
  const home = mkdtempSync(join(tmpdir(), 'dsar-release-'))
  try {
    const outputFile = join(home, 'output')
    writeFileSync(outputFile, '')
    execFileSync('bash', ['-e', '-c', lister!.run!], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: outputFile }
    })
    const text = readFileSync(outputFile, 'utf8')
    const block = new RegExp(`^${output}<<(\\w+)\\n([\\s\\S]*?)\\n\\1$`, 'm').exec(text)
    expect(block).not.toBeNull()
    const subjects = block![2].split('\n').sort()
    const expected = ['action.yml', ...filesUnder(join(repoRoot, 'dist'))].sort()
    expect(subjects).toEqual(expected)
    expect(subjects).toContain('dist/workflows/documents.json')
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})

test('the example workflows pin the action by a full commit SHA, the tag as a comment', () => {
  const dir = join(repoRoot, 'examples', 'workflows')
  const uses = readdirSync(dir)
    .filter(name => /\.ya?ml$/.test(name))
    .flatMap(name => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter(line => /uses:\s*OWNER\/amplitude-dsar-action@/.test(line))
  expect(uses.length).toBeGreaterThan(0)
  for (const line of uses) {
    expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$/)
  }
})
