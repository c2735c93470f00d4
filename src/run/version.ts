/**
 * The action's name and version, as receipts and logs state them. Kept equal to package.json's by a
 * test (__tests__/ledger-github-client.test.ts), so a release that bumps one and not the other fails CI.
 */
export const ACTION_NAME = 'amplitude-dsar-action'
export const ACTION_VERSION = '1.0.0'
