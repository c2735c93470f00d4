export const id = 281;
export const ids = [281];
export const modules = {

/***/ 6281:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ledgerDemo: () => (/* binding */ ledgerDemo)
});

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(8500);
// EXTERNAL MODULE: ./src/simulator/faults.ts
var faults = __webpack_require__(7609);
;// CONCATENATED MODULE: ./src/simulator/github/repository.ts
/** The identity behind a GITHUB_TOKEN, with its id on github.com. */
const ACTIONS_BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
class RepositoryState {
    owner;
    repo;
    now;
    visibility;
    /** Issues report `comments: 0` whatever they have (GitHub's count lagging behind a write). */
    staleCommentCounts = false;
    people = new Map();
    issues = new Map();
    allComments = [];
    labels = new Map();
    nextUserId = 1001;
    nextNumber = 1;
    nextCommentId = 900001;
    nextLabelId = 5001;
    constructor(owner, repo, visibility, now) {
        this.owner = owner;
        this.repo = repo;
        this.now = now;
        this.visibility = visibility;
        this.people.set(ACTIONS_BOT.login, { user: ACTIONS_BOT, permission: 'write' });
        this.addUser({ login: owner, permission: 'admin', association: 'OWNER' });
    }
    addUser(spec) {
        const existing = this.people.get(spec.login);
        const user = existing?.user ?? {
            login: spec.login,
            id: this.nextUserId++,
            type: spec.type ?? 'User'
        };
        this.people.set(spec.login, {
            user,
            permission: spec.permission ?? existing?.permission ?? 'none',
            association: spec.association ?? existing?.association
        });
        return user;
    }
    user(login) {
        return this.people.get(login)?.user;
    }
    permission(login) {
        return this.people.get(login)?.permission;
    }
    association(login) {
        const person = this.people.get(login);
        if (!person)
            return 'NONE';
        if (person.association)
            return person.association;
        if (login === this.owner)
            return 'OWNER';
        return person.permission !== 'none' ? 'COLLABORATOR' : 'NONE';
    }
    fileIssue(options) {
        const user = this.user(options.author) ?? this.addUser({ login: options.author });
        const at = options.at ?? this.now();
        const issue = {
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
        };
        this.issues.set(issue.number, issue);
        this.setLabels(issue, options.labels ?? []);
        return issue;
    }
    issue(number) {
        return this.issues.get(number);
    }
    openIssues() {
        return [...this.issues.values()].filter(issue => issue.state === 'open');
    }
    allIssues() {
        return [...this.issues.values()];
    }
    setLabels(issue, names) {
        for (const name of names)
            this.label(name);
        issue.labels = [...new Set(names)];
        issue.updatedAt = this.now();
    }
    addComment(issue, user, body) {
        const at = this.now();
        const comment = {
            id: this.nextCommentId++,
            issueNumber: issue.number,
            body,
            user,
            createdAt: at,
            updatedAt: at
        };
        this.allComments.push(comment);
        issue.updatedAt = at;
        return comment;
    }
    comment(id) {
        return this.allComments.find(comment => comment.id === id);
    }
    deleteComment(id) {
        const index = this.allComments.findIndex(comment => comment.id === id);
        if (index >= 0)
            this.allComments.splice(index, 1);
    }
    /** In id order, like GitHub's default. */
    comments(filter = () => true) {
        return this.allComments.filter(filter);
    }
    commentCount(issue) {
        return this.allComments.filter(comment => comment.issueNumber === issue.number).length;
    }
    /** GitHub creates a label set on an issue that does not exist yet (grey, no description). */
    label(name) {
        let label = this.labels.get(name);
        if (!label) {
            label = { id: this.nextLabelId++, name, color: 'ededed', description: null };
            this.labels.set(name, label);
        }
        return label;
    }
    /** A label made through POST /labels; undefined when one of that name (any case) exists. */
    createLabel(name, color, description) {
        if ([...this.labels.keys()].some(existing => existing.toLowerCase() === name.toLowerCase())) {
            return undefined;
        }
        const label = { id: this.nextLabelId++, name, color, description };
        this.labels.set(name, label);
        return label;
    }
    allLabels() {
        return [...this.labels.values()];
    }
    // -------------------------------------------------------------------------------------------
    // JSON as GitHub renders it
    // -------------------------------------------------------------------------------------------
    repositoryJson(base) {
        return {
            id: 123456,
            name: this.repo,
            full_name: `${this.owner}/${this.repo}`,
            owner: this.userJson(this.user(this.owner), base),
            private: this.visibility !== 'public',
            visibility: this.visibility,
            html_url: `${htmlOrigin(base)}/${this.owner}/${this.repo}`,
            url: `${base}/repos/${this.owner}/${this.repo}`,
            has_issues: true
        };
    }
    userJson(user, base) {
        return {
            login: user.login,
            id: user.id,
            type: user.type,
            url: `${base}/users/${encodeURIComponent(user.login)}`,
            site_admin: false
        };
    }
    issueJson(issue, base) {
        const repoUrl = `${base}/repos/${this.owner}/${this.repo}`;
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
        };
    }
    commentJson(comment, base) {
        const repoUrl = `${base}/repos/${this.owner}/${this.repo}`;
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
        };
    }
}
/** GitHub's timestamps have whole seconds. */
function iso(ms) {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
/** The web origin next to an API origin: api.github.com -> github.com; a stand-in keeps its own. */
function htmlOrigin(base) {
    return base.replace('://api.', '://');
}

;// CONCATENATED MODULE: ./src/simulator/github/routes.ts
/** GitHub's limit on an issue or comment body. */
const MAX_BODY_CHARS = 65_536;
const DOCS = 'https://docs.github.com/rest';
function createRoutes(state) {
    const repoPath = `/repos/${state.owner}/${state.repo}`;
    const routes = [
        ['GET', /^\/user$/, getUser],
        ['GET', /^\/repos\/([^/]+)\/([^/]+)$/, getRepository],
        ['GET', /^\/repos\/[^/]+\/[^/]+\/issues$/, listIssues],
        ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/comments$/, listRepoComments],
        ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/, getIssue],
        ['PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/, updateIssue],
        ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/, listIssueComments],
        ['POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/, createComment],
        ['PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/, updateComment],
        ['DELETE', /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/, deleteComment],
        ['PUT', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels$/, setLabels],
        ['POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels$/, addLabels],
        ['DELETE', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels\/([^/]+)$/, removeLabel],
        ['GET', /^\/repos\/[^/]+\/[^/]+\/labels$/, listLabels],
        ['POST', /^\/repos\/[^/]+\/[^/]+\/labels$/, createLabel],
        ['GET', /^\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/, getPermission]
    ];
    function getUser(request) {
        if (request.caller.installation)
            return forbidden('Resource not accessible by integration');
        return ok(state.userJson(request.caller.user, request.base));
    }
    function getRepository(request) {
        return ok(state.repositoryJson(request.base));
    }
    function listIssues(request) {
        const query = request.url.searchParams;
        const wanted = query.get('state') ?? 'open';
        const labels = (query.get('labels') ?? '')
            .split(',')
            .map(label => label.trim())
            .filter(Boolean);
        const since = sinceOf(request);
        if (since === null)
            return invalid('since', 'is not an ISO 8601 timestamp');
        const issues = state
            .allIssues()
            .filter(issue => wanted === 'all' || issue.state === wanted)
            .filter(issue => labels.every(label => issue.labels.includes(label)))
            .filter(issue => issue.updatedAt >= since);
        const direction = query.get('direction') ?? 'desc';
        issues.sort((a, b) => (direction === 'asc' ? 1 : -1) * (a.createdAt - b.createdAt || a.number - b.number));
        return paged(request, issues, issue => state.issueJson(issue, request.base));
    }
    function listRepoComments(request) {
        const since = sinceOf(request);
        if (since === null)
            return invalid('since', 'is not an ISO 8601 timestamp');
        const comments = state.comments(comment => comment.updatedAt >= since);
        return paged(request, comments, comment => state.commentJson(comment, request.base));
    }
    function getIssue(request, [number]) {
        const issue = state.issue(Number(number));
        return issue ? ok(state.issueJson(issue, request.base)) : notFound();
    }
    function updateIssue(request, [number]) {
        const issue = state.issue(Number(number));
        if (!issue)
            return notFound();
        if (!request.caller.canWrite)
            return forbidden('Resource not accessible by integration');
        const body = objectBody(request);
        if (!body)
            return invalid('body', 'is not a JSON object');
        if (body.state !== undefined) {
            if (body.state !== 'open' && body.state !== 'closed')
                return invalid('state', 'is not open or closed');
            issue.state = body.state;
            issue.stateReason = body.state === 'closed' ? String(body.state_reason ?? 'completed') : null;
        }
        if (body.labels !== undefined) {
            const labels = labelNames(body.labels);
            if (!labels)
                return invalid('labels', 'is not an array of label names');
            state.setLabels(issue, labels);
        }
        issue.updatedAt = state.now();
        return ok(state.issueJson(issue, request.base));
    }
    function listIssueComments(request, [number]) {
        const issue = state.issue(Number(number));
        if (!issue)
            return notFound();
        const since = sinceOf(request);
        if (since === null)
            return invalid('since', 'is not an ISO 8601 timestamp');
        const comments = state.comments(c => c.issueNumber === issue.number && c.updatedAt >= since);
        return paged(request, comments, comment => state.commentJson(comment, request.base));
    }
    function createComment(request, [number]) {
        const issue = state.issue(Number(number));
        if (!issue)
            return notFound();
        if (!request.caller.canWrite)
            return forbidden('Resource not accessible by integration');
        const text = commentBody(request);
        if (typeof text !== 'string')
            return text;
        const comment = state.addComment(issue, request.caller.user, text);
        return { status: 201, body: state.commentJson(comment, request.base) };
    }
    function updateComment(request, [id]) {
        const comment = state.comment(Number(id));
        if (!comment)
            return notFound();
        if (!request.caller.canWrite)
            return forbidden('Resource not accessible by integration');
        const text = commentBody(request);
        if (typeof text !== 'string')
            return text;
        comment.body = text;
        comment.updatedAt = state.now();
        return ok(state.commentJson(comment, request.base));
    }
    function deleteComment(request, [id]) {
        const comment = state.comment(Number(id));
        if (!comment)
            return notFound();
        if (!request.caller.canWrite)
            return forbidden('Resource not accessible by integration');
        state.deleteComment(comment.id);
        return { status: 204 };
    }
    function setLabels(request, [number]) {
        return changeLabels(request, number, (_issue, names) => names);
    }
    function addLabels(request, [number]) {
        return changeLabels(request, number, (issue, names) => [...issue.labels, ...names]);
    }
    function removeLabel(request, [number, name]) {
        const issue = state.issue(Number(number));
        if (!issue)
            return notFound();
        if (!request.caller.canWrite)
            return forbidden('Resource not accessible by integration');
        const label = decodeURIComponent(name);
        if (!issue.labels.includes(label))
            return notFound('Label does not exist');
        state.setLabels(issue, issue.labels.filter(existing => existing !== label));
        return ok(issue.labels.map(label => ({ name: label })));
    }
    function changeLabels(request, number, next) {
        const issue = state.issue(Number(number));
        if (!issue)
            return notFound();
        if (!request.caller.canWrite)
            return forbidden('Resource not accessible by integration');
        const body = objectBody(request);
        const names = labelNames(Array.isArray(request.body) ? request.body : body?.labels);
        if (!names)
            return invalid('labels', 'is not an array of label names');
        state.setLabels(issue, next(issue, names));
        return ok(issue.labels.map(label => ({ name: label })));
    }
    function listLabels(request) {
        return paged(request, state.allLabels(), label => ({
            id: label.id,
            name: label.name,
            color: label.color,
            description: label.description
        }));
    }
    function createLabel(request) {
        if (!request.caller.canWrite)
            return forbidden('Resource not accessible by integration');
        const body = objectBody(request);
        const name = body?.name;
        if (typeof name !== 'string' || name === '' || name.length > 50) {
            return invalid('name', 'is not a label name');
        }
        const color = typeof body?.color === 'string' ? body.color : 'ededed';
        if (!/^[0-9a-fA-F]{6}$/.test(color))
            return invalid('color', 'is not a hex colour');
        const description = typeof body?.description === 'string' ? body.description : null;
        const label = state.createLabel(name, color, description);
        if (!label)
            return invalid('name', 'already_exists');
        return { status: 201, body: { id: label.id, name, color, description } };
    }
    function getPermission(request, [login]) {
        const name = decodeURIComponent(login);
        const user = state.user(name);
        const permission = state.permission(name);
        if (!user || permission === undefined)
            return notFound(`${name} is not a user`);
        return ok({
            permission: permission === 'maintain' || permission === 'triage' ? 'write' : permission,
            role_name: permission,
            user: state.userJson(user, request.base)
        });
    }
    return request => {
        const path = request.url.pathname.replace(/\/+$/, '') || '/';
        for (const [method, pattern, handler] of routes) {
            const match = pattern.exec(path);
            if (!match || method !== request.method)
                continue;
            // Another repository than the one served: GitHub says 404 to hide private ones.
            if (path.startsWith('/repos/') && !path.startsWith(`${repoPath}/`) && path !== repoPath) {
                return notFound();
            }
            return handler(request, match.slice(1));
        }
        return notFound();
    };
}
// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
function ok(body) {
    return { status: 200, body };
}
function notFound(message = 'Not Found') {
    return { status: 404, body: { message, documentation_url: DOCS } };
}
function forbidden(message) {
    return { status: 403, body: { message, documentation_url: DOCS } };
}
function invalid(field, detail) {
    return {
        status: 422,
        body: {
            message: 'Validation Failed',
            errors: [{ resource: 'Issue', field, code: 'invalid', message: `${field} ${detail}` }],
            documentation_url: DOCS
        }
    };
}
function objectBody(request) {
    const body = request.body;
    return body !== null && typeof body === 'object' && !Array.isArray(body)
        ? body
        : undefined;
}
function commentBody(request) {
    const text = objectBody(request)?.body;
    if (typeof text !== 'string' || text === '')
        return invalid('body', 'is missing');
    if (text.length > MAX_BODY_CHARS) {
        return invalid('body', `is too long (maximum is ${MAX_BODY_CHARS} characters)`);
    }
    return text;
}
function labelNames(value) {
    if (!Array.isArray(value))
        return undefined;
    const names = value.map(item => typeof item === 'string' ? item : item?.name);
    return names.every(name => typeof name === 'string' && name !== '' && name.length <= 50)
        ? names
        : undefined;
}
/** `since` as epoch ms; 0 when absent; null when unreadable. */
function sinceOf(request) {
    const text = request.url.searchParams.get('since');
    if (text === null || text === '')
        return 0;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms;
}
/** One page of `items` and the `Link` header GitHub sends with it. */
function paged(request, items, render) {
    const query = request.url.searchParams;
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page')) || 30));
    const page = Math.max(1, Number(query.get('page')) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (n, rel) => {
        const url = new URL(request.url.pathname + request.url.search, request.base);
        url.searchParams.set('page', String(n));
        url.searchParams.set('per_page', String(perPage));
        return `<${url.href}>; rel="${rel}"`;
    };
    const links = [];
    if (page < last)
        links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1)
        links.push(link(1, 'first'), link(page - 1, 'prev'));
    return {
        status: 200,
        body: slice.map(render),
        headers: links.length > 0 ? { link: links.join(', ') } : {}
    };
}

;// CONCATENATED MODULE: ./src/simulator/github/server.ts
/**
 * The GitHub REST stand-in: the routes of routes.ts behind token authentication, GitHub's primary
 * rate limit (a budget per token per hour, reported in `x-ratelimit-*` headers on every answer,
 * 403 with `x-ratelimit-remaining: 0` past it) and the simulator's fault rules, served over HTTP on
 * loopback and, for benchmarks in virtual time, through an in-process `fetch` with no socket.
 */





const INSTALLATION_TOKEN = 'ghs_standInInstallationToken0000000000';
const DEFAULT_RATE_LIMIT_PER_HOUR = 1000;
const HOUR_MS = 3_600_000;
const MAX_REQUEST_BODY = 1024 * 1024;
const LOGGED_BODY_CHARS = 64 * 1024;
const server_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
/** GitHub's answer to a burst: a secondary rate limit (403 or 429) with Retry-After. */
function secondaryRateLimit(status, retryAfterSeconds) {
    return {
        type: 'status',
        status,
        headers: { 'retry-after': String(retryAfterSeconds), 'content-type': 'application/json' },
        body: JSON.stringify({
            message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url: server_DOCS
        })
    };
}
/** A stand-in that is not listening: use its `fetch` (or call `listen`). */
function createGitHubStandIn(options = {}, url = 'http://127.0.0.1:9') {
    return new StandIn(options, url);
}
/** A stand-in listening on loopback (default 127.0.0.1, an ephemeral port). */
async function startGitHubStandIn(options = {}) {
    const standIn = new StandIn(options, '');
    await standIn.listen();
    return standIn;
}
class StandIn {
    options;
    url;
    owner;
    repo;
    token = INSTALLATION_TOKEN;
    botLogin = ACTIONS_BOT.login;
    log = [];
    now;
    state;
    routes;
    faults = new faults/* FaultList */.x();
    tokens = new Map();
    windows = new Map();
    closing = new AbortController();
    server;
    constructor(options, url) {
        this.options = options;
        this.url = url;
        this.now = options.now ?? Date.now;
        this.owner = options.owner ?? 'octo-org';
        this.repo = options.repo ?? 'privacy-ops';
        this.state = new RepositoryState(this.owner, this.repo, options.visibility ?? 'private', this.now);
        this.state.staleCommentCounts = options.staleCommentCounts ?? false;
        this.routes = createRoutes(this.state);
        this.tokens.set(INSTALLATION_TOKEN, ACTIONS_BOT.login);
    }
    get repository() {
        return `${this.owner}/${this.repo}`;
    }
    async listen() {
        const host = this.options.host ?? '127.0.0.1';
        const server = (0,external_node_http_.createServer)((req, res) => {
            void this.fromHttp(req).then(response => {
                if (response.reset) {
                    req.socket.destroy();
                    return;
                }
                res.writeHead(response.status, response.headers).end(response.body);
            }, () => res.destroy());
        });
        await new Promise((resolve, reject) => {
            server.once('error', reject);
            server.listen(this.options.port ?? 0, host, () => resolve());
        });
        this.server = server;
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    }
    addToken(token, login) {
        if (!this.state.user(login))
            this.state.addUser({ login });
        this.tokens.set(token, login);
    }
    addUser(user) {
        return this.state.addUser(user);
    }
    setVisibility(visibility) {
        this.state.visibility = visibility;
    }
    fileIssue(options) {
        return this.state.fileIssue(options).number;
    }
    addComment(issueNumber, author, body) {
        const user = this.state.user(author) ?? this.state.addUser({ login: author });
        return this.state.addComment(this.mustIssue(issueNumber), user, body).id;
    }
    editIssue(issueNumber, change) {
        const issue = this.mustIssue(issueNumber);
        if (change.body !== undefined)
            issue.body = change.body;
        if (change.labels !== undefined)
            this.state.setLabels(issue, change.labels);
        issue.updatedAt = this.now();
    }
    issue(issueNumber) {
        return structuredClone(this.mustIssue(issueNumber));
    }
    comments(issueNumber) {
        return structuredClone(this.state.comments(comment => comment.issueNumber === issueNumber));
    }
    labels() {
        return structuredClone(this.state.allLabels());
    }
    addLabel(name, color = 'ededed', description) {
        this.state.createLabel(name, color, description ?? null);
    }
    addFault(rule) {
        this.faults.add(rule);
    }
    clearFaults() {
        this.faults.clear();
    }
    get faultsInjected() {
        return this.faults.injected;
    }
    unfiredFaults() {
        return this.faults.unfired();
    }
    fetch = async (input, init = {}) => {
        const request = input instanceof Request ? input : undefined;
        const url = new URL(request ? request.url : String(input));
        const headers = {};
        new Headers(init.headers ?? request?.headers).forEach((value, name) => (headers[name] = value));
        const body = typeof init.body === 'string' ? init.body : request ? await request.text() : '';
        const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
        const response = await this.answer({ method, url, headers, body });
        if (response.reset)
            throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
        const status = response.status;
        const empty = status === 204 || status === 304;
        return new Response(empty ? null : response.body, { status, headers: response.headers });
    };
    async close() {
        this.closing.abort();
        const server = this.server;
        if (!server?.listening)
            return;
        await new Promise(resolve => {
            server.close(() => resolve());
            server.closeAllConnections();
        });
    }
    mustIssue(issueNumber) {
        const issue = this.state.issue(issueNumber);
        if (!issue)
            throw new Error(`no issue #${issueNumber}`);
        return issue;
    }
    async fromHttp(req) {
        const chunks = [];
        let size = 0;
        for await (const chunk of req) {
            size += chunk.length;
            if (size <= MAX_REQUEST_BODY)
                chunks.push(chunk);
        }
        const headers = {};
        for (const [name, value] of Object.entries(req.headers)) {
            if (typeof value === 'string')
                headers[name] = value;
        }
        return this.answer({
            method: (req.method ?? 'GET').toUpperCase(),
            url: new URL(req.url ?? '/', this.url),
            headers,
            body: size > MAX_REQUEST_BODY ? '\u0000too large' : Buffer.concat(chunks).toString('utf8')
        });
    }
    /** Authentication, faults, the rate limit, then the route; every request logged. */
    async answer(request) {
        const login = this.identify(request.headers.authorization);
        const entry = {
            method: request.method,
            path: request.url.pathname + request.url.search,
            status: 0,
            at: this.now(),
            login: login ?? '',
            ...(request.body !== '' && { body: request.body.slice(0, LOGGED_BODY_CHARS) })
        };
        this.log.push(entry);
        let response = await this.respond(request, login, entry);
        entry.status = response.reset ? 0 : response.status;
        // A reset after handling: the request took effect, its answer is lost.
        if (entry.fault === 'reset')
            response = { status: 0, headers: {}, body: '', reset: true };
        try {
            this.options.onLog?.(entry);
        }
        catch {
            // A failing observer must not take the stand-in down.
        }
        return response;
    }
    async respond(request, login, entry) {
        const fault = this.faults.pick({
            method: request.method,
            path: request.url.pathname,
            host: 'api'
        });
        if (fault) {
            entry.fault = fault.type;
            if (fault.type === 'reset' && !fault.afterHandling) {
                return { status: 0, headers: {}, body: '', reset: true };
            }
            if (fault.type === 'status') {
                const body = fault.body ?? JSON.stringify({ message: `injected fault: HTTP ${fault.status}` });
                return {
                    status: fault.status,
                    headers: { 'content-type': 'application/json; charset=utf-8', ...fault.headers },
                    body
                };
            }
            if (fault.type === 'stall') {
                try {
                    await (0,promises_.setTimeout)(fault.ms, undefined, { signal: this.closing.signal });
                }
                catch {
                    return { status: 0, headers: {}, body: '', reset: true };
                }
            }
        }
        if (login === undefined) {
            return json(401, { message: 'Bad credentials', documentation_url: server_DOCS }, {});
        }
        const limit = this.rateLimit(login);
        if (limit.exceeded) {
            const message = `API rate limit exceeded for ${login}.`;
            return json(403, { message, documentation_url: server_DOCS }, limit.headers);
        }
        if (request.body === '\u0000too large')
            return json(413, { message: 'Payload too large' }, {});
        let body;
        if (request.body !== '') {
            try {
                body = JSON.parse(request.body);
            }
            catch {
                return json(400, { message: 'Problems parsing JSON' }, limit.headers);
            }
        }
        const reply = this.routes({
            method: request.method,
            url: request.url,
            base: request.url.origin,
            caller: this.caller(login),
            body
        });
        return json(reply.status, reply.body, { ...limit.headers, ...reply.headers });
    }
    identify(authorization) {
        const match = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? '');
        return match ? this.tokens.get(match[1]) : undefined;
    }
    caller(login) {
        const user = this.state.user(login);
        if (login === ACTIONS_BOT.login) {
            return { user, installation: true, canWrite: !this.options.readOnlyToken };
        }
        const permission = this.state.permission(login) ?? 'none';
        return { user, installation: false, canWrite: !['none', 'read'].includes(permission) };
    }
    /** GitHub's primary limit: a fixed hour from the first request of the window, per identity. */
    rateLimit(login) {
        const limit = this.options.rateLimitPerHour ?? DEFAULT_RATE_LIMIT_PER_HOUR;
        const now = this.now();
        let window = this.windows.get(login);
        if (!window || now >= window.start + HOUR_MS) {
            window = { start: now, used: 0 };
            this.windows.set(login, window);
        }
        const exceeded = window.used >= limit;
        if (!exceeded)
            window.used++;
        return {
            exceeded,
            headers: {
                'x-ratelimit-limit': String(limit),
                'x-ratelimit-remaining': String(limit - window.used),
                'x-ratelimit-used': String(window.used),
                'x-ratelimit-reset': String(Math.ceil((window.start + HOUR_MS) / 1000)),
                'x-ratelimit-resource': 'core'
            }
        };
    }
}
function json(status, body, headers) {
    return {
        status,
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body: body === undefined ? '' : JSON.stringify(body)
    };
}

;// CONCATENATED MODULE: ./src/simulator/github/index.ts
/**
 * A GitHub REST stand-in for the ledger's tests, benchmark and demo: one repository's issues,
 * comments, labels, people and permissions, with pagination, rate limits and injected faults.
 * Dependency-free (node:http only), so it is bundled with the demo.
 */




// EXTERNAL MODULE: ./src/simulator/index.ts + 14 modules
var src_simulator = __webpack_require__(4408);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 13 modules
var lib_core = __webpack_require__(6811);
;// CONCATENATED MODULE: ./src/action/input-names.ts
/**
 * Every input of action.yml, by name, so the code never spells an input twice (the layout of
 * actions/upload-artifact's constants). These names are the action's public contract: add to
 * them, never rename.
 */
var input_names_Inputs;
(function (Inputs) {
    Inputs["UserIds"] = "user-ids";
    Inputs["AmplitudeIds"] = "amplitude-ids";
    Inputs["UserIdsFile"] = "user-ids-file";
    Inputs["ApiKey"] = "api-key";
    Inputs["SecretKey"] = "secret-key";
    Inputs["BasicAuth"] = "basic-auth";
    Inputs["Region"] = "region";
    Inputs["ApiUrl"] = "api-url";
    Inputs["StartDate"] = "start-date";
    Inputs["EndDate"] = "end-date";
    Inputs["RequestIds"] = "request-ids";
    Inputs["Wait"] = "wait";
    Inputs["PollInterval"] = "poll-interval";
    Inputs["Timeout"] = "timeout";
    Inputs["MaxConcurrency"] = "max-concurrency";
    Inputs["Download"] = "download";
    Inputs["DownloadPath"] = "download-path";
    Inputs["ArtifactName"] = "artifact-name";
    Inputs["RetentionDays"] = "retention-days";
    Inputs["EncryptTo"] = "encrypt-to";
    Inputs["Workflow"] = "workflow";
    Inputs["WorkflowId"] = "workflow-id";
    Inputs["Inputs"] = "inputs";
    Inputs["CredentialOrigins"] = "credential-origins";
    Inputs["Ledger"] = "ledger";
    Inputs["LedgerLabel"] = "ledger-label";
    Inputs["GithubToken"] = "github-token";
    Inputs["CloseOnDone"] = "close-on-done";
    Inputs["LedgerRegime"] = "ledger-regime";
    Inputs["LedgerDueDays"] = "ledger-due-days";
    Inputs["SourceIntegrity"] = "source-integrity";
    Inputs["RequestType"] = "request-type";
    Inputs["ErasureApiKey"] = "erasure-api-key";
    Inputs["ErasureSecretKey"] = "erasure-secret-key";
    Inputs["ErasureRequester"] = "erasure-requester";
})(input_names_Inputs || (input_names_Inputs = {}));

;// CONCATENATED MODULE: ./src/action/input-reading.ts
/**
 * What every input module shares: reading an input, the error that names it, and quoting a
 * user-supplied value for a message. Messages never quote credentials or user/Amplitude IDs
 * (personal data): they point at the entry or line instead.
 */


class input_reading_InputError extends Error {
    input;
    detail;
    expected;
    constructor(input, detail, 
    /**
     * What was expected, without the value given: for a place that must not repeat what was
     * typed (an issue comment, where a subject id typed into a date field would be published).
     */
    expected) {
        super(`Input '${input}': ${detail}`);
        this.input = input;
        this.detail = detail;
        this.expected = expected;
        this.name = 'InputError';
    }
}
function input_reading_read(name) {
    return core.getInput(name);
}
/** A user-supplied value for a message: JSON-escaped and bounded (never used for secrets). */
function input_reading_quote(text) {
    const json = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
    return `'${json.slice(1, -1)}'`;
}

;// CONCATENATED MODULE: ./src/action/duration.ts
/**
 * Parses the durations the action's inputs accept (`poll-interval`, `timeout`): a sequence of
 * `<number><unit>` parts with units h, m, s, ms in that order (`5h30m`, `1h2m3s`, `1h30m500ms`,
 * `1.5h`), or a bare number of seconds (`90`, `0.05`). Returns whole milliseconds.
 */
const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
// Largest first: each unit may appear once, and only after every larger unit used.
const UNIT_ORDER = (/* unused pure expression or super */ null && (['h', 'm', 's', 'ms']));
// Nothing the action waits for can last a month; larger values are typos (or overflow attempts).
const MAX_MS = 30 * 24 * UNIT_MS.h;
const NUMBER = String.raw `(?:\d+(?:\.\d+)?|\.\d+)`;
const BARE_SECONDS = new RegExp(`^${NUMBER}$`);
// `ms` before `m` so that `500ms` is not read as `500m` followed by a stray `s`.
const PART = new RegExp(`(${NUMBER})(ms|h|m|s)\\s*`, 'y');
const EXPECTED = "expected e.g. '500ms', '30s', '15m', '2h', '5h30m' or a number of seconds";
function duration_parseDuration(text) {
    const shown = describe(text);
    const trimmed = text.trim();
    if (trimmed === '')
        throw new Error(`invalid duration ${shown}: it is empty (${EXPECTED})`);
    if (trimmed.startsWith('-')) {
        throw new Error(`invalid duration ${shown}: it is negative (${EXPECTED})`);
    }
    const source = trimmed.toLowerCase(); // 'M' can only mean minutes: no unit here is months
    const ms = BARE_SECONDS.test(source) ? Number(source) * UNIT_MS.s : sumOfParts(source, shown);
    if (!Number.isFinite(ms) || ms > MAX_MS) {
        throw new Error(`invalid duration ${shown}: it exceeds the 30-day maximum`);
    }
    return Math.round(ms);
}
function sumOfParts(source, shown) {
    let total = 0;
    let position = 0;
    let smallestUsed = -1; // index in UNIT_ORDER of the last unit seen
    while (position < source.length) {
        PART.lastIndex = position;
        const match = PART.exec(source);
        if (!match) {
            throw new Error(`invalid duration ${shown}: cannot read '${source.slice(position)}' (${EXPECTED})`);
        }
        const unit = match[2];
        const rank = UNIT_ORDER.indexOf(unit);
        if (rank <= smallestUsed) {
            throw new Error(`invalid duration ${shown}: units must go from largest to smallest (h, m, s, ms), each at most once`);
        }
        smallestUsed = rank;
        total += Number(match[1]) * UNIT_MS[unit];
        position = PART.lastIndex;
    }
    return total;
}
/** The input as it may appear in an error: quoted, control characters escaped, bounded. */
function describe(text) {
    const json = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
    return `'${json.slice(1, -1)}'`;
}

;// CONCATENATED MODULE: ./src/action/scalar-inputs.ts
/**
 * Scalar inputs: booleans, bounded integers, durations (poll-interval, timeout) and the date
 * range. A value outside its bounds is refused, never clamped.
 */



const DEFAULT_START_DATE = '2012-01-01';
// Amplitude was founded in 2012; anything before 2000 is a typo such as 0202-01-01.
const EARLIEST_START_DATE = '2000-01-01';
const DEFAULT_POLL_INTERVAL = '60s';
const MIN_POLL_INTERVAL_MS = 1_000;
const DEFAULT_TIMEOUT = '5h30m';
const MAX_TIMEOUT_MS = (/* unused pure expression or super */ null && (6 * 3_600_000));
/** Booleans per the YAML 1.2 core schema, as core.getBooleanInput reads them. */
function parseBoolean(input, fallback) {
    const text = read(input);
    if (text === '')
        return fallback;
    if (['true', 'True', 'TRUE'].includes(text))
        return true;
    if (['false', 'False', 'FALSE'].includes(text))
        return false;
    throw new InputError(input, `${quote(text)} is not a boolean (expected true | True | TRUE | false | False | FALSE)`);
}
function parseDurationInput(input, text) {
    try {
        return parseDuration(text);
    }
    catch (error) {
        throw new InputError(input, error.message);
    }
}
function parsePollInterval(text, loopback) {
    const ms = parseDurationInput(Inputs.PollInterval, text || DEFAULT_POLL_INTERVAL);
    if (ms <= 0)
        throw new InputError(Inputs.PollInterval, 'must be longer than 0');
    // Every poll spends the organization's shared DSAR budget; only a local test server may be
    // polled faster than once a second.
    if (ms < MIN_POLL_INTERVAL_MS && !loopback) {
        throw new InputError(Inputs.PollInterval, 'must be at least 1s (shorter intervals are allowed only with a loopback api-url)');
    }
    return ms;
}
/** The timeout: longer than 0, at most what a GitHub job may run. */
function parseTimeout(text) {
    const ms = parseDurationInput(Inputs.Timeout, text || DEFAULT_TIMEOUT);
    if (ms <= 0)
        throw new InputError(Inputs.Timeout, 'must be longer than 0');
    if (ms > MAX_TIMEOUT_MS) {
        throw new InputError(Inputs.Timeout, 'must be at most 6h: a GitHub job is stopped after 6 hours; for longer waits submit with ' +
            'wait: false and collect later with request-ids');
    }
    return ms;
}
/**
 * A run that waits holds at least one poll interval: a shorter timeout could only submit and then
 * fail. A ledger sweep or a `wait: false` run never waits between polls, so it is not held to it.
 */
function checkTimeoutHoldsOnePoll(text, timeoutMs, pollIntervalMs) {
    if (timeoutMs >= pollIntervalMs)
        return;
    throw new InputError(Inputs.Timeout, `${quote(text)} is shorter than one poll-interval (${formatSeconds(pollIntervalMs)}): the ` +
        'request would be submitted and the run would stop before its first status read ' +
        '(a bare number is seconds: timeout: 90 is 90 s)');
}
function formatSeconds(ms) {
    return `${ms / 1000} s`;
}
function parseInteger(input, fallback, min, max) {
    const text = read(input);
    if (text === '')
        return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
        throw new InputError(input, `${quote(text)} is not an integer from ${min} to ${max}`);
    }
    return value;
}
/**
 * Dates are calendar days in UTC. end-date may be up to one day after today (UTC), since a
 * runner's "today" can be behind the user's; start-date must not be before 2000-01-01.
 */
