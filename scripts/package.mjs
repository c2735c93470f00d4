// Builds dist/ from src/ with @vercel/ncc: the action (dist/index.js), the DSAR simulator
// (dist/simulator/index.js, for `npm run simulator`) and the demo (dist/demo/index.js), and copies the
// Arazzo and OpenAPI documents the action ships (dist/workflows/). The output must be deterministic:
// CI rebuilds it and fails when the committed dist/ differs.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
const builds = [
  { entry: 'src/index.ts', out: 'dist' },
  { entry: 'src/simulator/cli.ts', out: 'dist/simulator' },
  { entry: 'src/demo.ts', out: 'dist/demo' }
]

rmSync(join(root, 'dist'), { recursive: true, force: true })
for (const { entry, out } of builds) {
  if (!existsSync(join(root, entry))) continue
  execFileSync(
    process.execPath,
    [ncc, 'build', entry, '-o', out, '--license', 'licenses.txt', '-q'],
    {
      cwd: root,
      stdio: 'inherit'
    }
  )
}
const workflows = join(root, 'src', 'workflows')
if (existsSync(workflows)) cpSync(workflows, join(root, 'dist', 'workflows'), { recursive: true })
