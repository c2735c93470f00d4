/**
 * No runner commands on the test run's stdout: on a CI runner the run's stdout is the job's log,
 * so a `::warning::` printed by code a test runs in-process becomes an annotation of every CI
 * run. Installed for every test file (setupFilesAfterEnv); a file that lets one through fails,
 * naming it. Tests keep such lines off stdout with __tests__/support/runner-commands.ts (and can
 * assert on them); the action's runs are child processes whose output the harness reads.
 */
const COMMAND = /^::[A-Za-z-]+( [^:]*)?::/
const printed: string[] = []
let restore: (() => void) | undefined

beforeAll(() => {
  const write = process.stdout.write
  const watch = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    for (const line of text.split('\n')) if (COMMAND.test(line)) printed.push(line)
    return (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest)
  }
  process.stdout.write = watch
  restore = () => {
    process.stdout.write = write
  }
})

afterAll(() => {
  restore?.()
  if (printed.length > 0) {
    const shown = printed.slice(0, 5).map(line => line.slice(0, 120))
    throw new Error(
      `${printed.length} runner command(s) printed to stdout (capture them with ` +
        `captureRunnerCommands() from __tests__/support/runner-commands.ts):\n${shown.join('\n')}`
    )
  }
})
