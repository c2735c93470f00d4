/**
 * The demo's settings, from the environment (documented in docs/development.md, "The demo"). One typed
 * object, read once; anything unrecognised falls back to the default with a note, never a stack trace.
 */

export interface DemoSettings {
  /** DEMO_USER_IDS: the subjects (`user-ids`). */
  userIds: string
  /** DEMO_WORKFLOW: `amplitude` (the documented API) or `apis-io` (the seed's contract). */
  workflow: string
  /** DEMO_ENCRYPT: age-encrypt the export to a key the demo generates (default true). */
  encrypt: boolean
  /** DEMO_FILES: export files per request the simulator serves (default 2). */
  files: number
  /** DEMO_GROUPS: `folded` (as GitHub first shows a log) or `open`. */
  groups: 'folded' | 'open'
  /** DEMO_RAW_LOG: print the raw runner protocol instead of rendering it. */
  rawLog: boolean
  /** DEMO_KEEP_FILES: keep the temporary folder (downloads, outputs, summary) and print its path. */
  keepFiles: boolean
}

export function demoSettings(env: NodeJS.ProcessEnv, note: (line: string) => void): DemoSettings {
  const flag = (name: string, fallback: boolean): boolean => {
    const text = env[name]?.trim().toLowerCase()
    if (text === undefined || text === '') return fallback
    if (['1', 'true', 'yes', 'on'].includes(text)) return true
    if (['0', 'false', 'no', 'off'].includes(text)) return false
    note(`${name}=${env[name]} is not true or false: using ${fallback}`)
    return fallback
  }
  const files = Number(env.DEMO_FILES ?? '2')
  const groups = env.DEMO_GROUPS?.trim().toLowerCase() ?? 'folded'
  if (groups !== 'folded' && groups !== 'open') note(`DEMO_GROUPS=${groups}: using folded`)
  if (!(Number.isInteger(files) && files >= 1 && files <= 20)) {
    note(`DEMO_FILES=${env.DEMO_FILES} is not a whole number from 1 to 20: using 2`)
  }
  return {
    userIds: env.DEMO_USER_IDS?.trim() || 'demo-user-1, demo-user-2',
    workflow: env.DEMO_WORKFLOW?.trim() || 'amplitude',
    encrypt: flag('DEMO_ENCRYPT', true),
    files: Number.isInteger(files) && files >= 1 && files <= 20 ? files : 2,
    groups: groups === 'open' ? 'open' : 'folded',
    rawLog: flag('DEMO_RAW_LOG', false),
    keepFiles: flag('DEMO_KEEP_FILES', false)
  }
}
