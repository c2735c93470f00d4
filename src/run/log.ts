/**
 * The action's only way to the log. The runner reads any stdout line that starts with `::` as a
 * workflow command (`::add-mask::`, `::stop-commands::`, `::error::`...), so text from outside (a
 * server's answer, a workflow document, an error message that quotes either) must never start a
 * line. Every function here escapes through src/policy/untrusted-text.ts:
 * - `log.info` takes a `LogLine`, which only the `line` tag makes: its literal parts are the
 *   action's own text (line breaks kept), every `${value}` is untrusted and goes through `forLog`;
 * - `log.untrusted` prints a line another module assembled (the engine's, the download's), escaped
 *   whole;
 * - warnings, notices and group titles are workflow commands whose data @actions/core escapes;
 *   they go through here too, so there is one place to read. ESLint refuses `core.info` and its
 *   siblings everywhere else.
 */
import * as core from '@actions/core'
import { forLog, safeLogLines } from '../policy/index.js'

declare const logLine: unique symbol
/** Text fit for the log, made only by `line`. */
export type LogLine = string & { readonly [logLine]: true }

/** `line\`request ${id} is ${status}\``: interpolated values escaped, literal text kept. */
export function line(strings: TemplateStringsArray, ...values: unknown[]): LogLine {
  let text = strings[0]
  values.forEach((value, i) => {
    text += forLog(typeof value === 'string' ? value : String(value)) + strings[i + 1]
  })
  return safeLogLines(text) as LogLine
}

export const log = {
  info(message: LogLine): void {
    core.info(message)
  },
  /** A line assembled elsewhere from untrusted parts: escaped as a whole (it stays one line). */
  untrusted(text: string): void {
    core.info(forLog(text))
  },
  warning(message: LogLine): void {
    core.warning(message)
  },
  notice(message: LogLine): void {
    core.notice(message)
  },
  startGroup(title: LogLine): void {
    core.startGroup(title)
  },
  endGroup(): void {
    core.endGroup()
  },
  /** Registers a value the runner must hide in every later log line of the job. */
  secret(value: string): void {
    core.setSecret(value)
  }
}
