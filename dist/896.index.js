export const id = 896;
export const ids = [896];
export const modules = {

/***/ 73896:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  sweepLedger: () => (/* binding */ sweepLedger)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./src/action/api-session.ts
var api_session = __webpack_require__(81779);
// EXTERNAL MODULE: ./src/action/output-helper.ts
var output_helper = __webpack_require__(80686);
// EXTERNAL MODULE: ./src/action/semaphore.ts
var semaphore = __webpack_require__(54396);
// EXTERNAL MODULE: ./src/action/summary-facts.ts
var summary_facts = __webpack_require__(79640);
// EXTERNAL MODULE: ./src/action/workflow-helper.ts
var workflow_helper = __webpack_require__(52234);
// EXTERNAL MODULE: ./src/action/log.ts
var log = __webpack_require__(58592);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/utils.js + 19 modules
var utils = __webpack_require__(85555);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(49735);
// EXTERNAL MODULE: ./node_modules/bottleneck/light.js
var light = __webpack_require__(63251);
;// CONCATENATED MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
// pkg/dist-src/index.js


// pkg/dist-src/version.js
var VERSION = "0.0.0-development";

// pkg/dist-src/wrap-request.js
var noop = () => Promise.resolve();
function wrapRequest(state, request, options) {
  return state.retryLimiter.schedule(doRequest, state, request, options);
}
async function doRequest(state, request, options) {
  const { pathname } = new URL(options.url, "http://github.test");
  const isAuth = isAuthRequest(options.method, pathname);
  const isWrite = !isAuth && options.method !== "GET" && options.method !== "HEAD";
  const isSearch = options.method === "GET" && pathname.startsWith("/search/");
  const isGraphQL = pathname.startsWith("/graphql");
  const retryCount = ~~request.retryCount;
  const jobOptions = retryCount > 0 ? { priority: 0, weight: 0 } : {};
  if (state.clustering) {
    jobOptions.expiration = 1e3 * 60;
  }
  if (isWrite || isGraphQL) {
    await state.write.key(state.id).schedule(jobOptions, noop);
  }
  if (isWrite && state.triggersNotification(pathname)) {
    await state.notifications.key(state.id).schedule(jobOptions, noop);
  }
  if (isSearch) {
    await state.search.key(state.id).schedule(jobOptions, noop);
  }
  const req = (isAuth ? state.auth : state.global).key(state.id).schedule(jobOptions, request, options);
  if (isGraphQL) {
    const res = await req;
    if (res.data.errors != null && res.data.errors.some((error) => error.type === "RATE_LIMITED")) {
      const error = Object.assign(new Error("GraphQL Rate Limit Exceeded"), {
        response: res,
        data: res.data
      });
      throw error;
    }
  }
  return req;
}
function isAuthRequest(method, pathname) {
  return method === "PATCH" && // https://docs.github.com/en/rest/apps/apps?apiVersion=2022-11-28#create-a-scoped-access-token
  /^\/applications\/[^/]+\/token\/scoped$/.test(pathname) || method === "POST" && // https://docs.github.com/en/rest/apps/oauth-applications?apiVersion=2022-11-28#reset-a-token
  (/^\/applications\/[^/]+\/token$/.test(pathname) || // https://docs.github.com/en/rest/apps/apps?apiVersion=2022-11-28#create-an-installation-access-token-for-an-app
  /^\/app\/installations\/[^/]+\/access_tokens$/.test(pathname) || // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
  pathname === "/login/oauth/access_token");
}

// pkg/dist-src/generated/triggers-notification-paths.js
var triggers_notification_paths_default = [
  "/orgs/{org}/invitations",
  "/orgs/{org}/invitations/{invitation_id}",
  "/orgs/{org}/teams/{team_slug}/discussions",
  "/orgs/{org}/teams/{team_slug}/discussions/{discussion_number}/comments",
  "/repos/{owner}/{repo}/collaborators/{username}",
  "/repos/{owner}/{repo}/commits/{commit_sha}/comments",
  "/repos/{owner}/{repo}/issues",
  "/repos/{owner}/{repo}/issues/{issue_number}/comments",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue",
  "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues/priority",
  "/repos/{owner}/{repo}/pulls",
  "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
  "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
  "/repos/{owner}/{repo}/pulls/{pull_number}/merge",
  "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
  "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "/repos/{owner}/{repo}/releases",
  "/teams/{team_id}/discussions",
  "/teams/{team_id}/discussions/{discussion_number}/comments"
];

// pkg/dist-src/route-matcher.js
function routeMatcher(paths) {
  const regexes = paths.map(
    (path) => path.split("/").map((c) => c.startsWith("{") ? "(?:.+?)" : c).join("/")
  );
  const regex2 = `^(?:${regexes.map((r) => `(?:${r})`).join("|")})[^/]*$`;
  return new RegExp(regex2, "i");
}

// pkg/dist-src/index.js
var regex = routeMatcher(triggers_notification_paths_default);
var triggersNotification = regex.test.bind(regex);
var groups = {};
var createGroups = function(Bottleneck, common) {
  groups.global = new Bottleneck.Group({
    id: "octokit-global",
    maxConcurrent: 10,
    ...common
  });
  groups.auth = new Bottleneck.Group({
    id: "octokit-auth",
    maxConcurrent: 1,
    ...common
  });
  groups.search = new Bottleneck.Group({
    id: "octokit-search",
    maxConcurrent: 1,
    minTime: 2e3,
    ...common
  });
  groups.write = new Bottleneck.Group({
    id: "octokit-write",
    maxConcurrent: 1,
    minTime: 1e3,
    ...common
  });
  groups.notifications = new Bottleneck.Group({
    id: "octokit-notifications",
    maxConcurrent: 1,
    minTime: 3e3,
    ...common
  });
};
function throttling(octokit, octokitOptions) {
  const {
    enabled = true,
    Bottleneck = light,
    id = "no-id",
    timeout = 1e3 * 60 * 2,
    // Redis TTL: 2 minutes
    connection
  } = octokitOptions.throttle || {};
  if (!enabled) {
    return {};
  }
  const common = { timeout };
  if (typeof connection !== "undefined") {
    common.connection = connection;
  }
  const state = Object.assign(
    {
      clustering: connection != null,
      triggersNotification,
      fallbackSecondaryRateRetryAfter: 60,
      retryAfterBaseValue: 1e3,
      id
    },
    octokitOptions.throttle
  );
  if (typeof state.onSecondaryRateLimit !== "function" || typeof state.onRateLimit !== "function") {
    throw new Error(`octokit/plugin-throttling error:
        You must pass the onSecondaryRateLimit and onRateLimit error handlers.
        See https://octokit.github.io/rest.js/#throttling

        const octokit = new Octokit({
          throttle: {
            onSecondaryRateLimit: (retryAfter, options) => {/* ... */},
            onRateLimit: (retryAfter, options) => {/* ... */}
          }
        })
    `);
  }
  let initialized = false;
  const initializeBottleneck = () => {
    if (initialized) {
      return;
    }
    initialized = true;
    if (groups.global == null) {
      createGroups(Bottleneck, common);
    }
    state.global = state.global ?? groups.global;
    state.auth = state.auth ?? groups.auth;
    state.search = state.search ?? groups.search;
    state.write = state.write ?? groups.write;
    state.notifications = state.notifications ?? groups.notifications;
    state.retryLimiter = state.retryLimiter ?? new Bottleneck();
    const events = {};
    const emitter = new Bottleneck.Events(events);
    events.on("secondary-limit", state.onSecondaryRateLimit);
    events.on("rate-limit", state.onRateLimit);
    events.on(
      "error",
      (e) => octokit.log.warn("Error in throttling-plugin limit handler", e)
    );
    state.retryLimiter.on("failed", async function(error, info) {
      const [state2, request, options] = info.args;
      const { pathname } = new URL(options.url, "http://github.test");
      const shouldRetryGraphQL = pathname.startsWith("/graphql") && error.status !== 401;
      if (!(shouldRetryGraphQL || error.status === 403 || error.status === 429)) {
        return;
      }
      const retryCount = ~~request.retryCount;
      request.retryCount = retryCount;
      options.request.retryCount = retryCount;
      const { wantRetry, retryAfter = 0 } = await (async function() {
        if (/\bsecondary rate\b/i.test(error.message)) {
          const retryAfter2 = Number(error.response.headers["retry-after"]) || state2.fallbackSecondaryRateRetryAfter;
          const wantRetry2 = await emitter.trigger(
            "secondary-limit",
            retryAfter2,
            options,
            octokit,
            retryCount
          );
          return { wantRetry: wantRetry2, retryAfter: retryAfter2 };
        }
        if (error.response.headers != null && error.response.headers["x-ratelimit-remaining"] === "0" || (error.response.data?.errors ?? []).some(
          (error2) => error2.type === "RATE_LIMITED"
        )) {
          const rateLimitReset = new Date(
            ~~error.response.headers["x-ratelimit-reset"] * 1e3
          ).getTime();
          const retryAfter2 = Math.max(
            // Add one second so we retry _after_ the reset time
            // https://docs.github.com/en/rest/overview/resources-in-the-rest-api?apiVersion=2022-11-28#exceeding-the-rate-limit
            Math.ceil((rateLimitReset - Date.now()) / 1e3) + 1,
            0
          );
          const wantRetry2 = await emitter.trigger(
            "rate-limit",
            retryAfter2,
            options,
            octokit,
            retryCount
          );
          return { wantRetry: wantRetry2, retryAfter: retryAfter2 };
        }
        return {};
      })();
      if (wantRetry) {
        request.retryCount++;
        return retryAfter * state2.retryAfterBaseValue;
      }
    });
  };
  octokit.hook.wrap("request", (request, options) => {
    initializeBottleneck();
    return wrapRequest(state, request, options);
  });
  return {};
}
throttling.VERSION = VERSION;
throttling.triggersNotification = triggersNotification;


// EXTERNAL MODULE: ./src/action/linear-text.ts
var linear_text = __webpack_require__(28681);
// EXTERNAL MODULE: ./src/policy/loopback.ts
var loopback = __webpack_require__(9417);
;// CONCATENATED MODULE: ./src/ledger/github-octokit.ts
/**
 * The Octokit the ledger talks through: @actions/github's Octokit with @octokit/plugin-retry (5xx,
 * with growing waits) and @octokit/plugin-throttling (secondary rate limits and the primary limit,
 * by `retry-after` / `x-ratelimit-reset`, and GitHub's spacing of writes), pointed at
 * GITHUB_API_URL. Every HTTP attempt is counted (reads, writes, retries) and the last
 * `x-ratelimit-remaining` kept, for the job summary and the budget: a GITHUB_TOKEN allows 1,000
 * requests per hour per repository. A failed call becomes one GitHubError line naming the status.
 */






/** The GitHub call failed (after the plugins' retries): one line, status named. */
class GitHubError extends Error {
    status;
    constructor(status, message) {
        super(message);
        this.status = status;
        this.name = 'GitHubError';
    }
}
/** 5xx are retried; 429 is left to the throttling plugin, which honours its retry-after. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
const RETRIES = 3;
const RATE_LIMIT_RETRIES = 3;
/** Checks GITHUB_API_URL the way api-url is checked: https, or http for loopback only. */
function githubApiOrigin(text) {
    const value = text && text !== '' ? text : 'https://api.github.com';
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new Error('GITHUB_API_URL is not an absolute URL');
    }
    if (url.username !== '' || url.password !== '') {
        throw new Error('GITHUB_API_URL must not contain credentials');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (0,loopback/* isLoopbackHost */.c)(url.hostname))) {
        throw new Error(`GITHUB_API_URL must use https (${loopback/* LOOPBACK_RULE */.x})`);
    }
    // GitHub Enterprise Server serves the API under /api/v3: keep the path.
    return (0,linear_text/* withoutTrailing */.h)(url.href, '/');
}
/** The Octokit for `options`, counting every attempt into `calls`. */
function createOctokit(options, calls) {
    // Listed first, so it sits inside the retry and throttling plugins and sees every attempt.
    const counting = octokit => {
        octokit.hook.wrap('request', async (request, o) => {
            // A call queued behind GitHub's write spacing when the deadline came is never sent. The
            // error has no `request`, so the retry plugin lets it through.
            if (signal?.aborted)
                throw new CutError(String(o.method), String(o.url));
            if (signal)
                o.request = { ...o.request, signal };
            if (o.method === 'GET' || o.method === 'HEAD')
                calls.reads++;
            else
                calls.writes++;
            try {
                const answer = await request(o);
                noteBudget(calls, answer.headers);
                return answer;
            }
            catch (error) {
                calls.failedAttempts++;
                noteBudget(calls, error.response?.headers);
                throw error;
            }
        });
    };
    const signal = options.signal;
    const waitUnit = options.waitUnitMs ?? 1000;
    const realTime = options.realTimeWaits ?? true;
    const onLimit = (kind) => (retryAfter, o, _k, count) => {
        const what = `${o.method} ${o.url}`;
        // Judged on the time GitHub asks for (the unit only scales the wait itself, in tests).
        if (count >= RATE_LIMIT_RETRIES || retryAfter * 1000 > options.maxRateLimitWaitMs) {
            options.log(`GitHub ${kind} on ${what}: not waiting ${retryAfter}s (too long)`);
            return false;
        }
        options.log(`GitHub ${kind} on ${what}: waiting ${retryAfter}s as GitHub asks`);
        return true;
    };
    const fetchImpl = options.fetch ?? utils/* defaults */.NT.request?.fetch;
    const octokit = (0,github/* getOctokit */.Q)(options.token, {
        baseUrl: options.apiUrl,
        request: fetchImpl ? { fetch: fetchImpl } : {},
        retry: {
            enabled: realTime,
            doNotRetry: DO_NOT_RETRY,
            retries: RETRIES,
            retryAfterBaseValue: waitUnit
        },
        throttle: {
            enabled: realTime,
            retryAfterBaseValue: waitUnit,
            onRateLimit: onLimit('rate limit'),
            onSecondaryRateLimit: onLimit('secondary rate limit')
        }
    }, counting, dist_bundle/* retry */.L, throttling);
    octokit.hook.error('request', (error, o) => {
        const failure = error;
        if (error instanceof CutError || (signal?.aborted && !failure.response)) {
            throw new GitHubError(undefined, `${o.method} ${o.url} to GitHub ${cutReason(signal)}`);
        }
        // No HTTP answer at all: Octokit calls that a 500; say what it was.
        if (!failure.response) {
            const why = /ECONNREFUSED/.test(`${failure.message} ${causeCode(failure)}`)
                ? 'connection refused'
                : firstLine(failure.message);
            throw new GitHubError(undefined, `cannot reach GitHub at ${options.apiUrl}: ${why}`);
        }
        throw new GitHubError(failure.status, `GitHub answered ${failure.status ? `HTTP ${failure.status}` : `no answer (${firstLine(failure.message)})`} to ${o.method} ${o.url}` +
            (failure.status && failure.status < 500 ? `: ${firstLine(failure.message)}` : ''));
    });
    return octokit;
}
/** A call not sent because the run's deadline (or a cancellation) came first. */
class CutError extends Error {
    constructor(method, url) {
        super(`${method} ${url} not sent: the run is stopping`);
        this.name = 'CutError';
    }
}
function cutReason(signal) {
    const reason = signal?.reason;
    return `cut: ${reason?.message ?? 'the run is stopping'}`;
}
function causeCode(error) {
    const cause = error.cause;
    return String(cause?.code ?? cause?.cause?.code ?? '');
}
/** Keeps what GitHub last said of the hour's budget (src/ledger/github-budget.ts decides on it). */
function noteBudget(calls, headers) {
    const remaining = countOf(headers?.['x-ratelimit-remaining']);
    if (remaining === undefined)
        return;
    calls.remaining = remaining;
    const limit = countOf(headers?.['x-ratelimit-limit']);
    if (limit !== undefined)
        calls.limit = limit;
    const reset = countOf(headers?.['x-ratelimit-reset']);
    // Epoch seconds; one later than any date a Date can hold is not a time at all.
    calls.resetAt = reset === undefined || reset > LAST_DATE_SECONDS ? undefined : reset * 1000;
}
/** The last second a JavaScript Date can hold (8.64e15 ms after the epoch). */
const LAST_DATE_SECONDS = 8.64e12;
/** A header that should hold a whole number >= 0 (GitHub's, but checked: it is untrusted). */
function countOf(value) {
    const number = Number(value);
    return value !== undefined && value !== '' && Number.isSafeInteger(number) && number >= 0
        ? number
        : undefined;
}
function firstLine(text) {
    return text.split('\n')[0].slice(0, 200);
}

