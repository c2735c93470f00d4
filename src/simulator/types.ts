/**
 * Public types of the DSAR simulator: a real HTTP server that plays both Amplitude DSAR contracts
 * (the documented API and the apis.io description the seed workflow uses) plus an S3-like storage
 * host, with injectable faults, a rate budget and a virtual clock.
 */

export interface SimulatorOptions {
  /** API host, default '127.0.0.1'. */
  host?: string
  /**
   * Presigned-URL host, default '127.0.0.2' (a second loopback address, so the redirect crosses
   * origins). Where that address cannot be bound (macOS has no 127.0.0.2 alias by default) the
   * storage server falls back to `host` on its own port, which is still another origin.
   */
  storageHost?: string
  /**
   * Where the status answers put the output links. 'api' (default): on the API host. 'web': on a
   * third host (`webHost`) that, like Amplitude's web-app host `analytics.amplitude.com` in the
   * documentation's examples, serves only output links, requires the same Basic credentials, and
   * redirects to storage.
   */
  outputLinksOn?: 'api' | 'web'
  /** Web-app host for `outputLinksOn: 'web'`, default '127.0.0.3' (falls back like storageHost). */
  webHost?: string
  /** Web-app port, default 0 (ephemeral). */
  webPort?: number
  /** API port, default 0 (ephemeral). */
  port?: number
  /** Storage port, default 0 (ephemeral). */
  storagePort?: number
  /** Org API key, default DEFAULT_API_KEY. */
  apiKey?: string
  /** Org secret key, default DEFAULT_SECRET_KEY. */
  secretKey?: string
  /** The plan of every created request, or a function choosing one per request. */
  job?: JobPlan | ((subject: SubjectRef, index: number) => JobPlan)
  /** Cost allowed per sliding hour, default 14400. POST costs 8, GET costs 1. */
  budgetPerHour?: number
  /**
   * Retry-After sent with budget 429s. Undefined or null (the default): none, since Amplitude's
   * documentation promises only "requests beyond this count get 429". A number: always that many
   * seconds. 'window': the whole seconds until enough cost has left the sliding window for the
   * refused request to pass (at least 1).
   */
  retryAfterSeconds?: number | null | 'window'
  /** Injectable clock (epoch ms) for budget windows, link expiry and log times. Default Date.now. */
  now?: () => number
  /**
   * Answer `expires` as a bare date (`2026-12-03`) instead of a date-time: Amplitude documents the
   * field only as a "Date". Default false.
   */
  expiresAsDate?: boolean
  /** Lifetime of the output links from the moment a request is first seen done. Default 2 days. */
  linkTtlMs?: number
  /**
   * Serve this file (a gzip of JSON lines) as every output file instead of generating one, so that a
   * benchmark measures the client, not the simulator's generator. `expectedFile` does not describe it.
   */
  storageFile?: string
  /** Called once per request when its response has finished (or the socket closed). */
  onLog?: (entry: RequestLogEntry) => void
  /** The deletion API (`/api/2/deletions/users`): its projects, unknown ids and job timeline. */
  deletions?: DeletionOptions
}

/**
 * Amplitude's deletion API (User Privacy API v1) as the simulator plays it: project keys (not the
 * org's DSAR keys), at most 100 ids per request, 1 request per second per project, jobs by day.
 */
export interface DeletionOptions {
  /** The projects' key pairs; default one project with DEFAULT_ERASURE_API_KEY/SECRET_KEY. */
  projects?: { apiKey: string; secretKey: string }[]
  /** User ids the project does not know: a request naming one fails without ignore_invalid_id. */
  unknownUserIds?: string[]
  /** Amplitude ids the project does not know. */
  unknownAmplitudeIds?: number[]
  /** Days from the first request to a new job's day (>= 4). Default 10. */
  leadDays?: number
  /** Days from a job's day to its active scrub (`active_scrub_done_date`). Default 1. */
  scrubDays?: number
  /** Shortest time between two admitted deletion calls of one project. Default 1000 (1 req/s). */
  minIntervalMs?: number
}

/** One id in a deletion job, as Amplitude lists it (`user_id` when it was asked by user id). */
export interface DeletionEntry {
  amplitude_id: number
  user_id?: string
  requester: string
  requested_on_day: string
  /** Simulator bookkeeping, never answered: how many requests named this id for this job. */
  timesRequested: number
}

export interface DeletionJob {
  /** The API key of the project the job belongs to. */
  project: string
  day: string
  status: 'staging' | 'submitted' | 'done'
  activeScrubDoneDate?: string
  entries: DeletionEntry[]
}

export interface JobPlan {
  /** Status GETs answering 'staging' (seed: 'pending') before 'submitted'. Default 1. */
  pollsInStaging?: number
  /** Status GETs answering 'submitted' (seed: 'processing') before the final status. Default 1. */
  pollsInSubmitted?: number
  /**
   * Final status. 'done' (seed: 'complete') and 'failed' are the known ones; any other string is
   * answered as is (an unknown status). Default 'done'.
   */
  outcome?: 'done' | 'failed' | string
  /** failReason of a failed request. */
  failReason?: string
  /** Output files when done. Default 2. The seed contract's single download_url is file 0. */
  files?: number
  /** JSON lines (events) per file. Default 10. Ignored when bytesPerFile is set. */
  linesPerFile?: number
  /**
   * Approximate uncompressed size of each file: lines are generated until the size is reached
   * (the last line makes it slightly larger). Streamed, so a 1 GiB file costs no memory.
   */
  bytesPerFile?: number
}

