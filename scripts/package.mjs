// Builds dist/ from src/ with @vercel/ncc: the action (dist/index.js, plus the chunks it loads only
// when a run needs them), the DSAR simulator (dist/simulator/index.js, for `npm run simulator`) and the
// demo (dist/demo/index.js), and copies the Arazzo and OpenAPI documents the action ships
// (dist/workflows/). The output must be deterministic: CI rebuilds it and fails when the committed
// dist/ differs. It is built beside dist/ and swapped in only when every build succeeded, so a failed
// build leaves the previous dist/ in place. src/tsconfig.json keeps the bundles' type check to src/.
//
// dist/workflows/documents.json holds every shipped YAML document already parsed (file name -> value):
// the action reads it instead of parsing YAML at start-up (see src/run/planning.ts). The
// bundle is left unminified on purpose: minified, it measured slower to start.
import { execFileSync } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
const next = join(root, 'dist.next')
const builds = [
  { entry: 'src/index.ts', out: '' },
  { entry: 'src/simulator/cli.ts', out: 'simulator' },
  { entry: 'src/demo/index.ts', out: 'demo' }
]

rmSync(next, { recursive: true, force: true })
try {
  for (const { entry, out } of builds) {
    const args = ['build', entry, '-o', join(next, out), '--license', 'licenses.txt']
    execFileSync(process.execPath, [ncc, ...args, '-q'], {
      cwd: root,
      stdio: 'inherit'
    })
  }
  cpSync(join(root, 'src', 'workflows'), join(next, 'workflows'), { recursive: true })
  writeFileSync(join(next, 'workflows', 'documents.json'), prebuiltDocuments())
  normaliseLineEndings(next)
} catch (error) {
  rmSync(next, { recursive: true, force: true })
  throw error
}
rmSync(join(root, 'dist'), { recursive: true, force: true })
renameSync(next, join(root, 'dist'))

/**
 * Some bundled libraries ship CRLF sources (tslib, deepmerge-ts), which ncc copies as they are. Git
 * stores dist/ with LF (.gitattributes `eol=lf`), so a fresh build in a clean clone would differ
 * from the committed files by line endings alone and fail CI's freshness check. CRLF -> LF changes
 * no JavaScript's meaning (template literals already read CRLF as LF; other literals cannot hold a
 * line break), so the bundle is written the way git keeps it.
 */
function normaliseLineEndings(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    const text = readFileSync(file, 'utf8')
    if (text.includes('\r\n')) writeFileSync(file, text.replaceAll('\r\n', '\n'))
  }
}

/** The shipped YAML documents, parsed as the loader parses them (YAML 1.2, unique keys), as JSON. */
function prebuiltDocuments() {
  const dir = join(root, 'src', 'workflows')
  const documents = {}
  for (const name of readdirSync(dir)
    .filter(n => /\.ya?ml$/.test(n))
    .sort()) {
    documents[name] = parse(readFileSync(join(dir, name), 'utf8'), { uniqueKeys: true })
  }
  return JSON.stringify(documents) + '\n'
}