;// CONCATENATED MODULE: ./src/ledger/github-shapes.ts
/**
 * The shapes the ledger accepts from GitHub. Everything GitHub answers is checked before the
 * ledger decides anything on it: an issue or comment that does not look like one is dropped
 * (and counted by the caller), never guessed at.
 */
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const isCount = (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isTime = (value) => typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value));
/** An issue's facts; null for a pull request; undefined when the shape is wrong. */
function issueFacts(value) {
    if (!isObject(value))
        return undefined;
    if (value.pull_request !== undefined && value.pull_request !== null)
        return null;
    const user = value.user;
    const labels = value.labels;
    if (!isCount(value.number) ||
        value.number === 0 ||
        !(typeof value.body === 'string' || value.body === null || value.body === undefined) ||
        !isObject(user) ||
        typeof user.login !== 'string' ||
        typeof user.type !== 'string' ||
        typeof value.author_association !== 'string' ||
        !isTime(value.created_at) ||
        !Array.isArray(labels) ||
        typeof value.html_url !== 'string') {
        return undefined;
    }
    const names = labels.map(label => typeof label === 'string' ? label : isObject(label) ? label.name : undefined);
    if (!names.every((name) => typeof name === 'string'))
        return undefined;
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
    };
}
function commentFacts(value) {
    if (!isObject(value))
        return undefined;
    const user = value.user;
    const issueUrl = value.issue_url;
    const match = typeof issueUrl === 'string' ? /\/issues\/(\d{1,12})$/.exec(issueUrl) : null;
    if (!isCount(value.id) ||
        typeof value.body !== 'string' ||
        !isObject(user) ||
        typeof user.login !== 'string' ||
        typeof user.type !== 'string' ||
        !isTime(value.updated_at) ||
        !match) {
        return undefined;
    }
    return {
        id: value.id,
        issueNumber: Number(match[1]),
        body: value.body,
        author: user.login,
        authorType: user.type,
        updatedAt: value.updated_at
    };
}

;// CONCATENATED MODULE: ./src/ledger/github-client.ts
/**
 * The ledger's GitHub client: the repository, the token's identity, issues and their comments,
 * labels and closing, through the retrying, throttled, counting Octokit of github-octokit.ts.
 * Answers are checked for shape (github-shapes.ts) before the ledger decides anything on them:
 * an issue or comment that does not look like one is dropped and counted, never guessed at.
 */


/** The login a GITHUB_TOKEN writes as (GET /user is not allowed for it). */
const ACTIONS_BOT_LOGIN = 'github-actions[bot]';
const PAGE = 100;
/** The most pages one list may take (10,000 items): a `rel="next"` chain that never ends is cut. */
const MAX_PAGES = 100;
class GitHubClient {
    calls = { reads: 0, writes: 0, failedAttempts: 0, malformed: 0 };
    octokit;
    owner;
    repo;
    constructor(options) {
        this.owner = options.owner;
        this.repo = options.repo;
        this.octokit = createOctokit(options, this.calls);
    }
    async repository() {
        const { data } = await this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo });
        const record = data;
        const visibility = record.visibility;
        const known = visibility === 'private' || visibility === 'public' || visibility === 'internal'
            ? visibility
            : record.private === true
                ? 'private'
                : 'public'; // unknown shape: treated as the unsafe case
        return { fullName: `${this.owner}/${this.repo}`, visibility: known };
    }
    /**
     * Whose comments the ledger trusts: the token's own identity. A GITHUB_TOKEN may not read
     * GET /user (403): it writes as github-actions[bot], which the caller checks on its first write.
     */
    async identity() {
        try {
            const { data } = await this.octokit.rest.users.getAuthenticated();
            const login = data.login;
            const type = data.type;
            if (typeof login !== 'string' || typeof type !== 'string') {
                throw new GitHubError(200, 'GitHub answered GET /user without a login');
            }
            return { login, type };
        }
        catch (error) {
            // Only this refusal means an installation token; a 403 for a rate limit means nothing of the kind.
            if (error instanceof GitHubError &&
                error.status === 403 &&
                /Resource not accessible by integration/.test(error.message)) {
                return { login: ACTIONS_BOT_LOGIN, type: 'Bot' };
            }
            throw error;
        }
    }
    /** Open issues carrying `label` (updated at or after `since`, ISO, when given), oldest first, pull requests left out. */
    async openIssues(label, since) {
        const items = await this.pages(this.octokit.rest.issues.listForRepo, {
            owner: this.owner,
            repo: this.repo,
            state: 'open',
            labels: label,
            sort: 'created',
            direction: 'asc',
            per_page: PAGE,
            ...(since && { since })
        });
        const issues = [];
        for (const item of items) {
            const issue = issueFacts(item);
            if (issue === null)
                continue; // a pull request
            if (issue)
                issues.push(issue);
            else
                this.calls.malformed++;
        }
        return issues;
    }
    /** Comments of the repository updated at or after `since` (ISO), oldest first. */
    async commentsSince(since) {
        const items = await this.pages(this.octokit.rest.issues.listCommentsForRepo, {
            owner: this.owner,
            repo: this.repo,
            since,
            per_page: PAGE
        });
        return this.commentList(items);
    }
    async issueComments(issueNumber) {
        const items = await this.pages(this.octokit.rest.issues.listComments, {
            owner: this.owner,
            repo: this.repo,
            issue_number: issueNumber,
            per_page: PAGE
        });
        return this.commentList(items);
    }
    /** The author's permission on the repository ('none' when GitHub does not know them). */
    async permission(login) {
        try {
            const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
                owner: this.owner,
                repo: this.repo,
                username: login
            });
            const permission = data.permission;
            return typeof permission === 'string' ? permission : 'none';
        }
        catch (error) {
            if (error instanceof GitHubError && error.status === 404)
                return 'none';
            throw error;
        }
    }
    async createComment(issueNumber, body) {
        const { data } = await this.octokit.rest.issues.createComment({
            owner: this.owner,
            repo: this.repo,
            issue_number: issueNumber,
            body
        });
        const comment = commentFacts(data);
        if (!comment)
            throw new GitHubError(201, `GitHub answered the new comment on #${issueNumber} without its id`);
        return comment;
    }
    async updateComment(commentId, body) {
        await this.octokit.rest.issues.updateComment({
            owner: this.owner,
            repo: this.repo,
            comment_id: commentId,
            body
        });
    }
    async deleteComment(commentId) {
        await this.octokit.rest.issues.deleteComment({
            owner: this.owner,
            repo: this.repo,
            comment_id: commentId
        });
    }
    /** Replaces the issue's labels; closes it too when asked (one call). */
    async setLabels(issueNumber, labels, close = false) {
        if (close) {
            await this.octokit.rest.issues.update({
                owner: this.owner,
                repo: this.repo,
                issue_number: issueNumber,
                labels,
                state: 'closed',
                state_reason: 'completed'
            });
            return;
        }
        await this.octokit.rest.issues.setLabels({
            owner: this.owner,
            repo: this.repo,
            issue_number: issueNumber,
            labels
        });
    }
    /** Every page of a list, at most MAX_PAGES of them. */
    async pages(route, params) {
        const items = [];
        let pages = 0;
        for await (const page of this.octokit.paginate.iterator(route, params)) {
            if (++pages > MAX_PAGES) {
                throw new GitHubError(undefined, `GitHub kept answering with a next page after ${MAX_PAGES} pages of ${String(page.url).split('?')[0]}: ` +
                    'stopped reading (a list this long is not a ledger this action can sweep)');
            }
            items.push(...page.data);
        }
        return items;
    }
    /** The repository's labels (names, at most MAX_PAGES pages). */
    async labels() {
        const items = await this.pages(this.octokit.rest.issues.listLabelsForRepo, {
            owner: this.owner,
            repo: this.repo,
            per_page: PAGE
        });
        return items
            .map(item => item.name)
            .filter((name) => typeof name === 'string');
    }
    async createLabel(name, color, description) {
        await this.octokit.rest.issues.createLabel({
            owner: this.owner,
            repo: this.repo,
            name,
            color,
            description
        });
    }
    commentList(items) {
        const comments = [];
        for (const item of items) {
            const comment = commentFacts(item);
            if (comment)
                comments.push(comment);
            else
                this.calls.malformed++;
        }
        return comments;
    }
}

;// CONCATENATED MODULE: ./src/ledger/github-budget.ts
/**
 * The most GitHub calls a step's deadline check adds (src/ledger/deadline-step.ts): a due-soon or
 * overdue notice, the ledger comment recording it, the labels. Once per threshold, rarely.
 */
const DEADLINE_CALLS = 3;
/**
 * The most GitHub calls one new issue's step makes once started: the author's permission (when
 * the association does not settle it), a retried issue's old state label taken off, the
 * write-ahead `submitting` comment, the read that checks no other sweep wrote one first, then either the ledger edit with the request ids and the
 * `submitted` labels, or (Amplitude answered only in part) the ledger edit, the needs-attention
 * comment and its labels. Refused and needs-info steps make fewer. Then its deadline check.
 */
const SUBMIT_CALLS = 7 + DEADLINE_CALLS;
/**
 * The most GitHub calls a step of an issue already taken up makes: a delivery writes the ledger
 * comment, posts the delivery comment, edits the ledger again and sets the labels (closing); then
 * its deadline check.
 */
const PROGRESS_CALLS = 4 + DEADLINE_CALLS;
/**
 * The rule: a step that may make `need` calls fits when they are left after the calls `promised`
 * to steps under way. GitHub not saying (no rate-limit headers, e.g. a server without limits)
 * leaves nothing to respect.
 */
function fitsBudget(left, promised, need) {
    return left === undefined || left - promised >= need;
}
/**
 * The share of the hour's budget new issues never take: left for another workflow, a person's
 * script and the sweeps of the next hour (GitHub counts fixed hours, a sliding hour can hold the
 * end of one and the start of the next).
 */
const KEPT_FREE_SHARE = 0.1;
class GitHubBudget {
    calls;
    now;
    /** Calls set aside for steps started and not yet finished (never less than they still make). */
    promised = 0;
    /** Once a new issue was left for later, so are the ones after it: the oldest go first. */
    full = false;
    /** New issues left untouched for the next sweep. */
    deferred = 0;
    constructor(calls, now) {
        this.calls = calls;
        this.now = now;
    }
    /** Calls left this hour as GitHub last said; undefined when it has not, or that hour is over. */
    left() {
        const { remaining, resetAt } = this.calls;
        if (remaining === undefined || (resetAt !== undefined && this.now() >= resetAt))
            return undefined;
        return remaining;
    }
    /** A step of an issue already taken up: never held back, its calls counted while it runs. */
    async progress(step) {
        return this.spending(PROGRESS_CALLS, step);
    }
    /** A new issue's step: run only when all its calls fit; undefined when it is left for later. */
    async submit(step) {
        const kept = Math.floor((this.calls.limit ?? 0) * KEPT_FREE_SHARE);
        if (this.full || !fitsBudget(this.left(), this.promised + kept, SUBMIT_CALLS)) {
            this.full = true;
            this.deferred++;
            return undefined;
        }
        return this.spending(SUBMIT_CALLS, step);
    }
    /** One line for the log and the summary when new issues were left; undefined when none. */
    deferredNote() {
        if (this.deferred === 0)
            return undefined;
        const left = this.calls.remaining ?? 0;
        const until = this.calls.resetAt !== undefined
            ? ` until ${new Date(this.calls.resetAt).toISOString().slice(11, 16)} UTC`
            : '';
        return (`GitHub API: ${left} call(s) left${until}; ${this.deferred} new issue(s) left for the next ` +
            `sweep (each submit needs up to ${SUBMIT_CALLS} GitHub calls to be recorded)`);
    }
    async spending(need, step) {
        // Counted against what is left until the step ends, although some of its calls are then
        // already in `remaining`: erring on the side of leaving a new issue for the next sweep.
        this.promised += need;
        try {
            return await step();
        }
        finally {
            this.promised -= need;
        }
    }
}

