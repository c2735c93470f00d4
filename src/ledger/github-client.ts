/**
 * The ledger's GitHub client: the repository, the token's identity, issues and their comments,
 * labels and closing, through the retrying, throttled, counting Octokit of github-octokit.ts.
 * Answers are checked for shape (github-shapes.ts) before the ledger decides anything on them:
 * an issue or comment that does not look like one is dropped and counted, never guessed at.
 */
import {
  createOctokit,
  GitHubError,
  type GitHubCalls,
  type LedgerOctokit,
  type OctokitOptions
} from './github-octokit.js'
import {
  commentFacts,
  issueFacts,
  labelEventFacts,
  type CommentFacts,
  type IssueFacts,
  type LabelEventFacts
} from './github-shapes.js'

// Re-exported for LedgerDependencies (src/ledger/sweep.ts), which names the access options of a sweep.
export type { GitHubAccess } from './github-octokit.js'

export interface GitHubClientOptions extends OctokitOptions {
  owner: string
  repo: string
}

export interface RepositoryFacts {
  fullName: string
  visibility: 'private' | 'public' | 'internal'
}

export interface Identity {
  login: string
  type: string
}

/** The login a GITHUB_TOKEN writes as (GET /user is not allowed for it). */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]'
const PAGE = 100
/** The most pages one list may take (10,000 items): a `rel="next"` chain that never ends is cut. */
export const MAX_PAGES = 100

export class GitHubClient {
  readonly calls: GitHubCalls = { reads: 0, writes: 0, failedAttempts: 0, malformed: 0 }
  private readonly octokit: LedgerOctokit
  private readonly owner: string
  private readonly repo: string

  constructor(options: GitHubClientOptions) {
    this.owner = options.owner
    this.repo = options.repo
    this.octokit = createOctokit(options, this.calls)
  }

