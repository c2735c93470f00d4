export const id = 836;
export const ids = [836];
export const modules = {

/***/ 3836:
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
    label(name) {
        let label = this.labels.get(name);
        if (!label) {
            label = { id: this.nextLabelId++, name, color: 'ededed' };
            this.labels.set(name, label);
        }
        return label;
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
            comments: this.commentCount(issue),
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
    addFault(rule) {
        this.faults.add(rule);
    }
    clearFaults() {
        this.faults.clear();
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
        const response = await this.respond(request, login, entry);
        entry.status = response.reset ? 0 : response.status;
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
            if (fault.type === 'reset')
                return { status: 0, headers: {}, body: '', reset: true };
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




// EXTERNAL MODULE: ./src/simulator/index.ts + 10 modules
var src_simulator = __webpack_require__(1146);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 8 modules
var lib_core = __webpack_require__(6058);
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
    Inputs["SourceIntegrity"] = "source-integrity";
})(input_names_Inputs || (input_names_Inputs = {}));

// EXTERNAL MODULE: ./src/policy/untrusted-text.ts
var untrusted_text = __webpack_require__(1606);
;// CONCATENATED MODULE: ./src/action/log.ts
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


/** `line\`request ${id} is ${status}\``: interpolated values escaped, literal text kept. */
function log_line(strings, ...values) {
    let text = strings[0];
    values.forEach((value, i) => {
        text += forLog(typeof value === 'string' ? value : String(value)) + strings[i + 1];
    });
    return safeLogLines(text);
}
const log_log = {
    info(message) {
        lib_core/* info */.pq(message);
    },
    /** A line assembled elsewhere from untrusted parts: escaped as a whole (it stays one line). */
    untrusted(text) {
        lib_core/* info */.pq((0,untrusted_text/* forLog */.Ig)(text));
    },
    warning(message) {
        lib_core/* warning */.$e(message);
    },
    notice(message) {
        lib_core/* notice */.lm(message);
    },
    startGroup(title) {
        lib_core/* startGroup */.Oh(title);
    },
    endGroup() {
        lib_core/* endGroup */.N4();
    },
    /** Registers a value the runner must hide in every later log line of the job. */
    secret(value) {
        lib_core/* setSecret */.Pq(value);
    }
};

// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __webpack_require__(9805);
// EXTERNAL MODULE: external "node:async_hooks"
var external_node_async_hooks_ = __webpack_require__(6698);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:diagnostics_channel"
var external_node_diagnostics_channel_ = __webpack_require__(3053);
// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __webpack_require__(1455);
;// CONCATENATED MODULE: ./src/action/remote-sources.ts
/**
 * Remote (https) source descriptions for the engine's SourceReader, fetched with
 * @actions/tool-cache: `downloadTool` (its retries on 5xx, 408 and 429; into RUNNER_TEMP), and
 * `cacheFile`/`find`, so a self-hosted runner does not fetch the same description twice. The
 * cache is keyed by URL and, when pinned, by the pinned digest: changing a pin fetches again.
 *
 * Bounds, since a description's URL comes from an untrusted document:
 * - size: a declared Content-Length over the limit is refused before the body is read, and the
 *   file being written is watched, so a longer (or endless) body is cut off near the limit;
 * - time: one fetch, retries included, is stopped after `timeoutMs`, and at once on cancellation;
 * - integrity: with `source-integrity` set, every remote URL must be pinned there and its bytes
 *   must match the pinned sha256 (also when served from the cache), else the run fails.
 *
 * downloadTool offers no way to stop a transfer, so the guard finds the requests it makes through
 * Node's `http.client.request.start` diagnostics channel (a request belongs to the guard in whose
 * async context downloadTool runs, its retries included) and destroys them with an error that
 * tool-cache does not retry (an HTTPError below 500).
 */








/** One fetch of one description, retries included. */
const DEFAULT_REMOTE_TIMEOUT_MS = 60_000;
const TOOL_NAME = 'amplitude-dsar-arazzo-source';
const CACHED_FILE = 'description';
const WATCH_INTERVAL_MS = 50;
// ---------------------------------------------------------------------------------------------
// The `source-integrity` input
// ---------------------------------------------------------------------------------------------
/**
 * `source-integrity`: one `<https URL> <digest>` per line (`#` starts a comment), the digest as
 * `sha256:<64 hex>`, `sha256-<base64>` (Subresource Integrity) or bare hex. Throws an Error whose
 * message names the line; the caller turns it into an InputError.
 */
function remote_sources_parseSourceIntegrity(text) {
    const pins = new Map();
    text.split(/\r?\n/).forEach((raw, index) => {
        const entry = raw.replace(/(^|\s)#.*$/, '').trim();
        if (entry === '')
            return;
        const fields = entry.split(/\s+/);
        const where = `line ${index + 1}`;
        if (fields.length !== 2)
            throw new Error(`${where}: expected '<https URL> sha256:<hex>'`);
        const [url, digest] = fields;
        let parsed;
        try {
            parsed = new URL(url);
        }
        catch {
            throw new Error(`${where}: '${url}' is not a URL`);
        }
        if (parsed.protocol !== 'https:')
            throw new Error(`${where}: only https URLs can be pinned`);
        parsed.hash = '';
        const hex = digestHex(digest);
        if (!hex) {
            throw new Error(`${where}: the digest must be sha256:<64 hex digits> or sha256-<base64>`);
        }
        if (pins.has(parsed.href) && pins.get(parsed.href) !== hex) {
            throw new Error(`${where}: ${parsed.href} is pinned twice with different digests`);
        }
        pins.set(parsed.href, hex);
    });
    return pins;
}
function digestHex(digest) {
    const hex = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(digest)?.[1];
    if (hex)
        return hex.toLowerCase();
    const base64 = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(digest)?.[1];
    return base64 ? Buffer.from(base64, 'base64').toString('hex') : undefined;
}
// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------
function createRemoteSourceReader(options) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
    return async (url, { maxBytes, signal }) => {
        const pin = options.pins.get(url);
        if (options.pins.size > 0 && pin === undefined) {
            throw new Error(`${url} refused: '${Inputs.SourceIntegrity}' is set, and every remote source description must be pinned there`);
        }
        const version = cacheVersion(url, pin);
        const cached = await fromCache(version, maxBytes);
        if (cached && (pin === undefined || sha256(cached) === pin)) {
            options.log(url, `from the runner's tool cache (sha256 ${sha256(cached)})`);
            return cached.toString('utf8');
        }
        const file = await download(url, { maxBytes, timeoutMs, signal });
        try {
            const bytes = await readFile(file);
            if (bytes.length > maxBytes)
                throw new Error(overLimit(url, maxBytes));
            const digest = sha256(bytes);
            if (pin !== undefined && digest !== pin) {
                throw new Error(`integrity mismatch for ${url}: '${Inputs.SourceIntegrity}' pins sha256 ${pin}, the server sent ${digest}`);
            }
            await toCache(file, version);
            options.log(url, `fetched ${bytes.length} bytes, sha256 ${digest}` +
                (pin ? ' (matches its pin)' : `; pin it with '${Inputs.SourceIntegrity}'`));
            return bytes.toString('utf8');
        }
        finally {
            await rm(file, { force: true });
        }
    };
}
function sha256(bytes) {
    return createHash('sha256').update(bytes).digest('hex');
}
function overLimit(url, maxBytes) {
    return `${url} is over the ${maxBytes} byte limit`;
}
/** An explicit semver version, as tool-cache's `find` needs: `0.0.0-u<url hash>[.p<pin>]`. */
function cacheVersion(url, pin) {
    const key = createHash('sha256').update(url).digest('hex').slice(0, 32);
    return `0.0.0-u${key}${pin ? `.p${pin.slice(0, 32)}` : ''}`;
}
async function fromCache(version, maxBytes) {
    if (!process.env.RUNNER_TOOL_CACHE)
        return undefined;
    const dir = tc.find(TOOL_NAME, version);
    if (!dir)
        return undefined;
    try {
        const file = join(dir, CACHED_FILE);
        if ((await stat(file)).size > maxBytes)
            return undefined;
        return await readFile(file);
    }
    catch {
        return undefined;
    }
}
async function toCache(file, version) {
    if (!process.env.RUNNER_TOOL_CACHE)
        return;
    await tc.cacheFile(file, CACHED_FILE, TOOL_NAME, version);
}
// ---------------------------------------------------------------------------------------------
// A bounded downloadTool
// ---------------------------------------------------------------------------------------------
/** Stops a download; tool-cache does not retry an HTTPError below 500 (other than 408, 429). */
class Refused extends tool_cache/* HTTPError */.Hl {
    reason;
    constructor(reason) {
        super(400);
        this.reason = reason;
        this.message = reason;
    }
}
async function download(url, limits) {
    const dest = join(process.env.RUNNER_TEMP || tmpdir(), 'arazzo-sources', randomUUID());
    const guard = new DownloadGuard(url, dest, limits);
    try {
        return await guard.run(() => tc.downloadTool(url, dest));
    }
    catch (error) {
        await rm(dest, { force: true });
        if (error instanceof Refused)
            throw new Error(error.reason);
        if (error instanceof tc.HTTPError) {
            throw new Error(`${url}: HTTP ${error.httpStatusCode ?? 'error'}`);
        }
        throw new Error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
}
/** The guard of the download running in this async context. */
const guards = new external_node_async_hooks_.AsyncLocalStorage();
let watching = false;
function watchRequests() {
    if (watching)
        return;
    watching = true;
    subscribe('http.client.request.start', message => {
        const request = message.request;
        if (request)
            guards.getStore()?.claim(request);
    });
}
/**
 * Watches the requests downloadTool makes while it runs, and stops them (and the wait for it)
 * when the body grows past the limit, the time is up, or the signal aborts.
 */
class DownloadGuard {
    url;
    dest;
    limits;
    requests = new Set();
    responses = new Set();
    refusal;
    rejectRun;
    constructor(url, dest, limits) {
        this.url = url;
        this.dest = dest;
        this.limits = limits;
    }
    /** A request downloadTool started for this download (the first one, or a retry). */
    claim(request) {
        if (this.refusal) {
            request.destroy(this.refusal);
            return;
        }
        this.requests.add(request);
        request.once('response', (response) => {
            this.responses.add(response);
            const declared = Number(response.headers['content-length']);
            if (Number.isFinite(declared) && declared > this.limits.maxBytes) {
                this.refuse(`${overLimit(this.url, this.limits.maxBytes)} (it declares ${declared} bytes)`);
            }
        });
    }
    async run(start) {
        watchRequests();
        const { signal, timeoutMs, maxBytes } = this.limits;
        const stopped = new Promise((_resolve, reject) => (this.rejectRun = reject));
        const onAbort = () => this.refuse(`${this.url}: fetch cancelled`);
        if (signal?.aborted)
            onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        const timeout = setTimeout(() => this.refuse(`${this.url}: no complete answer within ${timeoutMs} ms`), timeoutMs);
        const watch = setInterval(() => {
            stat(this.dest).then(info => {
                if (info.size > maxBytes)
                    this.refuse(overLimit(this.url, maxBytes));
            }, () => undefined // not created yet
            );
        }, WATCH_INTERVAL_MS);
        // Neither timer keeps the process alive: the transfer they watch does, while it lasts.
        timeout.unref();
        watch.unref();
        // A retry downloadTool schedules runs in the same async context: it is stopped at once.
        const downloading = guards.run(this, start);
        downloading
            .finally(() => {
            signal?.removeEventListener('abort', onAbort);
            clearTimeout(timeout);
            clearInterval(watch);
        })
            .catch(() => undefined);
        return Promise.race([downloading, stopped]);
    }
    refuse(reason) {
        if (this.refusal)
            return;
        this.refusal = new Refused(reason);
        for (const response of this.responses)
            response.destroy(this.refusal);
        for (const request of this.requests)
            request.destroy(this.refusal);
        this.rejectRun?.(this.refusal);
    }
}

;// CONCATENATED MODULE: ./src/policy/credentials.ts
/**
 * The one place that decides who receives the Basic credentials (the organisation's API key and
 * secret key). Every request the action sends asks here first; no other module compares origins.
 *
 * - API calls (every request an Arazzo workflow describes): only to the API origin (`api-url`, or
 *   the region's API host). A workflow document may put the credentials anywhere in a request, so
 *   its requests go to no other origin at all.
 * - Output links: Amplitude's documentation shows every link on the web-app host
 *   (`https://analytics.amplitude.com/api/2/dsar/requests/53367/outputs/0`) and says each one
 *   "requires the same auth credentials". So a GET of `.../api/2/dsar/requests/{id}/outputs/{n}`
 *   carries them when its origin is the API origin, one of the region's Amplitude origins, or one
 *   the user added with `credential-origins`: https only, plain http for loopback IP literals alone.
 * - Never across a redirect to another origin: the link answers with a redirect to a presigned
 *   object-store URL, which must stay credential-free (S3 refuses a second auth mechanism, and the
 *   secret would leak to the storage host).
 */

/** The region's Amplitude origins: the API host, and every host that serves output links. */
const credentials_AMPLITUDE_ORIGINS = {
    us: {
        api: 'https://amplitude.com',
        outputLinks: ['https://amplitude.com', 'https://analytics.amplitude.com']
    },
    eu: {
        api: 'https://analytics.eu.amplitude.com',
        outputLinks: ['https://analytics.eu.amplitude.com']
    }
};
/** The documented output link path: `/api/2/dsar/requests/{requestId}/outputs/{n}`. */
const OUTPUT_LINK_PATH = /^\/api\/2\/dsar\/requests\/[^/]+\/outputs\/\d+$/;
function createCredentialPolicy(options) {
    const apiOrigin = new URL(options.apiOrigin).origin;
    const origins = [
        apiOrigin,
        ...(options.region ? credentials_AMPLITUDE_ORIGINS[options.region].outputLinks : []),
        ...(options.extraOrigins ?? [])
    ].map(origin => new URL(origin).origin);
    return { apiOrigin, outputLinkOrigins: [...new Set(origins)] };
}
/** Whether this request may carry the credentials. */
function mayCarryCredentials(policy, use) {
    if (!transportIsSafe(use.url))
        return false;
    if (use.kind === 'apiCall')
        return use.url.origin === policy.apiOrigin;
    return (use.method.toUpperCase() === 'GET' &&
        use.url.origin === use.chainOrigin &&
        isOutputLinkPath(use.url.pathname) &&
        policy.outputLinkOrigins.includes(use.url.origin));
}
/** Whether requests to this URL's origin are calls to a (trusted) Amplitude endpoint at all. */
function isCredentialOrigin(policy, url) {
    return policy.outputLinkOrigins.includes(url.origin);
}
function isOutputLinkPath(pathname) {
    return OUTPUT_LINK_PATH.test(pathname);
}
/** https; plain http only to a loopback IP literal; never a URL with user:password in it. */
function transportIsSafe(url) {
    if (url.username !== '' || url.password !== '')
        return false;
    if (url.protocol === 'https:')
        return true;
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}
/**
 * Checks an origin given by the user (`api-url`, an entry of `credential-origins`):
 * `scheme://host[:port]`, https (http for loopback IP literals alone), no credentials, no path,
 * query or fragment. Returns the normalised origin, or why it is refused. The text is never
 * quoted in the reason: a mistaken URL may carry credentials.
 */
function credentials_parseOrigin(text) {
    const refuse = (reason) => ({ ok: false, reason });
    if (/[?#]/.test(text))
        return refuse('must be an origin only (no query or fragment)');
    let url;
    try {
        url = new URL(text);
    }
    catch {
        return refuse('is not an absolute URL (expected e.g. https://amplitude.com)');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        return refuse(`must use https (got '${url.protocol}')`);
    }
    if (url.username !== '' || url.password !== '' || text.includes('@')) {
        return refuse('must not contain credentials (use api-key/secret-key or basic-auth)');
    }
    if (url.pathname !== '/') {
        return refuse('must be an origin only, without a path (e.g. https://amplitude.com)');
    }
    // The URL parser keeps characters such as `*` in a host name: no wildcards, names or IPs only.
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(url.hostname)) {
        return refuse('has a host that is neither a DNS name nor an IP address (no wildcards)');
    }
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol === 'http:' && !loopback)
        return refuse(`${LOOPBACK_RULE}; use https`);
    return { ok: true, origin: url.origin, loopback };
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
        add(standard.replace(/=+$/, ''));
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
        const decoded = secret_helper_decodeBasicAuth(raw.basicAuth);
        if (decoded.ok)
            addPair(decoded.apiKey, decoded.secretKey);
    }
    return [...forms];
}
/** The `Authorization: Basic` token for a key pair (standard base64, padded). */
function secret_helper_encodeBasicAuth(apiKey, secretKey) {
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
function secret_helper_decodeBasicAuth(value) {
    const token = stripBasicPrefix(value);
    if (token === '')
        return { ok: false, reason: 'it is empty' };
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) {
        return { ok: false, reason: 'it is not base64 (expected base64 of `api_key:secret_key`)' };
    }
    const unpadded = token.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
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

;// CONCATENATED MODULE: ./src/action/budget.ts
const budget_DOCUMENTED_BUDGET_PER_HOUR = 14_400;
const budget_HOUR_MS = 3_600_000;
/** The largest cost of one request (a POST). */
const MAX_REQUEST_COST = 8;
function requestCost(method) {
    return method.toUpperCase() === 'POST' ? MAX_REQUEST_COST : 1;
}
/** The budget would have had room only after the caller's deadline. */
class BudgetDeadlineError extends Error {
    availableAt;
    constructor(availableAt) {
        super(`the API budget has room again only at ${new Date(availableAt).toISOString()}`);
        this.availableAt = availableAt;
        this.name = 'BudgetDeadlineError';
    }
}
class budget_BudgetPacer {
    options;
    burst;
    /** Refill rate in units per millisecond. */
    rate;
    tokens;
    refilledAt;
    pausedUntil = 0;
    queue = Promise.resolve();
    constructor(options) {
        this.options = options;
        const { limitPerHour } = options;
        if (!(limitPerHour >= 2 * MAX_REQUEST_COST)) {
            throw new Error(`the budget must allow at least two POSTs per hour, not ${limitPerHour}`);
        }
        this.burst = Math.min(limitPerHour / 2, Math.max(MAX_REQUEST_COST, options.burst ?? Math.floor(limitPerHour * 0.05)));
        this.rate = (limitPerHour - this.burst) / budget_HOUR_MS;
        this.tokens = this.burst;
        this.refilledAt = options.clock.now();
    }
    /**
     * Waits until `cost` is available, then takes it. Resolves in arrival order. Rejects with a
     * BudgetDeadlineError, without waiting, when the cost could only be had after `deadline`.
     */
    acquire(cost, signal, deadline) {
        const turn = this.queue.then(() => this.waitForTokens(cost, signal, deadline));
        // A waiter that was aborted must not block the ones behind it.
        this.queue = turn.catch(() => undefined);
        return turn;
    }
    /** The server said 429: nobody sends before `until` (epoch ms). */
    pauseUntil(until) {
        this.pausedUntil = Math.max(this.pausedUntil, until);
    }
    async waitForTokens(cost, signal, deadline) {
        if (cost > this.burst)
            throw new Error(`a request of cost ${cost} exceeds the burst of ${this.burst}`);
        const { clock } = this.options;
        for (;;) {
            signal?.throwIfAborted();
            const now = clock.now();
            this.refill(now);
            const wait = Math.max(this.pausedUntil - now, Math.ceil((cost - this.tokens) / this.rate));
            if (wait <= 0) {
                this.tokens -= cost;
                return;
            }
            if (deadline !== undefined && now + wait > deadline)
                throw new BudgetDeadlineError(now + wait);
            await clock.sleep(wait, signal);
        }
    }
    refill(now) {
        this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.rate);
        this.refilledAt = now;
    }
}

;// CONCATENATED MODULE: ./src/arazzo/pacing.ts
/**
 * Time and pacing for the runner: a real clock, a virtual clock for tests and simulations, the
 * poll schedules that space out `goto`-loops, and Retry-After parsing.
 *
 * Pacing exists because an unpaced poll loop is a denial of service against the provider (the
 * Amplitude DSAR budget is shared by a whole organization), so every re-run of a step waits.
 */
/** setTimeout fires at once for delays above 2^31-1 ms, so longer sleeps are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;
function abortReason(signal) {
    return signal.reason ?? new Error('aborted');
}
/** Wall-clock time (Date.now) and setTimeout sleeps that reject promptly when aborted. */
const systemClock = {
    now: () => Date.now(),
    async sleep(ms, signal) {
        let remaining = Math.max(0, ms);
        do {
            const chunk = Math.min(remaining, MAX_TIMER_MS);
            await sleepOnce(chunk, signal);
            remaining -= chunk;
        } while (remaining > 0);
    }
};
function sleepOnce(ms, signal) {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) {
            reject(abortReason(signal));
            return;
        }
        const onAbort = () => {
            clearTimeout(timer);
            reject(abortReason(signal));
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
/**
 * A clock whose sleeps complete on the next macrotask, advancing its time by the slept amount.
 * Records every sleep so tests can assert the waits without waiting.
 */
class VirtualClock {
    current;
    /** Every completed sleep, in order (ms). */
    sleeps = [];
    constructor(start = 0) {
        this.current = start;
    }
    now() {
        return this.current;
    }
    /** Total virtual time spent sleeping. */
    get totalSlept() {
        return this.sleeps.reduce((sum, ms) => sum + ms, 0);
    }
    sleep(ms, signal) {
        return new Promise((resolve, reject) => {
            if (signal?.aborted) {
                reject(abortReason(signal));
                return;
            }
            const onAbort = () => {
                clearImmediate(handle);
                reject(abortReason(signal));
            };
            // A macrotask (not a microtask) so other pending work, such as an abort, can run first.
            const handle = setImmediate(() => {
                signal?.removeEventListener('abort', onAbort);
                const slept = Math.max(0, ms);
                this.current += slept;
                this.sleeps.push(slept);
                resolve();
            });
            signal?.addEventListener('abort', onAbort, { once: true });
        });
    }
    /** Moves time forward without a sleep (e.g. to simulate a slow request). */
    advance(ms) {
        this.current += Math.max(0, ms);
    }
}
/** The same wait before every poll, never shorter than the server's Retry-After. */
function fixedPollSchedule(ms) {
    const base = Math.max(0, ms);
    return {
        delayMs: (_pollNumber, retryAfterMs) => Math.max(base, retryAfterMs ?? 0)
    };
}
/**
 * Waits growing by `factor` (default 2) from `initialMs` up to `maxMs` (default unbounded);
 * never below `initialMs` and never below the server's Retry-After (which may exceed maxMs).
 */
function pacing_backoffPollSchedule(o) {
    const initial = Math.max(0, o.initialMs);
    const factor = o.factor !== undefined && o.factor >= 1 ? o.factor : 2;
    const max = o.maxMs ?? Number.POSITIVE_INFINITY;
    return {
        delayMs(pollNumber, retryAfterMs) {
            const exponent = Math.max(0, Math.floor(pollNumber) - 1);
            const grown = Math.min(max, initial * factor ** exponent);
            return Math.max(initial, grown, retryAfterMs ?? 0);
        }
    };
}
/** The runner's default: one second between polls (callers normally pass their own). */
const DEFAULT_POLL_INTERVAL_MS = 1000;
const defaultPollSchedule = fixedPollSchedule(DEFAULT_POLL_INTERVAL_MS);
/**
 * An HTTP Retry-After value (RFC 9110: delay-seconds or an HTTP-date) as milliseconds from `now`;
 * undefined when absent or unreadable. Dates in the past give 0.
 */
function parseRetryAfter(value, now) {
    if (value === undefined)
        return undefined;
    const text = value.trim();
    if (text === '')
        return undefined;
    if (/^\d+(\.\d+)?$/.test(text))
        return Math.round(Number(text) * 1000);
    // Only accept things that look like an HTTP-date, not any string Date.parse happens to read.
    if (!/[A-Za-z]{3}/.test(text))
        return undefined;
    const date = Date.parse(text);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}

;// CONCATENATED MODULE: ./src/action/pacing-policy.ts
/**
 * How gently the action uses the API, in one place (the action and the benchmarks both build from it):
 * - its spend stays within BUDGET_SHARE of the organisation's documented 14,400 cost per hour, leaving
 *   the rest to other jobs of the same organisation;
 * - polls start at `poll-interval` and grow by POLL_GROWTH per poll up to POLL_INTERVAL_CAP_MS (or the
 *   poll interval, when that is longer): never faster than asked, and quick enough that a job finishing
 *   late in the 3-day SLA is seen within minutes, not a quarter hour.
 */


const BUDGET_SHARE = 0.5;
const POLL_GROWTH = 1.5;
const POLL_INTERVAL_CAP_MS = (/* unused pure expression or super */ null && (5 * 60_000));
function createBudgetPacer(clock, share = BUDGET_SHARE) {
    return new BudgetPacer({ limitPerHour: Math.floor(DOCUMENTED_BUDGET_PER_HOUR * share), clock });
}
function createPollSchedule(pollIntervalMs) {
    return backoffPollSchedule({
        initialMs: pollIntervalMs,
        factor: POLL_GROWTH,
        maxMs: Math.max(pollIntervalMs, POLL_INTERVAL_CAP_MS)
    });
}

;// CONCATENATED MODULE: ./src/action/run-limits.ts
/**
 * How large one run may be, and how large what it reports may be.
 *
 * Subjects: a run submits at most MAX_SUBJECTS, derived from the budget the action keeps to: half
 * of the organisation's 14,400 cost units an hour, over the longest run (the default `timeout`,
 * 5h30m, inside the 6-hour limit of a hosted job), at 8 units per submission:
 * 0.5 x 14,400 x 5.5 / 8 = 4,950. More could not all be submitted within one run anyway; the same
 * cap bounds `request-ids`. (850,000 subjects used to exhaust the heap with no message at all.)
 *
 * Outputs: GitHub keeps at most 1 MB of outputs per job (measured in UTF-16, so about 500,000
 * characters of plain text) and 1 MiB of summary per step, and drops what is over. The action keeps
 * its outputs within OUTPUT_BUDGET characters together and its summary within SUMMARY_BUDGET bytes:
 * a JSON list that does not fit keeps as many whole entries as fit, with a warning that says so
 * and where the whole list is (requests.json beside the downloads; receipt.json for the files).
 */


/** The longest a run waits: the default `timeout` (5h30m). */
const LONGEST_RUN_MS = 5.5 * budget_HOUR_MS;
const MAX_SUBJECTS = Math.floor((BUDGET_SHARE * budget_DOCUMENTED_BUDGET_PER_HOUR * (LONGEST_RUN_MS / budget_HOUR_MS)) / requestCost('POST'));
/** Why `count` subjects (or request ids) are too many for one run; undefined when they are not. */
function run_limits_runSizeProblem(count, what) {
    if (count <= MAX_SUBJECTS)
        return undefined;
    return (`${count.toLocaleString('en-US')} ${what} are more than the ${MAX_SUBJECTS.toLocaleString('en-US')} one run ` +
        `may take (half of the 14,400 cost units an hour over 5h30m, at 8 per submission): split them ` +
        'over several runs');
}
/** Characters the action's step outputs may take together (GitHub: 1 MB per job, in UTF-16). */
const OUTPUT_BUDGET = 400_000;
/** The share of each list output; the small outputs (ids, statuses, one link) take the rest. */
const LIST_OUTPUT_LIMITS = {
    requests: 200_000,
    downloadUrls: 60_000,
    files: 60_000,
    workflowOutputs: 60_000
};
/** Bytes the job summary may take (GitHub: 1 MiB per step). */
const SUMMARY_BUDGET = (/* unused pure expression or super */ null && (512 * 1024));
/**
 * A JSON list output cut to the whole entries that fit in `limit` characters (an object that does
 * not fit becomes `null`); undefined when it fits as it is.
 */
function fitJsonList(text, limit) {
    if (text.length <= limit)
        return undefined;
    const value = JSON.parse(text);
    if (!Array.isArray(value))
        return { text: 'null', kept: 0, total: 1 };
    let size = 2; // the brackets
    let kept = 0;
    for (const item of value) {
        const itemSize = JSON.stringify(item).length + (kept > 0 ? 1 : 0);
        if (size + itemSize > limit)
            break;
        size += itemSize;
        kept++;
    }
    return { text: JSON.stringify(value.slice(0, kept)), kept, total: value.length };
}
/** Items of a summary section that fit in `budget` characters, and how many were left out. */
function withinBudget(items, budget, size) {
    let used = 0;
    let count = 0;
    for (const item of items) {
        used += size(item);
        if (used > budget)
            break;
        count++;
    }
    return { kept: items.slice(0, count), left: items.length - count };
}

;// CONCATENATED MODULE: ./src/ledger/ledger-inputs.ts
/**
 * The ledger's inputs (`ledger`, `ledger-label`, `github-token`, `close-on-done`), read and checked
 * like every other input: a bad value is refused with an InputError naming it, before any request.
 */


/** GitHub's limit on a label name. */
const MAX_LABEL = 50;
/** The longest state suffix, `:needs-attention`: every state label must fit GitHub's limit. */
const LONGEST_SUFFIX = ':needs-attention'.length;
const MAX_LEDGER_LABEL = MAX_LABEL - LONGEST_SUFFIX;
/** The ledger's settings, or undefined when `ledger` is `none` (the default). */
function ledger_inputs_parseLedgerInputs(input) {
    const mode = (input.read(Inputs.Ledger) || 'none').toLowerCase();
    if (mode === 'none')
        return undefined;
    if (mode !== 'issues') {
        throw input.fail(Inputs.Ledger, `must be 'none' or 'issues'`);
    }
    const label = input.read(Inputs.LedgerLabel) || 'dsar';
    if (label.length > MAX_LEDGER_LABEL ||
        label !== label.trim() ||
        label.includes(',') ||
        hasControlCharacter(label)) {
        throw input.fail(Inputs.LedgerLabel, `must be 1 to ${MAX_LEDGER_LABEL} characters without commas, control characters or ` +
            `surrounding blanks (state labels add up to ${LONGEST_SUFFIX} more, and GitHub allows ${MAX_LABEL})`);
    }
    const githubToken = input.read(Inputs.GithubToken);
    if (githubToken === '') {
        throw input.fail(Inputs.GithubToken, 'is empty: the ledger needs a token with `issues: write` (the default is ${{ github.token }})');
    }
    if (hasControlCharacter(githubToken) || /\s/.test(githubToken)) {
        throw input.fail(Inputs.GithubToken, 'contains blanks or control characters');
    }
    return {
        mode: 'issues',
        label,
        githubToken,
        closeOnDone: input.boolean(Inputs.CloseOnDone, true)
    };
}

;// CONCATENATED MODULE: ./src/action/input-helper.ts
/**
 * Reads and checks every input of action.yml (the role of actions/checkout's input-helper.ts).
 * Each bad value is refused with an InputError naming the input, before any request is sent.
 * Inputs are checked one by one in action.yml's order, then against each other; the first
 * problem found is thrown. Messages never quote credentials or user/Amplitude IDs (personal
 * data): they point at the entry or line instead.
 */














class input_helper_InputError extends Error {
    input;
    detail;
    constructor(input, detail) {
        super(`Input '${input}': ${detail}`);
        this.input = input;
        this.detail = detail;
        this.name = 'InputError';
    }
}
const DEFAULT_START_DATE = '2012-01-01';
// Amplitude was founded in 2012; anything before 2000 is a typo such as 0202-01-01.
const EARLIEST_START_DATE = '2000-01-01';
const MAX_ID_LENGTH = 1024;
const MAX_USER_IDS_FILE_BYTES = (/* unused pure expression or super */ null && (10 * 1024 * 1024));
const DEFAULT_POLL_INTERVAL = '60s';
const MIN_POLL_INTERVAL_MS = 1_000;
const DEFAULT_TIMEOUT = '5h30m';
const MAX_TIMEOUT_MS = (/* unused pure expression or super */ null && (6 * 3_600_000));
const WORKFLOW_ID = /^[A-Za-z0-9_-]+$/;
// The characters @actions/artifact refuses in names, plus path separators.
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\\/\r\n]/;
const ARTIFACT_NAME_FORBIDDEN_LIST = (/* unused pure expression or super */ null && (`" : < > | * ? \\ / CR LF`));
/**
 * Reads every input and returns the checked settings. `now` fixes "today" (UTC) for tests.
 * Async because checking `encrypt-to` loads the age library, and files are read without
 * blocking.
 */
async function getSettings(env = {}) {
    const workspace = path.resolve(process.env.GITHUB_WORKSPACE || process.cwd());
    const runnerTemp = path.resolve(process.env.RUNNER_TEMP || os.tmpdir());
    const today = (env.now?.() ?? new Date()).toISOString().slice(0, 10);
    const userIds = input_helper_parseUserIds(read(Inputs.UserIds));
    const amplitudeIds = input_helper_parseAmplitudeIds(read(Inputs.AmplitudeIds));
    const fileUserIds = await readUserIdsFile(read(Inputs.UserIdsFile), workspace, runnerTemp);
    const credentials = parseCredentials();
    const region = parseRegion(read(Inputs.Region));
    const api = parseApiUrl(read(Inputs.ApiUrl), region);
    if (read(Inputs.ApiUrl) !== '' && region !== 'us') {
        // The runner passes action.yml's default (us) when region is not given: only eu was chosen.
        log.warning(line `Input '${Inputs.Region}': ${region} is ignored for API calls because api-url is set (they go to ${api.origin}); it still chooses which Amplitude hosts may receive the credentials for output links`);
    }
    const { startDate, endDate } = input_helper_parseDates(read(Inputs.StartDate), read(Inputs.EndDate), today);
    const requestIds = parseRequestIds(read(Inputs.RequestIds));
    const wait = parseBoolean(Inputs.Wait, true);
    const pollIntervalMs = parsePollInterval(read(Inputs.PollInterval), api.loopback);
    const timeoutMs = parseTimeout(read(Inputs.Timeout));
    const maxConcurrency = parseInteger(Inputs.MaxConcurrency, 4, 1, 32);
    const downloadWanted = parseBoolean(Inputs.Download, false);
    const downloadPath = await parseDownloadPath(read(Inputs.DownloadPath), workspace, runnerTemp);
    const artifactName = parseArtifactName(read(Inputs.ArtifactName));
    const retentionDays = parseInteger(Inputs.RetentionDays, 1, 1, 90);
    const encryptTo = await parseRecipients(read(Inputs.EncryptTo));
    const workflow = await parseWorkflow(read(Inputs.Workflow), workspace);
    const workflowId = parseWorkflowId(read(Inputs.WorkflowId));
    const extraInputs = parseExtraInputs(read(Inputs.Inputs));
    const credentialOrigins = parseCredentialOrigins(read(Inputs.CredentialOrigins));
    const ledger = parseLedgerInputs({
        read,
        boolean: parseBoolean,
        fail: (name, detail) => new input_helper_InputError(name, detail)
    });
    const sourceIntegrity = parseSourcePins(read(Inputs.SourceIntegrity));
    const subjects = input_helper_uniqueSubjects([
        ...userIds.map(userId => ({ kind: 'userId', userId })),
        ...amplitudeIds.map(amplitudeId => ({ kind: 'amplitudeId', amplitudeId })),
        ...fileUserIds.map(userId => ({ kind: 'userId', userId }))
    ]);
    checkRunSize({ userIds, amplitudeIds, fileUserIds, subjects, requestIds });
    const download = downloadWanted || artifactName !== undefined;
    if (ledger)
        checkLedgerCombination({ workflow });
    else
        checkCombination({ subjects, requestIds, wait, download, artifactName, workflow, extraInputs });
    return {
        subjects,
        requestIds,
        ...credentials,
        region,
        apiUrl: api.origin,
        credentialOrigins,
        startDate,
        endDate,
        wait,
        pollIntervalMs,
        timeoutMs,
        maxConcurrency,
        download,
        downloadPath,
        ...(artifactName !== undefined && { artifactName }),
        retentionDays,
        encryptTo,
        workflow,
        ...(workflowId !== undefined && { workflowId }),
        extraInputs,
        sourceIntegrity,
        ...(ledger && { ledger })
    };
}
function read(name) {
    return core.getInput(name);
}
// ---------------------------------------------------------------------------------------------
// Subjects and request ids
// ---------------------------------------------------------------------------------------------
/** Entries separated by newlines and/or commas; blanks dropped; numbered from 1 for messages. */
function splitList(text) {
    return text
        .split(/[\n,]/)
        .map(entry => entry.trim())
        .filter(entry => entry !== '')
        .map((entry, index) => ({ entry, number: index + 1 }));
}
function userIdProblem(id) {
    if ([...id].length > MAX_ID_LENGTH)
        return `is longer than ${MAX_ID_LENGTH} characters`;
    if (hasControlCharacter(id))
        return 'contains control characters';
    return undefined;
}
function input_helper_parseUserIds(text) {
    return splitList(text).map(({ entry, number }) => {
        const problem = userIdProblem(entry);
        if (problem)
            throw new input_helper_InputError(Inputs.UserIds, `entry ${number} ${problem}`);
        return entry;
    });
}
function input_helper_parseAmplitudeIds(text) {
    return splitList(text).map(({ entry, number }) => {
        const value = Number(entry);
        if (!/^\d+$/.test(entry) || !Number.isSafeInteger(value) || value <= 0) {
            throw new input_helper_InputError(Inputs.AmplitudeIds, `entry ${number} is not a positive integer (digits only, at most ${Number.MAX_SAFE_INTEGER})`);
        }
        return value;
    });
}
function parseRequestIds(text) {
    const ids = splitList(text).map(({ entry, number }) => {
        if (!REQUEST_ID_PATTERN.test(entry)) {
            throw new input_helper_InputError(Inputs.RequestIds, `entry ${number} is not a request id (${REQUEST_ID_RULE})`);
        }
        return entry;
    });
    return [...new Set(ids)];
}
function input_helper_uniqueSubjects(subjects) {
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
            throw new input_helper_InputError(input, `'${text}' is larger than 10 MiB (${size} bytes)`);
        }
        content = (await handle.readFile('utf8')).replace(/^\uFEFF/, '');
    }
    finally {
        await handle.close();
    }
    const ids = content.trimStart().startsWith('[')
        ? idsFromJson(input, content)
        : idsFromLines(input, content);
    if (ids.length === 0)
        throw new input_helper_InputError(input, `'${text}' contains no user IDs`);
    return ids;
}
function idsFromJson(input, content) {
    let parsed;
    try {
        parsed = JSON.parse(content);
    }
    catch {
        throw new input_helper_InputError(input, describeJsonError(content));
    }
    if (!Array.isArray(parsed))
        throw new input_helper_InputError(input, 'is not a JSON array of strings');
    const ids = [];
    parsed.forEach((item, index) => {
        if (typeof item !== 'string') {
            throw new input_helper_InputError(input, `array element ${index + 1} is not a string`);
        }
        const id = item.trim();
        if (id === '')
            return;
        const problem = userIdProblem(id);
        if (problem)
            throw new input_helper_InputError(input, `array element ${index + 1} ${problem}`);
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
            throw new input_helper_InputError(input, `line ${index + 1} ${problem}`);
        ids.push(id);
    });
    return ids;
}
// ---------------------------------------------------------------------------------------------
// Credentials, region, API origin, dates
// ---------------------------------------------------------------------------------------------
function parseCredentials() {
    const apiKey = read(Inputs.ApiKey);
    const secretKey = read(Inputs.SecretKey);
    const basicAuth = read(Inputs.BasicAuth);
    if (basicAuth !== '') {
        if (apiKey !== '' || secretKey !== '') {
            throw new input_helper_InputError(Inputs.BasicAuth, 'ambiguous credentials: give either basic-auth or api-key and secret-key, not both');
        }
        const decoded = decodeBasicAuth(basicAuth);
        if (!decoded.ok)
            throw new input_helper_InputError(Inputs.BasicAuth, decoded.reason);
        return {
            apiKey: decoded.apiKey,
            secretKey: decoded.secretKey,
            basicAuth: encodeBasicAuth(decoded.apiKey, decoded.secretKey)
        };
    }
    if (apiKey === '' && secretKey === '') {
        throw new input_helper_InputError(Inputs.ApiKey, 'no credentials: set api-key and secret-key (organization-level keys), or basic-auth');
    }
    if (apiKey === '')
        throw new input_helper_InputError(Inputs.ApiKey, 'missing (secret-key is set; both are needed)');
    if (secretKey === '') {
        throw new input_helper_InputError(Inputs.SecretKey, 'missing (api-key is set; both are needed)');
    }
    if (apiKey.includes(':')) {
        throw new input_helper_InputError(Inputs.ApiKey, 'must not contain a colon (HTTP Basic uses it as separator)');
    }
    if (hasControlCharacter(apiKey))
        throw new input_helper_InputError(Inputs.ApiKey, 'contains control characters');
    if (hasControlCharacter(secretKey)) {
        throw new input_helper_InputError(Inputs.SecretKey, 'contains control characters');
    }
    return { apiKey, secretKey, basicAuth: encodeBasicAuth(apiKey, secretKey) };
}
function parseRegion(text) {
    const region = (text || 'us').toLowerCase();
    if (region !== 'us' && region !== 'eu') {
        throw new input_helper_InputError(Inputs.Region, `${quote(text)} is not a region (expected 'us' or 'eu')`);
    }
    return region;
}
/** The API origin, and whether it is a loopback host (which permits http and fast polling). */
function parseApiUrl(text, region) {
    if (text === '')
        return { origin: AMPLITUDE_ORIGINS[region].api, loopback: false };
    const parsed = parseOrigin(text);
    if (!parsed.ok)
        throw new input_helper_InputError(Inputs.ApiUrl, parsed.reason);
    return { origin: parsed.origin, loopback: parsed.loopback };
}
/** Origins separated by newlines and/or commas; each checked like api-url. */
function parseCredentialOrigins(text) {
    const origins = splitList(text).map(({ entry, number }) => {
        const parsed = parseOrigin(entry);
        if (!parsed.ok)
            throw new input_helper_InputError(Inputs.CredentialOrigins, `entry ${number} ${parsed.reason}`);
        return parsed.origin;
    });
    return [...new Set(origins)];
}
function parseSourcePins(text) {
    try {
        return parseSourceIntegrity(text);
    }
    catch (error) {
        throw new input_helper_InputError(Inputs.SourceIntegrity, error.message);
    }
}
/**
 * Dates are calendar days in UTC. end-date may be up to one day after today (UTC), since a
 * runner's "today" can be behind the user's; start-date must not be before 2000-01-01.
 */