// EXTERNAL MODULE: ./src/action/input-reading.ts
var input_reading = __webpack_require__(32167);
// EXTERNAL MODULE: ./src/action/scalar-inputs.ts + 1 modules
var scalar_inputs = __webpack_require__(63784);
// EXTERNAL MODULE: ./src/action/subject-inputs.ts
var subject_inputs = __webpack_require__(95642);
// EXTERNAL MODULE: ./src/action/input-names.ts
var input_names = __webpack_require__(62383);
// EXTERNAL MODULE: ./src/ledger/deadlines.ts
var deadlines = __webpack_require__(64568);
;// CONCATENATED MODULE: ./src/ledger/form.ts
/**
 * Reads a DSAR issue filed from the shipped issue form. GitHub renders each form field as a
 * `### <label>` section; an empty optional field reads `_No response_`. The body is untrusted
 * (anyone who may open an issue wrote it, and may have edited it since): it is bounded, each field
 * is checked by the same rules as the matching action input (src/action/subject-inputs.ts,
 * scalar-inputs.ts), and a problem names the field, never quotes a subject id. Headings are
 * matched case-insensitively; a field given twice is refused rather than guessed at.
 */





const FIELDS = {
    userIds: 'User IDs',
    amplitudeIds: 'Amplitude IDs',
    startDate: 'Start date',
    endDate: 'End date',
    reference: 'Reference',
    receivedOn: 'Received on',
    regime: 'Regime'
};
/** GitHub's own limit on an issue body: anything longer did not come from GitHub. */
const MAX_BODY_CHARS = 65_536;
/** Subjects one issue may ask for: a DSAR is about one person, sometimes a few of their ids. */
const MAX_SUBJECTS_PER_ISSUE = 20;
const MAX_REFERENCE_CHARS = 200;
const NO_RESPONSE = '_No response_';
function readForm(body, defaults) {
    const refuse = (field, problem) => ({ ok: false, field, problem });
    if (body.length > MAX_BODY_CHARS) {
        return refuse('the issue body', `is longer than ${MAX_BODY_CHARS} characters`);
    }
    const sections = new Map();
    let current;
    const lines = new Map();
    for (const line of body.split(/\r?\n/)) {
        const heading = headingOf(line);
        if (heading !== undefined) {
            current = heading.toLowerCase();
            if (lines.has(current))
                return refuse(heading.slice(0, 40), 'appears more than once');
            lines.set(current, []);
            continue;
        }
        if (current !== undefined)
            lines.get(current).push(line);
    }
    for (const [heading, content] of lines)
        sections.set(heading, fieldValue(content));
    const value = (field) => sections.get(field.toLowerCase()) ?? '';
    let subjects;
    let dates;
    try {
        subjects = (0,subject_inputs/* uniqueSubjects */.dL)([
            ...(0,subject_inputs/* parseUserIds */.bC)(value(FIELDS.userIds)).map(userId => ({ kind: 'userId', userId })),
            ...(0,subject_inputs/* parseAmplitudeIds */.zz)(value(FIELDS.amplitudeIds)).map(amplitudeId => ({ kind: 'amplitudeId', amplitudeId }))
        ]);
        dates = (0,scalar_inputs/* parseDates */.d)(value(FIELDS.startDate) || defaults.startDate, value(FIELDS.endDate) || defaults.endDate, defaults.today);
    }
    catch (error) {
        if (!(error instanceof input_reading/* InputError */.dz))
            throw error;
        // The field and the expected form, never what was typed: the comment is public to the repo.
        return refuse(fieldOf(error.input), error.expected ?? error.detail);
    }
    if (subjects.length === 0) {
        return refuse(`${FIELDS.userIds} / ${FIELDS.amplitudeIds}`, 'no subject: give at least one user ID or Amplitude ID');
    }
    if (subjects.length > MAX_SUBJECTS_PER_ISSUE) {
        return refuse(`${FIELDS.userIds} / ${FIELDS.amplitudeIds}`, `${subjects.length} subjects; one issue may ask for at most ${MAX_SUBJECTS_PER_ISSUE} (file one issue per person)`);
    }
    const clock = readClockFields(value, defaults);
    if (!clock.ok)
        return refuse(clock.field, clock.problem);
    const reference = value(FIELDS.reference).replace(/\s+/g, ' ').trim();
    return {
        ok: true,
        form: {
            subjects,
            ...dates,
            receivedOn: clock.receivedOn,
            regime: clock.regime,
            ...(reference !== '' && {
                reference: [...reference].slice(0, MAX_REFERENCE_CHARS).join('')
            })
        }
    };
}
/**
 * The request's legal clock from the form: `Received on` (a calendar day, not after tomorrow: a
 * runner's UTC day may trail the requester's) and `Regime`. Kept apart from the subject fields:
 * a problem names the field and the form expected, never what was typed.
 */
function readClockFields(value, defaults) {
    const received = value(FIELDS.receivedOn);
    const receivedOn = received || defaults.receivedOn || defaults.today;
    if (!(0,deadlines/* isCalendarDay */.Lk)(receivedOn)) {
        return { ok: false, field: FIELDS.receivedOn, problem: 'must be a calendar day, YYYY-MM-DD' };
    }
    if (receivedOn > (0,deadlines/* addDays */.fi)(defaults.today, 1)) {
        return { ok: false, field: FIELDS.receivedOn, problem: 'must not be in the future' };
    }
    const said = value(FIELDS.regime);
    const regime = said === '' ? (defaults.regime ?? 'GDPR') : (0,deadlines/* parseRegime */.pr)(said);
    if (regime === undefined) {
        return { ok: false, field: FIELDS.regime, problem: `must be one of ${deadlines/* REGIMES */.YA.join(', ')}` };
    }
    return { ok: true, receivedOn, regime };
}
/** The issue body GitHub renders from the shipped form (examples/ISSUE_TEMPLATE/dsar.yml). */
function formBody(fields) {
    const section = (label, value) => `### ${label}\n\n${value && value !== '' ? value : NO_RESPONSE}`;
    return [
        section(FIELDS.userIds, fields.userIds),
        section(FIELDS.amplitudeIds, fields.amplitudeIds),
        section(FIELDS.startDate, fields.startDate),
        section(FIELDS.endDate, fields.endDate),
        section(FIELDS.reference, fields.reference),
        section(FIELDS.receivedOn, fields.receivedOn),
        section(FIELDS.regime, fields.regime)
    ].join('\n\n');
}
/**
 * The label of a `### <label>` line (closing `#`s and blanks dropped), or undefined. Read by
 * index, not by a regular expression: the body is untrusted, and the pattern this replaces
 * (`/^###[ \t]+(.+?)[ \t]*#*[ \t]*$/`) backtracked cubically on `### a` + spaces + `x`.
 * Each character is looked at a bounded number of times.
 */
function headingOf(line) {
    if (!line.startsWith('###') || !isBlank(line[3]))
        return undefined;
    let start = 4;
    while (isBlank(line[start]))
        start++;
    if (start === line.length) {
        // Only blanks: the old pattern gave the last one back to the label when it had two.
        return start - 3 >= 2 ? line[start - 1] : undefined;
    }
    // The closing part: blanks, `#`s, blanks, read from the end; the label keeps at least one char.
    let tail = line.length;
    while (tail > start && isBlank(line[tail - 1]))
        tail--;
    while (tail > start && line[tail - 1] === '#')
        tail--;
    while (tail > start && isBlank(line[tail - 1]))
        tail--;
    const label = line.slice(start, Math.max(start + 1, tail));
    // The old pattern's `.` refused line terminators other than \n; so does this reading.
    for (const char of ['\r', '\u2028', '\u2029'])
        if (label.includes(char))
            return undefined;
    return label;
}
function isBlank(char) {
    return char === ' ' || char === '\t';
}
/** A field's text: trimmed, a code fence around it removed, `_No response_` as empty. */
function fieldValue(lines) {
    let text = lines.join('\n').trim();
    const fenced = fencedText(text);
    if (fenced !== undefined)
        text = fenced.trim();
    return text === NO_RESPONSE ? '' : text;
}
/** The inside of a text that is one code fence (```` ```lang\n...\n``` ````), read by index. */
function fencedText(text) {
    if (!text.startsWith('```') || !text.endsWith('```'))
        return undefined;
    const open = text.indexOf('\n', 3);
    const close = text.length - 3;
    if (open === -1 || open > close)
        return undefined;
    let inner = text.slice(open + 1, close);
    if (inner.endsWith('\n'))
        inner = inner.slice(0, -1);
    return inner;
}
function fieldOf(input) {
    switch (input) {
        case input_names/* Inputs */.G.UserIds:
            return FIELDS.userIds;
        case input_names/* Inputs */.G.AmplitudeIds:
            return FIELDS.amplitudeIds;
        case input_names/* Inputs */.G.StartDate:
            return FIELDS.startDate;
        case input_names/* Inputs */.G.EndDate:
            return FIELDS.endDate;
        default:
            return input;
    }
}

;// CONCATENATED MODULE: ./src/ledger/states.ts
/** States in which the ledger waits for a person (the issue loses `<label>`). */
const PERSON_STATES = [
    'done',
    'ready',
    'failed',
    'needs-info',
    'refused',
    'needs-attention',
    'expired'
];
/** Leeway for the clocks of two runners when judging another run's deadline. */
const CLOCK_LEEWAY_MS = 60_000;
function stateLabel(label, state) {
    return `${label}:${state}`;
}
function decide(labels, label, reading, now = Number.POSITIVE_INFINITY) {
    const has = (name) => labels.includes(name);
    const personAsked = PERSON_STATES.some(state => has(stateLabel(label, state)));
    if (reading.kind === 'several') {
        return { kind: 'stuck', why: 'several', requestIds: reading.requestIds };
    }
    if (reading.kind === 'unreadable') {
        return {
            kind: 'stuck',
            why: reading.tampered ? 'tampered' : 'unreadable',
            commentId: reading.commentId
        };
    }
    if (reading.kind === 'none') {
        if (has(stateLabel(label, 'submitted')))
            return { kind: 'stuck', why: 'missing' };
        return { kind: 'new', retry: personAsked };
    }
    const { marker, commentId } = reading;
    switch (marker.state) {
        case 'submitting':
            if (marker.until && now < Date.parse(marker.until) + CLOCK_LEEWAY_MS) {
                return { kind: 'busy', until: marker.until };
            }
            return { kind: 'stuck', why: 'submitting', commentId, marker };
        case 'submitted':
            // Subjects a cut run never sent are submitted first (the accepted ones are kept).
            if (marker.requests.some(r => r.requestId === null)) {
                return { kind: 'new', retry: false, commentId, keep: marker };
            }
            return { kind: 'poll', marker, commentId };
        case 'needs-attention':
            // A person asked again: requests Amplitude accepted are kept, never asked twice.
            return personAsked
                ? { kind: 'new', retry: true, commentId, keep: marker }
                : { kind: 'settle', state: marker.state };
        default:
            return personAsked
                ? { kind: 'new', retry: true, commentId }
                : { kind: 'settle', state: marker.state };
    }
}
/**
 * The issue's labels for `state`: every label that is not one of the ledger's kept as it is, then
 * `<label>` and `<label>:submitted` while in progress, or `<label>:<state>` alone.
 */
function labelsFor(current, label, state) {
    const ours = new Set([
        label,
        ...[...PERSON_STATES, 'submitted'].map(s => stateLabel(label, s))
    ]);
    const others = current.filter(name => !ours.has(name));
    if (state === 'new')
        return [...others, label];
    if (state === 'submitting' || state === 'submitted') {
        return [...others, label, stateLabel(label, 'submitted')];
    }
    return [...others, stateLabel(label, state)];
}
function sameLabels(a, b) {
    return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

;// CONCATENATED MODULE: ./src/ledger/deadline-record.ts
/**
 * The legal clock of one ledger issue, as the state line records it (`deadline`), and the pure
 * decisions a sweep takes on it: the due date (src/ledger/deadlines.ts) with `<label>:extended`,
 * whether a `due-soon` or `overdue` notice is due, and which deadline labels the issue should carry.
 *
 * Quiet by construction: a notice is owed once per threshold and due date. The record keeps the
 * due date each notice was written for, so the next sweeps (hourly) see it written and say nothing;
 * an extension moves the due date, and the new date's thresholds are told once more.
 */

/** Ledger states in which the request is finished: its clock stops, its deadline labels go. */
const FINISHED_STATES = ['done', 'ready', 'erased', 'cancelled'];
const DEADLINE_LABELS = ['due-soon', 'overdue', 'extended'];
function isFinished(state) {
    return FINISHED_STATES.includes(state);
}
/** The record of a request taken up now. */
function newDeadline(receivedOn, regime, options) {
    const extended = options.extended && regime !== 'Other';
    return {
        receivedOn,
        regime,
        dueDate: (0,deadlines/* dueDate */.XF)(receivedOn, regime, { extended, otherDays: options.otherDays }),
        ...(extended && { extended: true })
    };
}
/**
 * Where an unfinished request stands `today`. `extendedLabel`: `<label>:extended` is on the issue
 * now (once seen, the extension stays recorded even if the label goes). Other has no extension:
 * its due date is the one recorded when it was taken up.
 */
function moveDeadline(record, today, extendedLabel) {
    const extended = (record.extended === true || extendedLabel) && record.regime !== 'Other';
    const due = record.regime === 'Other'
        ? record.dueDate
        : (0,deadlines/* dueDate */.XF)(record.receivedOn, record.regime, { extended });
    const next = {
        ...record,
        dueDate: due,
        ...(extended && { extended: true })
    };
    const standing = (0,deadlines/* deadlineState */.mH)(due, today);
    let notice;
    if (standing === 'overdue' && record.overdue !== due)
        notice = 'overdue';
    else if (standing === 'due-soon' && record.dueSoon !== due)
        notice = 'due-soon';
    if (notice === 'overdue')
        next.overdue = due;
    if (notice === 'due-soon')
        next.dueSoon = due;
    return {
        record: next,
        standing,
        notice,
        changed: JSON.stringify(next) !== JSON.stringify(record)
    };
}
/**
 * The issue's labels after a deadline move: a notice adds its label (overdue replaces due-soon);
 * a due date moved back out of reach (extended) takes both away. Otherwise the labels stay as they
 * are: a person who removes `due-soon` is not answered by the next sweep putting it back.
 */
function deadlineLabels(labels, label, move) {
    const soon = `${label}:due-soon`;
    const late = `${label}:overdue`;
    if (move.notice === 'overdue')
        return [...labels.filter(l => l !== soon && l !== late), late];
    if (move.notice === 'due-soon')
        return [...labels.filter(l => l !== soon), soon];
    if (move.standing === 'open')
        return labels.filter(l => l !== soon && l !== late);
    if (move.standing === 'due-soon')
        return labels.filter(l => l !== late);
    return labels;
}
/** The labels of a finished request: its deadline notices are over (`extended` stays, a record). */
function finishedLabels(labels, label) {
    return labels.filter(l => l !== `${label}:due-soon` && l !== `${label}:overdue`);
}
/** Why a state line's `deadline` is not one the action writes, or undefined when it is. */
function deadlineProblem(value) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return 'bad deadline';
    }
    const record = value;
    const day = (key) => typeof record[key] === 'string' && (0,deadlines/* isCalendarDay */.Lk)(record[key]);
    if (!day('receivedOn'))
        return 'bad deadline receivedOn';
    if (!deadlines/* REGIMES */.YA.includes(record.regime))
        return 'bad deadline regime';
    if (!day('dueDate'))
        return 'bad deadline dueDate';
    if (record.extended !== undefined && record.extended !== true)
        return 'bad deadline extended';
    for (const key of ['dueSoon', 'overdue']) {
        if (record[key] !== undefined && !day(key))
            return `bad deadline ${key}`;
    }
    const finished = record.finishedAt;
    if (finished !== undefined &&
        !(typeof finished === 'string' &&
            /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(finished) &&
            !Number.isNaN(Date.parse(finished)))) {
        return 'bad deadline finishedAt';
    }
    const allowed = new Set([
        'receivedOn',
        'regime',
        'dueDate',
        'extended',
        'dueSoon',
        'overdue',
        'finishedAt'
    ]);
    if (Object.keys(record).some(key => !allowed.has(key)))
        return 'bad deadline: unexpected fields';
    return undefined;
}
/** The due line of the ledger comment (every value in it was checked: days and a known regime). */
function dueLine(deadline) {
    if (!deadline)
        return [];
    const extended = deadline.extended ? ', extended' : '';
    return [
        `Due: **${deadline.dueDate}** (${deadline.regime}, received ${deadline.receivedOn}${extended})`,
        ''
    ];
}

