/**
 * Reads a DSAR issue filed from the shipped issue form. GitHub renders each form field as a
 * `### <label>` section; an empty optional field reads `_No response_`. The body is untrusted
 * (anyone who may open an issue wrote it, and may have edited it since): it is bounded, each field
 * is checked by the same rules as the matching action input (src/run/subjects.ts,
 * dates.ts), and a problem names the field, never quotes a subject id. Headings are
 * matched case-insensitively; a field given twice is refused rather than guessed at.
 */
import {
  InputError,
  Inputs,
  parseAmplitudeIds,
  parseDates,
  parseUserIds,
  type Subject,
  uniqueSubjects
} from '../run/index.js'
import { isCalendarDay } from '../policy/index.js'
import { addDays, parseRegime, REGIMES, type Regime } from './deadlines.js'

export const FIELDS = {
  userIds: 'User IDs',
  amplitudeIds: 'Amplitude IDs',
  startDate: 'Start date',
  endDate: 'End date',
  receivedOn: 'Received on',
  regime: 'Regime',
  reference: 'Reference',
  request: 'Request',
  identityVerified: 'Identity verified'
} as const

/** GitHub's own limit on an issue body: anything longer did not come from GitHub. */
export const MAX_BODY_CHARS = 65_536
/** Subjects one issue may ask for: a DSAR is about one person, sometimes a few of their ids. */
export const MAX_SUBJECTS_PER_ISSUE = 20
export const MAX_REFERENCE_CHARS = 200
const NO_RESPONSE = '_No response_'

export interface DsarForm {
  subjects: Subject[]
  startDate: string
  endDate: string
  /** Free text for the team's own tracking; repeated (escaped) in comments, never sent to Amplitude. */
  reference?: string
  /** What the person asked for (the form's `Request`; default access). */
  request: RequestKind
  /** How the person's identity was checked (the form's `Identity verified`); absent: not verified. */
  identityVerified?: string
  /** The day the person asked (YYYY-MM-DD): the legal clock starts here (src/ledger/deadlines.ts). */
  receivedOn: string
  regime: Regime
}

export type FormReading =
  { ok: true; form: DsarForm } | { ok: false; field: string; problem: string }

export interface FormDefaults {
  /** The action's `start-date` (used when the form leaves it empty). */
  startDate: string
  /** The action's `end-date` (today, UTC, unless set). */
  endDate: string
  /** Today (UTC), YYYY-MM-DD: a date after tomorrow is refused. */
  today: string
  /** `Received on` when the form leaves it empty: the issue's creation day (default: today). */
  receivedOn?: string
  /** `Regime` when the form leaves it empty: the `ledger-regime` input (default: GDPR). */
  regime?: Regime
}

export function readForm(body: string, defaults: FormDefaults): FormReading {
  const refuse = (field: string, problem: string): FormReading => ({ ok: false, field, problem })
  if (body.length > MAX_BODY_CHARS) {
    return refuse('the issue body', `is longer than ${MAX_BODY_CHARS} characters`)
  }
  const sections = new Map<string, string>()
  let current: string | undefined
  const lines: Map<string, string[]> = new Map()
  for (const line of body.split(/\r?\n/)) {
    const heading = headingOf(line)
    if (heading !== undefined) {
      current = heading.toLowerCase()
      if (lines.has(current)) return refuse(heading.slice(0, 40), 'appears more than once')
      lines.set(current, [])
      continue
    }
    if (current !== undefined) lines.get(current)!.push(line)
  }
  for (const [heading, content] of lines) sections.set(heading, fieldValue(content))
  const value = (field: string): string => sections.get(field.toLowerCase()) ?? ''

  let subjects: Subject[]
  let dates: { startDate: string; endDate: string }
  try {
    subjects = uniqueSubjects([
      ...parseUserIds(value(FIELDS.userIds)).map(userId => ({ kind: 'userId', userId }) as const),
      ...parseAmplitudeIds(value(FIELDS.amplitudeIds)).map(
        amplitudeId => ({ kind: 'amplitudeId', amplitudeId }) as const
      )
    ])
    dates = parseDates(
      value(FIELDS.startDate) || defaults.startDate,
      value(FIELDS.endDate) || defaults.endDate,
      defaults.today
    )
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    // The field and the expected form, never what was typed: the comment is public to the repo.
    return refuse(fieldOf(error.input), error.expected ?? error.detail)
  }
  if (subjects.length === 0) {
    return refuse(
      `${FIELDS.userIds} / ${FIELDS.amplitudeIds}`,
      'no subject: give at least one user ID or Amplitude ID'
    )
  }
  if (subjects.length > MAX_SUBJECTS_PER_ISSUE) {
    return refuse(
      `${FIELDS.userIds} / ${FIELDS.amplitudeIds}`,
      `${subjects.length} subjects; one issue may ask for at most ${MAX_SUBJECTS_PER_ISSUE} (file one issue per person)`
    )
  }
  const clock = readClockFields(value, defaults)
  if (!clock.ok) return refuse(clock.field, clock.problem)
  const reference = value(FIELDS.reference).replace(/\s+/g, ' ').trim()
  const erasure = readErasureFields(value)
  if (!erasure.ok) return erasure
  return {
    ok: true,
    form: {
      subjects,
      ...dates,
      request: erasure.request,
      ...(erasure.identityVerified !== undefined && { identityVerified: erasure.identityVerified }),
      receivedOn: clock.receivedOn,
      regime: clock.regime,
      ...(reference !== '' && {
        reference: [...reference].slice(0, MAX_REFERENCE_CHARS).join('')
      })
    }
  }
}

