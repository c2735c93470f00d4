/**
 * Public types of the GitHub REST stand-in: one repository with its issues, comments, labels and
 * people, served over the REST API paths the ledger uses, with GitHub's pagination (`Link`), its
 * rate-limit headers and budget, and injectable faults (5xx, secondary rate limits, 429, resets).
 */
import type { FaultRule } from '../types.js'

export type Visibility = 'private' | 'public' | 'internal'
export type AuthorAssociation =
  | 'OWNER'
  | 'MEMBER'
  | 'COLLABORATOR'
  | 'CONTRIBUTOR'
  | 'FIRST_TIME_CONTRIBUTOR'
  | 'FIRST_TIMER'
  | 'NONE'
export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'

export interface GitHubUserSpec {
  login: string
  /** 'User' for people, 'Bot' for apps. Default 'User'. */
  type?: 'User' | 'Bot'
  /** The repository permission the collaborator endpoint reports. Default 'none'. */
  permission?: Permission
  /**
   * What issues and comments report as `author_association`. Default: OWNER for the owner,
   * COLLABORATOR with a permission other than none, NONE otherwise. Set it to model GitHub's
   * quirks (a private org member shown as CONTRIBUTOR).
   */
  association?: AuthorAssociation
}

export interface GitHubStandInOptions {
  /** Default 'octo-org'. */
  owner?: string
  /** Default 'privacy-ops'. */
  repo?: string
  /** Default 'private'. */
  visibility?: Visibility
  /** Default '127.0.0.1'. */
  host?: string
  /** Default 0 (ephemeral). */
  port?: number
  /** Epoch ms, for timestamps and the rate-limit window. Default Date.now. */
  now?: () => number
  /** REST requests per token per hour (a GITHUB_TOKEN has 1,000 per repository). Default 1000. */
  rateLimitPerHour?: number
  /** Issues report `comments: 0` whatever they have (GitHub's count lagging behind a write). */
  staleCommentCounts?: boolean
  /** The installation token (GITHUB_TOKEN) cannot write issues (no `issues: write`). */
  readOnlyToken?: boolean
  /** Called once per request after it was answered. */
  onLog?: (entry: GitHubLogEntry) => void
}

export interface GitHubLogEntry {
  method: string
  /** Path and query as sent. */
  path: string
  status: number
  /** Epoch ms by the stand-in's clock. */
  at: number
  /** Which token's identity made the call ('' when none was given). */
  login: string
  /** The JSON body sent, when there was one (first 64 KiB). */
  body?: string
  fault?: string
}

export interface StandInUser {
  login: string
  id: number
  type: 'User' | 'Bot'
}

export interface StandInLabel {
  id: number
  name: string
  color: string
  description: string | null
}

export interface StandInComment {
  id: number
  issueNumber: number
  body: string
  user: StandInUser
  createdAt: number
  updatedAt: number
}

/** A label added to or removed from an issue, by whom and when (GitHub's issue events). */
export interface StandInEvent {
  id: number
  issueNumber: number
  event: 'labeled' | 'unlabeled'
  actor: StandInUser
  label: string
  at: number
}

export interface StandInIssue {
  number: number
  title: string
  body: string | null
  user: StandInUser
  labels: string[]
  state: 'open' | 'closed'
  stateReason: string | null
  createdAt: number
  updatedAt: number
  /** A pull request shows in the issues list too (the ledger must skip it). */
  pullRequest: boolean
  /** Overrides the author's association on this issue. */
  association?: AuthorAssociation
}

export interface FileIssueOptions {
  author: string
  body: string | null
  title?: string
  labels?: string[]
  pullRequest?: boolean
  association?: AuthorAssociation
  /** Epoch ms; default now. */
  at?: number
}

export interface GitHubStandIn {
  /** The API origin, for GITHUB_API_URL (e.g. http://127.0.0.1:PORT). */
  url: string
  owner: string
  repo: string
  /** `owner/repo`, for GITHUB_REPOSITORY. */
  repository: string
  /** The installation token (GITHUB_TOKEN): its identity is `github-actions[bot]`. */
  token: string
  /** Identity behind the installation token. */
  botLogin: string
  /** Every request in arrival order. */
  log: GitHubLogEntry[]
  /** A token acting as a person (a PAT): GET /user answers with that person. */
  addToken(token: string, login: string): void
  addUser(user: GitHubUserSpec): StandInUser
  setVisibility(visibility: Visibility): void
  fileIssue(options: FileIssueOptions): number
  /** A comment by anyone (a person, or a forger); returns its id. */
  addComment(issueNumber: number, author: string, body: string): number
  /** A person's edit (the body and/or the labels; label changes are recorded as `actor`'s events, the author's by default). */
  editIssue(issueNumber: number, change: { body?: string; labels?: string[] }, actor?: string): void
  /** `login` adds `label` to the issue (a `labeled` event by them, as GitHub records it). */
  addIssueLabel(issueNumber: number, login: string, label: string): void
  /** The issue's recorded label events, oldest first. */
  issueEvents(issueNumber: number): StandInEvent[]
  issue(issueNumber: number): StandInIssue
  comments(issueNumber: number): StandInComment[]
  /** The repository's labels (those made by the API or set on an issue). */
  labels(): StandInLabel[]
  /** A label made beforehand, as a person would in the settings. */
  addLabel(name: string, color?: string, description?: string): void
  addFault(rule: FaultRule): void
  clearFaults(): void
  /** Requests that got an injected fault so far (a fault row asserts its fault fired). */
  readonly faultsInjected: number
  /** Fault rules added (and not cleared) that no request has met yet. */
  unfiredFaults(): FaultRule[]
  /** The API without a socket (benchmarks): the same handler behind the Fetch API. */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>
  close(): Promise<void>
}
