import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
;// CONCATENATED MODULE: ./src/simulator/cli-config.ts
/**
 * The simulator CLI's settings (argv over env) and its start-up banner, kept apart from cli.ts
 * (which only runs) so they can be tested without starting a process.
 */

/** Flag name -> what it sets. Each flag can also come from env DSAR_SIM_<FLAG_IN_SNAKE_CASE>. */
const NUMBER_FLAGS = {
    port: 'port',
    'storage-port': 'storagePort',
    'web-port': 'webPort',
    'budget-per-hour': 'budgetPerHour',
    'link-ttl-ms': 'linkTtlMs'
};
const PLAN_NUMBER_FLAGS = {
    'polls-in-staging': 'pollsInStaging',
    'polls-in-submitted': 'pollsInSubmitted',
    files: 'files',
    'lines-per-file': 'linesPerFile',
    'bytes-per-file': 'bytesPerFile'
};
const STRING_FLAGS = {
    host: 'host',
    'storage-host': 'storageHost',
    'web-host': 'webHost',
    'api-key': 'apiKey',
    'secret-key': 'secretKey'
};
const CLI_USAGE = `Usage: npm run simulator -- [options]   (each option also from env DSAR_SIM_<NAME>)
  --host H              API host (127.0.0.1)      --storage-host H   storage host (127.0.0.2)
  --port N              API port (0 = any)        --storage-port N   storage port (0 = any)
  --output-links api|web  output links on the API host (api) or on a web-app host that
                        requires the credentials, like analytics.amplitude.com (web)
  --web-host H          web-app host (127.0.0.3)  --web-port N       web-app port (0 = any)
  --api-key K           org API key               --secret-key K     org secret key
  --polls-in-staging N  (1)                       --polls-in-submitted N (1)
  --outcome S           done | failed | any other status (done)
  --fail-reason S       failReason of failed jobs
  --files N             output files (2)          --lines-per-file N (10)
  --bytes-per-file N    approximate uncompressed size per file (overrides lines)
  --budget-per-hour N   (14400)                   --retry-after N|none|window (none)
  --link-ttl-ms N       link lifetime (2 days)    --quiet            no request log
  --help`;
function envName(flag) {
    return `DSAR_SIM_${flag.replace(/-/g, '_').toUpperCase()}`;
}
function parseCliConfig(argv, env) {
    const stringFlags = [
        ...Object.keys(NUMBER_FLAGS),
        ...Object.keys(PLAN_NUMBER_FLAGS),
        ...Object.keys(STRING_FLAGS),
        'outcome',
        'fail-reason',
        'retry-after',
        'output-links'
    ];
    const parsed = (0,external_node_util_namespaceObject.parseArgs)({
        args: argv,
        options: {
            ...Object.fromEntries(stringFlags.map(flag => [flag, { type: 'string' }])),
            quiet: { type: 'boolean' },
            help: { type: 'boolean' }
        },
        strict: true,
        allowPositionals: false
    });
    const values = parsed.values;
    const read = (flag) => {
        const value = values[flag] ?? env[envName(flag)];
        return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    };
    const number = (flag) => {
        const text = read(flag);
        if (text === undefined)
            return undefined;
        const value = Number(text);
        if (!Number.isFinite(value) || value < 0) {
            throw new Error(`--${flag} (or ${envName(flag)}) must be a number >= 0, got "${text}"`);
        }
        return value;
    };
    const bool = (flag) => values[flag] === true || /^(1|true|yes)$/i.test(env[envName(flag)] ?? '');
    const options = {};
    const job = {};
    for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
        const value = number(flag);
        if (value !== undefined)
            options[key] = value;
    }
    for (const [flag, key] of Object.entries(STRING_FLAGS)) {
        const value = read(flag);
        if (value !== undefined)
            options[key] = value;
    }
    for (const [flag, key] of Object.entries(PLAN_NUMBER_FLAGS)) {
        const value = number(flag);
        if (value !== undefined)
            job[key] = value;
    }
    const outcome = read('outcome');
    if (outcome !== undefined)
        job.outcome = outcome;
    const failReason = read('fail-reason');
    if (failReason !== undefined)
        job.failReason = failReason;
    if (Object.keys(job).length > 0)
        options.job = job;
    const outputLinks = read('output-links');
    if (outputLinks !== undefined) {
        if (outputLinks !== 'api' && outputLinks !== 'web') {
            throw new Error(`--output-links (or ${envName('output-links')}) must be api or web, got "${outputLinks}"`);
        }
        options.outputLinksOn = outputLinks;
    }
    const retryAfter = read('retry-after');
    if (retryAfter === 'none')
        options.retryAfterSeconds = null;
    else if (retryAfter === 'window' || retryAfter === 'auto')
        options.retryAfterSeconds = 'window';
    else if (retryAfter !== undefined)
        options.retryAfterSeconds = number('retry-after');
    return { options, quiet: bool('quiet'), help: bool('help') };
}
function formatBanner(simulator, options) {
    const plan = typeof options.job === 'object' ? options.job : {};
    const setting = options.retryAfterSeconds;
    const retry = setting === 'window'
        ? 'Retry-After from the window'
        : typeof setting === 'number'
            ? `Retry-After ${setting}s`
            : 'no Retry-After';
    const size = plan.bytesPerFile !== undefined
        ? `~${plan.bytesPerFile} bytes`
        : `${plan.linesPerFile ?? 10} lines`;
    return [
        'Amplitude DSAR simulator running (Ctrl+C to stop)',
        `  API URL      ${simulator.url}`,
        `  Storage URL  ${simulator.storageUrl}`,
        ...(simulator.webUrl
            ? [`  Web URL      ${simulator.webUrl}  (output links; credentials required)`]
            : []),
        `  API key      ${simulator.apiKey}`,
        `  Secret key   ${simulator.secretKey}`,
        `  Basic auth   ${simulator.basicAuth}`,
        `  Jobs         staging x${plan.pollsInStaging ?? 1} -> submitted x${plan.pollsInSubmitted ?? 1}` +
            ` -> ${plan.outcome ?? 'done'}, ${plan.files ?? 2} file(s) of ${size}`,
        `  Budget       ${options.budgetPerHour ?? 14400} cost per sliding hour (POST 8, GET 1), ${retry}`,
        `  Deletions    /api/2/deletions/users with the project keys ${simulator.erasureApiKey} / ${simulator.erasureSecretKey}` +
            ' (1 request/s; jobs by the simulator clock)',
        '',
        "Action inputs for a local run (e.g. env 'INPUT_API-URL=...' ... node dist/index.js):",
        `INPUT_API-URL=${simulator.url}`,
        `INPUT_API-KEY=${simulator.apiKey}`,
        `INPUT_SECRET-KEY=${simulator.secretKey}`,
        `INPUT_USER-IDS=user-1`,
        `INPUT_START-DATE=2024-01-01`,
        `INPUT_END-DATE=2024-12-31`,
        `INPUT_POLL-INTERVAL=1s`,
        `INPUT_DOWNLOAD=true`,
        ...(simulator.webUrl ? [`INPUT_CREDENTIAL-ORIGINS=${simulator.webUrl}`] : []),
        `(or INPUT_BASIC-AUTH=${simulator.basicAuth} instead of the two keys)`,
        '',
        'For an erasure: INPUT_REQUEST-TYPE=erasure with',
        `INPUT_ERASURE-API-KEY=${simulator.erasureApiKey}`,
        `INPUT_ERASURE-SECRET-KEY=${simulator.erasureSecretKey}`
    ].join('\n');
}
function formatLogEntry(entry) {
    // Presigned queries are long and carry nothing a reader needs.
    const path = entry.path.length > 100 ? `${entry.path.slice(0, 97)}...` : entry.path;
    const took = entry.durationMs === undefined ? '' : ` ${Math.round(entry.durationMs)}ms`;
    const fault = entry.fault ? ` [fault: ${entry.fault}]` : '';
    return `${new Date(entry.at).toISOString()} ${entry.host.padEnd(7)} ${entry.method} ${path} -> ${entry.status || 'reset'}${took}${fault}`;
}

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
;// CONCATENATED MODULE: external "node:perf_hooks"
const external_node_perf_hooks_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");
;// CONCATENATED MODULE: external "node:timers/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:timers/promises");
;// CONCATENATED MODULE: ./src/simulator/seed-contract.ts
/**
 * Section B, the apis.io description the seed workflow follows: many `user_ids` per request,
 * 200 with a string `request_id`, statuses pending/processing/complete/failed, and a single
 * `download_url` that is present ONLY once complete (the seed's criteria depend on its absence).
 */
function parseSeedBody(body) {
    if ('userId' in body || 'amplitudeId' in body) {
        return { error: 'user_ids cannot be combined with userId or amplitudeId' };
    }
    const ids = body.user_ids;
    if (!Array.isArray(ids) || ids.length === 0) {
        return { error: 'user_ids must be a non-empty array of strings' };
    }
    if (!ids.every(id => typeof id === 'string' && id.trim() !== '')) {
        return { error: 'user_ids must contain non-empty strings only' };
    }
    return { subject: { userIds: [...ids] } };
}
function seedCreatedBody(record) {
    return { request_id: String(record.requestId), status: record.status };
}
/** `downloadUrl` is given only when the request is complete and has a file. */
function seedStatusBody(record, downloadUrl) {
    const body = {
        request_id: String(record.requestId),
        status: record.status
    };
    if (downloadUrl !== undefined)
        body.download_url = downloadUrl;
    return body;
}

;// CONCATENATED MODULE: ./src/simulator/documented-contract.ts
/**
 * Section A, the documented Amplitude DSAR API: one subject per request (`userId` or integer
 * `amplitudeId`), required `startDate`/`endDate`, 202 with an integer `requestId`, statuses
 * staging/submitted/done/failed, and `urls` + `expires` once done.
 */

/**
 * Validates a create body and tells the two contracts apart by its shape: `user_ids` means the
 * seed's contract, anything else is held to the documented one. Amplitude documents a JSON body,
 * but its own Python example posts form fields (under a JSON content type), and no source shows the
 * service refusing them: form fields are read as the documented fields (`amplitudeId` as digits).
 */
