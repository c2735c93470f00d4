/**
 * Parses the durations the action's inputs accept (`poll-interval`, `timeout`): a sequence of
 * `<number><unit>` parts with units h, m, s, ms in that order (`5h30m`, `1h2m3s`, `1h30m500ms`,
 * `1.5h`), or a bare number of seconds (`90`, `0.05`). Returns whole milliseconds.
 */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const
type Unit = keyof typeof UNIT_MS
// Largest first: each unit may appear once, and only after every larger unit used.
const UNIT_ORDER: readonly Unit[] = ['h', 'm', 's', 'ms']

// Nothing the action waits for can last a month; larger values are typos (or overflow attempts).
const MAX_MS = 30 * 24 * UNIT_MS.h

const NUMBER = String.raw`(?:\d+(?:\.\d+)?|\.\d+)`
const BARE_SECONDS = new RegExp(`^${NUMBER}$`)
// `ms` before `m` so that `500ms` is not read as `500m` followed by a stray `s`.
const PART = new RegExp(`(${NUMBER})(ms|h|m|s)\\s*`, 'y')

const EXPECTED = "expected e.g. '500ms', '30s', '15m', '2h', '5h30m' or a number of seconds"

export function parseDuration(text: string): number {
  const shown = describe(text)
  const trimmed = text.trim()
  if (trimmed === '') throw new Error(`invalid duration ${shown}: it is empty (${EXPECTED})`)
  if (trimmed.startsWith('-')) {
    throw new Error(`invalid duration ${shown}: it is negative (${EXPECTED})`)
  }
  const source = trimmed.toLowerCase() // 'M' can only mean minutes: no unit here is months
  const ms = BARE_SECONDS.test(source) ? Number(source) * UNIT_MS.s : sumOfParts(source, shown)
  if (!Number.isFinite(ms) || ms > MAX_MS) {
    throw new Error(`invalid duration ${shown}: it exceeds the 30-day maximum`)
  }
  return Math.round(ms)
}

function sumOfParts(source: string, shown: string): number {
  let total = 0
  let position = 0
  let smallestUsed = -1 // index in UNIT_ORDER of the last unit seen
  while (position < source.length) {
    PART.lastIndex = position
    const match = PART.exec(source)
    if (!match) {
      throw new Error(
        `invalid duration ${shown}: cannot read '${source.slice(position)}' (${EXPECTED})`
      )
    }
    const unit = match[2] as Unit
    const rank = UNIT_ORDER.indexOf(unit)
    if (rank <= smallestUsed) {
      throw new Error(
        `invalid duration ${shown}: units must go from largest to smallest (h, m, s, ms), each at most once`
      )
    }
    smallestUsed = rank
    total += Number(match[1]) * UNIT_MS[unit]
    position = PART.lastIndex
  }
  return total
}

/** The input as it may appear in an error: quoted, control characters escaped, bounded. */
function describe(text: string): string {
  const json = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
  return `'${json.slice(1, -1)}'`
}