;// CONCATENATED MODULE: ./src/ledger/labels.ts



const DESCRIPTIONS = {
    submitting: ['fbca04', 'DSAR: being submitted'],
    submitted: ['0e8a16', 'DSAR: submitted to Amplitude, checked by each sweep'],
    done: ['5319e7', 'DSAR: delivered (artifact uploaded)'],
    ready: ['1d76db', 'DSAR: finished at Amplitude, ready to collect (not delivered)'],
    failed: ['b60205', 'DSAR: Amplitude failed it; a person decides'],
    'needs-info': ['d93f0b', 'DSAR: the form needs a fix; add the DSAR label again'],
    refused: ['000000', 'DSAR: the author may not ask'],
    'needs-attention': ['b60205', 'DSAR: a person must check what Amplitude received'],
    expired: ['c5def5', 'DSAR: links expired before delivery; add the DSAR label again']
};
/** The legal clock's labels (docs/desk.md): two the ledger sets, one a person adds. */
const CLOCK_DESCRIPTIONS = {
    'due-soon': ['fbca04', 'DSAR: due within seven days and not finished'],
    overdue: ['b60205', 'DSAR: past its legal due date and not finished'],
    extended: ['c2e0c6', 'DSAR: a person extended the deadline (once, as the regime allows)']
};
/** Every label the ledger sets, with its colour and description. */
function ledgerLabels(label) {
    return [
        { name: label, color: '0052cc', description: 'Data subject access request (DSAR ledger)' },
        ...['submitted', ...PERSON_STATES].map(state => ({
            name: stateLabel(label, state),
            color: DESCRIPTIONS[state][0],
            description: DESCRIPTIONS[state][1]
        })),
        ...DEADLINE_LABELS.map(name => ({
            name: `${label}:${name}`,
            color: CLOCK_DESCRIPTIONS[name][0],
            description: CLOCK_DESCRIPTIONS[name][1]
        }))
    ];
}
async function ensureLabels(github, label, log) {
    const existing = new Set((await github.labels()).map(name => name.toLowerCase()));
    const missing = ledgerLabels(label).filter(l => !existing.has(l.name.toLowerCase()));
    for (const l of missing) {
        try {
            await github.createLabel(l.name, l.color, l.description);
        }
        catch (error) {
            // Another sweep created it meanwhile.
            if (!(error instanceof GitHubError && error.status === 422))
                throw error;
        }
    }
    if (missing.length > 0) {
        log(`Created the ledger's label(s): ${missing.map(l => l.name).join(', ')}`);
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/ledger/seal.ts
/**
 * The integrity check of the ledger's state line. People with write access can edit any comment
 * (the author stays the bot), so a state line is honoured only when it carries an HMAC-SHA256 the
 * action made: keyed from the Amplitude secret key (which a person editing comments does not
 * hold) and bound to the repository and issue number, so a line copied from another issue fails
 * too. A line that fails the check is never guessed at: `needs-attention`, nothing polled.
 *
 * Rotating the secret key changes the key: state lines written before the rotation then fail the
 * check and their issues go to `needs-attention` (docs/ledger.md says how to rotate safely).
 */

/** What the key is derived for: a change here is a change of every key. */
const PURPOSE = 'amplitude-dsar-ledger state line v2';
/** The ledger's key from the Amplitude credentials (the secret key, or the basic-auth value). */
function ledgerKey(secret) {
    return (0,external_node_crypto_.createHmac)('sha256', secret).update(PURPOSE).digest();
}
function sealFor(key, repository, issue) {
    return { key, scope: `${repository}#${issue}` };
}
/** The check value of `json` (the state without its `mac`) for `seal`'s issue, hex. */
function macOf(seal, json) {
    return (0,external_node_crypto_.createHmac)('sha256', seal.key).update(`${seal.scope}\n${json}`).digest('hex');
}
function macMatches(seal, json, mac) {
    if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac))
        return false;
    return (0,external_node_crypto_.timingSafeEqual)(Buffer.from(macOf(seal, json), 'hex'), Buffer.from(mac, 'hex'));
}

// EXTERNAL MODULE: ./src/action/budget.ts
var budget = __webpack_require__(2513);
;// CONCATENATED MODULE: ./src/ledger/sweep-time.ts
/**
 * The run's timeout as a sweep spends it: the one rule that decides whether a sweep may take up
 * another new issue before its deadline. A submit cut half-way leaves a person to sort out what
 * Amplitude received, so a new issue is taken up only when the time left can hold its whole submit
 * (GitHub's spacing of writes for the write-ahead comment, the record and the labels, beside the
 * issues already under way; Amplitude's pacing of the POSTs; their answers) and a reserve at the
 * end stays free for recording what was done. Issues not taken up stay as they were, untouched.
 *
 * The reserve also splits the run's time: Amplitude is cut at `deadline - reserve` (a submit cut
 * there was never sent, so its write-ahead comment is taken back), GitHub at the deadline itself.
 */

/** What a sweep keeps free at the end: 15% of the timeout, at least 3 s, at most 2 minutes. */
function reserveMs(timeoutMs) {
    return Math.min(120_000, Math.max(3_000, Math.round(timeoutMs * 0.15)));
}
/** GitHub's spacing of writes (@octokit/plugin-throttling): new comments 3 s apart, others 1 s. */
const COMMENT_MS = 3_000;
const WRITE_MS = 1_000;
/** The writes of one submit: the write-ahead comment, then the record, the labels (a retry's label). */
const SUBMIT_WRITES_MS = COMMENT_MS + 3 * WRITE_MS;
/** Time planned for Amplitude to answer one POST (its pacing comes on top). */
const ANSWER_MS = 2_000;
class SubmitTime {
    options;
    inFlight = 0;
    promisedCost = 0;
    full = false;
    /** New issues left untouched for the next sweep. */
    deferred = 0;
    constructor(options) {
        this.options = options;
    }
    /** How long a submit of `subjects` takes from now, beside the submits under way. */
    estimateMs(subjects) {
        const { pacer, concurrency } = this.options;
        const cost = subjects * (0,budget/* requestCost */.ns)('POST');
        const github = SUBMIT_WRITES_MS * (this.inFlight + 1);
        const amplitude = (cost > 0 ? pacer.waitMs(this.promisedCost + cost) : 0) +
            ANSWER_MS * Math.ceil(subjects / concurrency);
        return github + amplitude;
    }
    /** A new issue's step: run only when it fits before the cutoff; undefined when left for later. */
    async submit(subjects, step) {
        const { now, cutoff } = this.options;
        if (this.full || now() + this.estimateMs(subjects) > cutoff) {
            this.full = true;
            this.deferred++;
            return undefined;
        }
        const cost = subjects * (0,budget/* requestCost */.ns)('POST');
        this.inFlight++;
        this.promisedCost += cost;
        try {
            return await step();
        }
        finally {
            this.inFlight--;
            this.promisedCost -= cost;
        }
    }
    /** One line for the log and the summary when new issues were left; undefined when none. */
    deferredNote() {
        if (this.deferred === 0)
            return undefined;
        const left = Math.max(0, Math.round((this.options.cutoff - this.options.now()) / 1000));
        return (`${this.deferred} new issue(s) left for the next sweep: ${left} s were left before the ` +
            "run's timeout (less its reserve for recording), too little to hold their whole submit");
    }
}

// EXTERNAL MODULE: ./src/policy/untrusted-text.ts
var untrusted_text = __webpack_require__(31606);
;// CONCATENATED MODULE: ./src/ledger/marker.ts


const MARKER_PREFIX = '<!-- amplitude-dsar-ledger ';
const MARKER_LINE = /^<!-- amplitude-dsar-ledger (\{.*\}) -->$/;
/**
 * 2: per-request outcome (`sent`) and the integrity check (`mac`, src/ledger/seal.ts). A version-1
 * line (no check) is not honoured: docs/ledger.md says how to carry one over.
 * 3: the request's legal clock (`deadline`: src/ledger/deadline-record.ts). A version-2 line carries
 * the same check and reads as before (no deadline yet); the next write makes it version 3.
 */
const MARKER_VERSION = 3;
/** Versions read: those sealed with the integrity check. */
const READABLE_VERSIONS = [2, 3];
const STATES = [
    'submitting',
    'submitted',
    'done',
    'ready',
    'failed',
    'needs-attention',
    'expired'
];
const REQUEST_ID = /^[A-Za-z0-9_-]{1,128}$/;
// One subject, or several (a seed-contract request covers all the issue's user ids).
const SUBJECT = /^(user|amplitude id) #[0-9a-f]{8}(, (user|amplitude id) #[0-9a-f]{8}){0,19}$/;
const STATUS = /^[a-z][a-z_-]{0,31}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_REQUESTS = 100;
/**
 * The marker line: the state, then its check (`mac`, over the JSON before it, bound to the issue),
 * with `<`, `>` and `&` escaped, so no value can end the HTML comment.
 */
function markerLine(marker, seal) {
    const plain = JSON.stringify(marker);
    const signed = `${plain.slice(0, -1)},"mac":"${macOf(seal, plain)}"}`;
    const json = signed.replace(/[<>&]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return `${MARKER_PREFIX}${json} -->`;
}
/**
 * The ledger of one issue from its comments: the one comment by `identity` that carries a marker,
 * checked against `seal` (its issue). Markers in anyone else's comments are ignored (forgeries or
 * quotes); two or more of the action's own (overlapping sweeps) are never chosen between.
 */
function readLedger(comments, identity, seal) {
    const own = comments
        .filter(c => c.author === identity.login && c.authorType === identity.type)
        .filter(c => c.body.includes(MARKER_PREFIX))
        .sort((a, b) => a.id - b.id);
    if (own.length === 0)
        return { kind: 'none' };
    if (own.length > 1) {
        const requestIds = own.flatMap(comment => idsIn(comment.body));
        return { kind: 'several', commentIds: own.map(c => c.id), requestIds: [...new Set(requestIds)] };
    }
    const latest = own[0];
    const line = lastLine(latest.body);
    const match = MARKER_LINE.exec(line);
    if (!match) {
        return {
            kind: 'unreadable',
            commentId: latest.id,
            problem: 'its last line is not the state line'
        };
    }
    let parsed;
    try {
        parsed = JSON.parse(match[1]);
    }
    catch {
        return { kind: 'unreadable', commentId: latest.id, problem: 'its state line is not JSON' };
    }
    if (marker_isObject(parsed) && !READABLE_VERSIONS.includes(parsed.version)) {
        return {
            kind: 'unreadable',
            commentId: latest.id,
            problem: `its state line is version ${String(parsed.version)}, which carries no integrity check`,
            tampered: true
        };
    }
    const { mac, ...state } = marker_isObject(parsed) ? parsed : { mac: undefined };
    if (!macMatches(seal, JSON.stringify(state), mac)) {
        return {
            kind: 'unreadable',
            commentId: latest.id,
            problem: 'its state line fails its integrity check',
            tampered: true
        };
    }
    const problem = markerProblem(state);
    if (problem)
        return { kind: 'unreadable', commentId: latest.id, problem };
    return { kind: 'valid', marker: state, commentId: latest.id };
}
function lastLine(body) {
    return body.trimEnd().split('\n').pop().trim();
}
/** Request ids named in a ledger comment's state line, whatever its check says (for a person). */
function idsIn(body) {
    const match = MARKER_LINE.exec(lastLine(body));
    if (!match)
        return [];
    try {
        const parsed = JSON.parse(match[1]);
        const requests = marker_isObject(parsed) && Array.isArray(parsed.requests) ? parsed.requests : [];
        return requests
            .map(r => (marker_isObject(r) ? r.requestId : undefined))
            .filter((id) => typeof id === 'string' && REQUEST_ID.test(id))
            .slice(0, MAX_REQUESTS);
    }
    catch {
        return [];
    }
}
/** Why a parsed value is not a marker the action writes, or undefined when it is one. */
function markerProblem(value) {
    if (!marker_isObject(value))
        return 'the state is not an object';
    if (!READABLE_VERSIONS.includes(value.version)) {
        return `unknown version ${String(value.version)}`;
    }
    if (!STATES.includes(value.state))
        return 'unknown state';
    if (typeof value.startDate !== 'string' || !DATE.test(value.startDate))
        return 'bad startDate';
    if (typeof value.endDate !== 'string' || !DATE.test(value.endDate))
        return 'bad endDate';
    const requests = value.requests;
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > MAX_REQUESTS) {
        return 'bad requests list';
    }
    for (const [index, request] of requests.entries()) {
        const problem = requestProblem(request, value.state);
        if (problem)
            return `request ${index + 1}: ${problem}`;
    }
    if (value.until !== undefined && !marker_isTime(value.until))
        return 'bad until';
    if (value.deadline !== undefined) {
        if (value.version === 2)
            return 'unexpected fields';
        const problem = deadlineProblem(value.deadline);
        if (problem)
            return problem;
    }
    const allowed = new Set(['version', 'state', 'startDate', 'endDate', 'requests', 'until']);
    allowed.add('deadline');
    if (Object.keys(value).some(key => !allowed.has(key)))
        return 'unexpected fields';
    return undefined;
}
function requestProblem(value, state) {
    if (!marker_isObject(value))
        return 'not an object';
    const { requestId, subject, status, sent } = value;
    if (requestId === null) {
        const allowed = state === 'submitting' ||
            state === 'needs-attention' ||
            (state === 'submitted' && sent === 'not-sent');
        if (!allowed)
            return 'no request id';
        if (sent !== undefined && sent !== 'not-sent' && sent !== 'uncertain')
            return 'bad sent';
    }
    else if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
        return 'bad request id';
    }
    else if (sent !== undefined) {
        return 'sent beside a request id';
    }
    if (typeof subject !== 'string' || !SUBJECT.test(subject))
        return 'bad subject fingerprint';
    if (status !== null && (typeof status !== 'string' || !STATUS.test(status)))
        return 'bad status';
    for (const key of ['submittedAt', 'checkedAt', 'doneAt']) {
        if (value[key] !== null && !marker_isTime(value[key]))
            return `bad ${key}`;
    }
    if (value.expires !== undefined && !marker_isTime(value.expires))
        return 'bad expires';
    const allowed = new Set([
        'requestId',
        'subject',
        'status',
        'submittedAt',
        'checkedAt',
        'doneAt',
        'expires',
        'sent'
    ]);
    if (Object.keys(value).some(key => !allowed.has(key)))
        return 'unexpected fields';
    return undefined;
}
function marker_isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
function marker_isTime(value) {
    return (typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(value) &&
        !Number.isNaN(Date.parse(value)));
}

