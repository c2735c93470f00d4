/**
 * The stand-in's state: one repository, its people, issues, comments and labels, and how GitHub
 * renders them as JSON (the fields the ledger reads, with GitHub's names and second-precision
 * ISO timestamps).
 */
import type {
  AuthorAssociation,
  FileIssueOptions,
  GitHubUserSpec,
  Permission,
  StandInComment,
  StandInEvent,
  StandInIssue,
  StandInLabel,
  StandInUser,
  Visibility
} from './types.js'

/** The identity behind a GITHUB_TOKEN, with its id on github.com. */
export const ACTIONS_BOT: StandInUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }

interface Person {
  user: StandInUser
  permission: Permission
  association?: AuthorAssociation
}

export class RepositoryState {
  visibility: Visibility
  /** Issues report `comments: 0` whatever they have (GitHub's count lagging behind a write). */
  staleCommentCounts = false
  private readonly people = new Map<string, Person>()
  private readonly issues = new Map<number, StandInIssue>()
  private readonly allComments: StandInComment[] = []
  private readonly labels = new Map<string, StandInLabel>()
  private readonly events: StandInEvent[] = []
  private nextEventId = 30_000_001
  private nextUserId = 1001
  private nextNumber = 1
  private nextCommentId = 900001
  private nextLabelId = 5001

  constructor(
    readonly owner: string,
    readonly repo: string,
    visibility: Visibility,
    readonly now: () => number
  ) {
    this.visibility = visibility
    this.people.set(ACTIONS_BOT.login, { user: ACTIONS_BOT, permission: 'write' })
    this.addUser({ login: owner, permission: 'admin', association: 'OWNER' })
  }

  addUser(spec: GitHubUserSpec): StandInUser {
    const existing = this.people.get(spec.login)
    const user = existing?.user ?? {
      login: spec.login,
      id: this.nextUserId++,
      type: spec.type ?? 'User'
    }
    this.people.set(spec.login, {
      user,
      permission: spec.permission ?? existing?.permission ?? 'none',
      association: spec.association ?? existing?.association
    })
    return user
  }

  user(login: string): StandInUser | undefined {
    return this.people.get(login)?.user
  }

  permission(login: string): Permission | undefined {
    return this.people.get(login)?.permission
  }

  association(login: string): AuthorAssociation {
    const person = this.people.get(login)
    if (!person) return 'NONE'
    if (person.association) return person.association
    if (login === this.owner) return 'OWNER'
    return person.permission !== 'none' ? 'COLLABORATOR' : 'NONE'
  }

  fileIssue(options: FileIssueOptions): StandInIssue {
    const user = this.user(options.author) ?? this.addUser({ login: options.author })
    const at = options.at ?? this.now()
    const issue: StandInIssue = {
      number: this.nextNumber++,
      title: options.title ?? 'Data subject access request',
      body: options.body,
      user,
      labels: [],
      state: 'open',
      stateReason: null,
      createdAt: at,
      updatedAt: at,
      pullRequest: options.pullRequest ?? false,
      association: options.association
    }
    this.issues.set(issue.number, issue)
    this.setLabels(issue, options.labels ?? [], user)
    return issue
  }

  issue(number: number): StandInIssue | undefined {
    return this.issues.get(number)
  }

  openIssues(): StandInIssue[] {
    return [...this.issues.values()].filter(issue => issue.state === 'open')
  }

  allIssues(): StandInIssue[] {
    return [...this.issues.values()]
  }

  /** Sets the issue's labels; `actor` (when known) is recorded in a labeled/unlabeled event per change. */
  setLabels(issue: StandInIssue, names: string[], actor?: StandInUser): void {
    for (const name of names) this.label(name)
    const next = [...new Set(names)]
    if (actor) {
      const at = this.now()
      const record = (event: 'labeled' | 'unlabeled', label: string): void => {
        this.events.push({
          id: this.nextEventId++,
          issueNumber: issue.number,
          event,
          actor,
          label,
          at
        })
      }
      for (const name of issue.labels) if (!next.includes(name)) record('unlabeled', name)
      for (const name of next) if (!issue.labels.includes(name)) record('labeled', name)
    }
    issue.labels = next
    issue.updatedAt = this.now()
  }

  /** The issue's events, oldest first (only label events are recorded). */
  issueEvents(issueNumber: number): StandInEvent[] {
    return this.events.filter(event => event.issueNumber === issueNumber)
  }

  addComment(issue: StandInIssue, user: StandInUser, body: string): StandInComment {
    const at = this.now()
    const comment: StandInComment = {
      id: this.nextCommentId++,
      issueNumber: issue.number,
      body,
      user,
      createdAt: at,
      updatedAt: at
    }
    this.allComments.push(comment)
    issue.updatedAt = at
    return comment
  }