function parseCreateRequest(raw, contentType) {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'multipart/form-data') {
        return { error: 'the simulator does not read multipart bodies (send JSON or form fields)' };
    }
    const form = type === 'application/x-www-form-urlencoded' || looksLikeForm(raw);
    if (form && !raw.trimStart().startsWith('{'))
        return parseDocumentedBody(formFields(raw));
    let body;
    try {
        body = JSON.parse(raw);
    }
    catch {
        return { error: 'the body is neither JSON nor form fields' };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return { error: 'the body must be a JSON object' };
    }
    const fields = body;
    if ('user_ids' in fields) {
        const seed = parseSeedBody(fields);
        return 'error' in seed ? seed : { contract: 'seed', subject: seed.subject };
    }
    return parseDocumentedBody(fields);
}
/** `name=value` pairs joined by `&`, as Python's requests sends a dict given as `data=`. */
function looksLikeForm(raw) {
    return /^[^=&\s{[]+=[^&]*(?:&[^=&]+=[^&]*)*$/.test(raw.trim());
}
function formFields(raw) {
    const fields = {};
    for (const [name, value] of new URLSearchParams(raw.trim())) {
        fields[name] = name === 'amplitudeId' && /^\d{1,15}$/.test(value) ? Number(value) : value;
    }
    return fields;
}
function parseDocumentedBody(body) {
    const hasUser = body.userId !== undefined && body.userId !== null;
    const hasAmplitude = body.amplitudeId !== undefined && body.amplitudeId !== null;
    if (hasUser === hasAmplitude) {
        return { error: 'exactly one of userId and amplitudeId is required' };
    }
    let subject;
    if (hasUser) {
        const userId = body.userId;
        // The docs' curl example sends a number; the reference says string. Accept both.
        const valid = (typeof userId === 'string' && userId.trim() !== '') ||
            (typeof userId === 'number' && Number.isFinite(userId));
        if (!valid)
            return { error: 'userId must be a non-empty string' };
        subject = { userId: String(userId) };
    }
    else {
        const amplitudeId = body.amplitudeId;
        if (!(typeof amplitudeId === 'number' &&
            Number.isSafeInteger(amplitudeId) &&
            amplitudeId >= 0)) {
            return { error: 'amplitudeId must be an integer' };
        }
        subject = { amplitudeId };
    }
    for (const name of ['startDate', 'endDate']) {
        if (body[name] === undefined)
            return { error: `${name} is required` };
        if (!isIsoDay(body[name]))
            return { error: `${name} must be a date as YYYY-MM-DD` };
    }
    const startDate = body.startDate;
    const endDate = body.endDate;
    if (startDate > endDate)
        return { error: 'startDate must not be after endDate' };
    return { contract: 'documented', subject, startDate, endDate };
}
function isIsoDay(value) {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
        return false;
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
function documentedCreatedBody(record) {
    return { requestId: record.requestId };
}
/**
 * `urls` and `expires` appear only when done, `failReason` only when failed (statuses compared
 * case-insensitively). `expires` is a date-time, or with `expiresAsDate` the bare date (the docs say
 * only "Date").
 */
function documentedStatusBody(record, urls, options = {}) {
    const body = {
        requestId: record.requestId,
        userId: record.subject.userId ?? null,
        amplitudeId: record.subject.amplitudeId ?? null,
        startDate: record.startDate,
        endDate: record.endDate,
        status: record.status
    };
    const status = record.status.toLowerCase();
    if (status === 'failed')
        body.failReason = record.failReason ?? null;
    if (status === 'done') {
        body.urls = urls;
        const expires = new Date(record.expiresAt ?? 0).toISOString();
        body.expires = options.expiresAsDate ? expires.slice(0, 10) : expires;
    }
    return body;
}

;// CONCATENATED MODULE: ./src/simulator/jobs.ts
/**
 * The simulated jobs: created requests, their plans, and how each status GET moves a job along
 * staging -> submitted -> final (seed contract: pending -> processing -> final).
 */
const FIRST_DOCUMENTED_ID = 53367;
const FIRST_SEED_ID = 500123;
const DEFAULT_FAIL_REASON = 'User has more than 100k events per month, which is not supported';
const STATUS_NAMES = {
    documented: { staging: 'staging', submitted: 'submitted', done: 'done' },
    seed: { staging: 'pending', submitted: 'processing', done: 'complete' }
};
function resolvePlan(plan = {}) {
    const count = (name, fallback) => {
        const value = plan[name] ?? fallback;
        if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
            throw new RangeError(`job plan ${name} must be an integer >= 0, got ${String(value)}`);
        }
        return value;
    };
    const resolved = {
        pollsInStaging: count('pollsInStaging', 1),
        pollsInSubmitted: count('pollsInSubmitted', 1),
        outcome: plan.outcome ?? 'done',
        files: count('files', 2),
        linesPerFile: count('linesPerFile', 10)
    };
    if (plan.bytesPerFile !== undefined)
        resolved.bytesPerFile = count('bytesPerFile', 0);
    if (plan.failReason !== undefined)
        resolved.failReason = plan.failReason;
    return resolved;
}
/** Case-insensitive, so a plan's outcome 'DONE' is done (with links) and answered as 'DONE'. */
function isDone(record) {
    return record.status.toLowerCase() === STATUS_NAMES[record.contract].done;
}
class JobRegistry {
    plans;
    linkTtlMs;
    byId = new Map();
    order = [];
    nextDocumentedId = FIRST_DOCUMENTED_ID;
    nextSeedId = FIRST_SEED_ID;
    constructor(plans, linkTtlMs) {
        this.plans = plans;
        this.linkTtlMs = linkTtlMs;
        // A fixed plan is checked up front, so a bad option fails startSimulator, not a request.
        if (typeof plans !== 'function')
            resolvePlan(plans);
    }
    create(contract, subject, now, dates) {
        const plan = resolvePlan(typeof this.plans === 'function' ? this.plans(subject, this.order.length) : this.plans);
        const requestId = contract === 'documented' ? this.nextDocumentedId++ : String(this.nextSeedId++);
        const record = {
            requestId,
            contract,
            subject,
            ...dates,
            createdAt: now,
            plan,
            polls: 0,
            status: STATUS_NAMES[contract].staging,
            outputRedirects: 0,
            storageDownloads: 0
        };
        this.byId.set(String(requestId), record);
        this.order.push(record);
        return record;
    }
    get(requestId) {
        return this.byId.get(String(requestId));
    }
    all() {
        return this.order;
    }
    /** Counts one status GET and returns the status it answers. */
    poll(record, now) {
        record.polls++;
        const names = STATUS_NAMES[record.contract];
        const { pollsInStaging, pollsInSubmitted, outcome } = record.plan;
        if (record.polls <= pollsInStaging)
            record.status = names.staging;
        else if (record.polls <= pollsInStaging + pollsInSubmitted)
            record.status = names.submitted;
        else
            record.status = finalStatus(record.contract, outcome);
        if (record.status.toLowerCase() === 'failed' && record.failReason === undefined) {
            record.failReason = record.plan.failReason ?? DEFAULT_FAIL_REASON;
        }
        if (isDone(record) && record.doneAt === undefined) {
            record.doneAt = now;
            record.expiresAt = now + this.linkTtlMs;
        }
        return record.status;
    }
}
function finalStatus(contract, outcome) {
    if (outcome === 'done' || outcome === 'complete')
        return STATUS_NAMES[contract].done;
    return outcome;
}

;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
;// CONCATENATED MODULE: ./src/simulator/reply.ts
/**
 * Responses as values: handlers build a Reply, and one writer sends it, so that faults acting on a
 * normal response (dribble, truncated gzip) work the same for every handler.
 */



function jsonReply(status, value, headers = {}) {
    return bufferReply(status, JSON.stringify(value), {
        'content-type': 'application/json; charset=utf-8',
        ...headers
    });
}
function bufferReply(status, body, headers = {}) {
    return { status, headers, body: typeof body === 'string' ? Buffer.from(body) : body };
}
/** A JSON-looking body of exactly `bytes` bytes, streamed (the hugeBody fault). */
function hugeJsonBody(bytes) {
    const head = Buffer.from('{"requestId":0,"status":"staging","padding":"');
    const tail = Buffer.from('"}');
    return {
        length: bytes,
        open: () => external_node_stream_namespaceObject.Readable.from(hugeChunks(bytes, head, tail), { objectMode: false })
    };
}
function* hugeChunks(bytes, head, tail) {
    const filler = Buffer.alloc(64 * 1024, 'x');
    let left = bytes;
    const take = (chunk) => {
        const part = chunk.subarray(0, Math.min(left, chunk.length));
        left -= part.length;
        return part;
    };
    if (left > 0)
        yield take(head);
    while (left > tail.length) {
        yield take(filler.subarray(0, Math.min(filler.length, left - tail.length)));
    }
    if (left > 0)
        yield take(tail);
}
/** Sends a reply; resolves when done or when the client went away (never rejects). */
async function sendReply(res, reply, options) {
    let body = reply.body;
    let length = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.length;
    if (options.truncate && body !== undefined) {
        if (length === undefined && !Buffer.isBuffer(body) && body.measure)
            length = await body.measure();
        const cut = Math.floor((length ?? 0) / 2);
        body = Buffer.isBuffer(body) ? body.subarray(0, cut) : limitStream(body, cut);
        length = cut;
    }
    if (res.destroyed)
        return;
    const headers = { ...reply.headers };
    if (length !== undefined)
        headers['content-length'] = String(length);
    res.writeHead(reply.status, headers);
    if (options.headOnly || body === undefined || length === 0) {
        res.end();
        return;
    }
    const source = Buffer.isBuffer(body) ? external_node_stream_namespaceObject.Readable.from([body], { objectMode: false }) : body.open();
    try {
        if (options.dribbleBytesPerSecond !== undefined) {
            const rate = options.dribbleBytesPerSecond;
            await (0,external_node_stream_promises_namespaceObject.pipeline)(source, chunks => dribble(chunks, rate, options.signal), res, {
                signal: options.signal
            });
        }
        else {
            await (0,external_node_stream_promises_namespaceObject.pipeline)(source, res, { signal: options.signal });
        }
    }
    catch {
        // The client went away, the simulator closed, or the body was cut on purpose: nothing to do.
        if (!res.destroyed)
            res.destroy();
    }
}
function limitStream(body, bytes) {
    return {
        length: bytes,
        open: () => external_node_stream_namespaceObject.Readable.from(takeBytes(body.open(), bytes), { objectMode: false })
    };
}
async function* takeBytes(source, bytes) {
    let left = bytes;
    try {
        if (left <= 0)
            return;
        for await (const chunk of source) {
            if (chunk.length >= left) {
                yield chunk.subarray(0, left);
                return;
            }
            left -= chunk.length;
            yield chunk;
        }
    }
    finally {
        source.destroy();
    }
}
/** Pieces of at most this size, so a fast paced link still sends many small writes. */
const PACED_PIECE_MAX_BYTES = 64 * 1024;
/** After the receiver held the sender back, at most this much of the schedule is caught up at once. */
const PACED_MAX_CATCH_UP_MS = 100;
/**
 * Sends at `bytesPerSecond` on a cumulative schedule: the piece that starts at byte n leaves no
 * earlier than start + n / rate. Pacing each piece on its own would add every timer's overshoot
 * and send slower than asked (noticeably so at tens of MiB/s); here an overshoot is made up by
 * the next pieces. A receiver that held the sender back (backpressure) gets at most
 * PACED_MAX_CATCH_UP_MS of the schedule as a burst afterwards, as a link's buffers would give it,
 * not everything it missed.
 */
async function* dribble(source, bytesPerSecond, signal) {
    // Ten writes a second at slow rates, so they still look like a live, trickling connection.
    const slice = Math.max(1, Math.min(PACED_PIECE_MAX_BYTES, Math.floor(bytesPerSecond / 10)));
    let origin = performance.now();
    let sent = 0;
    for await (const chunk of source) {
        for (let offset = 0; offset < chunk.length; offset += slice) {
            const piece = chunk.subarray(offset, offset + slice);
            const now = performance.now();
            const behindMs = now - (origin + (sent * 1000) / bytesPerSecond);
            if (behindMs > PACED_MAX_CATCH_UP_MS)
                origin += behindMs - PACED_MAX_CATCH_UP_MS;
            const dueMs = origin + (sent * 1000) / bytesPerSecond - now;
            if (dueMs > 0)
                await (0,promises_namespaceObject.setTimeout)(dueMs, undefined, { signal });
            sent += piece.length;
            yield piece;
        }
    }
}

;// CONCATENATED MODULE: ./src/simulator/api-routes.ts




const POST_COST = 8;
const GET_COST = 1;
const DSAR_PATH = /^\/api\/2\/dsar\/requests(?:\/([^/]+)(?:\/outputs\/([^/]+))?)?\/?$/;
class ApiRoutes {
    context;
    constructor(context) {
        this.context = context;
    }
    /** The API host, or the web-app host (which serves output links only, behind the same auth). */
    reply(req, method, pathname, body, host) {
        const match = DSAR_PATH.exec(pathname);
        if (!match || (host === 'web' && match[2] === undefined)) {
            return jsonReply(404, { error: `no such endpoint: ${pathname}` });
        }
        const [, id, output] = match;
        const allowed = id === undefined ? 'POST' : 'GET';
        if (method !== allowed) {
            return jsonReply(405, { error: `method ${method} not allowed` }, { allow: allowed });
        }
        if (!this.authorized(req.headers.authorization)) {
            return jsonReply(401, { error: 'Invalid API key or secret key' }, { 'www-authenticate': 'Basic realm="Amplitude"' });
        }
        const decision = this.context.budget.tryConsume(method === 'POST' ? POST_COST : GET_COST, this.context.now());
        if (!decision.admitted)
            return this.rateLimited(decision.retryAfterMs);
        if (id === undefined)
            return this.create(req, body);
        const record = this.context.jobs.get(safeDecode(id));
        if (!record)
            return jsonReply(404, { error: `no DSAR request ${id}` });
        return output === undefined ? this.status(record) : this.outputRedirect(record, output);
    }
    authorized(header) {
        const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '');
        return match !== null && match[1] === this.context.basicAuth;
    }
    rateLimited(retryAfterMs) {
        const setting = this.context.options.retryAfterSeconds;
        const headers = {};
        if (typeof setting === 'number')
            headers['retry-after'] = String(setting);
        if (setting === 'window') {
            headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
        }
        return jsonReply(429, { error: 'Too many requests: DSAR cost budget exceeded' }, headers);
    }
    create(req, body) {
        const parsed = parseCreateRequest(body, req.headers['content-type']);
        if ('error' in parsed)
            return jsonReply(400, { error: parsed.error });
        if (parsed.contract === 'seed') {
            const record = this.context.jobs.create('seed', parsed.subject, this.context.now());
            return jsonReply(200, seedCreatedBody(record));
        }
        const dates = { startDate: parsed.startDate, endDate: parsed.endDate };
        const record = this.context.jobs.create('documented', parsed.subject, this.context.now(), dates);
        return jsonReply(202, documentedCreatedBody(record));
    }
    status(record) {
        this.context.jobs.poll(record, this.context.now());
        const done = isDone(record);
        if (record.contract === 'seed') {
            const url = done && record.plan.files > 0 ? this.context.presignedUrl(record, 0) : undefined;
            return jsonReply(200, seedStatusBody(record, url));
        }
        const urls = done ? range(record.plan.files).map(n => this.outputUrl(record, n)) : [];
        const expiresAsDate = this.context.options.expiresAsDate;
        return jsonReply(200, documentedStatusBody(record, urls, { expiresAsDate }));
    }
    outputUrl(record, n) {
        return `${this.context.outputLinkBase()}/api/2/dsar/requests/${record.requestId}/outputs/${n}`;
    }
    outputRedirect(record, output) {
        const n = /^\d+$/.test(output) ? Number(output) : -1;
        if (!isDone(record) || n < 0 || n >= record.plan.files) {
            return jsonReply(404, { error: `no output ${output} for request ${record.requestId}` });
        }
        record.outputRedirects++;
        return { status: 302, headers: { location: this.context.presignedUrl(record, n) } };
    }
}
function range(n) {
    return Array.from({ length: n }, (_, i) => i);
}
function safeDecode(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return text;
    }
}

