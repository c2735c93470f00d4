/**
 * Paths given as inputs: files that must be regular files inside the workspace (or RUNNER_TEMP),
 * and the download folder, which must resolve inside them. Real paths are compared, so symlinks
 * and '..' cannot escape.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { hasControlCharacter, InputError, Inputs } from '../../run/index.js'

/** Absolute, or relative to the workspace; must resolve (symlinks too) inside it or RUNNER_TEMP. */
export async function parseDownloadPath(
  text: string,
  workspace: string,
  runnerTemp: string
): Promise<string> {
  const input = Inputs.DownloadPath
  if (hasControlCharacter(text)) throw new InputError(input, 'contains control characters')
  const target =
    text === '' ? path.join(runnerTemp, 'amplitude-dsar') : path.resolve(workspace, text)
  const nearest = await nearestExisting(target)
  if (nearest.danglingLink) {
    throw new InputError(input, `'${nearest.path}' is a symbolic link to nothing`)
  }
  if (!(await fs.stat(nearest.path)).isDirectory()) {
    throw new InputError(input, `'${nearest.path}' exists and is not a directory`)
  }
  const real = path.join(await fs.realpath(nearest.path), ...nearest.missing)
  const roots = await Promise.all([workspace, runnerTemp].map(realpathOrSelf))
  if (!roots.some(root => isInside(real, root))) {
    throw new InputError(input, `'${target}' is outside GITHUB_WORKSPACE and RUNNER_TEMP`)
  }
  return target
}

/** The deepest existing ancestor of `target` (or itself), and the missing parts below it. */
async function nearestExisting(
  target: string
): Promise<{ path: string; missing: string[]; danglingLink: boolean }> {
  const missing: string[] = []
  let current = target
  for (;;) {
    try {
      await fs.stat(current)
      return { path: current, missing, danglingLink: false }
    } catch (error) {
      if (!isMissing(error)) throw error
      if (await isSymlink(current)) return { path: current, missing, danglingLink: true }
    }
    const parent = path.dirname(current)
    if (parent === current) return { path: current, missing, danglingLink: false }
    missing.unshift(path.basename(current))
    current = parent
  }
}

/**
 * Resolves a path given relative to the workspace (or absolute) to the real path of a regular
 * file inside the workspace (or `runnerTemp`, when given). Checking the real path refuses symlinks
 * (and '..') that escape.
 */
export async function resolveWorkspaceFile(
  input: Inputs,
  text: string,
  workspace: string,
  runnerTemp?: string
): Promise<string> {
  if (hasControlCharacter(text)) throw new InputError(input, 'contains control characters')
  const candidate = path.resolve(workspace, text)
  let real: string
  try {
    real = await fs.realpath(candidate)
  } catch (error) {
    if (isMissing(error)) throw new InputError(input, `'${text}' does not exist`)
    throw new InputError(input, `'${text}' cannot be read (${(error as Error).message})`)
  }
  const roots = await Promise.all([workspace, runnerTemp ?? workspace].map(realpathOrSelf))
  if (!roots.some(root => isInside(real, root))) {
    const allowed = runnerTemp
      ? 'GITHUB_WORKSPACE and RUNNER_TEMP'
      : 'the workspace (GITHUB_WORKSPACE)'
    throw new InputError(input, `'${text}' is outside ${allowed}`)
  }
  if (!(await fs.stat(real)).isFile()) {
    throw new InputError(input, `'${text}' is not a regular file`)
  }
  return real
}

async function realpathOrSelf(directory: string): Promise<string> {
  try {
    return await fs.realpath(directory)
  } catch {
    return directory
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  )
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

async function isSymlink(file: string): Promise<boolean> {
  try {
    return (await fs.lstat(file)).isSymbolicLink()
  } catch {
    return false
  }
}
