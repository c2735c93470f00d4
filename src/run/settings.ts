/**
 * What a run is configured with: the checked settings the action's input room
 * (src/action/inputs/) composes from action.yml's inputs. The run core reads only these, never an
 * input, so the ledger can drive it too.
 */
import type { Region } from '../policy/index.js'
import type { Subject } from './subjects.js'

export type WorkflowChoice =
  { kind: 'builtin'; name: 'amplitude' | 'apis-io' } | { kind: 'file'; path: string }

export type RequestType = 'access' | 'erasure'

export interface ErasureSettings {
  apiKey: string
  secretKey: string
  /** base64(apiKey:secretKey) */
  basicAuth: string
  /** Sent as `requester` with every deletion request (Amplitude's audit trail). */
  requester: string
}

export interface RunSettings {
  subjects: Subject[]
  requestIds: string[]
  apiKey?: string
  secretKey?: string
  basicAuth: string
  region: Region
  apiUrl: string
  /** More origins whose output links may receive the credentials (`credential-origins`). */
  credentialOrigins: string[]
  startDate: string
  endDate: string
  wait: boolean
  pollIntervalMs: number
  timeoutMs: number
  maxConcurrency: number
  download: boolean
  downloadPath: string
  artifactName?: string
  retentionDays: number
  encryptTo: string[]
  /** `encrypt-to: none`: plaintext exports chosen on purpose. */
  plaintextOnPurpose?: true
  /** How the log says the timeout when it was given as a bare number of seconds (`90 s`). */
  timeoutSaid?: string
  workflow: WorkflowChoice
  workflowId?: string
  extraInputs: Record<string, unknown>
  /** `source-integrity`: remote source description URL -> pinned sha256 (hex). */
  sourceIntegrity: Map<string, string>
  /** `request-type`: the DSAR export (access, also when absent) or Amplitude's deletion API. */
  requestType?: RequestType
  /** The project's keys and the requester, for `request-type: erasure`. */
  erasure?: ErasureSettings
}