;// CONCATENATED MODULE: ./src/simulator/budget.ts
/**
 * The org-wide DSAR rate budget, as a SLIDING one-hour window: a request is admitted when the cost
 * of every admitted request in the last hour plus its own cost fits the budget. Refused requests
 * cost nothing. A sliding window is the stricter reading of "14,400 cost per hour": a client that
 * passes it also passes a fixed window.
 */
const HOUR_MS = 3_600_000;
class SlidingWindowBudget {
    capacity;
    windowMs;
    // Admitted requests, oldest first; pruned as they leave the window.
    spent = [];
    total = 0;
    constructor(capacity, windowMs = HOUR_MS) {
        this.capacity = capacity;
        this.windowMs = windowMs;
        if (!(capacity >= 0))
            throw new RangeError(`budget must be >= 0, got ${capacity}`);
    }
    tryConsume(cost, now) {
        this.prune(now);
        if (this.total + cost <= this.capacity) {
            this.spent.push({ at: now, cost });
            this.total += cost;
            return { admitted: true };
        }
        return { admitted: false, retryAfterMs: this.waitFor(cost, now) };
    }
    used(now) {
        this.prune(now);
        return this.total;
    }
    remaining(now) {
        return Math.max(0, this.capacity - this.used(now));
    }
    prune(now) {
        while (this.spent.length > 0 && this.spent[0].at <= now - this.windowMs) {
            this.total -= this.spent.shift().cost;
        }
    }
    /** Time until enough old cost has slid out of the window for `cost` to fit. */
    waitFor(cost, now) {
        if (cost > this.capacity)
            return this.windowMs;
        let stillCounted = this.total;
        for (const entry of this.spent) {
            stillCounted -= entry.cost;
            if (stillCounted + cost <= this.capacity)
                return Math.max(0, entry.at + this.windowMs - now);
        }
        return this.windowMs;
    }
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/simulator/deletions.ts
/**
 * Amplitude's deletion jobs (User Privacy API v1), driven by the simulator's clock so tests and
 * benchmarks run whole erasures in virtual days:
 * - ids are added to the project's open job: the newest job still `staging`; when there is none, a
 *   new job is scheduled `leadDays` after today (Amplitude's batches ran 10-13 days after their
 *   first request);
 * - a job is `staging` (ids may still be added or revoked) until three days before its day, then
 *   `submitted`; its live data is scrubbed `scrubDays` after its day (`active_scrub_done_date`),
 *   and it is `done` once the 5-day backup purge after that has run;
 * - an id already in a job is not added twice (the job keeps one entry; `timesRequested` counts).
 * Statuses are computed from the clock on every read, so moving the clock moves every job.
 */

const DAY_MS = 86_400_000;
/** Revocable until this many days before the job's day. */
const CANCEL_WINDOW_DAYS = 3;
const DEFAULT_LEAD_DAYS = 10;
const DEFAULT_SCRUB_DAYS = 1;
/** Amplitude purges its backups five days after the active scrub. */
const BACKUP_PURGE_DAYS = 5;
/** `YYYY-MM-DD` of an epoch ms, UTC. */
function dayOf(ms) {
    return new Date(ms).toISOString().slice(0, 10);
}
/** Epoch ms of a day's start (UTC), or NaN when `day` is not a real `YYYY-MM-DD` date. */
function dayStart(day) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day))
        return NaN;
    const ms = Date.parse(`${day}T00:00:00Z`);
    return Number.isNaN(ms) || dayOf(ms) !== day ? NaN : ms;
}
function addDays(day, days) {
    return dayOf(dayStart(day) + days * DAY_MS);
}
/** The Amplitude id the simulator's project gives a user id (stable, so runs agree). */
function amplitudeIdOf(userId) {
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256').update(userId, 'utf8').digest();
    return 100_000_000 + (hash.readUInt32BE(0) % 900_000_000);
}
function resolveDeletionOptions(options = {}) {
    const days = (name, fallback, min) => {
        const value = options[name] ?? fallback;
        if (!(Number.isInteger(value) && value >= min && value <= 365)) {
            throw new RangeError(`deletions.${name} must be an integer ${min}..365, got ${value}`);
        }
        return value;
    };
    return {
        // A job less than four days ahead would be submitted at once: nothing could join or leave it.
        leadDays: days('leadDays', DEFAULT_LEAD_DAYS, CANCEL_WINDOW_DAYS + 1),
        scrubDays: days('scrubDays', DEFAULT_SCRUB_DAYS, 0),
        unknownUserIds: new Set(options.unknownUserIds ?? []),
        unknownAmplitudeIds: new Set(options.unknownAmplitudeIds ?? [])
    };
}
class DeletionJobs {
    options;
    jobs = [];
    constructor(options) {
        this.options = options;
    }
    /** The ids Amplitude does not know (a request naming one fails without ignore_invalid_id). */
    invalid(ids) {
        return ids.filter(id => 'userId' in id
            ? this.options.unknownUserIds.has(id.userId)
            : this.options.unknownAmplitudeIds.has(id.amplitudeId));
    }
    /** Adds valid ids to the project's open job (opening one when none is staging); returns it. */
    add(project, ids, requester, now) {
        const today = dayOf(now);
        let job = this.jobs.findLast(j => j.project === project && this.status(j, now) === 'staging');
        if (!job) {
            job = { project, day: addDays(today, this.options.leadDays), entries: [] };
            this.jobs.push(job);
        }
        for (const id of ids) {
            const amplitudeId = 'userId' in id ? amplitudeIdOf(id.userId) : id.amplitudeId;
            const userId = 'userId' in id ? id.userId : undefined;
            const held = job.entries.find(e => e.amplitude_id === amplitudeId);
            if (held) {
                held.timesRequested++;
                continue;
            }
            job.entries.push({
                amplitude_id: amplitudeId,
                ...(userId !== undefined && { user_id: userId }),
                requester,
                requested_on_day: today,
                timesRequested: 1
            });
        }
        return job;
    }
    status(job, now) {
        const start = dayStart(job.day);
        if (now < start - CANCEL_WINDOW_DAYS * DAY_MS)
            return 'staging';
        const scrubbed = start + this.options.scrubDays * DAY_MS;
        return now < scrubbed + BACKUP_PURGE_DAYS * DAY_MS ? 'submitted' : 'done';
    }
    /** The day the live data was scrubbed, once it was. */
    activeScrubDoneDate(job, now) {
        const scrubbed = dayStart(job.day) + this.options.scrubDays * DAY_MS;
        return now >= scrubbed ? dayOf(scrubbed) : undefined;
    }
    /** The project's jobs whose day lies in [startDay, endDay], by day. */
    list(project, startDay, endDay) {
        return this.jobs
            .filter(j => j.project === project && j.day >= startDay && j.day <= endDay)
            .sort((a, b) => a.day.localeCompare(b.day));
    }
    find(project, day) {
        return this.jobs.find(j => j.project === project && j.day === day);
    }
    /** Takes one id out of a job (the caller checked it is still staging). */
    revoke(job, amplitudeId) {
        const index = job.entries.findIndex(e => e.amplitude_id === amplitudeId);
        if (index < 0)
            return false;
        job.entries.splice(index, 1);
        return true;
    }
    /** What a GET or POST answers for a job: Amplitude's field names, no bookkeeping. */
    body(job, now) {
        const scrubDone = this.activeScrubDoneDate(job, now);
        return {
            day: job.day,
            status: this.status(job, now),
            amplitude_ids: job.entries.map(({ timesRequested: _, ...entry }) => entry),
            ...(scrubDone !== undefined && { active_scrub_done_date: scrubDone })
        };
    }
    snapshots(now) {
        return this.jobs.map(job => ({
            project: job.project,
            day: job.day,
            status: this.status(job, now),
            activeScrubDoneDate: this.activeScrubDoneDate(job, now),
            entries: structuredClone(job.entries)
        }));
    }
}

