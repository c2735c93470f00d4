/**
 * A GitHub REST stand-in for the ledger's tests, benchmark and demo: one repository's issues,
 * comments, labels, people and permissions, with pagination, rate limits and injected faults.
 * Dependency-free (node:http only), so it is bundled with the demo.
 */
export {
  createGitHubStandIn,
  DEFAULT_RATE_LIMIT_PER_HOUR,
  INSTALLATION_TOKEN,
  secondaryRateLimit,
  startGitHubStandIn
} from './server.js'
export { ACTIONS_BOT } from './repository.js'
export { MAX_BODY_CHARS } from './routes.js'
export type * from './types.js'