  async repository(): Promise<RepositoryFacts> {
    const { data } = await this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo })
    const record = data as unknown as Record<string, unknown>
    const visibility = record.visibility
    const known =
      visibility === 'private' || visibility === 'public' || visibility === 'internal'
        ? visibility
        : record.private === true
          ? 'private'
          : 'public' // unknown shape: treated as the unsafe case
    return { fullName: `${this.owner}/${this.repo}`, visibility: known }
  }

  /**
   * Whose comments the ledger trusts: the token's own identity. A GITHUB_TOKEN may not read
   * GET /user (403): it writes as github-actions[bot], which the caller checks on its first write.
   */
  async identity(): Promise<Identity> {
    try {
      const { data } = await this.octokit.rest.users.getAuthenticated()
      const login = (data as { login?: unknown }).login
      const type = (data as { type?: unknown }).type
      if (typeof login !== 'string' || typeof type !== 'string') {
        throw new GitHubError(200, 'GitHub answered GET /user without a login')
      }
      return { login, type }
    } catch (error) {
      // Only this refusal means an installation token; a 403 for a rate limit means nothing of the kind.
      if (
        error instanceof GitHubError &&
        error.status === 403 &&
        /Resource not accessible by integration/.test(error.message)
      ) {
        return { login: ACTIONS_BOT_LOGIN, type: 'Bot' }
      }
      throw error
    }
  }

  /** Open issues carrying `label` (updated at or after `since`, ISO, when given), oldest first, pull requests left out. */
  async openIssues(label: string, since?: string): Promise<IssueFacts[]> {
    const items = await this.pages(this.octokit.rest.issues.listForRepo, {
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      labels: label,
      sort: 'created',
      direction: 'asc',
      per_page: PAGE,
      ...(since && { since })
    })
    const issues: IssueFacts[] = []
    for (const item of items) {
      const issue = issueFacts(item)
      if (issue === null) continue // a pull request
      if (issue) issues.push(issue)
      else this.calls.malformed++
    }
    return issues
  }

  /** Comments of the repository updated at or after `since` (ISO), oldest first. */
  async commentsSince(since: string): Promise<CommentFacts[]> {
    const items = await this.pages(this.octokit.rest.issues.listCommentsForRepo, {
      owner: this.owner,
      repo: this.repo,
      since,
      per_page: PAGE
    })
    return this.commentList(items)
  }

  async issueComments(issueNumber: number): Promise<CommentFacts[]> {
    const items = await this.pages(this.octokit.rest.issues.listComments, {
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      per_page: PAGE
    })
    return this.commentList(items)
  }

  /** The author's permission on the repository ('none' when GitHub does not know them). */
  async permission(login: string): Promise<string> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
        owner: this.owner,
        repo: this.repo,
        username: login
      })
      const permission = (data as { permission?: unknown }).permission
      return typeof permission === 'string' ? permission : 'none'
    } catch (error) {
      if (error instanceof GitHubError && error.status === 404) return 'none'
      throw error
    }
  }

  /**
   * The issue's label events (who added or removed which label, when), oldest first: how the
   * ledger learns who approved an erasure (labels on the issue do not say who set them).
   */
  async labelEvents(issueNumber: number): Promise<LabelEventFacts[]> {
    const items = await this.pages(this.octokit.rest.issues.listEvents, {
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      per_page: PAGE
    })
    const events: LabelEventFacts[] = []
    for (const item of items) {
      const event = labelEventFacts(item)
      if (event === null) continue
      if (event) events.push(event)
      else this.calls.malformed++
    }
    return events
  }

  /** Takes one label off the issue (a person's label the ledger answered, e.g. an approval that does not count). */
  async removeLabel(issueNumber: number, name: string): Promise<void> {
    try {
      await this.octokit.rest.issues.removeLabel({
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        name
      })
    } catch (error) {
      if (!(error instanceof GitHubError && error.status === 404)) throw error
    }
  }

  async createComment(issueNumber: number, body: string): Promise<CommentFacts> {
    const { data } = await this.octokit.rest.issues.createComment({
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      body
    })
    const comment = commentFacts(data)
    if (!comment)
      throw new GitHubError(
        201,
        `GitHub answered the new comment on #${issueNumber} without its id`
      )
    return comment
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.octokit.rest.issues.updateComment({
      owner: this.owner,
      repo: this.repo,
      comment_id: commentId,
      body
    })
  }

  async deleteComment(commentId: number): Promise<void> {
    await this.octokit.rest.issues.deleteComment({
      owner: this.owner,
      repo: this.repo,
      comment_id: commentId
    })
  }

  /** Replaces the issue's labels; closes it too when asked (one call). */
  async setLabels(issueNumber: number, labels: string[], close = false): Promise<void> {
    if (close) {
      await this.octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        labels,
        state: 'closed',
        state_reason: 'completed'
      })
      return
    }
    await this.octokit.rest.issues.setLabels({
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      labels
    })
  }

  /** Every page of a list, at most MAX_PAGES of them. */
  private async pages<R extends Parameters<LedgerOctokit['paginate']['iterator']>[0]>(
    route: R,
    params: Record<string, unknown>
  ): Promise<unknown[]> {
    const items: unknown[] = []
    let pages = 0
    for await (const page of this.octokit.paginate.iterator(route as never, params as never)) {
      if (++pages > MAX_PAGES) {
        throw new GitHubError(
          undefined,
          `GitHub kept answering with a next page after ${MAX_PAGES} pages of ${String(page.url).split('?')[0]}: ` +
            'stopped reading (a list this long is not a ledger this action can sweep)'
        )
      }
      items.push(...(page.data as unknown[]))
    }
    return items
  }

  /** The repository's labels (names, at most MAX_PAGES pages). */
  async labels(): Promise<string[]> {
    const items = await this.pages(this.octokit.rest.issues.listLabelsForRepo, {
      owner: this.owner,
      repo: this.repo,
      per_page: PAGE
    })
    return items
      .map(item => (item as { name?: unknown }).name)
      .filter((name): name is string => typeof name === 'string')
  }

  async createLabel(name: string, color: string, description: string): Promise<void> {
    await this.octokit.rest.issues.createLabel({
      owner: this.owner,
      repo: this.repo,
      name,
      color,
      description
    })
  }

  private commentList(items: unknown[]): CommentFacts[] {
    const comments: CommentFacts[] = []
    for (const item of items) {
      const comment = commentFacts(item)
      if (comment) comments.push(comment)
      else this.calls.malformed++
    }
    return comments
  }
}