;// CONCATENATED MODULE: ./src/simulator/deletion-routes.ts


const DELETIONS_PATH = /^\/api\/2\/deletions\/users(?:\/([^/]+)\/([^/]+))?\/?$/;
const MAX_IDS_PER_REQUEST = 100;
/** The longest job list one GET may ask for: six months. */
const MAX_LIST_RANGE_DAYS = 184;
const DEFAULT_MIN_INTERVAL_MS = 1000;
class DeletionRoutes {
    context;
    /** Per project: when its last admitted call arrived. */
    lastAdmitted = new Map();
    constructor(context) {
        this.context = context;
    }
    handles(pathname) {
        return pathname.startsWith('/api/2/deletions/');
    }
    reply(req, method, target, body) {
        const match = DELETIONS_PATH.exec(target.pathname);
        if (!match)
            return jsonReply(404, { error: `no such endpoint: ${target.pathname}` });
        const [, id, day] = match;
        const allowed = id === undefined ? ['GET', 'POST'] : ['DELETE'];
        if (!allowed.includes(method)) {
            return jsonReply(405, { error: `method ${method} not allowed` }, { allow: allowed.join(', ') });
        }
        const project = this.project(req.headers.authorization);
        if (project === undefined) {
            return jsonReply(401, { error: 'Invalid API key or secret key for this project' }, { 'www-authenticate': 'Basic realm="Amplitude"' });
        }
        const now = this.context.now();
        const last = this.lastAdmitted.get(project);
        if (last !== undefined && now - last < this.context.minIntervalMs) {
            return jsonReply(429, { error: 'Too many requests: 1 request per second per project' });
        }
        this.lastAdmitted.set(project, now);
        if (method === 'POST')
            return this.create(project, body, req.headers['content-type']);
        if (method === 'GET')
            return this.list(project, target.searchParams);
        return this.revoke(project, decode(id), decode(day));
    }
    project(header) {
        const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '');
        return match ? this.context.projects.get(match[1]) : undefined;
    }
    create(project, raw, contentType) {
        const parsed = parseDeletionRequest(raw, contentType);
        if ('error' in parsed)
            return jsonReply(400, { error: parsed.error });
        const { jobs, now } = this.context;
        const invalid = jobs.invalid(parsed.ids);
        if (invalid.length > 0 && !parsed.ignoreInvalid) {
            // Nothing is marked: the whole request fails.
            return jsonReply(400, {
                error: `${invalid.length} invalid id(s); send ignore_invalid_id: true to skip them`,
                invalid_ids: invalid.map(id => ('userId' in id ? id.userId : id.amplitudeId))
            });
        }
        const valid = parsed.ids.filter(id => !invalid.includes(id));
        if (valid.length === 0)
            return jsonReply(200, []);
        const job = jobs.add(project, valid, parsed.requester, now());
        return jsonReply(200, [jobs.body(job, now())]);
    }
    list(project, query) {
        const startDay = query.get('start_day') ?? '';
        const endDay = query.get('end_day') ?? '';
        const start = dayStart(startDay);
        const end = dayStart(endDay);
        if (Number.isNaN(start) || Number.isNaN(end)) {
            return jsonReply(400, { error: 'start_day and end_day are required, as YYYY-MM-DD' });
        }
        if (end < start)
            return jsonReply(400, { error: 'end_day is before start_day' });
        if (end - start > MAX_LIST_RANGE_DAYS * 86_400_000) {
            return jsonReply(400, { error: 'the range may span at most six months' });
        }
        const { jobs, now } = this.context;
        return jsonReply(200, jobs.list(project, startDay, endDay).map(job => jobs.body(job, now())));
    }
    revoke(project, id, day) {
        const { jobs, now } = this.context;
        if (!/^\d{1,15}$/.test(id))
            return jsonReply(400, { error: 'amplitude_id must be an integer' });
        if (Number.isNaN(dayStart(day)))
            return jsonReply(400, { error: 'day must be YYYY-MM-DD' });
        const job = jobs.find(project, day);
        if (!job)
            return jsonReply(404, { error: `no deletion job on ${day}` });
        if (jobs.status(job, now()) !== 'staging') {
            return jsonReply(400, {
                error: `the job of ${day} is ${jobs.status(job, now())}: ids can be revoked only until three days before its day`
            });
        }
        if (!jobs.revoke(job, Number(id))) {
            return jsonReply(404, { error: `amplitude id ${id} is not in the job of ${day}` });
        }
        return jsonReply(200, jobs.body(job, now()));
    }
}
/** Checks a POST body: JSON object, integer amplitude_ids, string user_ids, 1..100 ids in all. */
function parseDeletionRequest(raw, contentType) {
    if (!/\bjson\b/i.test(contentType ?? ''))
        return { error: 'the body must be JSON' };
    let body;
    try {
        body = JSON.parse(raw);
    }
    catch {
        return { error: 'the body is not JSON' };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return { error: 'the body must be a JSON object' };
    }
    const fields = body;
    const amplitudeIds = fields.amplitude_ids ?? [];
    const userIds = fields.user_ids ?? [];
    if (!Array.isArray(amplitudeIds) || !amplitudeIds.every(isAmplitudeId)) {
        return { error: 'amplitude_ids must be an array of non-negative integers' };
    }
    if (!Array.isArray(userIds) || !userIds.every(u => typeof u === 'string' && u !== '')) {
        return { error: 'user_ids must be an array of non-empty strings' };
    }
    const count = amplitudeIds.length + userIds.length;
    if (count === 0)
        return { error: 'no ids: send amplitude_ids and/or user_ids' };
    if (count > MAX_IDS_PER_REQUEST) {
        return { error: `at most ${MAX_IDS_PER_REQUEST} ids per request, got ${count}` };
    }
    const requester = fields.requester ?? '';
    if (typeof requester !== 'string')
        return { error: 'requester must be a string' };
    const ignore = fields.ignore_invalid_id ?? fields.ignore_invalid_ids ?? false;
    if (typeof ignore !== 'boolean')
        return { error: 'ignore_invalid_id must be a boolean' };
    return {
        ids: [
            ...amplitudeIds.map(amplitudeId => ({ amplitudeId })),
            ...userIds.map(userId => ({ userId }))
        ],
        requester,
        ignoreInvalid: ignore
    };
}
function isAmplitudeId(value) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
function decode(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return text;
    }
}

;// CONCATENATED MODULE: ./src/simulator/faults.ts
/**
 * Fault rules: which request gets which injected failure. Rules are tried in the order added;
 * each counts the requests it matches, lets its first `skip` through, affects the next `times`,
 * then stays inert. The first rule that applies wins, and rules after it do not count that request.
 */