function scalar_inputs_parseDates(startText, endText, today) {
    const startDate = parseDate(Inputs.StartDate, startText || DEFAULT_START_DATE);
    const endDate = endText === '' ? today : parseDate(Inputs.EndDate, endText);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000)
        .toISOString()
        .slice(0, 10);
    if (endDate > tomorrow) {
        throw new InputError(Inputs.EndDate, `${endDate} is in the future (today is ${today} UTC)`, `is in the future: expected a date in the form YYYY-MM-DD up to today (${today} UTC)`);
    }
    if (startDate < EARLIEST_START_DATE) {
        throw new InputError(Inputs.StartDate, `${startDate} is before ${EARLIEST_START_DATE}`, `is before ${EARLIEST_START_DATE}: expected a date in the form YYYY-MM-DD from ${EARLIEST_START_DATE}`);
    }
    if (startDate > endDate) {
        const origin = endText === '' ? ' (today, UTC)' : '';
        throw new InputError(Inputs.StartDate, `${startDate} is after end-date ${endDate}${origin}; the range would be empty`, `is after end date${origin}: expected a start date on or before the end date`);
    }
    return { startDate, endDate };
}
function parseDate(input, text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
        throw new InputError(input, `${quote(text)} is not a date in the form YYYY-MM-DD`, 'is not a date: expected the form YYYY-MM-DD (e.g. 2024-01-31)');
    }
    const time = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
        throw new InputError(input, `${text} is not a real calendar date`, 'is not a real calendar date: expected the form YYYY-MM-DD (e.g. 2024-01-31)');
    }
    return text;
}