  comment(id: number): StandInComment | undefined {
    return this.allComments.find(comment => comment.id === id)
  }

  deleteComment(id: number): void {
    const index = this.allComments.findIndex(comment => comment.id === id)
    if (index >= 0) this.allComments.splice(index, 1)
  }

  /** In id order, like GitHub's default. */
  comments(filter: (comment: StandInComment) => boolean = () => true): StandInComment[] {
    return this.allComments.filter(filter)
  }

  commentCount(issue: StandInIssue): number {
    return this.allComments.filter(comment => comment.issueNumber === issue.number).length
  }

  /** GitHub creates a label set on an issue that does not exist yet (grey, no description). */
  private label(name: string): StandInLabel {
    let label = this.labels.get(name)
    if (!label) {
      label = { id: this.nextLabelId++, name, color: 'ededed', description: null }
      this.labels.set(name, label)
    }
    return label
  }

  /** A label made through POST /labels; undefined when one of that name (any case) exists. */
  createLabel(name: string, color: string, description: string | null): StandInLabel | undefined {
    if ([...this.labels.keys()].some(existing => existing.toLowerCase() === name.toLowerCase())) {
      return undefined
    }
    const label = { id: this.nextLabelId++, name, color, description }
    this.labels.set(name, label)
    return label
  }

  allLabels(): StandInLabel[] {
    return [...this.labels.values()]
  }

  // -------------------------------------------------------------------------------------------
  // JSON as GitHub renders it
  // -------------------------------------------------------------------------------------------

  repositoryJson(base: string): Record<string, unknown> {
    return {
      id: 123456,
      name: this.repo,
      full_name: `${this.owner}/${this.repo}`,
      owner: this.userJson(this.user(this.owner)!, base),
      private: this.visibility !== 'public',
      visibility: this.visibility,
      html_url: `${htmlOrigin(base)}/${this.owner}/${this.repo}`,
      url: `${base}/repos/${this.owner}/${this.repo}`,
      has_issues: true
    }
  }

  userJson(user: StandInUser, base: string): Record<string, unknown> {
    return {
      login: user.login,
      id: user.id,
      type: user.type,
      url: `${base}/users/${encodeURIComponent(user.login)}`,
      site_admin: false
    }
  }

  issueJson(issue: StandInIssue, base: string): Record<string, unknown> {
    const repoUrl = `${base}/repos/${this.owner}/${this.repo}`
    return {
      id: 7_000_000 + issue.number,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      user: this.userJson(issue.user, base),
      labels: issue.labels.map(name => ({ ...this.label(name) })),
      state: issue.state,
      state_reason: issue.stateReason,
      comments: this.staleCommentCounts ? 0 : this.commentCount(issue),
      created_at: iso(issue.createdAt),
      updated_at: iso(issue.updatedAt),
      author_association: issue.association ?? this.association(issue.user.login),
      url: `${repoUrl}/issues/${issue.number}`,
      html_url: `${htmlOrigin(base)}/${this.owner}/${this.repo}/${issue.pullRequest ? 'pull' : 'issues'}/${issue.number}`,
      ...(issue.pullRequest && { pull_request: { url: `${repoUrl}/pulls/${issue.number}` } })
    }
  }

  /** An issue event as GitHub renders it (GET /repos/{owner}/{repo}/issues/{n}/events). */
  eventJson(event: StandInEvent, base: string): Record<string, unknown> {
    const label = this.labels.get(event.label)
    return {
      id: event.id,
      node_id: `LE_${event.id}`,
      url: `${base}/repos/${this.owner}/${this.repo}/issues/events/${event.id}`,
      actor: this.userJson(event.actor, base),
      event: event.event,
      commit_id: null,
      commit_url: null,
      created_at: iso(event.at),
      performed_via_github_app: null,
      label: { name: event.label, color: label?.color ?? 'ededed' }
    }
  }

  commentJson(comment: StandInComment, base: string): Record<string, unknown> {
    const repoUrl = `${base}/repos/${this.owner}/${this.repo}`
    return {
      id: comment.id,
      body: comment.body,
      user: this.userJson(comment.user, base),
      created_at: iso(comment.createdAt),
      updated_at: iso(comment.updatedAt),
      author_association: this.association(comment.user.login),
      issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
      url: `${repoUrl}/issues/comments/${comment.id}`,
      html_url: `${htmlOrigin(base)}/${this.owner}/${this.repo}/issues/${comment.issueNumber}#issuecomment-${comment.id}`
    }
  }
}

/** GitHub's timestamps have whole seconds. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z')
}

/** The web origin next to an API origin: api.github.com -> github.com; a stand-in keeps its own. */
function htmlOrigin(base: string): string {
  return base.replace('://api.', '://')
}
