/**
 * What a run leaves for the next one in a request's folder: `.dsar-manifest.json`, one entry per
 * verified file (its figures as served, and the size and SHA-256 of the bytes stored, which differ
 * when the file is age-encrypted). A later run into the same download-path keeps a file only when
 * the manifest lists it and the file on disk still has exactly those bytes (same recipients when
 * encrypted); any other file under an output's name is replaced. So a run that failed half-way, or
 * ran out of time, resumes: no budget is spent twice on what is already whole.
 *
 * The manifest is the action's own record in a folder the action owns (0700); it is read without
 * following symlinks, size-capped, and anything unreadable in it just means "nothing is kept".
 */
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, open } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { writeWholeFile } from './safe-files.js'
import type { Manifest, ManifestEntry, StoredStats } from './types.js'

export const MANIFEST_NAME = '.dsar-manifest.json'
const MAX_MANIFEST_BYTES = 1024 * 1024
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0

/** The manifest of a request folder; empty when there is none or it cannot be trusted. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string
  try {
    const handle = await open(join(dir, MANIFEST_NAME), constants.O_RDONLY | O_NOFOLLOW)
    try {
      if ((await handle.stat()).size > MAX_MANIFEST_BYTES) return {}
      text = await handle.readFile('utf8')
    } finally {
      await handle.close()
    }
  } catch {
    return {}
  }
  try {
    const parsed = JSON.parse(text) as { files?: unknown }
    const files = parsed.files
    if (typeof files !== 'object' || files === null || Array.isArray(files)) return {}
    return Object.fromEntries(Object.entries(files).filter(([, entry]) => isEntry(entry)))
  } catch {
    return {}
  }
}

/** Writes the manifest whole (a new file renamed over the old one, never through a symlink). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeWholeFile(dir, MANIFEST_NAME, JSON.stringify({ version: 1, files: manifest }, null, 2))
}

/**
 * Whether `dir/name` is the whole file the manifest entry describes: a regular file (not a link)
 * of the stored size and SHA-256, encrypted to the same recipients.
 */
export async function isWhole(
  dir: string,
  name: string,
  entry: ManifestEntry | undefined,
  recipients: readonly string[]
): Promise<boolean> {
  if (!entry || !sameRecipients(entry.recipients, recipients)) return false
  const path = join(dir, name)
  try {
    const info = await lstat(path)
    if (!info.isFile() || info.size !== entry.stored.bytes) return false
    const handle = await open(path, constants.O_RDONLY | O_NOFOLLOW)
    const hash = createHash('sha256')
    try {
      for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk)
    } finally {
      await handle.close()
    }
    return hash.digest('hex') === entry.stored.sha256
  } catch {
    return false
  }
}

/** Hashes and counts the bytes that go to disk (after encryption, when there is one). */
export class StoredTap extends Transform {
  private readonly hash = createHash('sha256')
  private bytes = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }

  /** Once the stream has finished. */
  result(): StoredStats {
    return { bytes: this.bytes, sha256: this.hash.digest('hex') }
  }
}

function sameRecipients(a: readonly string[], b: readonly string[]): boolean {
  const sorted = [...b].sort()
  return a.length === sorted.length && a.every((recipient, i) => recipient === sorted[i])
}

function isEntry(value: unknown): value is ManifestEntry {
  const entry = value as ManifestEntry
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.bytes === 'number' &&
    typeof entry.sha256 === 'string' &&
    typeof entry.events === 'number' &&
    Array.isArray(entry.recipients) &&
    typeof entry.stored?.bytes === 'number' &&
    typeof entry.stored?.sha256 === 'string'
  )
}