;// CONCATENATED MODULE: ./src/action/secret-helper.ts
/**
 * Masks the Amplitude credentials in every form a log line could show them, and holds the one
 * codec for `basic-auth` (base64 of `api_key:secret_key`) that input validation shares.
 *
 * `maskCredentials()` must run first in the action, before anything reads or logs other inputs:
 * the runner only hides what it was told about, and only from then on.
 */



function maskCredentials() {
    const raw = {
        apiKey: core.getInput(Inputs.ApiKey),
        secretKey: core.getInput(Inputs.SecretKey),
        basicAuth: core.getInput(Inputs.BasicAuth)
    };
    for (const form of credentialMaskForms(raw))
        core.setSecret(form);
    // A project's erasure keys: their own pair, masked in the same forms.
    const erasure = {
        apiKey: core.getInput(Inputs.ErasureApiKey),
        secretKey: core.getInput(Inputs.ErasureSecretKey),
        basicAuth: ''
    };
    for (const form of credentialMaskForms(erasure))
        core.setSecret(form);
    // The ledger's GitHub token: the runner masks ${{ github.token }} and secrets, not every source.
    const githubToken = core.getInput(Inputs.GithubToken).trim();
    if (githubToken.length >= 8)
        core.setSecret(githubToken);
}
/**
 * Every string that could reveal a credential: raw values, the Basic token in its base64 and
 * base64url spellings (padded or not), the decoded halves, and their percent-encoded forms (as
 * a URL or a form body would carry them). Empty values give nothing.
 */
