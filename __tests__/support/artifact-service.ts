/** The results-service stand-in moved to src/simulator/artifact-service.ts (the ledger demo uses it too). */
export * from '../../src/simulator/artifact-service.js'