class FaultList {
    rules = [];
    /** Faults applied since the list was made (clear() keeps it): a fault row asserts its fault fired. */
    applied = 0;
    add(rule) {
        validateRule(rule);
        this.rules.push({ rule, matched: 0, injected: 0 });
    }
    clear() {
        this.rules = [];
    }
    /** The action to apply to this request, if any (and counts it). */
    pick(target) {
        for (const active of this.rules) {
            if (!matches(active.rule, target))
                continue;
            active.matched++;
            const skip = active.rule.skip ?? 0;
            const times = active.rule.times ?? Infinity;
            if (active.matched > skip && active.matched <= skip + times) {
                active.injected++;
                this.applied++;
                return active.rule.action;
            }
        }
        return undefined;
    }
    /** How many requests got an injected fault so far. */
    get injected() {
        return this.applied;
    }
    /** The rules added (and not cleared) that have not affected any request yet. */
    unfired() {
        return this.rules.filter(active => active.injected === 0).map(active => active.rule);
    }
}
function matches(rule, target) {
    if (rule.host !== undefined && rule.host !== target.host)
        return false;
    if (rule.method !== undefined && rule.method.toUpperCase() !== target.method.toUpperCase()) {
        return false;
    }
    if (rule.path === undefined)
        return true;
    if (typeof rule.path === 'string')
        return rule.path === target.path;
    rule.path.lastIndex = 0; // a /g or /y RegExp keeps state between tests
    return rule.path.test(target.path);
}
function validateRule(rule) {
    const counts = [
        ['times', rule.times],
        ['skip', rule.skip]
    ];
    for (const [name, value] of counts) {
        if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
            throw new RangeError(`fault ${name} must be an integer >= 0, got ${value}`);
        }
    }
    const action = rule.action;
    switch (action.type) {
        case 'status':
            if (!(Number.isInteger(action.status) && action.status >= 100 && action.status <= 599)) {
                throw new RangeError(`fault status must be 100-599, got ${action.status}`);
            }
            break;
        case 'stall':
            if (!(action.ms >= 0))
                throw new RangeError(`stall ms must be >= 0, got ${action.ms}`);
            break;
        case 'dribble':
            if (!(action.bytesPerSecond > 0)) {
                throw new RangeError(`dribble bytesPerSecond must be > 0, got ${action.bytesPerSecond}`);
            }
            break;
        case 'hugeBody':
            if (!(Number.isInteger(action.bytes) && action.bytes >= 0)) {
                throw new RangeError(`hugeBody bytes must be an integer >= 0, got ${action.bytes}`);
            }
            break;
        case 'reset':
        case 'malformedJson':
        case 'truncatedGzip':
            break;
        default:
            throw new TypeError(`unknown fault action ${JSON.stringify(action)}`);
    }
}

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./src/simulator/gzip-lines.ts
/**
 * Deterministic export files: gzip, one JSON event per line, generated on the fly from a seed so
 * that a file of any size costs constant memory and can be re-generated byte for byte (the same
 * seed and the same zlib give the same gzip bytes, which is what lets tests compare sha256s).
 */




const CHUNK_BYTES = 64 * 1024;
// Fast compression: the simulator must stream big files quickly; any level is valid gzip.
const GZIP_OPTIONS = { level: external_node_zlib_namespaceObject.constants.Z_BEST_SPEED };
const EVENT_TYPES = [
    'session_start',
    'page_view',
    'button_click',
    'search',
    'add_to_cart',
    'purchase',
    'session_end'
].map(name => JSON.stringify(name));
const PAGES = ['/', '/pricing', '/docs', '/blog', '/account', '/checkout'].map(p => JSON.stringify(p));
const PLATFORMS = ['Web', 'iOS', 'Android'].map(p => JSON.stringify(p));
const COUNTRIES = ['Germany', 'France', 'United States', 'Japan', 'Brazil'].map(c => JSON.stringify(c));
/** xoshiro128**: small, fast and good enough; seeded from sha256 so any string is a seed. */
class Random {
    s;
    constructor(seed) {
        const digest = (0,external_node_crypto_namespaceObject.createHash)('sha256').update(seed).digest();
        this.s = new Uint32Array([
            digest.readUInt32LE(0) | 1,
            digest.readUInt32LE(4),
            digest.readUInt32LE(8),
            digest.readUInt32LE(12)
        ]);
    }
    next() {
        const s = this.s;
        const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
        const t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 11);
        return result;
    }
    /** Integer in [0, n). */
    below(n) {
        return Math.floor((this.next() / 0x1_0000_0000) * n);
    }
    pick(items) {
        return items[this.below(items.length)];
    }
    /** 32 hex digits (lookup table: this runs once per line of files up to gigabytes). */
    hex32() {
        let out = '';
        for (let i = 0; i < 4; i++) {
            const word = this.next();
            out +=
                HEX_BYTES[word >>> 24] +
                    HEX_BYTES[(word >>> 16) & 255] +
                    HEX_BYTES[(word >>> 8) & 255] +
                    HEX_BYTES[word & 255];
        }
        return out;
    }
}
function rotl(x, k) {
    return ((x << k) | (x >>> (32 - k))) >>> 0;
}
const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const gzip_lines_DAY_MS = 86_400_000;
/**
 * Amplitude's export time format, '2020-02-15 01:00:00.123456' (`micros` gives the last three
 * digits). Built from lookup tables and a per-day cache rather than Date: it is the hot path.
 */
class TimeFormatter {
    // Day number -> 'YYYY-MM-DD'. Bounded by the days a file spans (a few thousand at most).
    days = new Map();
    format(ms, micros) {
        const day = Math.floor(ms / gzip_lines_DAY_MS);
        let dayText = this.days.get(day);
        if (dayText === undefined) {
            dayText = new Date(day * gzip_lines_DAY_MS).toISOString().slice(0, 10);
            if (this.days.size < 100_000)
                this.days.set(day, dayText);
        }
        let rest = ms - day * gzip_lines_DAY_MS;
        const millis = rest % 1000;
        rest = (rest - millis) / 1000;
        const seconds = rest % 60;
        rest = (rest - seconds) / 60;
        const minutes = rest % 60;
        const hours = (rest - minutes) / 60;
        return (`${dayText} ${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.` +
            `${THREE_DIGITS[millis]}${THREE_DIGITS[micros]}`);
    }
}
/** A stable pseudo Amplitude ID for a user ID without one. */
function derivedAmplitudeId(userId) {
    return (0,external_node_crypto_namespaceObject.createHash)('sha256').update(userId).digest().readUIntBE(0, 5) + 1_000_000_000;
}
/** The uncompressed JSON lines of a file, streamed in ~64 KiB chunks. */
class EventLinesStream extends external_node_stream_namespaceObject.Readable {
    spec;
    linesEmitted = 0;
    bytesEmitted = 0;
    random;
    users;
    span;
    time = new TimeFormatter();
    constructor(spec) {
        super();
        this.spec = spec;
        this.random = new Random(spec.seed);
        const ids = spec.userIds.length > 0 ? spec.userIds : [null];
        this.users = ids.map(id => ({
            userId: id === null ? 'null' : JSON.stringify(id),
            amplitudeId: spec.amplitudeId ?? derivedAmplitudeId(id ?? spec.seed)
        }));
        this.span = Math.max(1, spec.toMs - spec.fromMs);
    }
    finished() {
        return this.spec.bytes !== undefined
            ? this.bytesEmitted >= this.spec.bytes
            : this.linesEmitted >= this.spec.lines;
    }
    _read() {
        if (this.finished()) {
            this.push(null);
            return;
        }
        const parts = [];
        let size = 0;
        while (size < CHUNK_BYTES && !this.finished()) {
            const line = this.line();
            // Event content is ASCII except user IDs; count real bytes so `bytes` and sizes agree.
            const lineBytes = Buffer.byteLength(line);
            parts.push(line);
            size += lineBytes;
            this.bytesEmitted += lineBytes;
            this.linesEmitted++;
        }
        this.push(Buffer.from(parts.join('')));
    }
    line() {
        const r = this.random;
        const user = r.pick(this.users);
        const eventMs = this.spec.fromMs + r.below(this.span);
        const uploadMs = eventMs + r.below(86_400_000);
        return (`{"amplitude_id":${user.amplitudeId},"app":${100000 + r.below(3)},` +
            `"user_id":${user.userId},"event_time":"${this.time.format(eventMs, r.below(1000))}",` +
            `"server_upload_time":"${this.time.format(uploadMs, r.below(1000))}",` +
            `"event_type":${r.pick(EVENT_TYPES)},"platform":${r.pick(PLATFORMS)},` +
            `"country":${r.pick(COUNTRIES)},"session_id":${eventMs - r.below(600_000)},` +
            `"insert_id":"${r.hex32()}","event_properties":{"page":${r.pick(PAGES)},` +
            `"duration_ms":${r.below(60_000)}}}\n`);
    }
}
/** The gzip file as served: lines piped through gzip. Destroying it stops generation. */
function createGzipFileStream(spec) {
    const lines = new EventLinesStream(spec);
    const gzip = (0,external_node_zlib_namespaceObject.createGzip)(GZIP_OPTIONS);
    lines.pipe(gzip);
    gzip.on('close', () => lines.destroy());
    return gzip;
}
/** Size, sha256 and line count of a file, by generating it once (constant memory). */
async function measureFile(spec) {
    const lines = new EventLinesStream(spec);
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    let bytes = 0;
    await (0,external_node_stream_promises_namespaceObject.pipeline)(lines, (0,external_node_zlib_namespaceObject.createGzip)(GZIP_OPTIONS), new external_node_stream_namespaceObject.Writable({
        write(chunk, _encoding, done) {
            hash.update(chunk);
            bytes += chunk.length;
            done();
        }
    }));
    return {
        bytes,
        sha256: hash.digest('hex'),
        lines: lines.linesEmitted,
        uncompressedBytes: lines.bytesEmitted
    };
}

;// CONCATENATED MODULE: ./src/simulator/storage.ts
/**
 * The S3-like storage host: presigned GET links with an expiry, refusing a second auth mechanism
 * (an Authorization header) the way S3 does, which is how a client that forwards its Basic
 * credentials across the redirect gets caught.
 */


