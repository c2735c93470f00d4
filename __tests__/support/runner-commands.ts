/**
 * Code a test runs in-process (@actions/core, @actions/tool-cache) writes workflow commands
 * (`::warning::`, `::debug::`...) to stdout. On a CI runner the test run's own stdout is read as
 * the job's log, so such a line would become an annotation of every CI run. This keeps them off
 * stdout during each test of the file and hands them to the test, which can assert on them.
 * (__tests__/jest/no-runner-commands.ts fails a file that lets one through.)
 */
const COMMAND = /^::[A-Za-z-]+( [^:]*)?::/

export function captureRunnerCommands(): string[] {
  const seen: string[] = []
  let restore: (() => void) | undefined
  beforeEach(() => {
    seen.length = 0
    const write = process.stdout.write
    const divert = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      const kept = text
        .split(/(?<=\n)/)
        .filter(line => {
          if (!COMMAND.test(line)) return true
          seen.push(line.trimEnd())
          return false
        })
        .join('')
      if (kept === '') {
        const callback = rest.find(arg => typeof arg === 'function') as (() => void) | undefined
        callback?.()
        return true
      }
      return (write as (...args: unknown[]) => boolean).call(process.stdout, kept, ...rest)
    }
    process.stdout.write = divert
    restore = () => {
      process.stdout.write = write
    }
  })
  afterEach(() => restore?.())
  return seen
}
