/**
 * The `source-integrity` input: pins of remote source descriptions (URL -> sha256). Kept apart
 * from remote-sources.ts, which every run's input check would otherwise load with
 * @actions/tool-cache; the reader is loaded only when a document names a remote source.
 */
/**
 * `source-integrity`: one `<https URL> <digest>` per line (`#` starts a comment), the digest as
 * `sha256:<64 hex>`, `sha256-<base64>` (Subresource Integrity) or bare hex. Throws an Error whose
 * message names the line; the caller turns it into an InputError.
 */
export function parseSourceIntegrity(text: string): Map<string, string> {
  const pins = new Map<string, string>()
  text.split(/\r?\n/).forEach((raw, index) => {
    const entry = withoutComment(raw).trim()
    if (entry === '') return
    const fields = entry.split(/\s+/)
    const where = `line ${index + 1}`
    if (fields.length !== 2) throw new Error(`${where}: expected '<https URL> sha256:<hex>'`)
    const [url, digest] = fields
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new Error(`${where}: '${url}' is not a URL`)
    }
    if (parsed.protocol !== 'https:') throw new Error(`${where}: only https URLs can be pinned`)
    parsed.hash = ''
    const hex = digestHex(digest)
    if (!hex) {
      throw new Error(`${where}: the digest must be sha256:<64 hex digits> or sha256-<base64>`)
    }
    if (pins.has(parsed.href) && pins.get(parsed.href) !== hex) {
      throw new Error(`${where}: ${parsed.href} is pinned twice with different digests`)
    }
    pins.set(parsed.href, hex)
  })
  return pins
}

function digestHex(digest: string): string | undefined {
  const hex = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(digest)?.[1]
  if (hex) return hex.toLowerCase()
  const base64 = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(digest)?.[1]
  return base64 ? Buffer.from(base64, 'base64').toString('hex') : undefined
}

/** A line up to its `#` comment (a `#` at the start or after whitespace), read by index. */
function withoutComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i)
  }
  return line
}