function input_helper_parseDates(startText, endText, today) {
    const startDate = parseDate(Inputs.StartDate, startText || DEFAULT_START_DATE);
    const endDate = endText === '' ? today : parseDate(Inputs.EndDate, endText);
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000)
        .toISOString()
        .slice(0, 10);
    if (endDate > tomorrow) {
        throw new input_helper_InputError(Inputs.EndDate, `${endDate} is in the future (today is ${today} UTC)`);
    }
    if (startDate < EARLIEST_START_DATE) {
        throw new input_helper_InputError(Inputs.StartDate, `${startDate} is before ${EARLIEST_START_DATE}`);
    }
    if (startDate > endDate) {
        const origin = endText === '' ? ' (today, UTC)' : '';
        throw new input_helper_InputError(Inputs.StartDate, `${startDate} is after end-date ${endDate}${origin}; the range would be empty`);
    }
    return { startDate, endDate };
}
function parseDate(input, text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
        throw new input_helper_InputError(input, `${quote(text)} is not a date in the form YYYY-MM-DD`);
    }
    const time = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
        throw new input_helper_InputError(input, `${text} is not a real calendar date`);
    }
    return text;
}
// ---------------------------------------------------------------------------------------------
// Waiting, concurrency, downloads
// ---------------------------------------------------------------------------------------------
/** Booleans per the YAML 1.2 core schema, as core.getBooleanInput reads them. */
function parseBoolean(input, fallback) {
    const text = read(input);
    if (text === '')
        return fallback;
    if (['true', 'True', 'TRUE'].includes(text))
        return true;
    if (['false', 'False', 'FALSE'].includes(text))
        return false;
    throw new input_helper_InputError(input, `${quote(text)} is not a boolean (expected true | True | TRUE | false | False | FALSE)`);
}
function parseDurationInput(input, text) {
    try {
        return parseDuration(text);
    }
    catch (error) {
        throw new input_helper_InputError(input, error.message);
    }
}
function parsePollInterval(text, loopback) {
    const ms = parseDurationInput(Inputs.PollInterval, text || DEFAULT_POLL_INTERVAL);
    if (ms <= 0)
        throw new input_helper_InputError(Inputs.PollInterval, 'must be longer than 0');
    // Every poll spends the organization's shared DSAR budget; only a local test server may be
    // polled faster than once a second.
    if (ms < MIN_POLL_INTERVAL_MS && !loopback) {
        throw new input_helper_InputError(Inputs.PollInterval, 'must be at least 1s (shorter intervals are allowed only with a loopback api-url)');
    }
    return ms;
}
function parseTimeout(text) {
    const ms = parseDurationInput(Inputs.Timeout, text || DEFAULT_TIMEOUT);
    if (ms <= 0)
        throw new input_helper_InputError(Inputs.Timeout, 'must be longer than 0');
    if (ms > MAX_TIMEOUT_MS) {
        throw new input_helper_InputError(Inputs.Timeout, 'must be at most 6h: a GitHub job is stopped after 6 hours; for longer waits submit with ' +
            'wait: false and collect later with request-ids');
    }
    return ms;
}
function parseInteger(input, fallback, min, max) {
    const text = read(input);
    if (text === '')
        return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
        throw new input_helper_InputError(input, `${quote(text)} is not an integer from ${min} to ${max}`);
    }
    return value;
}
/** Absolute, or relative to the workspace; must resolve (symlinks too) inside it or RUNNER_TEMP. */
async function parseDownloadPath(text, workspace, runnerTemp) {
    const input = Inputs.DownloadPath;
    if (hasControlCharacter(text))
        throw new input_helper_InputError(input, 'contains control characters');
    const target = text === '' ? path.join(runnerTemp, 'amplitude-dsar') : path.resolve(workspace, text);
    const nearest = await nearestExisting(target);
    if (nearest.danglingLink) {
        throw new input_helper_InputError(input, `'${nearest.path}' is a symbolic link to nothing`);
    }
    if (!(await fs.stat(nearest.path)).isDirectory()) {
        throw new input_helper_InputError(input, `'${nearest.path}' exists and is not a directory`);
    }
    const real = path.join(await fs.realpath(nearest.path), ...nearest.missing);
    const roots = await Promise.all([workspace, runnerTemp].map(realpathOrSelf));
    if (!roots.some(root => isInside(real, root))) {
        throw new input_helper_InputError(input, `'${target}' is outside GITHUB_WORKSPACE and RUNNER_TEMP`);
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
function parseArtifactName(text) {
    if (text === '')
        return undefined;
    if (ARTIFACT_NAME_FORBIDDEN.test(text) || hasControlCharacter(text)) {
        throw new input_helper_InputError(Inputs.ArtifactName, `${quote(text)} contains a character artifact names refuse (${ARTIFACT_NAME_FORBIDDEN_LIST} or control characters)`);
    }
    return text;
}
/** One age recipient per line; blank lines and '#' comments ignored; duplicates dropped. */
async function parseRecipients(text) {
    const lines = text
        .split('\n')
        .map((line, index) => ({ line: line.trim(), number: index + 1 }))
        .filter(({ line }) => line !== '' && !line.startsWith('#'));
    if (lines.length === 0)
        return [];
    // Loaded only when needed: the library is sizeable and most runs do not encrypt.
    const { Encrypter } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 1539));
    for (const { line, number } of lines) {
        if (/^age-secret-key-/i.test(line)) {
            throw new input_helper_InputError(Inputs.EncryptTo, `line ${number} is an age identity (a private key), not a recipient: give its public ` +
                'key (age1...) instead, and treat this private key as exposed');
        }
        try {
            new Encrypter().addRecipient(line);
        }
        catch (error) {
            throw new input_helper_InputError(Inputs.EncryptTo, `line ${number} is not a valid age recipient (${error.message}); expected age1...`);
        }
    }
    return [...new Set(lines.map(({ line }) => line))];
}
// ---------------------------------------------------------------------------------------------
// Workflow choice and its extra inputs
// ---------------------------------------------------------------------------------------------
async function parseWorkflow(text, workspace) {
    const name = (text || 'amplitude').toLowerCase();
    if (name === 'amplitude' || name === 'apis-io')
        return { kind: 'builtin', name };
    if (!/\.(ya?ml|json)$/i.test(text)) {
        throw new input_helper_InputError(Inputs.Workflow, `${quote(text)} is neither 'amplitude', 'apis-io' nor a path to an Arazzo document ` +
            '(.yml, .yaml or .json)');
    }
    return { kind: 'file', path: await resolveWorkspaceFile(Inputs.Workflow, text, workspace) };
}
function parseWorkflowId(text) {
    if (text === '')
        return undefined;
    if (!WORKFLOW_ID.test(text)) {
        throw new input_helper_InputError(Inputs.WorkflowId, `${quote(text)} is not a workflowId (A-Z a-z 0-9 _ -)`);
    }
    return text;
}
function parseExtraInputs(text) {
    if (text === '')
        return {};
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        throw new input_helper_InputError(Inputs.Inputs, describeJsonError(text));
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed;
        throw new input_helper_InputError(Inputs.Inputs, `must be a JSON object, not ${kind}`);
    }
    return parsed;
}
/** At most MAX_SUBJECTS subjects, or request ids, per run (run-limits.ts), refused by input name. */
function checkRunSize(given) {
    const requestIds = runSizeProblem(given.requestIds.length, 'request ids');
    if (requestIds)
        throw new input_helper_InputError(Inputs.RequestIds, requestIds);
    const subjects = runSizeProblem(given.subjects.length, 'subjects');
    if (!subjects)
        return;
    // Named by the input that gave the most of them.
    const inputs = [
        [Inputs.UserIds, given.userIds.length],
        [Inputs.AmplitudeIds, given.amplitudeIds.length],
        [Inputs.UserIdsFile, given.fileUserIds.length]
    ];
    const [largest] = inputs.sort((a, b) => b[1] - a[1])[0];
    throw new input_helper_InputError(largest, subjects);
}
function checkCombination(settings) {
    const { subjects, requestIds, wait, download, artifactName, workflow, extraInputs } = settings;
    if (requestIds.length > 0 && subjects.length > 0) {
        throw new input_helper_InputError(Inputs.RequestIds, 'ambiguous: give request-ids (to resume) or subjects (user-ids, amplitude-ids, ' +
            'user-ids-file), not both');
    }
    if (requestIds.length > 0 && !wait) {
        throw new input_helper_InputError(Inputs.RequestIds, 'resuming needs wait: true (with wait: false there would be nothing to do)');
    }
    // A custom workflow may take its subject through `inputs`; the caller checks its required
    // inputs against the document.
    const customInputsGiven = workflow.kind === 'file' && Object.keys(extraInputs).length > 0;
    if (requestIds.length === 0 && subjects.length === 0 && !customInputsGiven) {
        throw new input_helper_InputError(Inputs.UserIds, 'no subject: set user-ids, amplitude-ids or user-ids-file (or request-ids to resume)');
    }
    if (download && !wait) {
        throw new input_helper_InputError(artifactName !== undefined ? Inputs.ArtifactName : Inputs.Download, 'downloading needs wait: true (with wait: false the exports are not ready yet)');
    }
}
/**
 * Ledger mode takes its subjects from issues: the inputs that name subjects or requests must be
 * empty (a subject given both ways would be asked twice), and the workflow must be a built-in one
 * (the ledger submits, and later checks the status once, with the workflows it knows).
 */
