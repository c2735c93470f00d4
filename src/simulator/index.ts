/**
 * The DSAR simulator: a real HTTP server playing both Amplitude DSAR contracts (the documented
 * API and the seed's apis.io description) and an S3-like storage host, for tests, benchmarks and
 * the demo. Dependency-light: node:http, node:zlib and node:crypto only.
 */

export {
  startSimulator,
  DEFAULT_API_KEY,
  DEFAULT_SECRET_KEY,
  DEFAULT_ERASURE_API_KEY,
  DEFAULT_ERASURE_SECRET_KEY,
  DEFAULT_BUDGET_PER_HOUR,
  DEFAULT_LINK_TTL_MS
} from './server.js'
export { POST_COST, GET_COST } from './api-routes.js'
export { FIRST_DOCUMENTED_ID, FIRST_SEED_ID, DEFAULT_FAIL_REASON } from './jobs.js'
export { HOUR_MS, SlidingWindowBudget } from './budget.js'
export {
  DELETIONS_PATH,
  MAX_IDS_PER_REQUEST,
  MAX_LIST_RANGE_DAYS,
  DEFAULT_MIN_INTERVAL_MS
} from './deletion-routes.js'
export {
  addDays,
  amplitudeIdOf,
  BACKUP_PURGE_DAYS,
  CANCEL_WINDOW_DAYS,
  DAY_MS,
  dayOf,
  DEFAULT_LEAD_DAYS,
  DEFAULT_SCRUB_DAYS
} from './deletions.js'
export type {
  Contract,
  DeletionEntry,
  DeletionJob,
  DeletionOptions,
  DsarRecord,
  ExpectedFile,
  FaultAction,
  FaultRule,
  JobPlan,
  RequestLogEntry,
  ResolvedJobPlan,
  Simulator,
  SimulatorOptions,
  SubjectRef
} from './types.js'
// The GitHub Actions results service (artifact uploads), for end-to-end tests and the ledger demo.
export {
  startArtifactService,
  readZipEntries,
  sha256Hex,
  type ArtifactService,
  type ArtifactServiceOptions
} from './artifact-service.js'