export type SubjectRef = { userId?: string; amplitudeId?: number; userIds?: string[] }

export type Contract = 'documented' | 'seed'

export interface DsarRecord {
  /** Integer for the documented contract (from 53367), string for the seed's (from '500123'). */
  requestId: number | string
  contract: Contract
  subject: SubjectRef
  startDate?: string
  endDate?: string
  /** Epoch ms (simulator clock) of the POST. */
  createdAt: number
  plan: ResolvedJobPlan
  /** Status GETs answered so far (each one moves the job along its plan). */
  polls: number
  /** The status last answered (the initial one before any poll). */
  status: string
  failReason?: string
  /** When a GET first answered the done status. */
  doneAt?: number
  /** When the output links stop working: doneAt + linkTtlMs. */
  expiresAt?: number
  /** Outputs GETs answered with a redirect. */
  outputRedirects: number
  /** Storage GETs that started sending a file. */
  storageDownloads: number
}

export interface ResolvedJobPlan {
  pollsInStaging: number
  pollsInSubmitted: number
  outcome: string
  failReason?: string
  files: number
  linesPerFile: number
  bytesPerFile?: number
}

export interface ExpectedFile {
  /** Size of the gzip file as served. */
  bytes: number
  /** sha256 (hex) of the gzip file as served. */
  sha256: string
  /** JSON lines (events) inside. */
  lines: number
  /** Size once gunzipped. */
  uncompressedBytes: number
}

export interface Simulator {
  /** API origin, e.g. 'http://127.0.0.1:PORT'. */
  url: string
  /** Storage origin, e.g. 'http://127.0.0.2:PORT'. */
  storageUrl: string
  /** Web-app origin serving the output links (`outputLinksOn: 'web'`), else ''. */
  webUrl: string
  apiKey: string
  secretKey: string
  /** base64(apiKey:secretKey), the value after 'Basic '. */
  basicAuth: string
  /** Every request, both hosts, in arrival order (entries are completed as responses finish). */
  log: RequestLogEntry[]
  /** Most API requests being handled at once. */
  readonly maxInFlight: number
  addFault(rule: FaultRule): void
  clearFaults(): void
  /** Requests that got an injected fault so far (a fault row asserts its fault fired). */
  readonly faultsInjected: number
  /** Fault rules added (and not cleared) that no request has met yet. */
  unfiredFaults(): FaultRule[]
  /** Snapshots of the requests created so far, in creation order. */
  requests(): DsarRecord[]
  /** What output n (0-based) of a request contains, computed by streaming. */
  expectedFile(requestId: string | number, n: number): Promise<ExpectedFile>
  /** Cost still available in the current window. */
  budgetRemaining(): number
  /** The first project's keys for the deletion API (`deletions.projects[0]`). */
  erasureApiKey: string
  erasureSecretKey: string
  /** base64(erasureApiKey:erasureSecretKey). */
  erasureBasicAuth: string
  /** Snapshots of the deletion jobs, statuses as of the simulator clock now. */
  deletionJobs(): DeletionJob[]
  close(): Promise<void>
}

export interface RequestLogEntry {
  method: string
  /** The request target as sent: path plus query string. */
  path: string
  /** Which server answered: 'api', 'web' (output links, `outputLinksOn: 'web'`) or 'storage'. */
  host: string
  /** Whether the request carried an Authorization header. */
  authorization: boolean
  /** Request body (API host; first 64 KiB), when there was one. */
  body?: string
  /** Status sent; 0 when no response was sent (reset, or the client went away first). */
  status: number
  /** Arrival time by the simulator clock (epoch ms). */
  at: number
  /** Wall-clock time from arrival until the response finished or the socket closed. */
  durationMs?: number
  /** The fault applied, if any (its action type). */
  fault?: FaultAction['type']
}

export type FaultAction =
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /**
   * Drop the connection without an answer. `afterHandling`: only once the request was handled (a
   * DSAR created, a comment written), as when the answer is lost on its way back.
   */
  | { type: 'reset'; afterHandling?: boolean }
  | { type: 'stall'; ms: number }
  | { type: 'malformedJson' }
  | { type: 'truncatedGzip' }
  | { type: 'dribble'; bytesPerSecond: number }
  | { type: 'hugeBody'; bytes: number }

export interface FaultRule {
  /** Matches the method, case-insensitive. Default: any. */
  method?: string
  /** A string must equal the path (without query); a RegExp is tested on it. Default: any. */
  path?: string | RegExp
  /** Default: every host. */
  host?: 'api' | 'web' | 'storage'
  /** How many matching requests it affects (after `skip`). Default: all. */
  times?: number
  /** Let the first N matching requests through first. Default 0. */
  skip?: number
  action: FaultAction
}