function checkLedgerCombination(settings) {
    for (const name of [Inputs.UserIds, Inputs.AmplitudeIds, Inputs.UserIdsFile, Inputs.RequestIds]) {
        if (read(name) !== '') {
            throw new input_helper_InputError(name, `must be empty with ledger: issues (the subjects come from the issues carrying the ledger label)`);
        }
    }
    if (settings.workflow.kind !== 'builtin') {
        throw new input_helper_InputError(Inputs.Workflow, "ledger: issues works with the built-in workflows ('amplitude' or 'apis-io')");
    }
}
// ---------------------------------------------------------------------------------------------
// Files and paths
// ---------------------------------------------------------------------------------------------
/**
 * Resolves a path given relative to the workspace (or absolute) to the real path of a regular
 * file inside the workspace (or `runnerTemp`, when given). Checking the real path refuses symlinks
 * (and '..') that escape.
 */
async function resolveWorkspaceFile(input, text, workspace, runnerTemp) {
    if (hasControlCharacter(text))
        throw new input_helper_InputError(input, 'contains control characters');
    const candidate = path.resolve(workspace, text);
    let real;
    try {
        real = await fs.realpath(candidate);
    }
    catch (error) {
        if (isMissing(error))
            throw new input_helper_InputError(input, `'${text}' does not exist`);
        throw new input_helper_InputError(input, `'${text}' cannot be read (${error.message})`);
    }
    const roots = await Promise.all([workspace, runnerTemp ?? workspace].map(realpathOrSelf));
    if (!roots.some(root => isInside(real, root))) {
        const allowed = runnerTemp
            ? 'GITHUB_WORKSPACE and RUNNER_TEMP'
            : 'the workspace (GITHUB_WORKSPACE)';
        throw new input_helper_InputError(input, `'${text}' is outside ${allowed}`);
    }
    if (!(await fs.stat(real)).isFile()) {
        throw new input_helper_InputError(input, `'${text}' is not a regular file`);
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
/** A user-supplied value for a message: JSON-escaped and bounded (never used for secrets). */
function quote(text) {
    const json = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
    return `'${json.slice(1, -1)}'`;
}

;// CONCATENATED MODULE: ./src/ledger/form.ts
/**
 * Reads a DSAR issue filed from the shipped issue form. GitHub renders each form field as a
 * `### <label>` section; an empty optional field reads `_No response_`. The body is untrusted
 * (anyone who may open an issue wrote it, and may have edited it since): it is bounded, each field
 * is checked by the same rules as the matching action input (src/action/input-helper.ts), and a
 * problem names the field, never quotes a subject id. Headings are matched case-insensitively; a
 * field given twice is refused rather than guessed at.
 */


const FIELDS = {
    userIds: 'User IDs',
    amplitudeIds: 'Amplitude IDs',
    startDate: 'Start date',
    endDate: 'End date',
    reference: 'Reference'
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
        const heading = /^###[ \t]+(.+?)[ \t]*#*[ \t]*$/.exec(line);
        if (heading) {
            current = heading[1].toLowerCase();
            if (lines.has(current))
                return refuse(heading[1].slice(0, 40), 'appears more than once');
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
        return refuse(fieldOf(error.input), error.detail);
    }
    if (subjects.length === 0) {
        return refuse(`${FIELDS.userIds} / ${FIELDS.amplitudeIds}`, 'no subject: give at least one user ID or Amplitude ID');
    }
    if (subjects.length > MAX_SUBJECTS_PER_ISSUE) {
        return refuse(`${FIELDS.userIds} / ${FIELDS.amplitudeIds}`, `${subjects.length} subjects; one issue may ask for at most ${MAX_SUBJECTS_PER_ISSUE} (file one issue per person)`);
    }
    const reference = value(FIELDS.reference).replace(/\s+/g, ' ').trim();
    return {
        ok: true,
        form: {
            subjects,
            ...dates,
            ...(reference !== '' && {
                reference: [...reference].slice(0, MAX_REFERENCE_CHARS).join('')
            })
        }
    };
}
/** The issue body GitHub renders from the shipped form (examples/ISSUE_TEMPLATE/dsar.yml). */
function formBody(fields) {
    const section = (label, value) => `### ${label}\n\n${value && value !== '' ? value : NO_RESPONSE}`;
    return [
        section(FIELDS.userIds, fields.userIds),
        section(FIELDS.amplitudeIds, fields.amplitudeIds),
        section(FIELDS.startDate, fields.startDate),
        section(FIELDS.endDate, fields.endDate),
        section(FIELDS.reference, fields.reference)
    ].join('\n\n');
}
/** A field's text: trimmed, a code fence around it removed, `_No response_` as empty. */
function fieldValue(lines) {
    let text = lines.join('\n').trim();
    const fenced = /^```[^\n]*\n([\s\S]*?)\n?```$/.exec(text);
    if (fenced)
        text = fenced[1].trim();
    return text === NO_RESPONSE ? '' : text;
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
 * comments and labels as they change.
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
    let code = 0;
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