const ALGORITHM = 'AWS4-HMAC-SHA256';
const REGION_SCOPE = 'us-west-2/s3/aws4_request';
class ObjectStore {
    signingKey = (0,external_node_crypto_namespaceObject.randomBytes)(32);
    objects = new Map();
    /** The opaque object path of a request's output file (stable per simulator). */
    objectPath(requestId, file) {
        const name = this.hmac(`object\n${requestId}\n${file}`).slice(0, 32);
        const path = `/bucket/dsar/${name}.json.gz`;
        this.objects.set(path, { requestId, file });
        return path;
    }
    /** A presigned link valid until `expiresAt` (to the second, rounded up). */
    presign(storageUrl, path, now, expiresAt) {
        const issuedMs = Math.floor(now / 1000) * 1000;
        const expiresSeconds = Math.max(0, Math.ceil((expiresAt - issuedMs) / 1000));
        const amzDate = toAmzDate(issuedMs);
        const query = new URLSearchParams({
            'X-Amz-Algorithm': ALGORITHM,
            'X-Amz-Credential': `SIMULATORKEY/${amzDate.slice(0, 8)}/${REGION_SCOPE}`,
            'X-Amz-Date': amzDate,
            'X-Amz-Expires': String(expiresSeconds),
            'X-Amz-SignedHeaders': 'host',
            'X-Amz-Signature': this.signature(path, amzDate, String(expiresSeconds))
        });
        return `${storageUrl}${path}?${query.toString()}`;
    }
    /** Checks a storage request the way S3 would, in S3's order. */
    check(pathname, query, hasAuthorization, now) {
        if (hasAuthorization) {
            return refuse(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
                'Signature query string parameter or the Authorization header should be specified');
        }
        const amzDate = query.get('X-Amz-Date') ?? '';
        const expires = query.get('X-Amz-Expires') ?? '';
        const signature = query.get('X-Amz-Signature') ?? '';
        if (query.get('X-Amz-Algorithm') !== ALGORITHM || !signature) {
            return refuse(403, 'AccessDenied', 'Access Denied');
        }
        const expected = Buffer.from(this.signature(pathname, amzDate, expires));
        const given = Buffer.from(signature);
        if (given.length !== expected.length || !(0,external_node_crypto_namespaceObject.timingSafeEqual)(given, expected)) {
            return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
        }
        const issuedMs = fromAmzDate(amzDate);
        // The end is exclusive, so a link signed at or after its expiry (X-Amz-Expires=0) never works.
        if (issuedMs === undefined || now >= issuedMs + Number(expires) * 1000) {
            return refuse(403, 'AccessDenied', 'Request has expired');
        }
        const object = this.objects.get(pathname);
        if (!object)
            return refuse(404, 'NoSuchKey', 'The specified key does not exist.');
        return { ok: true, object };
    }
    signature(path, amzDate, expires) {
        return this.hmac(`GET\n${path}\n${amzDate}\n${expires}`);
    }
    hmac(text) {
        return (0,external_node_crypto_namespaceObject.createHmac)('sha256', this.signingKey).update(text).digest('hex');
    }
}
function s3Error(status, code, message) {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${code}</Code><Message>${message}</Message>` +
        `<RequestId>${(0,external_node_crypto_namespaceObject.randomBytes)(8).toString('hex').toUpperCase()}</RequestId></Error>`;
    return bufferReply(status, xml, { 'content-type': 'application/xml' });
}
function refuse(status, code, message) {
    return { ok: false, reply: s3Error(status, code, message) };
}
/** 20240131T235959Z */
function toAmzDate(ms) {
    return new Date(ms)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
}
function fromAmzDate(text) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!m)
        return undefined;
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

;// CONCATENATED MODULE: ./src/simulator/output-files.ts
/**
 * The simulator's output files as the storage host serves them: presigned links, the S3-style
 * checks behind them (storage.ts), and the gzip exports themselves, generated on the fly from each
 * job's plan (gzip-lines.ts) and measured once so that repeated downloads agree byte for byte.
 */



// Files up to this (estimated) uncompressed size are measured before sending, so they get a
// Content-Length like S3 gives; bigger ones are streamed chunked unless already measured.
const MEASURE_BEFORE_SENDING = 16 * 1024 * 1024;
const ESTIMATED_LINE_BYTES = 420;
class OutputFiles {
    jobs;
    now;
    storageFile;
    store = new ObjectStore();
    fileInfos = new Map();
    measuredSizes = new Map();
    constructor(jobs, now, 
    /** Serve this prepared file as every output (benchmarks), instead of generating each. */
    storageFile) {
        this.jobs = jobs;
        this.now = now;
        this.storageFile = storageFile;
    }
    presignedUrl(storageUrl, record, n) {
        const path = this.store.objectPath(String(record.requestId), n);
        return this.store.presign(storageUrl, path, this.now(), record.expiresAt ?? this.now());
    }
    /** The storage host's answer to a GET or HEAD of a presigned link. */
    async reply(req, method, target) {
        if (method !== 'GET' && method !== 'HEAD') {
            return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed.');
        }
        const check = this.store.check(target.pathname, target.searchParams, req.headers.authorization !== undefined, this.now());
        if (!check.ok)
            return check.reply;
        const record = this.jobs.get(check.object.requestId);
        if (!record)
            return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
        const n = check.object.file;
        const key = fileKey(record, n);
        if (!this.measuredSizes.has(key) && estimatedSize(record) <= MEASURE_BEFORE_SENDING) {
            await this.fileInfo(record, n);
        }
        if (method === 'GET')
            record.storageDownloads++;
        if (this.storageFile)
            return staticFileReply(this.storageFile);
        const spec = fileSpec(record, n);
        const body = {
            open: () => createGzipFileStream(spec),
            length: this.measuredSizes.get(key),
            measure: async () => (await this.fileInfo(record, n)).bytes
        };
        return {
            status: 200,
            headers: {
                'content-type': 'application/gzip',
                'x-amz-request-id': key.replace(/\W/g, '').toUpperCase()
            },
            body
        };
    }
    /** What output `n` of `record` holds (size, sha256, lines), measured once and remembered. */
    fileInfo(record, n) {
        const key = fileKey(record, n);
        let info = this.fileInfos.get(key);
        if (!info) {
            info = measureFile(fileSpec(record, n));
            this.fileInfos.set(key, info);
            info.then(measured => this.measuredSizes.set(key, measured.bytes), () => this.fileInfos.delete(key));
        }
        return info;
    }
}
function fileKey(record, n) {
    return `${record.requestId}/${n}`;
}
function fileSpec(record, n) {
    const day = 86_400_000;
    const from = record.startDate ? Date.parse(`${record.startDate}T00:00:00Z`) : Date.UTC(2020, 0, 1);
    const to = record.endDate ? Date.parse(`${record.endDate}T00:00:00Z`) + day : Date.UTC(2021, 0, 1);
    // Like the real exports (about one file per month and project), each file covers a time slice.
    const slice = (to - from) / Math.max(1, record.plan.files);
    const subject = record.subject;
    return {
        seed: fileKey(record, n),
        userIds: subject.userIds ?? (subject.userId !== undefined ? [subject.userId] : []),
        amplitudeId: subject.amplitudeId,
        fromMs: Math.floor(from + n * slice),
        toMs: Math.floor(from + (n + 1) * slice),
        lines: record.plan.linesPerFile,
        bytes: record.plan.bytesPerFile
    };
}
function estimatedSize(record) {
    return record.plan.bytesPerFile ?? record.plan.linesPerFile * ESTIMATED_LINE_BYTES;
}
/** Serves a prepared file as every output (benchmarks: the generator is then not the bottleneck). */
function staticFileReply(path) {
    return {
        status: 200,
        headers: { 'content-type': 'application/gzip' },
        body: { open: () => (0,external_node_fs_namespaceObject.createReadStream)(path), length: (0,external_node_fs_namespaceObject.statSync)(path).size }
    };
}

;// CONCATENATED MODULE: ./src/simulator/listen.ts
/** Listens on `host`, or on `fallbackHost` when `host` is not a local address. Returns the origin. */
async function listenWithFallback(server, host, fallbackHost, port) {
    try {
        return origin(host, await listen(server, host, port));
    }
    catch (error) {
        if (error.code !== 'EADDRNOTAVAIL')
            throw error;
        return origin(fallbackHost, await listen(server, fallbackHost, port));
    }
}
function origin(host, port) {
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
function listen(server, host, port) {
    return new Promise((resolve, reject) => {
        const onError = (error) => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
            server.off('error', onError);
            const address = server.address();
            resolve(typeof address === 'object' && address ? address.port : port);
        });
    });
}
function closeServer(server) {
    return new Promise(resolve => {
        if (!server.listening) {
            resolve();
            return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
    });
}

;// CONCATENATED MODULE: ./src/simulator/server.ts
/**
 * The simulator's HTTP servers: the API host (both DSAR contracts, Basic auth, the rate budget),
 * the storage host (presigned gzip downloads) and, with `outputLinksOn: 'web'`, a web-app host
 * serving the output links behind the same auth (as Amplitude's docs show them on
 * analytics.amplitude.com). Every request is logged, offered to the fault rules, then answered:
 * by the API routes (api-routes.ts) or the output files (output-files.ts).
 */












const DEFAULT_API_KEY = 'sim-api-key-4f1c8e2a9b7d';
const DEFAULT_SECRET_KEY = 'sim-secret-key-d93a61f05c2e';
/** The deletion API's default project keys (a project's, not the org's DSAR keys). */
const DEFAULT_ERASURE_API_KEY = 'sim-project-key-7a21c4e9d0b3';
const DEFAULT_ERASURE_SECRET_KEY = 'sim-project-secret-5e8f2b6c1a94';
const DEFAULT_BUDGET_PER_HOUR = 14_400;
const DEFAULT_LINK_TTL_MS = 2 * 24 * 3_600_000;
const MAX_REQUEST_BODY = 1024 * 1024;
const LOGGED_BODY_CHARS = 64 * 1024;
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
async function startSimulator(options = {}) {
    const simulator = new DsarSimulator(options);
    await simulator.listen(options);
    return simulator;
}
class DsarSimulator {
    options;
    url = '';
    storageUrl = '';
    webUrl = '';
    apiKey;
    secretKey;
    basicAuth;
    erasureApiKey;
    erasureSecretKey;
    erasureBasicAuth;
    log = [];
    inFlight = 0;
    mostInFlight = 0;
    now;
    budget;
    jobs;
    outputs;
    routes;
    deletionJobsStore;
    deletions;
    faults = new FaultList();
    closing = new AbortController();
    apiServer;
    storageServer;
    webServer;
    constructor(options) {
        this.options = options;
        this.now = options.now ?? Date.now;
        this.apiKey = options.apiKey ?? DEFAULT_API_KEY;
        this.secretKey = options.secretKey ?? DEFAULT_SECRET_KEY;
        this.basicAuth = basic(this.apiKey, this.secretKey);
        this.budget = new SlidingWindowBudget(options.budgetPerHour ?? DEFAULT_BUDGET_PER_HOUR);
        this.jobs = new JobRegistry(options.job, options.linkTtlMs ?? DEFAULT_LINK_TTL_MS);
        this.outputs = new OutputFiles(this.jobs, this.now, options.storageFile);
        this.routes = new ApiRoutes({
            jobs: this.jobs,
            budget: this.budget,
            now: this.now,
            basicAuth: this.basicAuth,
            options,
            presignedUrl: (record, n) => this.outputs.presignedUrl(this.storageUrl, record, n),
            outputLinkBase: () => (this.webServer ? this.webUrl : this.url)
        });
        const deletionOptions = options.deletions ?? {};
        const projects = deletionOptions.projects ?? [
            { apiKey: DEFAULT_ERASURE_API_KEY, secretKey: DEFAULT_ERASURE_SECRET_KEY }
        ];
        if (projects.length === 0)
            throw new RangeError('deletions.projects must not be empty');
        this.erasureApiKey = projects[0].apiKey;
        this.erasureSecretKey = projects[0].secretKey;
        this.erasureBasicAuth = basic(this.erasureApiKey, this.erasureSecretKey);
        this.deletionJobsStore = new DeletionJobs(resolveDeletionOptions(deletionOptions));
        this.deletions = new DeletionRoutes({
            jobs: this.deletionJobsStore,
            now: this.now,
            projects: new Map(projects.map(p => [basic(p.apiKey, p.secretKey), p.apiKey])),
            minIntervalMs: deletionOptions.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS
        });
        this.apiServer = (0,external_node_http_namespaceObject.createServer)((req, res) => void this.handle(req, res, 'api'));
        this.storageServer = (0,external_node_http_namespaceObject.createServer)((req, res) => void this.handle(req, res, 'storage'));
        if (options.outputLinksOn === 'web') {
            this.webServer = (0,external_node_http_namespaceObject.createServer)((req, res) => void this.handle(req, res, 'web'));
        }
    }
    servers() {
        return [this.apiServer, this.storageServer, ...(this.webServer ? [this.webServer] : [])];
    }
    get maxInFlight() {
        return this.mostInFlight;
    }
    async listen(options) {
        const host = options.host ?? '127.0.0.1';
        this.url = origin(host, await listen(this.apiServer, host, options.port ?? 0));
        try {
            const storageHost = options.storageHost ?? '127.0.0.2';
            const storagePort = options.storagePort ?? 0;
            this.storageUrl = await listenWithFallback(this.storageServer, storageHost, host, storagePort);
            if (this.webServer) {
                const webHost = options.webHost ?? '127.0.0.3';
                this.webUrl = await listenWithFallback(this.webServer, webHost, host, options.webPort ?? 0);
            }
        }
        catch (error) {
            await Promise.all(this.servers().map(closeServer));
            throw error;
        }
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
    requests() {
        return this.jobs.all().map(record => structuredClone(record));
    }
    budgetRemaining() {
        return this.budget.remaining(this.now());
    }
    deletionJobs() {
        return this.deletionJobsStore.snapshots(this.now());
    }
    async expectedFile(requestId, n) {
        const record = this.jobs.get(requestId);
        if (!record)
            throw new Error(`no request ${requestId}`);
        if (!(Number.isInteger(n) && n >= 0 && n < record.plan.files)) {
            throw new Error(`request ${requestId} has no output ${n} (it has ${record.plan.files})`);
        }
        return { ...(await this.outputs.fileInfo(record, n)) };
    }
    async close() {
        this.closing.abort();
        await Promise.all(this.servers().map(closeServer));
    }
    // -------------------------------------------------------------------------------------------
    // Request handling
    // -------------------------------------------------------------------------------------------
    async handle(req, res, host) {
        const started = external_node_perf_hooks_namespaceObject.performance.now();
        const entry = {
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            host,
            authorization: req.headers.authorization !== undefined,
            status: 0,
            at: this.now()
        };
        this.log.push(entry);
        if (host !== 'storage') {
            this.inFlight++;
            this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
        }
        const requestDone = new AbortController();
        const abort = () => requestDone.abort();
        this.closing.signal.addEventListener('abort', abort);
        res.on('close', () => {
            if (host !== 'storage')
                this.inFlight--;
            this.closing.signal.removeEventListener('abort', abort);
            requestDone.abort();
            if (!res.headersSent)
                entry.status = 0;
            entry.durationMs = external_node_perf_hooks_namespaceObject.performance.now() - started;
            try {
                this.options.onLog?.(entry);
            }
            catch {
                // A failing observer must not take the server down.
            }
        });
        try {
            await this.respond(req, res, host, entry, requestDone.signal);
        }
        catch (error) {
            if (res.headersSent || res.destroyed) {
                res.destroy();
                return;
            }
            entry.status = 500;
            const message = error instanceof Error ? error.message : String(error);
            await sendReply(res, jsonReply(500, { error: `simulator error: ${message}` }), {
                signal: requestDone.signal
            });
        }
    }
    async respond(req, res, host, entry, signal) {
        const target = new URL(req.url ?? '/', 'http://simulator.invalid');
        const method = entry.method.toUpperCase();
        const sendOptions = { signal, headOnly: method === 'HEAD' };
        const send = (reply) => {
            entry.status = reply.status;
            return sendReply(res, reply, sendOptions);
        };
        const body = await readBody(req);
        if (body !== undefined && body.length > 0)
            entry.body = body.slice(0, LOGGED_BODY_CHARS);
        const fault = this.faults.pick({ method, path: target.pathname, host });
        if (fault) {
            entry.fault = fault.type;
            switch (fault.type) {
                case 'reset':
                    if (fault.afterHandling)
                        break;
                    req.socket.destroy();
                    return;
                case 'status':
                    return send(faultStatusReply(fault.status, fault.headers, fault.body));
                case 'malformedJson':
                    return send(bufferReply(200, '{"requestId": 53367, "status": "do', JSON_TYPE));
                case 'hugeBody':
                    return send({ status: 200, headers: JSON_TYPE, body: hugeJsonBody(fault.bytes) });
                case 'stall':
                    try {
                        await (0,promises_namespaceObject.setTimeout)(fault.ms, undefined, { signal });
                    }
                    catch {
                        return; // the client gave up, or the simulator is closing
                    }
                    break;
                case 'dribble':
                    sendOptions.dribbleBytesPerSecond = fault.bytesPerSecond;
                    break;
                case 'truncatedGzip':
                    sendOptions.truncate = true;
                    break;
            }
        }
        if (body === undefined)
            return send(jsonReply(413, { error: 'request body too large' }));
        const reply = host === 'storage'
            ? await this.outputs.reply(req, method, target)
            : host === 'api' && this.deletions.handles(target.pathname)
                ? this.deletions.reply(req, method, target, body)
                : this.routes.reply(req, method, target.pathname, body, host);
        if (fault?.type === 'reset') {
            entry.status = reply.status;
            req.socket.destroy();
            return;
        }
        return send(reply);
    }
}
// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
function basic(apiKey, secretKey) {
    return Buffer.from(`${apiKey}:${secretKey}`).toString('base64');
}
function faultStatusReply(status, headers = {}, body) {
    const hasType = Object.keys(headers).some(name => name.toLowerCase() === 'content-type');
    if (body !== undefined) {
        return bufferReply(status, body, hasType ? headers : { ...JSON_TYPE, ...headers });
    }
    return jsonReply(status, { error: `injected fault: HTTP ${status}` }, headers);
}
/** The body as text, or undefined when it is larger than allowed. */
async function readBody(req) {
    const chunks = [];
    let size = 0;
    // Read to the end even when too large (dropping the excess): leaving the request unread would
    // tear the socket down before the 413 could be sent.
    for await (const chunk of req) {
        size += chunk.length;
        if (size <= MAX_REQUEST_BODY)
            chunks.push(chunk);
    }
    return size > MAX_REQUEST_BODY ? undefined : Buffer.concat(chunks).toString('utf8');
}

;// CONCATENATED MODULE: ./src/simulator/zip-entries.ts
/**
 * What the artifact stand-in (and the tests reading its uploads) need of a zip: its entries, read
 * the way unzip tools read them, and a SHA-256 to compare with the digest the client reported.
 */


/**
 * The files inside a zip, by name, decompressed (stored and deflated entries, no zip64): read
 * through the central directory, as unzip tools do, so a broken archive fails here.
 */
function readZipEntries(zip) {
    const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
    let end = -1;
    for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
        if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
            end = at;
            break;
        }
    }
    if (end < 0)
        throw new Error('not a zip: no end of central directory record');
    const count = zip.readUInt16LE(end + 10);
    let at = zip.readUInt32LE(end + 16);
    const entries = new Map();
    for (let i = 0; i < count; i++) {
        if (zip.readUInt32LE(at) !== 0x02014b50)
            throw new Error(`bad central directory entry ${i}`);
        const method = zip.readUInt16LE(at + 10);
        const compressedSize = zip.readUInt32LE(at + 20);
        const size = zip.readUInt32LE(at + 24);
        const nameLength = zip.readUInt16LE(at + 28);
        const extraLength = zip.readUInt16LE(at + 30);
        const commentLength = zip.readUInt16LE(at + 32);
        const localHeader = zip.readUInt32LE(at + 42);
        const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
        if (compressedSize === 0xffffffff || localHeader === 0xffffffff) {
            throw new Error(`zip64 entry ${name} is not supported`);
        }
        if (zip.readUInt32LE(localHeader) !== 0x04034b50)
            throw new Error(`bad local header: ${name}`);
        const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
        const data = zip.subarray(dataStart, dataStart + compressedSize);
        let content;
        if (method === 0)
            content = Buffer.from(data);
        else if (method === 8)
            content = inflateRawSync(data);
        else
            throw new Error(`compression method ${method} of ${name} is not supported`);
        if (content.length !== size)
            throw new Error(`${name}: size ${content.length}, expected ${size}`);
        entries.set(name, content);
        at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
}
function sha256Hex(bytes) {
    return createHash('sha256').update(bytes).digest('hex');
}

;// CONCATENATED MODULE: ./src/simulator/artifact-service.ts
/**
 * A local stand-in for the GitHub Actions results service, as @actions/artifact v6 uses it to upload
 * an artifact: a real HTTP server on 127.0.0.1 that speaks the two Twirp JSON calls
 * (`ArtifactService/CreateArtifact`, `ArtifactService/FinalizeArtifact`) and the Azure block-blob
 * protocol the client's @azure/storage-blob sends to the signed upload URL (`PUT ?comp=block` per
 * chunk, then `PUT ?comp=blocklist`; a single `PUT` is accepted too).
 *
 * It checks what the real service checks that a test could get wrong (the bearer token, the backend
 * ids from the token's `scp` claim, the signature on the upload URL, one artifact per name, content
 * before finalize, the finalized size) and records every call, every committed blob and every
 * artifact, so tests assert on what reached the service rather than on what the client was asked.
 *
 * `env` holds every variable the client needs; tests set it on process.env (and restore it), the
 * end-to-end tests and the ledger demo pass it to the child process running dist/index.js.
 */



const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';
const BLOB_PREFIX = '/blob/';
async function startArtifactService(options = {}) {
    const workflowRunBackendId = randomUUID();
    const workflowJobRunBackendId = randomUUID();
    const token = fakeRuntimeToken(workflowRunBackendId, workflowJobRunBackendId);
    const calls = [];
    const uploads = [];
    const artifacts = [];
    const blobs = new Map();
    const failures = new Map();
    let nextArtifactId = options.firstArtifactId ?? 7001;
    let origin = '';
    const takeFailure = (target) => {
        const failure = failures.get(target);
        if (!failure)
            return undefined;
        if (--failure.remaining <= 0)
            failures.delete(target);
        return failure;
    };
    const handleTwirp = (rpc, body, call) => {
        if (!call.authorized)
            return twirpError(401, 'unauthenticated', 'invalid or missing bearer token');
        if (rpc !== 'CreateArtifact' && rpc !== 'FinalizeArtifact') {
            return twirpError(404, 'bad_route', `no handler for ${rpc}`);
        }
        const failure = takeFailure(rpc);
        if (failure)
            return twirpError(failure.status, failure.code ?? 'internal', failure.msg);
        if (!isRecord(body))
            return twirpError(400, 'malformed', 'the body is not a JSON object');
        if (body.workflow_run_backend_id !== workflowRunBackendId ||
            body.workflow_job_run_backend_id !== workflowJobRunBackendId) {
            return twirpError(400, 'invalid_argument', 'backend ids do not match the runtime token');
        }
        const name = typeof body.name === 'string' ? body.name : '';
        if (name === '')
            return twirpError(400, 'invalid_argument', 'name is required');
        const existing = artifacts.find(a => a.name === name);
        if (rpc === 'CreateArtifact') {
            if (existing) {
                return twirpError(409, 'already_exists', `an artifact named ${name} already exists`);
            }
            const blobPath = `actions-results/${workflowRunBackendId}/${encodeURIComponent(name)}.zip`;
            const artifact = {
                name,
                workflowRunBackendId,
                workflowJobRunBackendId,
                version: typeof body.version === 'number' ? body.version : 0,
                ...(typeof body.mime_type === 'string' && { mimeType: body.mime_type }),
                ...(typeof body.expires_at === 'string' && { expiresAt: body.expires_at }),
                blobPath,
                finalized: false
            };
            artifacts.push(artifact);
            const sig = randomBytes(18).toString('base64url');
            blobs.set(blobPath, { artifact, sig, staged: new Map() });
            const expiry = new Date(Date.now() + 3_600_000).toISOString();
            const signedUploadUrl = `${origin}${BLOB_PREFIX}${blobPath}?sv=2025-01-05&sp=cw&se=${encodeURIComponent(expiry)}&sr=b&sig=${sig}`;
            return json(200, { ok: true, signed_upload_url: signedUploadUrl });
        }
        // FinalizeArtifact
        if (!existing)
            return twirpError(404, 'not_found', `no artifact named ${name}`);
        if (existing.finalized) {
            return twirpError(409, 'already_exists', `artifact ${name} is already finalized`);
        }
        const upload = uploads.find(u => u.blobPath === existing.blobPath);
        if (!upload)
            return twirpError(400, 'failed_precondition', 'no content was uploaded');
        const size = Number(body.size);
        if (!Number.isSafeInteger(size) || size !== upload.bytes.length) {
            return twirpError(400, 'invalid_argument', `size ${String(body.size)} does not match`);
        }
        existing.id = nextArtifactId++;
        existing.size = size;
        if (typeof body.hash === 'string')
            existing.hash = body.hash;
        existing.finalized = true;
        // int64 travels as a string in protobuf JSON.
        return json(200, { ok: true, artifact_id: String(existing.id) });
    };
    const handleBlob = (req, blobPath, query, body) => {
        const blob = blobs.get(blobPath);
        if (!blob)
            return azureError(404, 'BlobNotFound', 'The specified blob does not exist.');
        if (query.sig !== blob.sig) {
            return azureError(403, 'AuthenticationFailed', 'Signature did not match.');
        }
        if (req.method !== 'PUT')
            return azureError(405, 'UnsupportedHttpVerb', 'Only PUT is served.');
        const failure = takeFailure('blob');
        if (failure)
            return azureError(failure.status, failure.code ?? 'InternalError', failure.msg);
        if (query.comp === 'block') {
            if (!query.blockid)
                return azureError(400, 'InvalidQueryParameterValue', 'blockid missing');
            blob.staged.set(query.blockid, body);
            return { status: 201, headers: azureHeaders(), body: '' };
        }
        const contentType = header(req, 'x-ms-blob-content-type');
        if (query.comp === 'blocklist') {
            const ids = blockListIds(body.toString('utf8'));
            const parts = [];
            for (const id of ids) {
                const part = blob.staged.get(id);
                if (!part)
                    return azureError(400, 'InvalidBlockList', `block ${id} was not staged`);
                parts.push(part);
            }
            commit(blob, Buffer.concat(parts), ids.length, contentType);
            return { status: 201, headers: azureHeaders(), body: '' };
        }
        if (query.comp === undefined && header(req, 'x-ms-blob-type') === 'BlockBlob') {
            commit(blob, body, 0, contentType);
            return { status: 201, headers: azureHeaders(), body: '' };
        }
        return azureError(400, 'InvalidQueryParameterValue', `unsupported comp ${query.comp ?? ''}`);
    };
    const commit = (blob, bytes, blockCount, contentType) => {
        const index = uploads.findIndex(u => u.blobPath === blob.artifact.blobPath);
        if (index >= 0)
            uploads.splice(index, 1);
        uploads.push({
            artifactName: blob.artifact.name,
            blobPath: blob.artifact.blobPath,
            bytes,
            blockCount,
            ...(contentType !== undefined && { contentType })
        });
        blob.staged.clear();
    };
    const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (chunk) => chunks.push(chunk));
        req.on('end', () => {
            const body = Buffer.concat(chunks);
            const url = new URL(req.url ?? '/', origin);
            const query = Object.fromEntries(url.searchParams);
            const call = {
                method: req.method ?? '',
                path: url.pathname,
                query,
                authorized: req.headers.authorization === `Bearer ${token}`,
                headers: withoutAuthorization(req.headers),
                bodyBytes: body.length,
                status: 0
            };
            calls.push(call);
            let reply;
            if (req.method === 'POST' && url.pathname.startsWith(TWIRP_PREFIX)) {
                call.rpc = url.pathname.slice(TWIRP_PREFIX.length);
                let parsed;
                try {
                    parsed = JSON.parse(body.toString('utf8'));
                    call.body = parsed;
                }
                catch {
                    parsed = undefined;
                }
                reply = handleTwirp(call.rpc, parsed, call);
            }
            else if (url.pathname.startsWith(BLOB_PREFIX)) {
                reply = handleBlob(req, url.pathname.slice(BLOB_PREFIX.length), query, body);
            }
            else {
                reply = json(404, { code: 'bad_route', msg: `no route for ${req.method} ${url.pathname}` });
            }
            call.status = reply.status;
            if (options.closeConnections)
                res.shouldKeepAlive = false;
            res.writeHead(reply.status, reply.headers);
            res.end(reply.body);
        });
    });
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
    const env = {
        ACTIONS_RUNTIME_TOKEN: token,
        ACTIONS_RESULTS_URL: `${origin}/`,
        GITHUB_SERVER_URL: options.serverUrl ?? 'https://github.com',
        GITHUB_REPOSITORY: options.repository ?? 'octo-org/privacy-ops',
        GITHUB_RUN_ID: options.runId ?? '4242',
        // Pinned so the host's own value (set on real runners) cannot change the requested retention.
        GITHUB_RETENTION_DAYS: String(options.maxRetentionDays ?? 90),
        // Both the Twirp client and the Azure SDK honour proxy variables; the stand-in is local.
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost'
    };
    return {
        url: origin,
        env,
        token,
        workflowRunBackendId,
        workflowJobRunBackendId,
        calls,
        uploads,
        artifacts,
        failNext(target, failure) {
            failures.set(target, { ...failure, remaining: failure.times ?? 1 });
        },
        async close() {
            server.closeAllConnections();
            await new Promise(resolve => server.close(() => resolve()));
        }
    };
}
function json(status, body) {
    return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
function twirpError(status, code, msg) {
    return json(status, { code, msg });
}
function azureHeaders() {
    return {
        'x-ms-request-id': randomUUID(),
        'x-ms-version': '2025-01-05',
        'x-ms-request-server-encrypted': 'true',
        etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
        'last-modified': new Date().toUTCString(),
        date: new Date().toUTCString()
    };
}
function azureError(status, code, message) {
    return {
        status,
        headers: { ...azureHeaders(), 'content-type': 'application/xml', 'x-ms-error-code': code },
        body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`
    };
}
/** Block ids of a `<BlockList>` body, in order (Latest, Committed and Uncommitted alike). */
function blockListIds(xml) {
    return [...xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map(m => m[2]);
}
/** A JWT whose `scp` claim carries the results-service scope; the client only decodes it. */
function fakeRuntimeToken(runId, jobId) {
    const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
        scp: `Actions.ExampleScope Actions.Results:${runId}:${jobId}`,
        iss: 'artifact-service-stand-in',
        iat: now,
        exp: now + 3600
    };
    return `${part({ typ: 'JWT', alg: 'RS256' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`;
}
function header(req, name) {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
}
function withoutAuthorization(headers) {
    const kept = {};
    for (const [name, value] of Object.entries(headers)) {
        if (name === 'authorization' || value === undefined)
            continue;
        kept[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return kept;
}
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function escapeXml(text) {
    return text.replace(/[<>&'"]/g, c => `&#${c.charCodeAt(0)};`);
}

;// CONCATENATED MODULE: ./src/simulator/index.ts
/**
 * The DSAR simulator: a real HTTP server playing both Amplitude DSAR contracts (the documented
 * API and the seed's apis.io description) and an S3-like storage host, for tests, benchmarks and
 * the demo. Dependency-light: node:http, node:zlib and node:crypto only.
 */






// The GitHub Actions results service (artifact uploads), for end-to-end tests and the ledger demo.


;// CONCATENATED MODULE: ./src/simulator/cli.ts
/**
 * `npm run simulator`: starts a simulator and keeps it running until SIGINT/SIGTERM. Bundled by
 * ncc to dist/simulator/index.js, so it starts unconditionally (a main-module check is not
 * reliable inside a bundle) and imports only the simulator.
 */


async function main() {
    const config = parseCliConfig(process.argv.slice(2), process.env);
    if (config.help) {
        console.log(CLI_USAGE);
        return;
    }
    const options = config.quiet
        ? config.options
        : { ...config.options, onLog: entry => console.log(formatLogEntry(entry)) };
    const simulator = await startSimulator(options);
    console.log(formatBanner(simulator, config.options));
    let stopping = false;
    const stop = (signal) => {
        if (stopping)
            return;
        stopping = true;
        console.log(`\n${signal}: stopping the simulator`);
        simulator.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
}
main().catch((error) => {
    console.error(`simulator: ${error instanceof Error ? error.message : String(error)}`);
    console.error(CLI_USAGE);
    process.exit(1);
});