/**
 * The request's legal clock from the form: `Received on` (a calendar day, not after tomorrow: a
 * runner's UTC day may trail the requester's) and `Regime`. Kept apart from the subject fields:
 * a problem names the field and the form expected, never what was typed.
 */
function readClockFields(
  value: (field: string) => string,
  defaults: FormDefaults
):
  { ok: true; receivedOn: string; regime: Regime } | { ok: false; field: string; problem: string } {
  const received = value(FIELDS.receivedOn)
  const receivedOn = received || defaults.receivedOn || defaults.today
  if (!isCalendarDay(receivedOn)) {
    return { ok: false, field: FIELDS.receivedOn, problem: 'must be a calendar day, YYYY-MM-DD' }
  }
  if (receivedOn > addDays(defaults.today, 1)) {
    return { ok: false, field: FIELDS.receivedOn, problem: 'must not be in the future' }
  }
  const said = value(FIELDS.regime)
  const regime = said === '' ? (defaults.regime ?? 'GDPR') : parseRegime(said)
  if (regime === undefined) {
    return { ok: false, field: FIELDS.regime, problem: `must be one of ${REGIMES.join(', ')}` }
  }
  return { ok: true, receivedOn, regime }
}

/** The fields of the shipped issue form, as a person fills them in. */
export interface FormFields {
  userIds?: string
  amplitudeIds?: string
  startDate?: string
  endDate?: string
  reference?: string
  /** `Access (export)`, `Erasure` or `Access, then erasure`; left out: the section is not rendered. */
  request?: string
  identityVerified?: string
  receivedOn?: string
  regime?: string
}

/** The issue body GitHub renders from the shipped form (examples/ISSUE_TEMPLATE/dsar.yml). */
export function formBody(fields: FormFields): string {
  const section = (label: string, value: string | undefined): string =>
    `### ${label}\n\n${value && value !== '' ? value : NO_RESPONSE}`
  return [
    section(FIELDS.userIds, fields.userIds),
    section(FIELDS.amplitudeIds, fields.amplitudeIds),
    section(FIELDS.startDate, fields.startDate),
    section(FIELDS.endDate, fields.endDate),
    // The clock's fields before the free-text ones, as in the shipped form.
    section(FIELDS.receivedOn, fields.receivedOn),
    section(FIELDS.regime, fields.regime),
    section(FIELDS.reference, fields.reference),
    ...erasureSections(fields).map(([label, value]) => section(label, value))
  ].join('\n\n')
}

/**
 * The label of a `### <label>` line (closing `#`s and blanks dropped), or undefined. Read by
 * index, not by a regular expression: the body is untrusted, and the pattern this replaces
 * (`/^###[ \t]+(.+?)[ \t]*#*[ \t]*$/`) backtracked cubically on `### a` + spaces + `x`.
 * Each character is looked at a bounded number of times.
 */
