/**
 * The export's value types, in a leaf module that imports nothing: a downloaded file and the resume
 * manifest. The export's modules (errors, receipt, resume, download) all name them; keeping them
 * here keeps those modules free of an import cycle through download.ts.
 */

/** One verified file on disk, as the `files` output lists it. */
export interface DownloadedFile {
  path: string
  bytes: number
  sha256: string
  events: number
  encrypted: boolean
  requestId?: string
}

export interface StoredStats {
  bytes: number
  sha256: string
}

export interface ManifestEntry {
  /** As served (the gzip), as the `files` output reports them. */
  bytes: number
  sha256: string
  events: number
  /** The age recipients it was encrypted to (sorted); empty when stored as served. */
  recipients: string[]
  /** What is on disk. */
  stored: StoredStats
}

export type Manifest = Record<string, ManifestEntry>
