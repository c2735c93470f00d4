/**
 * Who the DSAR is about, or which requests to resume: user-ids, amplitude-ids, user-ids-file and
 * request-ids. Lists are split by newlines and/or commas, or given as a JSON array (`["u1","u2"]`,
 * as user-ids-file takes), and a problem names the entry or line, never the id itself (personal
 * data). An id that starts or ends with a bracket or a quote is refused: it is almost always a JSON
 * array or a quoted list read as a plain one (`["u1"` and `"u2"]` would be asked for as subjects).
 */
import { Inputs } from './input-names.js'
import { InputError } from './input-error.js'
import { describeJsonError } from '../policy/index.js'
import { hasControlCharacter } from './secret-helper.js'
import { REQUEST_ID_PATTERN, REQUEST_ID_RULE } from './server-values.js'

export type Subject =
  { kind: 'userId'; userId: string } | { kind: 'amplitudeId'; amplitudeId: number }

const MAX_ID_LENGTH = 1024

/** Entries separated by newlines and/or commas; blanks dropped; numbered from 1 for messages. */
export function splitList(text: string): { entry: string; number: number }[] {
  return text
    .split(/[\n,]/)
    .map(entry => entry.trim())
    .filter(entry => entry !== '')
    .map((entry, index) => ({ entry, number: index + 1 }))
}

/** Characters no id starts or ends with, but a JSON array or a quoted list read as plain text does. */
const WRAPPING = /^["'[\]]|["'[\]]$/

export function userIdProblem(id: string): string | undefined {
  if ([...id].length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`
  if (hasControlCharacter(id)) return 'contains control characters'
  if (WRAPPING.test(id)) {
    return 'starts or ends with a bracket or a quote: give a JSON array (["u1","u2"]) or plain ids separated by commas or newlines, without quotes'
  }
  return undefined
}

/** `[...]`: the list is a JSON array, read as such. */
export function isJsonArray(text: string): boolean {
  return text.trimStart().startsWith('[')
}

export function parseUserIds(text: string): string[] {
  if (isJsonArray(text)) return idsFromJson(Inputs.UserIds, text)
  return splitList(text).map(({ entry, number }) => {
    const problem = userIdProblem(entry)
    if (problem) throw new InputError(Inputs.UserIds, `entry ${number} ${problem}`)
    return entry
  })
}

/** A JSON array of Amplitude ids: integers, or strings of digits; numbered from 1 for messages. */
function amplitudeIdsFromJson(text: string): { entry: string; number: number }[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InputError(Inputs.AmplitudeIds, describeJsonError(text))
  }
  if (!Array.isArray(parsed)) {
    throw new InputError(Inputs.AmplitudeIds, 'is not a JSON array of integers')
  }
  return parsed.map((item: unknown, index) => {
    // A number outside the safe range has already lost digits: refused below by its text.
    const entry = typeof item === 'number' ? JSON.stringify(item) : item
    if (typeof entry !== 'string') {
      throw new InputError(Inputs.AmplitudeIds, `array element ${index + 1} is not an integer`)
    }
    return { entry: entry.trim(), number: index + 1 }
  })
}

export function parseAmplitudeIds(text: string): number[] {
  const entries = isJsonArray(text) ? amplitudeIdsFromJson(text) : splitList(text)
  return entries.map(({ entry, number }) => {
    const value = Number(entry)
    if (!/^\d+$/.test(entry) || !Number.isSafeInteger(value) || value <= 0) {
      throw new InputError(
        Inputs.AmplitudeIds,
        `entry ${number} is not a positive integer (digits only, at most ${Number.MAX_SAFE_INTEGER})`
      )
    }
    return value
  })
}

export function parseRequestIds(text: string): string[] {
  const ids = splitList(text).map(({ entry, number }) => {
    if (!REQUEST_ID_PATTERN.test(entry)) {
      throw new InputError(
        Inputs.RequestIds,
        `entry ${number} is not a request id (${REQUEST_ID_RULE})`
      )
    }
    return entry
  })
  return [...new Set(ids)]
}

export function uniqueSubjects(subjects: Subject[]): Subject[] {
  const seen = new Set<string>()
  return subjects.filter(subject => {
    const key =
      subject.kind === 'userId' ? `u:${subject.userId}` : `a:${String(subject.amplitudeId)}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

export function idsFromJson(input: string, content: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(content)
  } catch {
    throw new InputError(input, describeJsonError(content))
  }
  if (!Array.isArray(parsed)) throw new InputError(input, 'is not a JSON array of strings')
  const ids: string[] = []
  parsed.forEach((item: unknown, index) => {
    if (typeof item !== 'string') {
      throw new InputError(input, `array element ${index + 1} is not a string`)
    }
    const id = item.trim()
    if (id === '') return
    const problem = userIdProblem(id)
    if (problem) throw new InputError(input, `array element ${index + 1} ${problem}`)
    ids.push(id)
  })
  return ids
}