export function headingOf(line: string): string | undefined {
  if (!line.startsWith('###') || !isBlank(line[3])) return undefined
  let start = 4
  while (isBlank(line[start])) start++
  if (start === line.length) {
    // Only blanks: the old pattern gave the last one back to the label when it had two.
    return start - 3 >= 2 ? line[start - 1] : undefined
  }
  // The closing part: blanks, `#`s, blanks, read from the end; the label keeps at least one char.
  let tail = line.length
  while (tail > start && isBlank(line[tail - 1])) tail--
  while (tail > start && line[tail - 1] === '#') tail--
  while (tail > start && isBlank(line[tail - 1])) tail--
  const label = line.slice(start, Math.max(start + 1, tail))
  // The old pattern's `.` refused line terminators other than \n; so does this reading.
  for (const char of ['\r', '\u2028', '\u2029']) if (label.includes(char)) return undefined
  return label
}

function isBlank(char: string | undefined): boolean {
  return char === ' ' || char === '\t'
}

/** A field's text: trimmed, a code fence around it removed, `_No response_` as empty. */
function fieldValue(lines: string[]): string {
  let text = lines.join('\n').trim()
  const fenced = fencedText(text)
  if (fenced !== undefined) text = fenced.trim()
  return text === NO_RESPONSE ? '' : text
}

/** The inside of a text that is one code fence (```` ```lang\n...\n``` ````), read by index. */
function fencedText(text: string): string | undefined {
  if (!text.startsWith('```') || !text.endsWith('```')) return undefined
  const open = text.indexOf('\n', 3)
  const close = text.length - 3
  if (open === -1 || open > close) return undefined
  let inner = text.slice(open + 1, close)
  if (inner.endsWith('\n')) inner = inner.slice(0, -1)
  return inner
}

function fieldOf(input: string): string {
  switch (input) {
    case Inputs.UserIds:
      return FIELDS.userIds
    case Inputs.AmplitudeIds:
      return FIELDS.amplitudeIds
    case Inputs.StartDate:
      return FIELDS.startDate
    case Inputs.EndDate:
      return FIELDS.endDate
    default:
      return input
  }
}

// ---------------------------------------------------------------------------------------------
// Erasure fields (issue 22): `Request` and `Identity verified`
// ---------------------------------------------------------------------------------------------

export type RequestKind = 'access' | 'erasure' | 'access-then-erasure'

/** The dropdown's options, as the form shows them, and what each means. */
export const REQUEST_OPTIONS: readonly [string, RequestKind][] = [
  ['Access (export)', 'access'],
  ['Erasure', 'erasure'],
  ['Access, then erasure', 'access-then-erasure']
]
export const MAX_IDENTITY_CHARS = 200

/** The form's `Request` (default access) and `Identity verified` (empty: not verified). */
function readErasureFields(
  value: (field: string) => string
):
  | { ok: true; request: RequestKind; identityVerified?: string }
  | { ok: false; field: string; problem: string } {
  const said = value(FIELDS.request).replace(/\s+/g, ' ').trim()
  const found = REQUEST_OPTIONS.find(([option]) => option.toLowerCase() === said.toLowerCase())
  if (said !== '' && !found) {
    return {
      ok: false,
      field: FIELDS.request,
      problem: `is not one of ${REQUEST_OPTIONS.map(([option]) => `'${option}'`).join(', ')}`
    }
  }
  const identity = value(FIELDS.identityVerified).replace(/\s+/g, ' ').trim()
  return {
    ok: true,
    request: found ? found[1] : 'access',
    ...(identity !== '' && {
      identityVerified: [...identity].slice(0, MAX_IDENTITY_CHARS).join('')
    })
  }
}

function erasureSections(fields: FormFields): [string, string | undefined][] {
  return [
    ...(fields.request !== undefined ? [[FIELDS.request, fields.request] as [string, string]] : []),
    ...(fields.identityVerified !== undefined
      ? [[FIELDS.identityVerified, fields.identityVerified] as [string, string]]
      : [])
  ]
}

/** Whether the request erases (alone, or after the export). */
export function erases(kind: RequestKind): boolean {
  return kind !== 'access'
}