function credentialMaskForms(raw) {
    const forms = new Set();
    const add = (value) => {
        if (value === '')
            return;
        forms.add(value);
        const encoded = percentEncoded(value);
        if (encoded !== undefined && encoded !== value)
            forms.add(encoded);
        // The runner matches masks line by line, so a multi-line value is hidden line by line too.
        if (/[\r\n]/.test(value)) {
            for (const line of value.split(/\r?\n|\r/))
                if (line.trim() !== '')
                    forms.add(line.trim());
        }
    };
    const addPair = (apiKey, secretKey) => {
        add(apiKey);
        add(secretKey);
        const pair = `${apiKey}:${secretKey}`;
        add(pair);
        const standard = Buffer.from(pair, 'utf8').toString('base64');
        add(standard);
        add(withoutTrailing(standard, '='));
        const urlSafe = Buffer.from(pair, 'utf8').toString('base64url');
        add(urlSafe);
        add(urlSafe + '='.repeat((4 - (urlSafe.length % 4)) % 4));
    };
    add(raw.apiKey);
    add(raw.secretKey);
    if (raw.apiKey !== '' && raw.secretKey !== '')
        addPair(raw.apiKey, raw.secretKey);
    if (raw.basicAuth !== '') {
        add(raw.basicAuth);
        add(stripBasicPrefix(raw.basicAuth));
        const decoded = decodeBasicAuth(raw.basicAuth);
        if (decoded.ok)
            addPair(decoded.apiKey, decoded.secretKey);
    }
    return [...forms];
}
/** The `Authorization: Basic` token for a key pair (standard base64, padded). */
function encodeBasicAuth(apiKey, secretKey) {
    return Buffer.from(`${apiKey}:${secretKey}`, 'utf8').toString('base64');
}
/**
 * A leading `Basic ` (any case) is dropped: people paste whole header values, and the workflows
 * add the scheme themselves (`"Basic $inputs.basicAuth"`), which would otherwise double it.
 */
