/**
 * The run core: what one run of the action and one ledger sweep both use. The API session and its
 * transport (which answers whether a request was sent), the budget and pacing, planning and
 * running requests, the status and server values, run limits, the log, and delivering exports.
 * It imports the engine, the export and the policies, never the action or the ledger.
 */
export * from './api-session.js'
export * from './artifact-helper.js'
export * from './budget.js'
export * from './builtin-workflows.js'
export * from './dates.js'
export * from './dsar-status.js'
export * from './duration.js'
export * from './erasure-jobs.js'
export * from './erasure-pacer.js'
export * from './export-helper.js'
export * from './http-transport.js'
export * from './input-error.js'
export * from './input-names.js'
export * from './linear-text.js'
export * from './log.js'
export * from './pacing-policy.js'
export * from './planning.js'
export * from './receipt-helper.js'
export * from './request-runner.js'
export * from './run-limits.js'
export * from './secret-helper.js'
export * from './semaphore.js'
export * from './server-values.js'
export * from './settings.js'
export * from './subject-fingerprint.js'
export * from './subjects.js'
export * from './test-hooks.js'
export * from './version.js'