;// CONCATENATED MODULE: ./src/ledger/comments.ts
/**
 * What the ledger writes into issues. Human-readable first; the ledger comment ends with its state
 * line (src/ledger/marker.ts). Every value that came from outside (Amplitude's answers, the issue
 * body, the form's reference, recipients, problems that quote input) goes through `forMarkdown`, so
 * nothing in a comment becomes a link, an image, a mention, HTML or a table break. Subjects appear
 * by fingerprint only: their ids are in the issue body, which the team controls.
 */



const SIGNATURE = '<sub>Written by the Amplitude DSAR action (ledger). Do not edit this comment.</sub>';
function referenceLine(reference) {
    return reference ? [`Reference: ${(0,untrusted_text/* forMarkdown */.Bm)(reference)}`, ''] : [];
}
function cell(value) {
    return value ? (0,untrusted_text/* forMarkdown */.Bm)(value) : '–';
}
/** The ledger comment: one row per request, then the state line (sealed). Edited in place. */
function ledgerComment(marker, seal, reference) {
    // Times are the action's own (ISO, validated in the marker); the rest came from outside.
    const rows = marker.requests.map(r => `| ${cell(r.subject)} | ${cell(r.requestId)} | ${cell(r.status ?? (r.requestId ? 'requested' : (r.sent ?? 'submitting')))} | ${r.checkedAt ?? r.submittedAt ?? '–'} |`);
    return [
        `**DSAR ledger**: ${(0,untrusted_text/* forMarkdown */.Bm)(marker.state)} (data from ${marker.startDate} to ${marker.endDate})`,
        '',
        ...dueLine(marker.deadline),
        ...referenceLine(reference),
        '| subject | request id | status | last checked |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
        SIGNATURE,
        markerLine(marker, seal)
    ].join('\n');
}
/** Posted once every request is done (and downloaded, and uploaded, when asked). */
function deliveredComment(d) {
    const lines = [
        `**DSAR delivered**: Amplitude finished ${d.requestIds.length === 1 ? 'request' : 'requests'} ${d.requestIds.map(id => (0,untrusted_text/* forMarkdown */.Bm)(id)).join(', ')}.`,
        '',
        ...referenceLine(d.reference)
    ];
    if (d.artifact) {
        lines.push(`Artifact: [${(0,untrusted_text/* forMarkdown */.Bm)(d.artifact.name)}](${d.artifact.url}), kept ${d.artifact.retentionDays} day${d.artifact.retentionDays === 1 ? '' : 's'}; \`receipt.json\` inside it records what was asked and delivered.`, '');
    }
    if (d.files && d.files.length > 0) {
        lines.push('| file | bytes | SHA-256 (as served) | events |', '| --- | --- | --- | --- |', ...d.files.map(f => `| ${(0,untrusted_text/* forMarkdown */.Bm)(f.name)} | ${f.bytes} | \`${f.sha256}\` | ${f.events} |`), '');
        lines.push(d.recipients.length > 0
            ? `Encrypted with age to: ${d.recipients.map(untrusted_text/* forMarkdown */.Bm).join(', ')}.`
            : 'Not encrypted (set `encrypt-to` to encrypt exports before they touch the disk).', '');
    }
    else if (!d.files) {
        lines.push('This workflow does not download exports (`download: false`): collect them with ' +
            `\`request-ids: ${d.requestIds.join(',')}\` before the links expire.`, '');
    }
    if (d.expires)
        lines.push(`Amplitude's download links expire at ${d.expires}.`, '');
    lines.push(SIGNATURE);
    return lines.join('\n');
}
/**
 * Posted when every request is done but the workflow delivers nothing (no `artifact-name`): the
 * export is not called delivered, and the issue stays open until someone collects it.
 */
