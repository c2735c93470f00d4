/**
 * Uploads the downloaded export as a workflow artifact through @actions/artifact, and names the
 * result the way a person finds it: the artifact's page under the workflow run.
 *
 * @actions/artifact (with the Azure SDK behind it) is loaded only when an upload happens: most runs
 * upload nothing and should not pay its start-up cost. Failures become one line that never carries
 * the runtime token or a signed storage URL, since the message ends up in the job log.
 */
import { withoutTrailing, withoutUrlQueries } from './linear-text.js'

export interface UploadedArtifact {
  id: number
  url: string
  size: number
  /** SHA-256 of the uploaded zip, hex, when the client computed one. */
  digest?: string
}

export interface ExportArtifactRequest {
  name: string
  /** Absolute paths of the files to put in the artifact. */
  files: string[]
  /** The folder the paths inside the zip are relative to. */
  rootDirectory: string
  /** Days GitHub keeps the artifact (capped by the repository's setting). */
  retentionDays: number
}

export class ArtifactUploadError extends Error {
  constructor(detail: string) {
    super(`artifact upload failed: ${detail}`)
    this.name = 'ArtifactUploadError'
  }
}

export async function uploadExportArtifact(o: ExportArtifactRequest): Promise<UploadedArtifact> {
  // Checked first: without them the upload would succeed but the reported URL would be wrong.
  const runPage = workflowRunPage(process.env)
  try {
    const { DefaultArtifactClient } = await import('@actions/artifact')
    const client = new DefaultArtifactClient()
    const result = await client.uploadArtifact(o.name, o.files, o.rootDirectory, {
      retentionDays: o.retentionDays
    })
    if (result.id === undefined) throw new Error('the service returned no artifact id')
    return {
      id: result.id,
      url: `${runPage}/artifacts/${result.id}`,
      size: result.size ?? 0,
      ...(result.digest && { digest: result.digest })
    }
  } catch (error) {
    throw new ArtifactUploadError(safeDetail(error, process.env.ACTIONS_RUNTIME_TOKEN))
  }
}

/** `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`. */
export function workflowRunPage(env: NodeJS.ProcessEnv): string {
  const repository = env.GITHUB_REPOSITORY
  const runId = env.GITHUB_RUN_ID
  if (!repository || !runId) {
    throw new ArtifactUploadError(
      'GITHUB_REPOSITORY and GITHUB_RUN_ID are not set (artifacts need a GitHub Actions run)'
    )
  }
  const server = withoutTrailing(env.GITHUB_SERVER_URL || 'https://github.com', '/')
  return `${server}/${repository}/actions/runs/${runId}`
}

/**
 * The error's message on one line, with the secrets a storage or Twirp error can echo removed:
 * the runtime token, bearer credentials, SAS signatures and any URL's query string (where signed
 * URLs keep their authority). No stack: the message is for the job log, not for debugging the client.
 */
export function safeDetail(error: unknown, runtimeToken?: string): string {
  let text = error instanceof Error ? error.message : String(error)
  if (runtimeToken && runtimeToken.length >= 8) text = text.split(runtimeToken).join('***')
  // Whitespace first: then `Bearer <credential>` has one unbounded run, last in its pattern.
  text = withoutUrlQueries(text.replace(/\s+/g, ' '))
    .replace(/\bBearer [^\s,;"']+/gi, 'Bearer ***')
    .replace(/\bsig=[^&\s"'<>]+/gi, 'sig=***')
    .trim()
  return text === '' ? 'unknown error' : text
}
