/**
 * Where a document or source description lives, and reading it with the same bounds whatever the
 * place: a local file (confined to the allowed roots, realpath so symlinks count) or an https URL
 * read by the caller's injected SourceReader (the engine itself never opens a connection for a
 * description, so it stays free of any HTTP or GitHub library).
 *
 * Relative URLs resolve against the document that holds them: a local document's directory, or a
 * remote document's URL. A remote document may only refer to other https URLs: `file:` URLs and
 * absolute paths in it are refused, so a fetched document can never read the runner's disk.
 */
import { readFile, realpath, stat } from 'node:fs/promises'
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ArazzoLoadError } from './errors.js'

export type SourceLocation =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'remote'; readonly url: string }

/**
 * Reads a remote (https) description for the engine. It must refuse (throw) rather than return
 * more than `maxBytes` bytes, and stop when `signal` aborts. Its error message is shown as is.
 */
export type SourceReader = (
  url: string,
  limits: { maxBytes: number; signal?: AbortSignal }
) => Promise<string>

export interface ReadOptions {
  /** Reads https source descriptions; without it remote descriptions are refused. */
  sourceReader?: SourceReader
  allowedRoots?: string[]
  fallbackDescriptionDirs?: string[]
  maxDocumentBytes: number
  signal?: AbortSignal
  onNotice?: (message: string) => void
}

/** A key that is the same for the same place (for caching and cycle detection). */
export function locationKey(location: SourceLocation): string {
  return location.kind === 'file' ? `file:${location.path}` : location.url
}

/** For messages: a path or a URL without credentials, query or fragment. */
export function describeLocation(location: SourceLocation): string {
  if (location.kind === 'file') return location.path
  try {
    const url = new URL(location.url)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return location.url
  }
}

/** Resolves a source description's `url` against the location of the document holding it. */
export function resolveLocation(
  url: string,
  base: SourceLocation | { kind: 'dir'; path: string },
  pointer: string
): SourceLocation {
  if (/^https?:\/\//i.test(url)) return remote(url, pointer)
  const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) && !/^[A-Za-z]:[\\/]/.test(url) // not C:\ on Windows
  if (base.kind === 'remote') {
    if (hasScheme || isAbsolute(url)) {
      throw new ArazzoLoadError(
        pointer,
        `${url} refused: a remote document may only refer to https URLs, never to local files`
      )
    }
    return remote(new URL(url, base.url).href, pointer)
  }
  if (hasScheme && !/^file:/i.test(url)) {
    throw new ArazzoLoadError(pointer, `unsupported source description URL scheme in ${url}`)
  }
  const withoutFragment = url.split('#')[0]
  if (/^file:/i.test(withoutFragment)) {
    return { kind: 'file', path: fileURLToPath(withoutFragment) }
  }
  let decoded = withoutFragment
  try {
    decoded = decodeURIComponent(withoutFragment)
  } catch {
    // Not percent-encoded: use as written.
  }
  const dir = base.kind === 'dir' ? base.path : join(base.path, '..')
  return { kind: 'file', path: resolve(dir, decoded) }
}

function remote(url: string, pointer: string): SourceLocation {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new ArazzoLoadError(pointer, `${url} is not a valid URL`)
  }
  if (parsed.protocol !== 'https:') {
    throw new ArazzoLoadError(
      pointer,
      `remote source description ${url} refused: only https is allowed`
    )
  }
  if (parsed.username || parsed.password) {
    throw new ArazzoLoadError(
      pointer,
      `remote source description refused: the URL carries credentials`
    )
  }
  parsed.hash = ''
  return { kind: 'remote', url: parsed.href }
}

/** The text at a location, refused when larger than the limit or outside the allowed places. */
export async function readLocation(
  location: SourceLocation,
  options: ReadOptions,
  pointer: string
): Promise<string> {
  const limit = options.maxDocumentBytes
  if (location.kind === 'remote') {
    if (!options.sourceReader) {
      throw new ArazzoLoadError(
        pointer,
        `remote source description ${describeLocation(location)} refused (remote descriptions are not enabled)`
      )
    }
    let text: string
    try {
      text = await options.sourceReader(location.url, { maxBytes: limit, signal: options.signal })
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error)
      throw new ArazzoLoadError(pointer, detail)
    }
    const size = Buffer.byteLength(text, 'utf8')
    if (size > limit) {
      throw new ArazzoLoadError(
        pointer,
        `${describeLocation(location)} is ${size} bytes, over the ${limit} byte limit`
      )
    }
    return text
  }
  const file = location.path
  if (!(await exists(file))) {
    for (const dir of options.fallbackDescriptionDirs ?? []) {
      const candidate = join(dir, basename(file))
      if (await exists(candidate)) {
        options.onNotice?.(
          `source description ${file} not found; using the bundled copy ${candidate}`
        )
        return readCapped(candidate, limit, pointer)
      }
    }
  }
  await assertAllowed(file, options.allowedRoots, pointer)
  return readCapped(file, limit, pointer)
}

function isUnder(root: string, file: string): boolean {
  const rel = relative(root, file)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..')
}

/** Refuses a file outside the allowed roots (both sides through realpath, so symlinks count). */
export async function assertAllowed(
  file: string,
  roots: string[] | undefined,
  pointer: string
): Promise<void> {
  if (!roots) return
  let real: string
  try {
    real = await realpath(file)
  } catch {
    // A missing file is reported by the read; checking the lexical path keeps the error honest.
    real = file
  }
  for (const root of roots) {
    let realRoot: string
    try {
      realRoot = await realpath(root)
    } catch {
      continue
    }
    if (isUnder(realRoot, real)) return
  }
  throw new ArazzoLoadError(pointer, `${file} is outside the allowed directories`)
}

export async function readCapped(file: string, limit: number, pointer: string): Promise<string> {
  let size: number
  try {
    const info = await stat(file)
    if (!info.isFile()) throw new ArazzoLoadError(pointer, `${file} is not a file`)
    size = info.size
  } catch (error) {
    if (error instanceof ArazzoLoadError) throw error
    throw new ArazzoLoadError(pointer, `cannot read ${file}: ${describeFsError(error)}`)
  }
  if (size > limit) {
    throw new ArazzoLoadError(pointer, `${file} is ${size} bytes, over the ${limit} byte limit`)
  }
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new ArazzoLoadError(pointer, `cannot read ${file}: ${describeFsError(error)}`)
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code
  if (code === 'ENOENT') return 'file not found'
  if (code === 'EACCES') return 'permission denied'
  return error instanceof Error ? error.message : String(error)
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}
