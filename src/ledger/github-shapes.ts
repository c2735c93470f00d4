/**
 * The shapes the ledger accepts from GitHub. Everything GitHub answers is checked before the
 * ledger decides anything on it: an issue or comment that does not look like one is dropped
 * (and counted by the caller), never guessed at.
 */

export interface IssueFacts {
  number: number
  body: string
  labels: string[]
  author: string
  authorType: string
  association: string
  createdAt: string
  comments: number
  htmlUrl: string
}

export interface CommentFacts {
  id: number
  issueNumber: number
  body: string
  author: string
  authorType: string
  updatedAt: string
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
const isTime = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value))

/** An issue's facts; null for a pull request; undefined when the shape is wrong. */
export function issueFacts(value: unknown): IssueFacts | null | undefined {
  if (!isObject(value)) return undefined
  if (value.pull_request !== undefined && value.pull_request !== null) return null
  const user = value.user
  const labels = value.labels
  if (
    !isCount(value.number) ||
    value.number === 0 ||
    !(typeof value.body === 'string' || value.body === null || value.body === undefined) ||
    !isObject(user) ||
    typeof user.login !== 'string' ||
    typeof user.type !== 'string' ||
    typeof value.author_association !== 'string' ||
    !isTime(value.created_at) ||
    !Array.isArray(labels) ||
    typeof value.html_url !== 'string'
  ) {
    return undefined
  }
  const names = labels.map(label =>
    typeof label === 'string' ? label : isObject(label) ? label.name : undefined
  )
  if (!names.every((name): name is string => typeof name === 'string')) return undefined
  return {
    number: value.number,
    body: typeof value.body === 'string' ? value.body : '',
    labels: names,
    author: user.login,
    authorType: user.type,
    association: value.author_association,
    createdAt: value.created_at,
    comments: isCount(value.comments) ? value.comments : 1,
    htmlUrl: value.html_url
  }
}

export function commentFacts(value: unknown): CommentFacts | undefined {
  if (!isObject(value)) return undefined
  const user = value.user
  const issueUrl = value.issue_url
  const match = typeof issueUrl === 'string' ? /\/issues\/(\d{1,12})$/.exec(issueUrl) : null
  if (
    !isCount(value.id) ||
    typeof value.body !== 'string' ||
    !isObject(user) ||
    typeof user.login !== 'string' ||
    typeof user.type !== 'string' ||
    !isTime(value.updated_at) ||
    !match
  ) {
    return undefined
  }
  return {
    id: value.id,
    issueNumber: Number(match[1]),
    body: value.body,
    author: user.login,
    authorType: user.type,
    updatedAt: value.updated_at
  }
}

/** A `labeled` / `unlabeled` event of an issue (GET /repos/{owner}/{repo}/issues/{n}/events). */
export interface LabelEventFacts {
  id: number
  event: 'labeled' | 'unlabeled'
  actor: string
  actorType: string
  label: string
  createdAt: string
}

/** A label event's facts; null for another kind of event; undefined when the shape is wrong. */
export function labelEventFacts(value: unknown): LabelEventFacts | null | undefined {
  if (!isObject(value)) return undefined
  if (value.event !== 'labeled' && value.event !== 'unlabeled') return null
  const actor = value.actor
  const label = value.label
  if (
    !isCount(value.id) ||
    !isObject(actor) ||
    typeof actor.login !== 'string' ||
    typeof actor.type !== 'string' ||
    !isObject(label) ||
    typeof label.name !== 'string' ||
    !isTime(value.created_at)
  ) {
    return undefined
  }
  return {
    id: value.id,
    event: value.event,
    actor: actor.login,
    actorType: actor.type,
    label: label.name,
    createdAt: value.created_at
  }
}