function stripBasicPrefix(value) {
    return value.trim().replace(/^basic(?:\s+|$)/i, '');
}
/**
 * Decodes `basic-auth` into its key pair. Accepts standard or URL-safe base64, with or without
 * padding, but refuses anything that does not round-trip (stray characters, bad padding, bits
 * past the end) and bytes that are not UTF-8. The reasons never quote the value.
 */
function decodeBasicAuth(value) {
    const token = stripBasicPrefix(value);
    if (token === '')
        return { ok: false, reason: 'it is empty' };
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) {
        return { ok: false, reason: 'it is not base64 (expected base64 of `api_key:secret_key`)' };
    }
    const unpadded = withoutTrailing(token, '=').replace(/-/g, '+').replace(/_/g, '/');
    if (unpadded.length % 4 === 1)
        return { ok: false, reason: 'it is not valid base64 (bad length)' };
    const padded = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
    if (token.includes('=') && token.length !== padded.length) {
        return { ok: false, reason: 'it is not valid base64 (bad padding)' };
    }
    const bytes = Buffer.from(padded, 'base64');
    if (bytes.toString('base64') !== padded) {
        return { ok: false, reason: 'it is not valid base64 (trailing bits)' };
    }
    let text;
    try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    }
    catch {
        return { ok: false, reason: 'it does not decode to UTF-8 text' };
    }
    const colon = text.indexOf(':');
    if (colon < 0)
        return { ok: false, reason: 'it does not decode to `api_key:secret_key`' };
    const apiKey = text.slice(0, colon);
    const secretKey = text.slice(colon + 1);
    if (apiKey === '')
        return { ok: false, reason: 'its decoded api key (before the colon) is empty' };
    if (secretKey === '') {
        return { ok: false, reason: 'its decoded secret key (after the colon) is empty' };
    }
    if (secret_helper_hasControlCharacter(text)) {
        return { ok: false, reason: 'its decoded value contains control characters' };
    }
    return { ok: true, apiKey, secretKey };
}
function percentEncoded(value) {
    try {
        return encodeURIComponent(value);
    }
    catch {
        return undefined; // a lone surrogate cannot be percent-encoded, so no log can show that form
    }
}
function secret_helper_hasControlCharacter(text) {
    // C0, DEL and C1: none belongs in an identifier or key, and some split log or header lines.
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}
/**
 * Replaces every form of the credentials (raw, base64, base64url, URL-encoded) with '***'. The runner
 * masks them in the log, but not in step outputs, and a workflow document can copy
 * `$inputs.basicAuth` into an output or a path.
 */
