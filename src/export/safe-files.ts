/**
 * Storing exports safely. They are personal data, so:
 * - `${downloadPath}/${requestId}/` is 0700 and must be a real directory of ours (an existing
 *   symlink there is refused: it could point the export anywhere);
 * - file names come from our own counters, never from the server;
 * - a file is written as `<name>.partial` (0600, O_CREAT|O_EXCL|O_NOFOLLOW) and only gets its
 *   final name once verified, through link(2), which never replaces an existing file;
 * - a failed file is deleted, so nothing that looks complete is left behind.
 * `downloadPath` itself (and what is above it) is the user's choice and is trusted as given.
 */
import { constants } from 'node:fs'
import { link, lstat, mkdir, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { REQUEST_ID_PATTERN } from '../policy/index.js'
import { TransferError } from './errors.js'

// Windows has no O_NOFOLLOW (nor meaningful modes); everywhere else it is what makes the open safe.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0
const O_DIRECTORY = constants.O_DIRECTORY ?? 0
const PARTIAL_SUFFIX = '.partial'

export function isSafeRequestId(requestId: string): boolean {
  return REQUEST_ID_PATTERN.test(requestId)
}

/** `output-001.json.gz` (or `.json.gz.age`), numbered from 1 by our own counter. */
export function outputFileName(index: number, encrypted: boolean): string {
  return `output-${String(index).padStart(3, '0')}.json.gz${encrypted ? '.age' : ''}`
}

export function partialName(finalName: string): string {
  return finalName + PARTIAL_SUFFIX
}

/**
 * Creates (or accepts) `${downloadPath}/${requestId}` as a 0700 directory and returns its absolute
 * path. Throws when the request id is unsafe or the directory is a symlink, not a directory, or
 * owned by another user.
 */
export async function prepareRequestDir(downloadPath: string, requestId: string): Promise<string> {
  if (!isSafeRequestId(requestId)) {
    throw new TransferError(
      `refusing request id ${JSON.stringify(requestId)} as a directory name`,
      false
    )
  }
  const dir = join(resolve(downloadPath), requestId)
  await refuseSymlink(dir)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // Check and chmod through one descriptor opened without following links, so a symlink swapped
  // in after the lstat above cannot redirect the chmod.
  let handle: FileHandle
  try {
    handle = await open(dir, constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
  } catch (error) {
    if (isCode(error, 'ELOOP') || isCode(error, 'ENOTDIR')) {
      throw new TransferError(`refusing ${dir}: it is a symlink or not a directory`, false)
    }
    throw error
  }
  try {
    const stat = await handle.stat()
    if (!stat.isDirectory()) throw new TransferError(`refusing ${dir}: not a directory`, false)
    const uid = process.getuid?.()
    if (uid !== undefined && stat.uid !== uid) {
      throw new TransferError(`refusing ${dir}: owned by another user (uid ${stat.uid})`, false)
    }
    await handle.chmod(0o700)
  } finally {
    await handle.close()
  }
  return dir
}

export interface PartialFile {
  handle: FileHandle
  path: string
}

/**
 * Opens `${dir}/${finalName}.partial` for writing: new (O_EXCL), 0600, never through a symlink.
 * A stale partial of an interrupted run is removed first (unlink removes a symlink itself, never
 * its target).
 */
export async function createPartialFile(dir: string, finalName: string): Promise<PartialFile> {
  const path = join(dir, partialName(finalName))
  await unlink(path).catch((error: unknown) => {
    if (!isCode(error, 'ENOENT')) throw error
  })
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW
  const handle = await open(path, flags, 0o600)
  try {
    await handle.chmod(0o600) // the umask may have taken bits away; make the mode exact
  } catch (error) {
    await handle.close()
    await rm(path, { force: true })
    throw error
  }
  return { handle, path }
}

/**
 * Gives a verified partial file its final name without ever replacing an existing file: link(2)
 * fails with EEXIST. Where hard links are not supported, falls back to check-then-rename.
 */
export async function publishFile(partialPath: string, finalPath: string): Promise<void> {
  try {
    await link(partialPath, finalPath)
  } catch (error) {
    if (isCode(error, 'EEXIST')) throw alreadyExists(finalPath)
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].some(c => isCode(error, c)))
      throw error
    if (await exists(finalPath)) throw alreadyExists(finalPath)
    await rename(partialPath, finalPath)
    return
  }
  await unlink(partialPath)
}

/**
 * Writes `dir/name` whole: a 0600 partial file (new, never through a symlink), synced, then renamed
 * into place, replacing an older one (rename replaces a symlink there, never its target). Returns
 * the path. Readers never see half a file.
 */
export async function writeWholeFile(dir: string, name: string, text: string): Promise<string> {
  const target = join(dir, name)
  const partial = await createPartialFile(dir, name)
  try {
    await partial.handle.writeFile(text, 'utf8')
    await partial.handle.sync()
  } catch (error) {
    await partial.handle.close()
    await removeQuietly(partial.path)
    throw error
  }
  await partial.handle.close()
  try {
    await rename(partial.path, target)
  } catch (error) {
    await removeQuietly(partial.path)
    throw error
  }
  return target
}

/** Deletes a file if present; never throws (used on the failure path). */
export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined)
}

async function refuseSymlink(path: string): Promise<void> {
  try {
    const stat = await lstat(path)
    if (stat.isSymbolicLink()) throw new TransferError(`refusing ${path}: it is a symlink`, false)
    if (!stat.isDirectory()) throw new TransferError(`refusing ${path}: not a directory`, false)
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false
    throw error
  }
}

function alreadyExists(path: string): TransferError {
  return new TransferError(`${path} already exists; refusing to overwrite it`, false)
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code
}