function readyComment(d) {
    return [
        `**DSAR ready to collect (not delivered)**: Amplitude finished ${d.requestIds.length === 1 ? 'request' : 'requests'} ${d.requestIds.map(id => (0,untrusted_text/* forMarkdown */.Bm)(id)).join(', ')}, but ${d.why}.`,
        '',
        ...referenceLine(d.reference),
        `Collect the export with \`request-ids: ${d.requestIds.join(',')}\`` +
            (d.expires
                ? ` before ${d.expires}, when Amplitude's download links expire.`
                : " before Amplitude's download links expire."),
        '',
        'This issue stays open until a person closes it. To have the ledger deliver exports itself, set `artifact-name` in the workflow.',
        '',
        SIGNATURE
    ].join('\n');
}
function failedComment(failures, reference, label) {
    return [
        '**DSAR failed**: Amplitude reports that it could not complete this request.',
        '',
        ...referenceLine(reference),
        ...failures.map(f => `- request ${(0,untrusted_text/* forMarkdown */.Bm)(f.requestId)} (${(0,untrusted_text/* forMarkdown */.Bm)(f.subject)}): ${f.failReason ? (0,untrusted_text/* forMarkdown */.Bm)(f.failReason) : 'no reason given'}`),
        '',
        `Left open for a person. To submit again after fixing the cause, add the “${(0,untrusted_text/* forMarkdown */.Bm)(label)}” label again.`,
        '',
        SIGNATURE
    ].join('\n');
}
function needsInfoComment(field, problem, label) {
    return [
        `**DSAR needs information**: ${(0,untrusted_text/* forMarkdown */.Bm)(field)} ${(0,untrusted_text/* forMarkdown */.Bm)(problem)}.`,
        '',
        'Nothing was sent to Amplitude. Edit the issue (keep the form’s `### ` headings), then add the ' +
            `“${(0,untrusted_text/* forMarkdown */.Bm)(label)}” label again to retry.`,
        '',
        SIGNATURE
    ].join('\n');
}
/** Says nothing about the subject: the author may not be entitled to know anything about it. */
function refusedComment() {
    return [
        '**DSAR refused**: only owners, members and collaborators of this repository may file a data ' +
            'subject access request here. Nothing was sent to Amplitude.',
        '',
        SIGNATURE
    ].join('\n');
}
function needsAttentionComment(reason, label) {
    return [
        `**DSAR needs attention**: ${(0,untrusted_text/* forMarkdown */.Bm)(reason)}`,
        '',
        'The action does not submit again on its own, since that could ask Amplitude twice. Check the ' +
            "failed run's log and job summary for request ids; if no request was created, add the " +
            `“${(0,untrusted_text/* forMarkdown */.Bm)(label)}” label again to submit.`,
        '',
        SIGNATURE
    ].join('\n');
}
function expiredComment(expires, label) {
    return [
        `**DSAR expired**: Amplitude finished, but its download links expired${expires ? ` at ${expires}` : ''} before they were delivered.`,
        '',
        `Submit it again: add the “${(0,untrusted_text/* forMarkdown */.Bm)(label)}” label again.`,
        '',
        SIGNATURE
    ].join('\n');
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/action/export-helper.ts
var export_helper = __webpack_require__(37871);
// EXTERNAL MODULE: ./src/action/receipt-helper.ts + 1 modules
var receipt_helper = __webpack_require__(67424);
// EXTERNAL MODULE: ./src/action/request-runner.ts
var request_runner = __webpack_require__(68402);
;// CONCATENATED MODULE: ./src/ledger/sweep-context.ts








function sealOf(ctx, issue) {
    return sealFor(ctx.ledgerKey, ctx.repository, issue);
}
function nowIso(ctx) {
    return new Date(ctx.session.clock.now()).toISOString();
}
/** Runs planned workflows (at most max-concurrency at once via the transport). */
async function runPlans(ctx, plans) {
    return (await submitPlans(ctx, plans)).map(run => run.record);
}
/** Runs planned workflows, saying for each whether a POST of it left this machine. */
async function submitPlans(ctx, plans) {
    const { session } = ctx;
    return Promise.all(plans.map(async (plan) => {
        const posts = [];
        const record = await (0,request_runner/* runRequest */.BN)({
            loaded: ctx.loaded,
            plan,
            transport: (request, signal) => {
                if (request.method.toUpperCase() === 'POST')
                    posts.push(request);
                return session.transport(request, signal);
            },
            clock: session.clock,
            pollSchedule: session.pollSchedule,
            serverUrl: ctx.settings.apiUrl,
            deadline: session.deadline,
            maxSteps: session.maxSteps,
            signal: ctx.signal,
            redact: session.redact,
            log: text => ctx.log(text)
        });
        ctx.records.push(record);
        return { record, posted: posts.some(post => session.wasSent(post)) };
    }));
}
/** Writes the ledger comment: edits it in place when it exists, creates it otherwise. */
async function writeLedger(ctx, issue, marker, commentId, reference) {
    marker.version = MARKER_VERSION;
    stampDeadline(ctx, issue, marker);
    const body = ledgerComment(marker, sealOf(ctx, issue.number), reference);
    const held = (id) => {
        ctx.ledgers.set(issue.number, { marker: structuredClone(marker), commentId: id });
        return id;
    };
    if (commentId !== undefined) {
        await ctx.github.updateComment(commentId, body);
        return held(commentId);
    }
    const created = await ctx.github.createComment(issue.number, body);
    // The ledger trusts only comments by the token's identity: one written under another name would
    // be ignored by the next sweep, which would then submit again. Stop before any DSAR call.
    if (created.author !== ctx.identity.login || created.authorType !== ctx.identity.type) {
        throw new IdentityError(ctx.identity, created);
    }
    return held(created.id);
}
/** Sets the labels for `state` (and closes the issue when delivered), unless already so. */
async function moveLabels(ctx, issue, state) {
    const kept = isFinished(state) ? finishedLabels(issue.labels, ctx.ledger.label) : issue.labels;
    const labels = labelsFor(kept, ctx.ledger.label, state);
    const close = state === 'done' && ctx.ledger.closeOnDone;
    if (!close && sameLabels(labels, issue.labels))
        return;
    await ctx.github.setLabels(issue.number, labels, close);
    issue.labels = labels;
}
class IdentityError extends Error {
    constructor(expected, got) {
        super(`the GitHub token writes as ${(0,untrusted_text/* forLog */.Ig)(got.author)} (${(0,untrusted_text/* forLog */.Ig)(got.authorType)}), not as ` +
            `${expected.login}: the ledger supports the workflow's GITHUB_TOKEN or a user's token ` +
            '(github-token). Nothing was submitted.');
        this.name = 'IdentityError';
    }
}

;// CONCATENATED MODULE: ./src/ledger/deadline-step.ts
/**
 * The sweep's side of every request's legal clock (docs/desk.md): the state line's `deadline` is
 * stamped on every write of the ledger comment (taken from the form when the request is taken up,
 * `finishedAt` when it finishes), and after each issue's step the deadline check posts the one
 * `due-soon` or `overdue` notice a threshold owes, records it, and sets the label. A sweep in which
 * no threshold is crossed and no extension appears writes nothing for it.
 */







/** `<label>:extended` is on the issue (a person added it: only people set labels). */
function extendedOn(issue, label) {
    return issue.labels.includes(`${label}:extended`);
}
/** The form's clock fields, with the issue's creation day and `ledger-regime` as defaults. */
function formClock(ctx, issue) {
    const createdOn = issue.createdAt.slice(0, 10);
    const reading = readForm(issue.body, {
        startDate: ctx.settings.startDate,
        endDate: ctx.settings.endDate,
        today: ctx.today,
        receivedOn: createdOn,
        regime: ctx.ledger.regime
    });
    // A form edited into something unreadable after it was taken up: the clock still runs, from
    // the day the issue was filed under the workflow's regime.
    if (!reading.ok)
        return { receivedOn: createdOn, regime: ctx.ledger.regime };
    const { receivedOn, regime, reference } = reading.form;
    return { receivedOn, regime, ...(reference && { reference }) };
}
/**
 * Called by every write of the ledger comment: a marker without a deadline (taken up now, or read
 * from a version-2 line) gets one from the form; a finished one records when it finished.
 */
function stampDeadline(ctx, issue, marker) {
    if (!marker.deadline) {
        const { receivedOn, regime } = formClock(ctx, issue);
        marker.deadline = newDeadline(receivedOn, regime, {
            extended: extendedOn(issue, ctx.ledger.label),
            otherDays: ctx.ledger.dueDays
        });
    }
    if (isFinished(marker.state) && !marker.deadline.finishedAt) {
        marker.deadline = {
            ...marker.deadline,
            finishedAt: new Date(ctx.session.clock.now()).toISOString()
        };
    }
}
/**
 * After an issue's step: where its request stands against its due date. Notices and labels only
 * for an issue the ledger still carries (`<label>` on it) and not finished; every open request
 * with a ledger is listed for the summary.
 */
async function checkDeadline(ctx, issue) {
    const held = ctx.ledgers.get(issue.number);
    if (!held)
        return;
    const { marker, commentId } = held;
    if (marker.state === 'submitting' || isFinished(marker.state))
        return;
    const label = ctx.ledger.label;
    const fromForm = marker.deadline ? undefined : formClock(ctx, issue);
    const record = marker.deadline ??
        newDeadline(fromForm.receivedOn, fromForm.regime, {
            extended: false,
            otherDays: ctx.ledger.dueDays
        });
    const move = moveDeadline(record, ctx.today, extendedOn(issue, label));
    ctx.clocks.push({
        issue: issue.number,
        state: marker.state,
        deadline: move.record,
        standing: move.standing
    });
    if (!issue.labels.includes(label))
        return;
    if (move.notice) {
        await ctx.github.createComment(issue.number, noticeComment(move.notice, move.record, ctx));
    }
    if (move.changed || !marker.deadline) {
        const reference = (fromForm ?? formClock(ctx, issue)).reference;
        await writeLedger(ctx, issue, { ...marker, deadline: move.record }, commentId, reference);
    }
    const labels = deadlineLabels(issue.labels, label, move);
    if (!sameLabels(labels, issue.labels)) {
        await ctx.github.setLabels(issue.number, labels);
        issue.labels = labels;
    }
}
const EXTENSIONS = {
    GDPR: 'two more months (GDPR Art. 12(3), telling the person why within the first month)',
    CCPA: '45 more days (telling the person within the first 45 days)',
    Other: undefined
};
function noticeComment(notice, deadline, ctx) {
    const label = (0,untrusted_text/* forMarkdown */.Bm)(ctx.ledger.label);
    const days = (0,deadlines/* daysLeft */.H_)(deadline.dueDate, ctx.today);
    const when = notice === 'overdue'
        ? `was due on ${deadline.dueDate} (${-days} day${days === -1 ? '' : 's'} ago)`
        : `is due on ${deadline.dueDate} (${days === 0 ? 'today' : `in ${days} day${days === 1 ? '' : 's'}`})`;
    const extension = EXTENSIONS[deadline.regime];
    const advice = deadline.extended || !extension
        ? 'It cannot be extended further here: answer the person, or record why not.'
        : `If the law allows more time, add the “${label}:extended” label: the due date moves by ${extension}.`;
    return [
        `**DSAR ${notice === 'overdue' ? 'overdue' : 'due soon'}**: the answer to this request ${when} ` +
            `under ${deadline.regime} (received ${deadline.receivedOn}), and it is not finished yet.`,
        '',
        advice,
        '',
        SIGNATURE
    ].join('\n');
}
/** The job summary's table of open requests, soonest due first (then by issue number). */
function clockTable(clocks, today) {
    const rows = [...clocks].sort((a, b) => a.deadline.dueDate.localeCompare(b.deadline.dueDate) || a.issue - b.issue);
    const header = ['Issue', 'Due', 'Days left', 'Regime', 'Received on', 'Now', 'State'];
    return [
        header.map(data => ({ data, header: true })),
        ...rows.map(r => [
            `#${r.issue}`,
            r.deadline.dueDate + (r.deadline.extended ? ' (extended)' : ''),
            String((0,deadlines/* daysLeft */.H_)(r.deadline.dueDate, today)),
            r.deadline.regime,
            r.deadline.receivedOn,
            r.standing,
            (0,untrusted_text/* forHtml */.B2)(r.state)
        ])
    ];
}
/**
 * The receipt's `deadline`, written as the export is delivered: the request finishes with this
 * delivery (`finishedAt` now, unless recorded earlier), extension as recorded or on the issue now.
 */
function receiptDeadline(ctx, issue, marker) {
    let record = marker.deadline;
    if (!record) {
        const form = formClock(ctx, issue);
        record = newDeadline(form.receivedOn, form.regime, {
            extended: false,
            otherDays: ctx.ledger.dueDays
        });
    }
    const { record: now } = moveDeadline(record, ctx.today, extendedOn(issue, ctx.ledger.label));
    return {
        deadline: {
            receivedOn: now.receivedOn,
            regime: now.regime,
            dueDate: now.dueDate,
            extended: now.extended === true,
            finishedAt: now.finishedAt ?? new Date(ctx.session.clock.now()).toISOString()
        }
    };
}

;// CONCATENATED MODULE: ./src/ledger/poll-step.ts
/**
 * A submitted issue: check each request's status once. Any `failed` -> tell the team (failReason)
 * and leave it open; all done -> deliver (download, verify, encrypt, receipt, one artifact per
 * issue when asked), post the delivery comment, `done`, close; links already expired -> `expired`.
 * The ledger comment is edited only when a status changed: a sweep that learns nothing new writes
 * nothing.
 */










async function pollIssue(ctx, issue, marker, commentId) {
    const n = issue.number;
    const ids = marker.requests.map(request => request.requestId);
    const plans = (0,workflow_helper/* planStatusChecks */.Nm)(ctx.settings, ids).map(plan => ({
        ...plan,
        label: `issue #${n} ${plan.label}`
    }));
    const records = await runPlans(ctx, plans);
    const mismatch = foreignAnswers(ctx, issue, marker, records);
    if (mismatch.length > 0)
        return foreign(ctx, issue, marker, commentId, ids, mismatch);
    const at = nowIso(ctx);
    const next = structuredClone(marker);
    const problems = [];
    let changed = false;
    records.forEach((record, i) => {
        const status = record.status;
        const known = status !== undefined &&
            (request_runner/* DONE_STATUSES */.CM.has(status) || request_runner/* FAILED_STATUSES */.Lg.has(status) || request_runner/* PENDING_STATUSES */.FJ.has(status));
        if (!known) {
            problems.push(record.problem ?? `request ${ids[i]}: no status`);
            return;
        }
        // A status check that saw a pending status did its job: not a problem for the outputs.
        if (request_runner/* PENDING_STATUSES */.FJ.has(status)) {
            record.outcome = 'submitted';
            delete record.problem;
        }
        const request = next.requests[i];
        if (request.status !== status) {
            changed = true;
            request.status = status;
            request.checkedAt = at;
        }
        if (request_runner/* DONE_STATUSES */.CM.has(status)) {
            request.doneAt ??= at;
            const expires = isoTime(record.expires);
            if (expires && request.expires !== expires) {
                request.expires = expires;
                changed = true;
            }
        }
    });
    const result = (state, note, extra = {}) => ({
        issue: n,
        before: 'submitted',
        state,
        requestIds: ids,
        note,
        ...(problems.length > 0 && { problem: problems.map(p => `issue #${n}: ${p}`).join('; ') }),
        ...extra
    });
    const reference = referenceOf(ctx, issue);
    const failed = records.filter(r => r.status !== undefined && request_runner/* FAILED_STATUSES */.Lg.has(r.status));
    if (failed.length > 0) {
        await ctx.github.createComment(n, failedComment(failed.map(r => ({
            requestId: r.requestId ?? ids[records.indexOf(r)],
            subject: next.requests[records.indexOf(r)].subject,
            failReason: r.failReason
        })), reference, ctx.ledger.label));
        next.state = 'failed';
        await writeLedger(ctx, issue, next, commentId, reference);
        await moveLabels(ctx, issue, 'failed');
        return result('failed', `Amplitude failed ${failed.length} request(s)`);
    }
    if (problems.length === 0 && records.every(r => request_runner/* DONE_STATUSES */.CM.has(r.status))) {
        return deliver(ctx, issue, next, commentId, records, reference, result);
    }
    if (changed)
        await writeLedger(ctx, issue, next, commentId, reference);
    await moveLabels(ctx, issue, 'submitted');
    const statuses = next.requests.map(r => r.status ?? '?').join(', ');
    return result('submitted', changed ? `now ${statuses}` : `still ${statuses} (nothing written)`);
}
async function deliver(ctx, issue, marker, commentId, records, reference, result) {
    const n = issue.number;
    const { settings, ledger } = ctx;
    const now = ctx.session.clock.now();
    const expiries = marker.requests.map(r => r.expires).filter((e) => Boolean(e));
    const earliest = expiries.sort()[0];
    if (earliest !== undefined && Date.parse(earliest) <= now) {
        await ctx.github.createComment(n, expiredComment(earliest, ledger.label));
        marker.state = 'expired';
        await writeLedger(ctx, issue, marker, commentId, reference);
        await moveLabels(ctx, issue, 'expired');
        return result('expired', `links expired at ${earliest}`);
    }
    // A delivery that cannot finish keeps the issue `submitted` (its new statuses recorded), so the
    // next sweep tries again while the links are valid.
    const keep = async (problem) => {
        await writeLedger(ctx, issue, marker, commentId, reference);
        return result('submitted', 'done at Amplitude; delivery failed', {
            problem: `issue #${n}: ${problem}`
        });
    };
    let files;
    let artifact;
    const dir = (0,external_node_path_.join)(settings.downloadPath, `issue-${n}`);
    if (settings.download) {
        try {
            await ownFolder(settings.downloadPath, dir);
        }
        catch (error) {
            return keep(error.message);
        }
        const got = await (0,export_helper/* downloadRecords */.Ln)(settings, ctx.session, records, dir, ctx.signal, ctx.log);
        if (got.problems.length > 0)
            return keep(got.problems.join('; '));
        files = got.files;
        ctx.files.push(...files);
        const name = settings.artifactName ? `${settings.artifactName}-${n}` : undefined;
        let receipt;
        try {
            receipt = await (0,receipt_helper/* writeRunReceipt */.$q)({
                dir,
                settings,
                requests: receiptRequests(marker),
                files,
                workflow: ctx.loaded.document.info.title,
                now,
                issue: { number: n, url: issue.htmlUrl, ...(reference && { reference }) },
                ...(name && { artifact: { name, retentionDays: settings.retentionDays } }),
                ...receiptDeadline(ctx, issue, marker)
            });
        }
        catch (error) {
            return keep(`receipt.json could not be written: ${error.message}`);
        }
        ctx.log(`issue #${n}: wrote ${receipt}`);
        if (name) {
            try {
                const uploaded = await (0,export_helper/* uploadArtifact */.mz)({
                    name,
                    files,
                    extraPaths: [receipt],
                    rootDirectory: dir,
                    retentionDays: settings.retentionDays
                });
                ctx.artifacts.push({ issue: n, ...uploaded });
                artifact = { name, url: uploaded.url, retentionDays: settings.retentionDays };
            }
            catch (error) {
                return keep(error.message);
            }
        }
    }
    // Delivered means delivered: an artifact uploaded (the ledger's way to deliver) and the receipt
    // in it. Otherwise the team is told where and until when to collect, and the issue stays open.
    if (!artifact) {
        await ctx.github.createComment(n, readyComment({
            requestIds: marker.requests.map(r => r.requestId),
            reference,
            expires: earliest,
            why: settings.download
                ? 'this workflow sets no `artifact-name`, so the files it downloaded stay on the runner, which is gone after the job'
                : 'this workflow does not download exports (`download: false`, no `artifact-name`)'
        }));
        marker.state = 'ready';
        await writeLedger(ctx, issue, marker, commentId, reference);
        await moveLabels(ctx, issue, 'ready');
        return result('ready', 'done at Amplitude; not delivered (no artifact-name): ready to collect');
    }
    await ctx.github.createComment(n, deliveredComment({
        requestIds: marker.requests.map(r => r.requestId),
        reference,
        expires: earliest,
        files: files?.map(f => ({
            name: f.path
                .slice(dir.length + 1)
                .split('\\')
                .join('/'),
            bytes: f.bytes,
            sha256: f.sha256,
            events: f.events
        })),
        recipients: settings.encryptTo,
        ...(artifact && { artifact })
    }));
    marker.state = 'done';
    await writeLedger(ctx, issue, marker, commentId, reference);
    await moveLabels(ctx, issue, 'done');
    return result('done', `delivered ${files?.length ?? 0} file(s)`);
}
/**
 * Status answers naming a subject that is not this request's (or not the form's): a state line
 * pointing at someone else's request. Each answer must name the request's own subject; one that
 * names none cannot be checked, and counts as a mismatch. Requests covering several subjects (the
 * seed's contract) are checked when the answer names one. The subject ids are dropped from the
 * records once checked: the ledger's outputs never carried them.
 */
function foreignAnswers(ctx, issue, marker, records) {
    const reading = readForm(issue.body, {
        startDate: ctx.settings.startDate,
        endDate: ctx.settings.endDate,
        today: ctx.today
    });
    const formSubjects = new Set(reading.ok ? reading.form.subjects.map(workflow_helper/* subjectFingerprint */.BG) : []);
    const problems = [];
    records.forEach((record, i) => {
        const answered = namedSubject(record.workflowOutputs);
        delete record.workflowOutputs.userId;
        delete record.workflowOutputs.amplitudeId;
        delete record.subject;
        if (record.status === undefined)
            return; // no answer: nothing to deliver from it
        const request = marker.requests[i];
        const single = !request.subject.includes(',');
        if (answered === undefined) {
            if (single)
                problems.push(`request ${request.requestId}: the status answer names no subject`);
            return;
        }
        const fingerprint = (0,workflow_helper/* subjectFingerprint */.BG)(answered);
        const ownSubject = single
            ? request.subject === fingerprint
            : request.subject.split(', ').includes(fingerprint);
        if (!ownSubject || !formSubjects.has(fingerprint)) {
            problems.push(`request ${request.requestId}: the status answer names ${fingerprint}, not a subject of this issue's form`);
        }
    });
    return problems;
}
function namedSubject(outputs) {
    const { userId, amplitudeId } = outputs;
    if (typeof userId === 'string' && userId !== '')
        return { kind: 'userId', userId };
    if (typeof amplitudeId === 'number' && Number.isSafeInteger(amplitudeId)) {
        return { kind: 'amplitudeId', amplitudeId };
    }
    return undefined;
}
async function foreign(ctx, issue, marker, commentId, ids, problems) {
    await ctx.github.createComment(issue.number, needsAttentionComment(`${problems.join('; ')}. Nothing was downloaded or delivered: check the ledger comment ` +
        'and the requests at Amplitude.', ctx.ledger.label));
    await writeLedger(ctx, issue, { ...marker, state: 'needs-attention' }, commentId);
    await moveLabels(ctx, issue, 'needs-attention');
    return {
        issue: issue.number,
        before: 'submitted',
        state: 'needs-attention',
        requestIds: ids,
        note: 'a status answer named another subject',
        problem: `issue #${issue.number}: ${problems.join('; ')}`
    };
}
/**
 * The per-issue download folder, created without following a symbolic link: a link planted at
 * `issue-<n>` (or a file) would send the export, its manifest and the receipt elsewhere.
 */
async function ownFolder(root, dir) {
    await (0,promises_.mkdir)(root, { recursive: true, mode: 0o700 });
    try {
        await (0,promises_.mkdir)(dir, { mode: 0o700 });
    }
    catch (error) {
        if (error.code !== 'EEXIST')
            throw error;
    }
    const found = await (0,promises_.lstat)(dir);
    if (found.isSymbolicLink() || !found.isDirectory()) {
        throw new Error(`the download folder ${(0,external_node_path_.basename)(dir)} is ${found.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: refused to write the export through it`);
    }
}
/** What the receipt says about each request, from the ledger's own record. */
function receiptRequests(marker) {
    return marker.requests.map(r => ({
        requestId: r.requestId,
        subject: r.subject,
        startDate: marker.startDate,
        endDate: marker.endDate,
        statuses: [
            ...(r.submittedAt ? [{ status: 'requested', at: r.submittedAt }] : []),
            ...(r.status && (r.doneAt ?? r.checkedAt)
                ? [{ status: r.status, at: (r.doneAt ?? r.checkedAt) }]
                : [])
        ],
        ...(r.expires && { expires: r.expires })
    }));
}
/** The form's reference, read again (the body may have changed; a broken form has none). */
function referenceOf(ctx, issue) {
    const reading = readForm(issue.body, {
        startDate: ctx.settings.startDate,
        endDate: ctx.settings.endDate,
        today: ctx.today
    });
    return reading.ok ? reading.form.reference : undefined;
}
function isoTime(value) {
    if (!value || value.length > 40)
        return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

// EXTERNAL MODULE: ./src/action/http-transport.ts
var http_transport = __webpack_require__(33404);
;// CONCATENATED MODULE: ./src/ledger/submit-step.ts
/**
 * A new issue (or one a person asked again): check that its author may ask, read the form, write
 * the ledger comment as `submitting` (the write-ahead record), submit one DSAR per subject, then
 * record the request ids (`submitted`). A request id that GitHub then fails to record is logged at
 * once and reaches the step's outputs, summary and failure message: nothing is lost.
 */







const ASKING_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
/** Any permission on a private repository makes its holder a member or collaborator. */
const ASKING_PERMISSIONS = new Set(['admin', 'maintain', 'write', 'triage', 'read']);
const submit_step_REQUEST_ID = /^[A-Za-z0-9_-]{1,128}$/;
const submit_step_STATUS = /^[a-z][a-z_-]{0,31}$/;
/**
 * Only owners, members and collaborators may ask. GitHub shows a private org member to some
 * tokens as CONTRIBUTOR or NONE, so anyone else is looked up by their permission first.
 */
async function mayAsk(ctx, issue) {
    if (ASKING_ASSOCIATIONS.has(issue.association))
        return true;
    return ASKING_PERMISSIONS.has(await ctx.github.permission(issue.author));
}
async function submitIssue(ctx, issue, step) {
    const before = step.retry ? 'retry' : 'new';
    const result = (state, note, extra = {}) => ({
        issue: issue.number,
        before,
        state,
        requestIds: [],
        note,
        ...extra
    });
    if (!(await mayAsk(ctx, issue))) {
        await ctx.github.createComment(issue.number, refusedComment());
        await moveLabels(ctx, issue, 'refused');
        return result('refused', 'the author is not an owner, member or collaborator');
    }
    const { settings } = ctx;
    const reading = readForm(issue.body, {
        startDate: settings.startDate,
        endDate: settings.endDate,
        today: ctx.today
    });
    if (!reading.ok) {
        await ctx.github.createComment(issue.number, needsInfoComment(reading.field, reading.problem, ctx.ledger.label));
        await moveLabels(ctx, issue, 'needs-info');
        return result('needs-info', `the form: ${(0,untrusted_text/* forLog */.Ig)(reading.field)} ${(0,untrusted_text/* forLog */.Ig)(reading.problem)}`);
    }
    return submitForm(ctx, issue, reading.form, step, result);
}
async function submitForm(ctx, issue, form, step, result) {
    const n = issue.number;
    const allPlans = (0,workflow_helper/* planRuns */.gp)({
        ...ctx.settings,
        subjects: form.subjects,
        startDate: form.startDate,
        endDate: form.endDate,
        wait: false,
        requestIds: []
    }, ctx.loaded).map(plan => ({ ...plan, label: `issue #${n} ${plan.label}`, subject: undefined }));
    // One request per subject (documented API), or one for all of them (the seed's contract).
    const fingerprints = allPlans.length === form.subjects.length
        ? form.subjects.map(workflow_helper/* subjectFingerprint */.BG)
        : [form.subjects.map(workflow_helper/* subjectFingerprint */.BG).join(', ')];
    // Requests Amplitude accepted in an earlier run stay as they are: never asked twice.
    const kept = (step.keep?.requests ?? []).filter(r => r.requestId !== null);
    const keptSubjects = new Set(kept.map(r => r.subject));
    const todo = fingerprints.flatMap((subject, i) => keptSubjects.has(subject) ? [] : [{ subject, plan: allPlans[i] }]);
    // A person asked again: their old state label goes first, so that no crash below can leave
    // `<label>` beside a person state (which would read as yet another retry).
    if (step.retry)
        await moveLabels(ctx, issue, 'new');
    const marker = {
        version: MARKER_VERSION,
        state: 'submitting',
        startDate: step.keep?.startDate ?? form.startDate,
        endDate: step.keep?.endDate ?? form.endDate,
        until: new Date(ctx.deadline).toISOString(),
        requests: [
            ...kept.map(r => ({ ...r })),
            ...todo.map(({ subject }) => ({
                requestId: null,
                subject,
                status: null,
                submittedAt: null,
                checkedAt: null,
                doneAt: null
            }))
        ]
    };
    const commentId = await writeLedger(ctx, issue, marker, step.commentId, form.reference);
    if (step.commentId === undefined && (await anotherSweepFirst(ctx, issue, commentId))) {
        // Two sweeps took the issue up at once (outside one concurrency group): the one whose
        // write-ahead comment came first submits; this one takes its comment back.
        await ctx.github.deleteComment(commentId);
        return result(step.retry ? 'retry' : 'new', 'another sweep is submitting it');
    }
    ctx.log(`issue #${n}: ledger says submitting; submitting ${todo.length} request(s)`);
    const runs = await submitPlans(ctx, todo.map(t => t.plan));
    const at = nowIso(ctx);
    const stopReason = ctx.signal.aborted ? ctx.signal.reason : undefined;
    const fresh = marker.requests.slice(kept.length);
    const outcomes = runs.map(({ record, posted }, i) => {
        const id = record.requestId && submit_step_REQUEST_ID.test(record.requestId) ? record.requestId : null;
        if (id)
            ctx.log(`issue #${n}: Amplitude accepted request ${id} (${fresh[i].subject})`);
        else if (record.requestId)
            ctx.log(`issue #${n}: Amplitude answered an unusable request id`);
        return { record, id, sent: id ? undefined : sentOutcome(record, posted) };
    });
    outcomes.forEach(({ record, id, sent }, i) => {
        const request = fresh[i];
        request.requestId = id;
        if (id) {
            request.submittedAt = at;
            const status = record.status;
            request.status = status && submit_step_STATUS.test(status) ? status : null;
        }
        else
            request.sent = sent;
    });
    const obtained = outcomes.map(o => o.id).filter((id) => id !== null);
    const allIds = marker.requests.map(r => r.requestId).filter((id) => id !== null);
    const uncertain = fresh.filter(r => r.sent === 'uncertain');
    const notSent = fresh.filter(r => r.sent === 'not-sent');
    const why = runs
        .map(r => r.record.problem)
        .filter(Boolean)
        .join('; ');
    // The timeout (or the budget's room only after it) stopped a request before it was sent: not a
    // fault, the next sweep submits it.
    const cut = outcomes.every(o => o.sent !== 'not-sent' || isDeadline(o.record.error ?? stopReason));
    const problem = notSent.length > 0 && !cut ? { problem: `issue #${n}: ${why}` } : {};
    if (uncertain.length === 0 && allIds.length === 0) {
        // Nothing reached Amplitude: take the write-ahead record back, the next sweep tries again.
        await ctx.github.deleteComment(commentId);
        return result(step.retry ? 'retry' : 'new', 'nothing submitted', {
            ...(notSent.length > 0 && !cut && { problem: `issue #${n}: nothing was submitted (${why})` })
        });
    }
    delete marker.until;
    if (uncertain.length === 0) {
        marker.state = 'submitted';
        try {
            await writeLedger(ctx, issue, marker, commentId, form.reference);
        }
        catch (error) {
            return result('submitting', 'submitted; GitHub failed to record the request ids', {
                requestIds: obtained,
                unrecorded: obtained,
                problem: `issue #${n}: GitHub failed after Amplitude accepted request ${obtained.join(', ')} ` +
                    `(${error.message}); the ledger comment still says submitting, so the next ` +
                    'sweep asks a person (needs-attention) instead of submitting again'
            });
        }
        await moveLabels(ctx, issue, 'submitted');
        const rest = notSent.length > 0 ? `; ${notSent.length} not sent yet (the next sweep)` : '';
        return result('submitted', `submitted ${obtained.join(', ') || '(none new)'}${rest}`, {
            requestIds: allIds,
            ...problem
        });
    }
    marker.state = 'needs-attention';
    await writeLedger(ctx, issue, marker, commentId, form.reference);
    await ctx.github.createComment(n, needsAttentionComment(`Amplitude accepted ${allIds.length} of ${marker.requests.length} requests` +
        (allIds.length > 0 ? ` (${allIds.join(', ')}, in the ledger comment)` : '') +
        `; ${notSent.length} were never sent; for ${uncertain.map(r => r.subject).join(', ')} ` +
        'a request was sent without a usable answer, so it is unknown whether Amplitude created it. ' +
        'Adding the label again keeps the accepted requests and submits only the others.', ctx.ledger.label));
    await moveLabels(ctx, issue, 'needs-attention');
    return result('needs-attention', 'some requests may have been created without an answer', {
        requestIds: allIds,
        problem: `issue #${n}: ${why}`
    });
}
/** Whether a ledger comment of the action's own, older than `commentId`, is on the issue. */
async function anotherSweepFirst(ctx, issue, commentId) {
    const comments = await ctx.github.issueComments(issue.number);
    return comments.some(c => c.id < commentId &&
        c.author === ctx.identity.login &&
        c.authorType === ctx.identity.type &&
        c.body.includes(MARKER_PREFIX));
}
/**
 * A request with no usable id: `not-sent` when Amplitude cannot have taken it (no attempt left
 * this machine, or every answer was a refusal or "not processed": src/action/api-session.ts);
 * `uncertain` otherwise (sent and not answered, or answered with an id the ledger cannot keep).
 */
function sentOutcome(record, posted) {
    return record.requestId || posted ? 'uncertain' : 'not-sent';
}
function isDeadline(error) {
    return error instanceof http_transport/* TransportError */.wX && error.kind === 'deadline';
}

;// CONCATENATED MODULE: ./src/ledger/issue-step.ts
/**
 * One issue, one step: read its ledger (trusted comments only), decide (src/ledger/states.ts), act.
 * The two states that stop for a person without Amplitude's say are here: `needs-attention` (the
 * ledger cannot tell what was submitted) and the silent completion of a label change a previous
 * sweep recorded but did not finish.
 */






/** What the sweep will do with `issue`, from its labels and its ledger (no call made). */
function planStep(ctx, issue, comments) {
    const reading = readLedger(comments, ctx.identity, sealOf(ctx, issue.number));
    if (reading.kind === 'valid') {
        ctx.ledgers.set(issue.number, { marker: reading.marker, commentId: reading.commentId });
    }
    return decide(issue.labels, ctx.ledger.label, reading, ctx.session.clock.now());
}
async function stepIssue(ctx, issue, step, options = { poll: true }) {
    switch (step.kind) {
        case 'new':
            return submitIssue(ctx, issue, step);
        case 'poll':
            if (options.poll)
                return pollIssue(ctx, issue, step.marker, step.commentId);
            return {
                issue: issue.number,
                before: 'submitted',
                state: 'submitted',
                requestIds: step.marker.requests.map(r => r.requestId),
                note: 'not checked (an issue event; the scheduled sweeps check requests)'
            };
        case 'stuck':
            return stuck(ctx, issue, step);
        case 'busy':
            return {
                issue: issue.number,
                before: 'submitting',
                state: 'submitting',
                requestIds: [],
                note: `another run is submitting it (its deadline: ${step.until}); left alone`
            };
        case 'settle':
            await moveLabels(ctx, issue, step.state);
            return {
                issue: issue.number,
                before: step.state,
                state: step.state,
                requestIds: [],
                note: 'labels brought in line with the ledger comment'
            };
    }
}
const REASONS = {
    submitting: 'a run stopped while submitting this request (the ledger comment still says submitting, with ' +
        'no request id), so it is unknown whether Amplitude created it.',
    unreadable: 'the ledger comment no longer reads as the action wrote it. Fix or delete it, then add the ' +
        'label again.',
    tampered: 'the state line of the ledger comment fails its integrity check (edited by hand, copied from ' +
        'another issue, written by an older version, or the secret key changed), so nothing was ' +
        'checked or downloaded.',
    several: 'this issue has more than one ledger comment (two sweeps took it up at once), so nothing was ' +
        'checked or downloaded.',
    missing: 'this issue is labelled as submitted, but its ledger comment is missing (only comments by the ' +
        "action's own GitHub identity count)."
};
async function stuck(ctx, issue, step) {
    const named = step.why === 'several'
        ? ` Request ids found in them: ${step.requestIds?.length ? step.requestIds.join(', ') : 'none'}.`
        : '';
    await ctx.github.createComment(issue.number, needsAttentionComment(REASONS[step.why] + named, ctx.ledger.label));
    if (step.marker && step.commentId !== undefined) {
        // Recorded as needs-attention, so that adding the label again can submit (a person's choice).
        await writeLedger(ctx, issue, { ...step.marker, state: 'needs-attention' }, step.commentId);
    }
    await moveLabels(ctx, issue, 'needs-attention');
    const ids = step.requestIds ??
        step.marker?.requests.map(r => r.requestId).filter((id) => !!id) ??
        [];
    return {
        issue: issue.number,
        before: step.why === 'missing' ? 'submitted' : step.why,
        state: 'needs-attention',
        requestIds: ids,
        note: REASONS[step.why].split(' (')[0].split('. ')[0]
    };
}

// EXTERNAL MODULE: ./src/action/summary-helper.ts
var summary_helper = __webpack_require__(89775);
;// CONCATENATED MODULE: ./src/ledger/summary.ts
/**
 * The job summary of a sweep: what happened to each issue, what GitHub's budget saw, then the
 * requests table every run writes (src/action/summary-helper.ts). When each request was last
 * checked lives here, not in the issue: the ledger comment changes only when a status does.
 */




async function writeSweepSummary(s) {
    if (!process.env.GITHUB_STEP_SUMMARY)
        return;
    const summary = (0,summary_helper/* buildSummary */.f)({
        records: s.records,
        workflowTitle: s.workflowTitle,
        now: s.now,
        problems: s.problems,
        ...(s.resumeHint && { resumeHint: s.resumeHint }),
        files: s.files,
        facts: s.facts
    });
    const calls = s.calls;
    summary.addHeading('Ledger sweep', 3);
    summary.addRaw(`<p>${s.openIssues} open issue(s) labelled <code>${(0,untrusted_text/* forHtml */.B2)(s.label)}</code>, checked at ` +
        `${new Date(s.now).toISOString()}. GitHub REST: ${calls.reads} read(s), ${calls.writes} ` +
        `write(s), ${calls.failedAttempts} failed attempt(s)` +
        (calls.remaining !== undefined ? `, ${calls.remaining} requests left this hour` : '') +
        (calls.malformed > 0 ? `, ${calls.malformed} malformed item(s) ignored` : '') +
        '.</p>' +
        (s.deferred ? `<p>${(0,untrusted_text/* forHtml */.B2)(s.deferred)}.</p>` : ''), true);
    if (s.results.length > 0) {
        summary.addTable([
            [
                { data: 'Issue', header: true },
                { data: 'Was', header: true },
                { data: 'Now', header: true },
                { data: 'Request ids', header: true },
                { data: 'What happened', header: true }
            ],
            ...s.results.map(r => [
                `#${r.issue}`,
                (0,untrusted_text/* forHtml */.B2)(r.before),
                (0,untrusted_text/* forHtml */.B2)(r.state),
                (0,untrusted_text/* forHtml */.B2)(r.requestIds.join(', ') || '–'),
                (0,untrusted_text/* forHtml */.B2)(r.note)
            ])
        ]);
    }
    if (s.clocks && s.clocks.length > 0 && s.today) {
        summary.addHeading('Open requests by due date', 3);
        summary.addTable(clockTable(s.clocks, s.today));
    }
    try {
        await summary.write();
    }
    catch (error) {
        log/* log */.R.warning((0,log/* line */.n) `could not write the job summary: ${error.message}`);
    }
}

;// CONCATENATED MODULE: ./src/ledger/sweep.ts
/**
 * `ledger: issues`: one sweep over the open issues carrying the ledger label, moving each on by at
 * most one step of its life (src/ledger/issue-step.ts), without waiting for Amplitude.
 *
 * Safety first, in this order: the repository must be private (checked before anything else, so a
 * public one fails the step before any DSAR call); the ledger trusts only comments written by the
 * token's own identity; GitHub costs the list pages plus one call per change (comments are read for
 * the whole repository in pages, not per issue); and whatever fails, the outputs, the job summary
 * and the log carry every request id Amplitude gave, and the step fails with the resume line.
 */



















/** Issues filed within this long are read through the repository's comment list; older ones alone. */
const RECENT_MS = 7 * 24 * 3_600_000;
/** An issue event's run looks at the issues updated this recently (the schedule sees the rest). */
const EVENT_LOOKBACK_MS = 2 * 3_600_000;
/** How long GitHub calls may go on after the run was stopped, to record what was done. */
const CLEANUP_MS = 5_000;
/** The longest wait for GitHub's rate limit a sweep accepts (the next sweep can carry on). */
const MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000;
async function sweepLedger(settings, ledger, stop, deps = {}) {
    const loaded = await (0,workflow_helper/* loadWorkflowInput */.cT)(settings, message => log/* log */.R.notice((0,log/* line */.n) `${message}`));
    // Amplitude is cut a reserve before the deadline, GitHub at it (src/ledger/sweep-time.ts).
    const reserve = reserveMs(settings.timeoutMs);
    const session = (0,api_session/* openApiSession */.F)({ ...settings, timeoutMs: settings.timeoutMs - reserve }, stop, deps);
    const deadline = session.startedAt + settings.timeoutMs;
    const githubStop = githubDeadline(session, deadline, stop.signal);
    const { owner, repo } = repositoryOf(process.env.GITHUB_REPOSITORY);
    const github = new GitHubClient({
        token: ledger.githubToken,
        apiUrl: githubApiOrigin(process.env.GITHUB_API_URL),
        owner,
        repo,
        ...deps.github,
        waitUnitMs: session.hooks.backoffBaseMs,
        maxRateLimitWaitMs: Math.min(MAX_RATE_LIMIT_WAIT_MS, Math.max(0, session.deadline - session.clock.now())),
        log: text => log/* log */.R.untrusted(text),
        signal: githubStop.signal
    });
    const ctx = {
        settings,
        ledger,
        session,
        loaded,
        github,
        identity: { login: '', type: '' },
        signal: stop.signal,
        today: new Date(session.clock.now()).toISOString().slice(0, 10),
        log: text => log/* log */.R.untrusted(text),
        records: [],
        files: [],
        artifacts: [],
        deadline,
        ledgerKey: ledgerKey(settings.basicAuth),
        repository: `${owner}/${repo}`,
        ledgers: new Map(),
        clocks: []
    };
    const results = [];
    const problems = [];
    let openIssues = 0;
    const budget = new GitHubBudget(github.calls, () => session.clock.now());
    const time = new SubmitTime({
        now: () => session.clock.now(),
        cutoff: session.deadline,
        pacer: session.pacer,
        concurrency: settings.maxConcurrency
    });
    let deferred;
    try {
        const repository = await github.repository();
        if (repository.visibility !== 'private') {
            throw new Error(`${repository.fullName} is a ${repository.visibility} repository: the ledger works only in a ` +
                'private one (DSAR issues, request ids and exports are personal data). Nothing was sent to Amplitude.');
        }
        ctx.identity = await github.identity();
        await ensureLabels(github, ledger.label, text => log/* log */.R.info((0,log/* line */.n) `${text}`));
        // A run started by an issue event takes up the issues changed lately (filed, re-labelled) at
        // once; checking the requests Amplitude is working on, and older issues, is the schedule's job:
        // a burst of filings then costs Amplitude nothing and GitHub a page or two per run.
        const event = eventRun();
        const listed = await github.openIssues(ledger.label, event ? new Date(session.clock.now() - EVENT_LOOKBACK_MS).toISOString() : undefined);
        const issues = event
            ? listed.filter(issue => !issue.labels.includes(stateLabel(ledger.label, 'submitted')))
            : listed;
        openIssues = issues.length;
        log/* log */.R.info(event
            ? (0,log/* line */.n) `An issue event: ${issues.length} open issue(s) labelled '${ledger.label}' changed in the last 2 hours to take up in ${repository.fullName}; requests in progress are checked by the scheduled sweeps`
            : (0,log/* line */.n) `Ledger: ${listed.length} open issue(s) labelled '${ledger.label}' in ${repository.fullName}`);
        const comments = await commentsByIssue(github, issues, session.clock.now());
        const subjects = (issue) => {
            const reading = readForm(issue.body, {
                startDate: settings.startDate,
                endDate: settings.endDate,
                today: ctx.today
            });
            return reading.ok ? reading.form.subjects.length : 0;
        };
        // Requests already at Amplitude come first (their polls and deliveries start before any new
        // submit, oldest first within each); new issues are taken up only while GitHub's budget can
        // record their whole submit (src/ledger/github-budget.ts), the rest wait for the next sweep.
        const planned = issues.map(issue => ({
            issue,
            step: planStep(ctx, issue, comments.get(issue.number) ?? [])
        }));
        const ordered = [
            ...planned.filter(p => p.step.kind !== 'new'),
            ...planned.filter(p => p.step.kind === 'new')
        ];
        let halted;
        const slots = new semaphore/* Semaphore */.j(settings.maxConcurrency);
        await Promise.all(ordered.map(({ issue, step }) => slots.use(async () => {
            // Past Amplitude's cutoff nothing more is taken up: issues not reached stay as they were.
            if (halted || stop.signal.aborted || session.clock.now() >= session.deadline)
                return;
            try {
                const go = async () => {
                    const stepped = await stepIssue(ctx, issue, step, { poll: !event });
                    await checkDeadline(ctx, issue).catch((error) => {
                        const problem = `issue #${issue.number}: the deadline check: ${error.message}`;
                        stepped.problem = stepped.problem ? `${stepped.problem}; ${problem}` : problem;
                        if (error instanceof GitHubError)
                            halted = problem;
                    });
                    return stepped;
                };
                const result = step.kind === 'new'
                    ? await time.submit(subjects(issue), () => budget.submit(go))
                    : await budget.progress(go);
                if (!result)
                    return; // left untouched for the next sweep (said once, below)
                results.push(result);
                log/* log */.R.info((0,log/* line */.n) `issue #${issue.number}: ${result.before} -> ${result.state}: ${result.note}`);
            }
            catch (error) {
                const message = `issue #${issue.number}: ${error.message}`;
                results.push({
                    issue: issue.number,
                    before: '?',
                    state: 'unchanged',
                    requestIds: [],
                    note: 'stopped',
                    problem: message
                });
                // GitHub down or the wrong identity: every further step would fail the same way.
                if (error instanceof GitHubError || error instanceof IdentityError)
                    halted = message;
            }
        })));
        deferred = [time.deferredNote(), budget.deferredNote()].filter(Boolean).join('; ') || undefined;
        if (deferred)
            log/* log */.R.notice((0,log/* line */.n) `${deferred}`);
        if (halted)
            problems.push(`the sweep stopped early: ${halted}`);
    }
    catch (error) {
        problems.push(error.message);
    }
    finally {
        githubStop.release();
        results.sort((a, b) => a.issue - b.issue);
        problems.unshift(...results.map(r => r.problem).filter((p) => Boolean(p)));
        await report(ctx, results, problems, openIssues, deferred);
    }
    const unrecorded = results.flatMap(r => r.unrecorded ?? []);
    if (stop.signal.aborted)
        problems.push(stop.signal.reason.message);
    if (problems.length > 0) {
        let message = [...new Set(problems)].join('; ');
        if (unrecorded.length > 0) {
            message += `\nResume them in a later run with:\n  request-ids: ${unrecorded.join(',')}`;
        }
        throw new Error(message);
    }
    log/* log */.R.info((0,log/* line */.n) `Ledger sweep done: ${results.length} issue(s) moved on or checked.`);
}
/** Outputs, then the summary: written whatever happened, from whatever is known. */
async function report(ctx, results, problems, openIssues, deferred) {
    const artifact = ctx.artifacts[0];
    (0,output_helper/* writeOutputs */.Kn)((0,output_helper/* computeOutputs */.GC)(ctx.records, {
        ...(ctx.settings.download && { files: ctx.files }),
        ...(artifact && { artifact })
    }));
    core/* setOutput */.uH('ledger', JSON.stringify(results.map(r => ({ issue: r.issue, state: r.state, requestIds: r.requestIds }))));
    const unrecorded = results.flatMap(r => r.unrecorded ?? []);
    await writeSweepSummary({
        results,
        records: ctx.records,
        files: ctx.files,
        problems,
        resumeHint: unrecorded.length > 0 ? `request-ids: ${unrecorded.join(',')}` : undefined,
        workflowTitle: ctx.loaded.document.info.title,
        now: ctx.session.clock.now(),
        label: ctx.ledger.label,
        openIssues,
        ...(deferred && { deferred }),
        calls: ctx.github.calls,
        clocks: ctx.clocks,
        today: ctx.today,
        facts: (0,summary_facts/* runFacts */.pI)(ctx.settings, { records: ctx.records, now: ctx.session.clock.now() })
    });
}
/**
 * The comments of every listed issue that has any. Recent issues are read through the repository's
 * comment list (`since` the oldest of them: pages of 100, whatever the number of issues); older
 * ones (re-labelled long after filing) one by one, so an old issue cannot make the list long.
 */
async function commentsByIssue(github, issues, now) {
    const byIssue = new Map();
    // Every issue's comments are read: GitHub's `comments` count can lag behind a comment just
    // written (a sweep trusting a 0 would submit again beside an existing ledger comment).
    const commented = issues;
    const recent = commented.filter(issue => Date.parse(issue.createdAt) >= now - RECENT_MS);
    const alone = recent.length === 1 ? commented : commented.filter(i => !recent.includes(i));
    if (recent.length > 1) {
        const since = recent
            .map(issue => issue.createdAt)
            .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
        const wanted = new Set(recent.map(issue => issue.number));
        for (const comment of await github.commentsSince(since)) {
            if (!wanted.has(comment.issueNumber))
                continue;
            byIssue.set(comment.issueNumber, [...(byIssue.get(comment.issueNumber) ?? []), comment]);
        }
    }
    for (const issue of alone)
        byIssue.set(issue.number, await github.issueComments(issue.number));
    return byIssue;
}
/**
 * The signal that cuts every GitHub call: aborted at the run's deadline (by the session's clock),
 * or CLEANUP_MS after the run was stopped (cancelled, or credentials refused), so the steps under
 * way can still take back a write-ahead comment or record what Amplitude accepted. `release` ends
 * its timers once the sweep is over.
 */
function githubDeadline(session, deadline, stopped) {
    const cut = new AbortController();
    const timers = new AbortController();
    const cutAfter = (ms, reason) => {
        session.clock.sleep(Math.max(0, ms), timers.signal).then(() => cut.abort(new Error(reason)), () => undefined);
    };
    cutAfter(deadline - session.clock.now(), "the run's timeout ran out");
    const onStop = () => cutAfter(Math.min(CLEANUP_MS, deadline - session.clock.now()), 'the run was stopped');
    if (stopped.aborted)
        onStop();
    else
        stopped.addEventListener('abort', onStop, { once: true });
    return {
        signal: cut.signal,
        release: () => {
            timers.abort();
            stopped.removeEventListener('abort', onStop);
        }
    };
}
/** Whether an `issues` event started this run (GITHUB_EVENT_NAME, set by the runner). */
function eventRun() {
    return process.env.GITHUB_EVENT_NAME === 'issues';
}
function repositoryOf(text) {
    const match = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/.exec(text ?? '');
    if (!match) {
        throw new Error('GITHUB_REPOSITORY is not set to owner/name: the ledger runs inside GitHub Actions');
    }
    return { owner: match[1], repo: match[2] };
}


/***/ })

};