function credentialRedactor(credentials) {
    const forms = credentialMaskForms(credentials)
        // Shorter than this would match ordinary text (real keys are 32 characters).
        .filter(form => form.length >= 6)
        .sort((a, b) => b.length - a.length);
    return text => forms.reduce((result, form) => result.split(form).join('***'), text);
}

;// CONCATENATED MODULE: ./src/action/path-inputs.ts
/**
 * Paths given as inputs: files that must be regular files inside the workspace (or RUNNER_TEMP),
 * and the download folder, which must resolve inside them. Real paths are compared, so symlinks
 * and '..' cannot escape.
 */





/** Absolute, or relative to the workspace; must resolve (symlinks too) inside it or RUNNER_TEMP. */
async function parseDownloadPath(text, workspace, runnerTemp) {
    const input = Inputs.DownloadPath;
    if (hasControlCharacter(text))
        throw new InputError(input, 'contains control characters');
    const target = text === '' ? path.join(runnerTemp, 'amplitude-dsar') : path.resolve(workspace, text);
    const nearest = await nearestExisting(target);
    if (nearest.danglingLink) {
        throw new InputError(input, `'${nearest.path}' is a symbolic link to nothing`);
    }
    if (!(await fs.stat(nearest.path)).isDirectory()) {
        throw new InputError(input, `'${nearest.path}' exists and is not a directory`);
    }
    const real = path.join(await fs.realpath(nearest.path), ...nearest.missing);
    const roots = await Promise.all([workspace, runnerTemp].map(realpathOrSelf));
    if (!roots.some(root => isInside(real, root))) {
        throw new InputError(input, `'${target}' is outside GITHUB_WORKSPACE and RUNNER_TEMP`);
    }
    return target;
}
/** The deepest existing ancestor of `target` (or itself), and the missing parts below it. */
async function nearestExisting(target) {
    const missing = [];
    let current = target;
    for (;;) {
        try {
            await fs.stat(current);
            return { path: current, missing, danglingLink: false };
        }
        catch (error) {
            if (!isMissing(error))
                throw error;
            if (await isSymlink(current))
                return { path: current, missing, danglingLink: true };
        }
        const parent = path.dirname(current);
        if (parent === current)
            return { path: current, missing, danglingLink: false };
        missing.unshift(path.basename(current));
        current = parent;
    }
}
/**
 * Resolves a path given relative to the workspace (or absolute) to the real path of a regular
 * file inside the workspace (or `runnerTemp`, when given). Checking the real path refuses symlinks
 * (and '..') that escape.
 */
async function path_inputs_resolveWorkspaceFile(input, text, workspace, runnerTemp) {
    if (hasControlCharacter(text))
        throw new InputError(input, 'contains control characters');
    const candidate = path.resolve(workspace, text);
    let real;
    try {
        real = await fs.realpath(candidate);
    }
    catch (error) {
        if (isMissing(error))
            throw new InputError(input, `'${text}' does not exist`);
        throw new InputError(input, `'${text}' cannot be read (${error.message})`);
    }
    const roots = await Promise.all([workspace, runnerTemp ?? workspace].map(realpathOrSelf));
    if (!roots.some(root => isInside(real, root))) {
        const allowed = runnerTemp
            ? 'GITHUB_WORKSPACE and RUNNER_TEMP'
            : 'the workspace (GITHUB_WORKSPACE)';
        throw new InputError(input, `'${text}' is outside ${allowed}`);
    }
    if (!(await fs.stat(real)).isFile()) {
        throw new InputError(input, `'${text}' is not a regular file`);
    }
    return real;
}
async function realpathOrSelf(directory) {
    try {
        return await fs.realpath(directory);
    }
    catch {
        return directory;
    }
}
function isInside(child, parent) {
    const relative = path.relative(parent, child);
    return (relative === '' ||
        (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)));
}
function isMissing(error) {
    const code = error.code;
    return code === 'ENOENT' || code === 'ENOTDIR';
}
async function isSymlink(file) {
    try {
        return (await fs.lstat(file)).isSymbolicLink();
    }
    catch {
        return false;
    }
}

;// CONCATENATED MODULE: ./src/policy/json-text.ts
/**
 * JSON text from outside (an input, a server's answer) in error messages: where it breaks, never
 * what it says. V8's own messages quote the start of the text (`Unexpected token 'Q', "QUtFWTAxMj"...`),
 * and that start can be the base64 credentials a server echoed, or personal data.
 *
 * Also the nesting bound for parsed answers: every walk over a value (redaction, equality, output
 * checks) is recursive somewhere, and 200,000 nested arrays overflow the stack.
 */
/** Answers nested deeper than this are refused (real DSAR answers nest two or three levels). */
const MAX_JSON_DEPTH = 64;
/** JSON.parse, with an error that gives the position only, and the nesting bound. */
function parseJsonText(text) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        throw new SyntaxError(json_text_describeJsonError(text));
    }
    if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
        throw new SyntaxError(`is nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    return value;
}
/** Whether arrays and objects nest deeper than `limit` (iterative: no stack to overflow). */
function nestedDeeperThan(value, limit) {
    const stack = [{ value, depth: 0 }];
    while (stack.length > 0) {
        const { value: current, depth } = stack.pop();
        if (typeof current !== 'object' || current === null)
            continue;
        if (depth >= limit)
            return true;
        for (const child of Object.values(current))
            stack.push({ value: child, depth: depth + 1 });
    }
    return false;
}
/**
 * Where JSON text first breaks, as "line L, column C". V8's own messages sometimes quote the
 * input, which may hold secrets or personal data, so they are not shown.
 */
function json_text_describeJsonError(text) {
    const found = locateJsonError(text);
    if (!found)
        return 'is not valid JSON';
    const before = text.slice(0, found.at);
    const line = before.split('\n').length;
    const column = found.at - (before.lastIndexOf('\n') + 1) + 1;
    const where = found.at >= text.length ? 'at the end of the input' : `at line ${line}, column ${column}`;
    return `is not valid JSON: ${where}, expected ${found.expected}`;
}
/** Thrown inside the recognizer to unwind to its caller; never leaves this module. */
class JsonStop extends Error {
    at;
    expected;
    constructor(at, expected) {
        super(`expected ${expected}`);
        this.at = at;
        this.expected = expected;
    }
}
/** A small RFC 8259 recognizer: the offset of the first error, or undefined if the text is valid. */
function locateJsonError(text) {
    let i = 0;
    const fail = (expected) => {
        throw new JsonStop(i, expected);
    };
    const skipSpace = () => {
        while (i < text.length && ' \t\n\r'.includes(text[i]))
            i++;
    };
    const string = () => {
        i++; // opening quote
        while (i < text.length) {
            const char = text[i];
            if (char === '"') {
                i++;
                return;
            }
            if (char === '\\') {
                const escape = text[i + 1] ?? '';
                if (escape !== '' && '"\\/bfnrt'.includes(escape))
                    i += 2;
                else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
                    i += 6;
                else
                    fail('a valid escape sequence');
                continue;
            }
            if (char < ' ')
                fail('no raw control character inside a string');
            i++;
        }
        fail('a closing double quote');
    };
    const number = () => {
        const pattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
        pattern.lastIndex = i;
        if (!pattern.exec(text))
            fail('a number');
        i = pattern.lastIndex;
    };
    const value = () => {
        skipSpace();
        const char = text[i];
        if (char === '{')
            return container('}', true);
        if (char === '[')
            return container(']', false);
        if (char === '"')
            return string();
        if (char === '-' || (char >= '0' && char <= '9'))
            return number();
        for (const word of ['true', 'false', 'null']) {
            if (text.startsWith(word, i)) {
                i += word.length;
                return;
            }
        }
        fail('a value');
    };
    const container = (close, isObject) => {
        i++;
        skipSpace();
        if (text[i] === close) {
            i++;
            return;
        }
        for (;;) {
            if (isObject) {
                skipSpace();
                if (text[i] !== '"')
                    fail('a property name in double quotes');
                string();
                skipSpace();
                if (text[i] !== ':')
                    fail("':'");
                i++;
            }
            value();
            skipSpace();
            if (text[i] === ',') {
                i++;
                continue;
            }
            if (text[i] === close) {
                i++;
                return;
            }
            fail(`',' or '${close}'`);
        }
    };
    try {
        value();
        skipSpace();
        if (i < text.length)
            fail('nothing more');
        return undefined;
    }
    catch (error) {
        if (error instanceof JsonStop)
            return error;
        return undefined; // e.g. nesting too deep for the stack: no position to report
    }
}

;// CONCATENATED MODULE: ./src/action/subject-inputs.ts
/**
 * Who the DSAR is about, or which requests to resume: user-ids, amplitude-ids, user-ids-file and
 * request-ids. Lists are split by newlines and/or commas, or given as a JSON array (`["u1","u2"]`,
 * as user-ids-file takes), and a problem names the entry or line, never the id itself (personal
 * data). An id that starts or ends with a bracket or a quote is refused: it is almost always a JSON
 * array or a quoted list read as a plain one (`["u1"` and `"u2"]` would be asked for as subjects).
 */







const MAX_ID_LENGTH = 1024;
const MAX_USER_IDS_FILE_BYTES = (/* unused pure expression or super */ null && (10 * 1024 * 1024));
/** Entries separated by newlines and/or commas; blanks dropped; numbered from 1 for messages. */
function splitList(text) {
    return text
        .split(/[\n,]/)
        .map(entry => entry.trim())
        .filter(entry => entry !== '')
        .map((entry, index) => ({ entry, number: index + 1 }));
}
/** Characters no id starts or ends with, but a JSON array or a quoted list read as plain text does. */
const WRAPPING = /^["'[\]]|["'[\]]$/;
function userIdProblem(id) {
    if ([...id].length > MAX_ID_LENGTH)
        return `is longer than ${MAX_ID_LENGTH} characters`;
    if (hasControlCharacter(id))
        return 'contains control characters';
    if (WRAPPING.test(id)) {
        return 'starts or ends with a bracket or a quote: give a JSON array (["u1","u2"]) or plain ids separated by commas or newlines, without quotes';
    }
    return undefined;
}
/** `[...]`: the list is a JSON array, read as such. */
function isJsonArray(text) {
    return text.trimStart().startsWith('[');
}
function subject_inputs_parseUserIds(text) {
    if (isJsonArray(text))
        return idsFromJson(Inputs.UserIds, text);
    return splitList(text).map(({ entry, number }) => {
        const problem = userIdProblem(entry);
        if (problem)
            throw new InputError(Inputs.UserIds, `entry ${number} ${problem}`);
        return entry;
    });
}
/** A JSON array of Amplitude ids: integers, or strings of digits; numbered from 1 for messages. */
function amplitudeIdsFromJson(text) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        throw new InputError(Inputs.AmplitudeIds, describeJsonError(text));
    }
    if (!Array.isArray(parsed)) {
        throw new InputError(Inputs.AmplitudeIds, 'is not a JSON array of integers');
    }
    return parsed.map((item, index) => {
        // A number outside the safe range has already lost digits: refused below by its text.
        const entry = typeof item === 'number' ? JSON.stringify(item) : item;
        if (typeof entry !== 'string') {
            throw new InputError(Inputs.AmplitudeIds, `array element ${index + 1} is not an integer`);
        }
        return { entry: entry.trim(), number: index + 1 };
    });
}
function subject_inputs_parseAmplitudeIds(text) {
    const entries = isJsonArray(text) ? amplitudeIdsFromJson(text) : splitList(text);
    return entries.map(({ entry, number }) => {
        const value = Number(entry);
        if (!/^\d+$/.test(entry) || !Number.isSafeInteger(value) || value <= 0) {
            throw new InputError(Inputs.AmplitudeIds, `entry ${number} is not a positive integer (digits only, at most ${Number.MAX_SAFE_INTEGER})`);
        }
        return value;
    });
}
function parseRequestIds(text) {
    const ids = splitList(text).map(({ entry, number }) => {
        if (!REQUEST_ID_PATTERN.test(entry)) {
            throw new InputError(Inputs.RequestIds, `entry ${number} is not a request id (${REQUEST_ID_RULE})`);
        }
        return entry;
    });
    return [...new Set(ids)];
}
function subject_inputs_uniqueSubjects(subjects) {
    const seen = new Set();
    return subjects.filter(subject => {
        const key = subject.kind === 'userId' ? `u:${subject.userId}` : `a:${String(subject.amplitudeId)}`;
        if (seen.has(key))
            return false;
        seen.add(key);
        return true;
    });
}
/**
 * A JSON array of strings when the content starts with '[', otherwise one ID per line. Only
 * whole lines starting with '#' are comments: an ID may itself contain '#'.
 */
async function readUserIdsFile(text, workspace, runnerTemp) {
    if (text === '')
        return [];
    const input = Inputs.UserIdsFile;
    // RUNNER_TEMP too: a step may write the ids there to keep personal data out of the checkout
    // (the runner empties it after every job).
    const file = await resolveWorkspaceFile(input, text, workspace, runnerTemp);
    const handle = await fs.open(file, 'r');
    let content;
    try {
        const { size } = await handle.stat();
        if (size > MAX_USER_IDS_FILE_BYTES) {
            throw new InputError(input, `'${text}' is larger than 10 MiB (${size} bytes)`);
        }
        content = (await handle.readFile('utf8')).replace(/^\uFEFF/, '');
    }
    finally {
        await handle.close();
    }
    const ids = isJsonArray(content) ? idsFromJson(input, content) : idsFromLines(input, content);
    if (ids.length === 0)
        throw new InputError(input, `'${text}' contains no user IDs`);
    return ids;
}
function idsFromJson(input, content) {
    let parsed;
    try {
        parsed = JSON.parse(content);
    }
    catch {
        throw new InputError(input, describeJsonError(content));
    }
    if (!Array.isArray(parsed))
        throw new InputError(input, 'is not a JSON array of strings');
    const ids = [];
    parsed.forEach((item, index) => {
        if (typeof item !== 'string') {
            throw new InputError(input, `array element ${index + 1} is not a string`);
        }
        const id = item.trim();
        if (id === '')
            return;
        const problem = userIdProblem(id);
        if (problem)
            throw new InputError(input, `array element ${index + 1} ${problem}`);
        ids.push(id);
    });
    return ids;
}
function idsFromLines(input, content) {
    const ids = [];
    content.split('\n').forEach((raw, index) => {
        const id = raw.trim();
        if (id === '' || id.startsWith('#'))
            return;
        const problem = userIdProblem(id);
        if (problem)
            throw new InputError(input, `line ${index + 1} ${problem}`);
        ids.push(id);
    });
    return ids;
}

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
const form_MAX_BODY_CHARS = 65_536;
/** Subjects one issue may ask for: a DSAR is about one person, sometimes a few of their ids. */
const MAX_SUBJECTS_PER_ISSUE = 20;
const MAX_REFERENCE_CHARS = 200;
const NO_RESPONSE = '_No response_';
function readForm(body, defaults) {
    const refuse = (field, problem) => ({ ok: false, field, problem });
    if (body.length > form_MAX_BODY_CHARS) {
        return refuse('the issue body', `is longer than ${form_MAX_BODY_CHARS} characters`);
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
        subjects = uniqueSubjects([
            ...parseUserIds(value(FIELDS.userIds)).map(userId => ({ kind: 'userId', userId })),
            ...parseAmplitudeIds(value(FIELDS.amplitudeIds)).map(amplitudeId => ({ kind: 'amplitudeId', amplitudeId }))
        ]);
        dates = parseDates(value(FIELDS.startDate) || defaults.startDate, value(FIELDS.endDate) || defaults.endDate, defaults.today);
    }
    catch (error) {
        if (!(error instanceof InputError))
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
    if (!isCalendarDay(receivedOn)) {
        return { ok: false, field: FIELDS.receivedOn, problem: 'must be a calendar day, YYYY-MM-DD' };
    }
    if (receivedOn > addDays(defaults.today, 1)) {
        return { ok: false, field: FIELDS.receivedOn, problem: 'must not be in the future' };
    }
    const said = value(FIELDS.regime);
    const regime = said === '' ? (defaults.regime ?? 'GDPR') : parseRegime(said);
    if (regime === undefined) {
        return { ok: false, field: FIELDS.regime, problem: `must be one of ${REGIMES.join(', ')}` };
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
        case Inputs.UserIds:
            return FIELDS.userIds;
        case Inputs.AmplitudeIds:
            return FIELDS.amplitudeIds;
        case Inputs.StartDate:
            return FIELDS.startDate;
        case Inputs.EndDate:
            return FIELDS.endDate;
        default:
            return input;
    }
}

// EXTERNAL MODULE: ./src/demo/command-file.ts
var command_file = __webpack_require__(8881);
;// CONCATENATED MODULE: ./src/demo/ledger.ts
/**
 * `npm run demo -- --ledger`: the DSAR ledger end to end on this machine. Starts the DSAR simulator and
 * the GitHub REST stand-in on 127.0.0.1, files three issues (a DSAR from a collaborator, one from an
 * outsider, one with a broken form), then runs the bundled action (dist/index.js) three times with
 * `ledger: issues`, as three scheduled sweeps would, printing each sweep's log and the issues'
 * comments and labels as they change. Like the other demo, it removes its temporary folder (which holds
 * the downloaded exports: personal data, even simulated) unless DEMO_KEEP_FILES=true.
 */









const action = (0,external_node_path_.join)((0,external_node_path_.dirname)((0,external_node_url_.fileURLToPath)(import.meta.url)), '..', 'index.js');
const SWEEPS = 3;
function ledger_form(userIds, reference, startDate = '2024-01-01') {
    return formBody({ userIds, reference, startDate });
}
async function ledgerDemo() {
    const simulator = await (0,src_simulator/* startSimulator */.rs)({
        job: { pollsInStaging: 0, pollsInSubmitted: 1, files: 1, linesPerFile: 25 }
    });
    const github = await startGitHubStandIn();
    github.addUser({ login: 'priya', permission: 'write' });
    github.addUser({ login: 'stranger', permission: 'none' });
    const issues = [
        github.fileIssue({
            author: 'priya',
            body: ledger_form('alice@example.com', 'TICKET-101'),
            labels: ['dsar']
        }),
        github.fileIssue({
            author: 'stranger',
            body: ledger_form('bob@example.com', 'please'),
            labels: ['dsar']
        }),
        github.fileIssue({
            author: 'priya',
            body: ledger_form('carol@example.com', 'TICKET-102', '2024-13-01'),
            labels: ['dsar']
        })
    ];
    console.log(`DSAR simulator: ${simulator.url}; GitHub REST stand-in: ${github.url} (${github.repository})`);
    console.log('Filed: #1 by a collaborator, #2 by an outsider, #3 with a start date of 2024-13-01\n');
    const home = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'dsar-ledger-demo-'));
    const keep = process.env.DEMO_KEEP_FILES === 'true';
    let code = 0;
    // The runs' files are the demo's own: gone when it ends.
    try {
        for (let sweep = 1; sweep <= SWEEPS; sweep++) {
            console.log(`=== sweep ${sweep} of ${SWEEPS}: node ${action} with ledger: issues ===`);
            const run = await sweepOnce((0,external_node_path_.join)(home, `sweep-${sweep}`), {
                ledger: 'issues',
                'github-token': github.token,
                'api-url': simulator.url,
                'api-key': simulator.apiKey,
                'secret-key': simulator.secretKey,
                download: 'true',
                timeout: '2m'
            }, { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: github.repository });
            code = run.code;
            console.log(`--- output ledger: ${run.outputs.ledger ?? '(none)'}; exit code ${run.code} ---`);
            printIssues(github, issues);
        }
    }
    finally {
        if (keep)
            console.log(`Files kept in ${home}`);
        else
            (0,external_node_fs_.rmSync)(home, { recursive: true, force: true });
    }
    console.log(`The stand-in saw ${github.log.length} GitHub requests, the simulator ${simulator.log.length}.`);
    await Promise.all([simulator.close(), github.close()]);
    process.exitCode = code ?? 1;
}
async function sweepOnce(home, inputs, extraEnv) {
    (0,external_node_fs_.mkdirSync)((0,external_node_path_.join)(home, 'temp'), { recursive: true });
    const files = {
        GITHUB_OUTPUT: (0,external_node_path_.join)(home, 'output'),
        GITHUB_STEP_SUMMARY: (0,external_node_path_.join)(home, 'summary.md')
    };
    for (const file of Object.values(files))
        (0,external_node_fs_.writeFileSync)(file, '');
    const env = {
        PATH: process.env.PATH ?? '',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: home,
        RUNNER_TEMP: (0,external_node_path_.join)(home, 'temp'),
        GITHUB_RUN_ID: '1',
        ...files,
        ...extraEnv
    };
    for (const [name, value] of Object.entries(inputs))
        env[`INPUT_${name.toUpperCase()}`] = value;
    const code = await new Promise(done => {
        const child = (0,external_node_child_process_.spawn)(process.execPath, [action], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout.on('data', (chunk) => {
            for (const line of chunk.toString('utf8').split('\n')) {
                if (line !== '' && !line.startsWith('::add-mask::'))
                    console.log(`  | ${line}`);
            }
        });
        child.on('close', done);
    });
    return { code, outputs: (0,command_file/* parseCommandFile */.P)((0,external_node_fs_.readFileSync)(files.GITHUB_OUTPUT, 'utf8')) };
}
function printIssues(github, issues) {
    for (const n of issues) {
        const issue = github.issue(n);
        console.log(`#${n} [${issue.state}] labels: ${issue.labels.join(', ')}`);
        for (const comment of github.comments(n)) {
            const body = comment.body.replace(/&#(\d+);/g, (_m, c) => String.fromCharCode(Number(c)));
            console.log(`  comment ${comment.id} by ${comment.user.login}, updated ${new Date(comment.updatedAt).toISOString()}:`);
            for (const line of body.split('\n'))
                console.log(`    ${line}`);
        }
    }
    console.log('');
}


/***/ })

};
