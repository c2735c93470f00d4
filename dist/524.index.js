export const id = 524;
export const ids = [524];
export const modules = {

/***/ 10524:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  downloadRequestOutputs: () => (/* reexport */ downloadRequestOutputs)
});

// UNUSED EXPORTS: DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_MS, DownloadError, MAX_REDIRECTS, RECEIPT_FILE, buildReceipt, nextHop, outputFileName, writeReceipt

// EXTERNAL MODULE: external "node:events"
var external_node_events_ = __webpack_require__(78474);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:timers/promises"
var external_node_timers_promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ./src/export/errors.ts
var errors = __webpack_require__(79095);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(44708);
// EXTERNAL MODULE: ./src/arazzo/pacing.ts
var pacing = __webpack_require__(82663);
// EXTERNAL MODULE: ./src/policy/credentials.ts
var credentials = __webpack_require__(13708);
// EXTERNAL MODULE: ./src/policy/private-address.ts
var private_address = __webpack_require__(41364);
// EXTERNAL MODULE: ./src/policy/loopback.ts
var loopback = __webpack_require__(9417);
;// CONCATENATED MODULE: ./src/export/url-policy.ts
/**
 * Where the download may go and what it may carry there. Pure functions, so the policy can be
 * tested without TLS servers:
 * - only http(s); plain http only to loopback hosts (test servers, the simulator), because a
 *   presigned URL and Basic credentials are both bearer secrets;
 * - never https -> http along a redirect chain, even to loopback;
 * - no user:password in a URL (it would be sent as credentials we did not choose);
 * - nothing outside the origins trusted with the credentials on a link-local, private or other
 *   internal address (src/policy/private-address.ts; host names are checked as they resolve).
 * Who receives the Basic credentials is decided by src/policy/credentials.ts, not here.
 */



const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
function isRedirectStatus(status) {
    return REDIRECT_STATUSES.has(status);
}
/** Throws (permanent TransferError) when a URL may not be fetched at all. */
function assertFetchable(url) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new errors/* TransferError */.aG(`refusing a ${url.protocol} URL (only https is allowed)`, false);
    }
    if (url.protocol === 'http:' && !(0,loopback/* isLoopbackHost */.c)(url.hostname)) {
        throw new errors/* TransferError */.aG(`refusing plain http to a non-loopback host (${loopback/* LOOPBACK_RULE */.x})`, false);
    }
    if (url.username !== '' || url.password !== '') {
        throw new errors/* TransferError */.aG('refusing a URL that embeds credentials', false);
    }
}
/** The next URL of a redirect chain, or a permanent TransferError when the hop is not allowed. */
function nextHop(from, location) {
    let to;
    try {
        to = new URL(location, from);
    }
    catch {
        throw new errors/* TransferError */.aG('the server redirected to an invalid location', false);
    }
    if (from.protocol === 'https:' && to.protocol === 'http:') {
        throw new errors/* TransferError */.aG('refusing a redirect from https to http (downgrade)', false);
    }
    assertFetchable(to);
    return to;
}
/** Throws (permanent TransferError) when the URL's host is an internal IP literal. */
function assertNotInternal(url) {
    const kind = (0,private_address/* internalAddressKind */.sg)(url.hostname);
    if (kind)
        throw new errors/* TransferError */.aG((0,private_address/* internalAddressRefusal */.UT)(kind), false);
}

;// CONCATENATED MODULE: ./src/export/fetch-output.ts
/**
 * One attempt at opening an output: GET the output link (with Basic auth when
 * src/policy/credentials.ts says its origin may receive it), follow its redirect to the presigned
 * object-store URL by hand (at most MAX_REDIRECTS hops, credentials never crossing to another
 * origin, no https -> http), and hand back the 200 response to stream from. Any other answer
 * becomes a TransferError that says whether trying again could help. No message carries a URL
 * beyond an output link's origin: the presigned one is a bearer credential.
 */







const USER_AGENT = 'amplitude-dsar-action';
/** Statuses worth repeating the whole download for. */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Longest Retry-After we are willing to wait for inside one download. */
const MAX_RETRY_AFTER_MS = 60_000;
async function fetchOutput(start, options) {
    assertFetchable(start);
    const policy = options.credentials;
    let url = start;
    for (let hop = 0;; hop++) {
        const authorized = (0,credentials/* mayCarryCredentials */.x6)(policy, {
            kind: 'outputLink',
            method: 'GET',
            url,
            chainOrigin: start.origin
        });
        // An origin trusted with the credentials is the user's choice; any other is the server's, and
        // may not lead to an internal address (cloud metadata on a self-hosted runner, the LAN).
        const trusted = (0,credentials/* isCredentialOrigin */.cs)(policy, url);
        if (!trusted)
            assertNotInternal(url);
        if (trusted)
            await options.beforeRequest?.('GET', url);
        const headers = {
            accept: '*/*',
            // The bytes as stored: sha256 and size describe the file, not a re-encoding of it.
            'accept-encoding': 'identity',
            'user-agent': USER_AGENT
        };
        if (authorized)
            headers.authorization = `Basic ${options.basicAuth}`;
        const opened = await get(url, headers, options, trusted ? undefined : (0,private_address/* refusingLookup */.MV)());
        const response = opened.response;
        const status = response.statusCode ?? 0;
        if (isRedirectStatus(status)) {
            response.resume();
            const location = response.headers.location;
            if (!location)
                throw new errors/* TransferError */.aG(`HTTP ${status} redirect without a Location`, false);
            if (hop >= MAX_REDIRECTS) {
                throw new errors/* TransferError */.aG(`more than ${MAX_REDIRECTS} redirects`, false);
            }
            url = nextHop(url, location);
            continue;
        }
        if (status === 200) {
            const length = parseLength(response.headers['content-length']);
            return { ...opened, length };
        }
        const code = await errorCode(response);
        if ((status === 401 || status === 403) && hop === 0 && !authorized) {
            const untrusted = untrustedLinkError(url, status, code);
            if (untrusted)
                throw untrusted;
        }
        throw statusError(status, authorized, code, response.headers['retry-after']);
    }
}
/**
 * An output link refused because it came without credentials, from an origin they may not go to:
 * say so, and name the input that trusts it. (A presigned URL handed out directly is not an output
 * link; its 403 means an expired link, and its origin is not named.)
 */
function untrustedLinkError(url, status, code) {
    if (!(0,credentials/* isOutputLinkPath */.zq)(url.pathname))
        return undefined;
    const detail = code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
    return new errors/* TransferError */.aG(`${detail} from the output link on ${url.origin}: no credentials were sent to that origin, ` +
        `which is not trusted with them; if it is Amplitude's (or your proxy's), add it to the ` +
        `'credential-origins' input`, false);
}
function get(url, headers, options, lookup) {
    const client = url.protocol === 'https:' ? external_node_https_ : external_node_http_;
    let stalled = false;
    return new Promise((resolve, reject) => {
        // agent: false: one fresh connection per request, so no idle pooled socket reset by the
        // server can fail a download, and no socket outlives the call.
        const request = client.request(url, {
            method: 'GET',
            headers,
            agent: false,
            signal: options.signal,
            ...(lookup && { lookup })
        });
        request.setTimeout(options.timeoutMs, () => {
            stalled = true;
            request.destroy(new errors/* TransferError */.aG(`no data for ${options.timeoutMs} ms (stalled connection)`, true));
        });
        request.once('response', response => resolve({ response, stalled: () => stalled }));
        // Stays attached: errors after the response (a reset mid-body) must not go unhandled; the
        // body stream reports them.
        request.on('error', error => reject(error instanceof private_address/* InternalAddressError */.oo ? new errors/* TransferError */.aG(error.message, false) : error));
        request.end();
    });
}
function statusError(status, authorized, code, retryAfter) {
    const detail = code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
    if (TRANSIENT_STATUSES.has(status) || status >= 500) {
        const retryAfterMs = (0,pacing/* parseRetryAfter */.mu)(retryAfter, Date.now());
        if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
            return new errors/* TransferError */.aG(`${detail}; the server asks to wait ${Math.ceil(retryAfterMs / 1000)} s, longer than a download waits`, false);
        }
        return new errors/* TransferError */.aG(`${detail} (temporary)`, true, retryAfterMs);
    }
    if (status === 401) {
        return authorized
            ? new errors/* TransferError */.aG(`${detail}: the API refused the credentials`, false)
            : new errors/* TransferError */.aG(`${detail}: the link asks for credentials, and none were sent`, false);
    }
    if (status === 403) {
        return authorized
            ? new errors/* TransferError */.aG(`${detail}: the API refused access to this output`, false)
            : new errors/* TransferError */.aG(`${detail}: the download link expired or was refused`, false);
    }
    if (status === 404)
        return new errors/* TransferError */.aG(`${detail}: output not found`, false);
    return new errors/* TransferError */.aG(`unexpected ${detail}`, false);
}
/** The S3-style error code of a small error body (`<Code>AccessDenied</Code>`), if any. */
async function errorCode(response) {
    const limit = 4096;
    let text = '';
    try {
        for await (const chunk of response) {
            text += chunk.toString('utf8');
            if (text.length >= limit)
                break;
        }
    }
    catch {
        return undefined;
    }
    finally {
        response.destroy();
    }
    const match = /<Code>([A-Za-z0-9]{1,64})<\/Code>/.exec(text);
    return match?.[1];
}
function parseLength(header) {
    return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

;// CONCATENATED MODULE: ./src/export/file-sink.ts
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;
const SYNC_EVERY_BYTES = 32 * 1024 * 1024;
function openFileSink(handle) {
    const stream = handle.createWriteStream({ flush: true, highWaterMark: WRITE_BUFFER_BYTES });
    let nextSyncAt = SYNC_EVERY_BYTES;
    let syncing = Promise.resolve();
    let failure;
    return {
        stream,
        progress(bytes) {
            if (bytes < nextSyncAt || stream.destroyed)
                return;
            nextSyncAt = bytes + SYNC_EVERY_BYTES;
            // One at a time; an error is kept for synced() (the final fsync would most likely fail too).
            syncing = syncing
                .then(() => (stream.destroyed ? undefined : handle.datasync()))
                .catch((error) => {
                failure ??= error;
            });
        },
        async synced() {
            await syncing;
            if (failure !== undefined)
                throw failure instanceof Error ? failure : new Error(String(failure));
        }
    };
}

// EXTERNAL MODULE: ./src/export/safe-files.ts
var safe_files = __webpack_require__(73543);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __webpack_require__(51455);
;// CONCATENATED MODULE: ./src/export/resume.ts
/**
 * What a run leaves for the next one in a request's folder: `.dsar-manifest.json`, one entry per
 * verified file (its figures as served, and the size and SHA-256 of the bytes stored, which differ
 * when the file is age-encrypted). A later run into the same download-path keeps a file only when
 * the manifest lists it and the file on disk still has exactly those bytes (same recipients when
 * encrypted); any other file under an output's name is replaced. So a run that failed half-way, or
 * ran out of time, resumes: no budget is spent twice on what is already whole.
 *
 * The manifest is the action's own record in a folder the action owns (0700); it is read without
 * following symlinks, size-capped, and anything unreadable in it just means "nothing is kept".
 */






const MANIFEST_NAME = '.dsar-manifest.json';
const MAX_MANIFEST_BYTES = 1024 * 1024;
const O_NOFOLLOW = external_node_fs_.constants.O_NOFOLLOW ?? 0;
/** The manifest of a request folder; empty when there is none or it cannot be trusted. */
async function readManifest(dir) {
    let text;
    try {
        const handle = await (0,external_node_fs_promises_.open)((0,external_node_path_.join)(dir, MANIFEST_NAME), external_node_fs_.constants.O_RDONLY | O_NOFOLLOW);
        try {
            if ((await handle.stat()).size > MAX_MANIFEST_BYTES)
                return {};
            text = await handle.readFile('utf8');
        }
        finally {
            await handle.close();
        }
    }
    catch {
        return {};
    }
    try {
        const parsed = JSON.parse(text);
        const files = parsed.files;
        if (typeof files !== 'object' || files === null || Array.isArray(files))
            return {};
        return Object.fromEntries(Object.entries(files).filter(([, entry]) => isEntry(entry)));
    }
    catch {
        return {};
    }
}
/** Writes the manifest whole (a new file renamed over the old one, never through a symlink). */
async function writeManifest(dir, manifest) {
    await (0,safe_files/* writeWholeFile */.R0)(dir, MANIFEST_NAME, JSON.stringify({ version: 1, files: manifest }, null, 2));
}
/**
 * Whether `dir/name` is the whole file the manifest entry describes: a regular file (not a link)
 * of the stored size and SHA-256, encrypted to the same recipients.
 */
async function isWhole(dir, name, entry, recipients) {
    if (!entry || !sameRecipients(entry.recipients, recipients))
        return false;
    const path = (0,external_node_path_.join)(dir, name);
    try {
        const info = await (0,external_node_fs_promises_.lstat)(path);
        if (!info.isFile() || info.size !== entry.stored.bytes)
            return false;
        const handle = await (0,external_node_fs_promises_.open)(path, external_node_fs_.constants.O_RDONLY | O_NOFOLLOW);
        const hash = (0,external_node_crypto_.createHash)('sha256');
        try {
            for await (const chunk of handle.createReadStream({ autoClose: false }))
                hash.update(chunk);
        }
        finally {
            await handle.close();
        }
        return hash.digest('hex') === entry.stored.sha256;
    }
    catch {
        return false;
    }
}
/** Hashes and counts the bytes that go to disk (after encryption, when there is one). */
class StoredTap extends external_node_stream_.Transform {
    hash = (0,external_node_crypto_.createHash)('sha256');
    bytes = 0;
    _transform(chunk, _encoding, callback) {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        callback(null, chunk);
    }
    /** Once the stream has finished. */
    result() {
        return { bytes: this.bytes, sha256: this.hash.digest('hex') };
    }
}
function sameRecipients(a, b) {
    const sorted = [...b].sort();
    return a.length === sorted.length && a.every((recipient, i) => recipient === sorted[i]);
}
function isEntry(value) {
    const entry = value;
    return (typeof entry === 'object' &&
        entry !== null &&
        typeof entry.bytes === 'number' &&
        typeof entry.sha256 === 'string' &&
        typeof entry.events === 'number' &&
        Array.isArray(entry.recipients) &&
        typeof entry.stored?.bytes === 'number' &&
        typeof entry.stored?.sha256 === 'string');
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
;// CONCATENATED MODULE: ./src/export/verify-stream.ts
/**
 * Verification while streaming: the gzip bytes pass through unchanged (to the file, or to the
 * encrypter) while we hash and count them, and a parallel gunzip counts the JSON lines inside.
 * Nothing is held beyond zlib's and the stream's own small buffers, whatever the file size.
 */




const NEWLINE = 0x0a;
const GUNZIP_CHUNK_BYTES = 256 * 1024;
/**
 * How much gzip the inflater may have queued before the tap waits for it. zlib inflates on the
 * threadpool one queued write at a time; with only its default 64 KiB queue it ran dry after every
 * network chunk while the main thread hashed, wrote the file and read the next chunk, so the
 * inflater (the bottleneck of a verified download) idled between chunks. A few MiB let the main
 * thread run ahead; memory stays constant.
 */
const GUNZIP_QUEUE_BYTES = 4 * 1024 * 1024;
// zlib streams pass stream options on to their Transform; @types/node's ZlibOptions omits them.
const GUNZIP_OPTIONS = {
    chunkSize: GUNZIP_CHUNK_BYTES,
    writableHighWaterMark: GUNZIP_QUEUE_BYTES
};
/**
 * Counts lines without keeping them: each '\n' ends a line; empty lines are not events; a final
 * line without '\n' still is one (a file is not rejected for a missing last newline).
 */
class LineCounter {
    lines = 0;
    pendingBytes = 0;
    push(chunk) {
        let start = 0;
        for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, start)) {
            if (i > start || this.pendingBytes > 0)
                this.lines++;
            this.pendingBytes = 0;
            start = i + 1;
        }
        this.pendingBytes += chunk.length - start;
    }
    /** Lines so far, counting an unterminated last line. */
    get count() {
        return this.lines + (this.pendingBytes > 0 ? 1 : 0);
    }
}
/**
 * A pass-through Transform that hashes, counts, and gunzips on the side. A corrupt or truncated
 * gzip fails the stream with a permanent TransferError (repeating the download would not help);
 * a body shorter than its Content-Length fails it with a transient one.
 */
class VerifyingTap extends external_node_stream_.Transform {
    options;
    hash = (0,external_node_crypto_.createHash)('sha256');
    // Large output chunks: zlib's default 16 KiB pieces add a callback and a Buffer per 16 KiB of
    // content, which dominated the download of a 1 GiB export (38 MiB/s of gzip; 256 KiB: ~75 MiB/s).
    gunzip = (0,external_node_zlib_.createGunzip)(GUNZIP_OPTIONS);
    lines = new LineCounter();
    /** Inflated chunks not counted yet (see countLater). */
    uncounted = [];
    gunzipDone;
    bytes = 0;
    gunzipError;
    stats;
    constructor(options = {}) {
        super();
        this.options = options;
        this.gunzip.on('data', this.countLater);
        this.gunzipDone = new Promise((resolve, reject) => {
            this.gunzip.once('end', () => {
                this.countNow();
                resolve();
            });
            this.gunzip.once('error', error => {
                this.gunzipError = notGzip(error);
                reject(this.gunzipError);
                // Fail now, not at the end of a 1 GiB download.
                this.destroy(this.gunzipError);
            });
        });
        this.gunzipDone.catch(() => undefined); // reported through the stream instead
    }
    /**
     * zlib hands over an inflated chunk and only then asks the threadpool for the next one, so work
     * done in this handler holds the inflater up. Counting lines is therefore put off to the next turn
     * of the event loop (in one batch), where it runs while zlib inflates the next chunk.
     */
    countLater = (chunk) => {
        if (this.uncounted.push(chunk) === 1)
            setImmediate(this.countNow);
    };
    countNow = () => {
        for (const chunk of this.uncounted)
            this.lines.push(chunk);
        this.uncounted = [];
    };
    /** The result, once the stream has finished successfully. */
    result() {
        if (!this.stats)
            throw new Error('the download has not been verified');
        return this.stats;
    }
    _transform(chunk, _encoding, callback) {
        if (this.gunzipError)
            return callback(this.gunzipError);
        // The inflater first: it is the slowest stage, so it gets the chunk before anything else runs.
        const roomLeft = this.gunzip.write(chunk);
        this.hash.update(chunk);
        this.bytes += chunk.length;
        this.options.onBytes?.(this.bytes);
        this.push(chunk);
        if (roomLeft)
            return callback();
        // Respect the gunzip side's backpressure too, but never wait for a drain that cannot come.
        const onDrain = () => {
            this.gunzip.off('error', onError);
            callback();
        };
        const onError = () => {
            this.gunzip.off('drain', onDrain);
            callback(this.gunzipError);
        };
        this.gunzip.once('drain', onDrain);
        this.gunzip.once('error', onError);
    }
    _flush(callback) {
        const expected = this.options.expectedBytes;
        if (expected !== undefined && this.bytes !== expected) {
            callback(new errors/* TransferError */.aG(`the connection ended after ${this.bytes} of ${expected} bytes`, this.bytes < expected));
            return;
        }
        this.gunzip.end();
        this.gunzipDone.then(() => {
            this.stats = {
                bytes: this.bytes,
                sha256: this.hash.digest('hex'),
                events: this.lines.count
            };
            callback();
        }, (error) => callback(error));
    }
    _destroy(error, callback) {
        this.gunzip.destroy();
        callback(error);
    }
}
function notGzip(error) {
    const truncated = /unexpected end/i.test(error.message);
    const what = truncated ? 'truncated' : 'corrupt';
    return new errors/* TransferError */.aG(`the file is not a complete gzip (${what}: ${error.message})`, false, undefined, {
        cause: error
    });
}

;// CONCATENATED MODULE: ./src/export/download.ts
/**
 * Downloads the output files of one finished DSAR request (documented API, step 3), one file at a
 * time:
 *   GET .../api/2/dsar/requests/{id}/outputs/{n} (on the API host or Amplitude's web-app host) with
 *   Basic auth -> 302 to a presigned object-store URL on another host -> GET it without
 *   credentials -> stream to disk.
 * While streaming, the gzip as served is hashed and counted and gunzipped on the side to count its
 * JSON lines; with recipients it is age-encrypted before it touches the disk. `bytes` and `sha256`
 * always describe the export as Amplitude served it (the gzip), also when the stored file is the
 * encrypted one. Files are `${downloadPath}/${requestId}/output-NNN.json.gz[.age]`, numbered from
 * 1 in the order of `urls`. A run into a folder an earlier run left keeps the files that are whole
 * (resume.ts) and fetches the rest; when a file fails, the ones done are still reported
 * (`DownloadError.done`).
 *
 * Bounds: the run's deadline (the caller's signal aborts with a DeadlineReached), a stall watchdog,
 * and MAX_EXPORT_FILE_BYTES per file, so a host streaming without end cannot fill the disk first.
 *
 * Which URLs receive the credentials is decided by src/policy/credentials.ts: a `urls` entry on an
 * origin not trusted with them (e.g. a presigned URL handed out directly, as the seed contract's
 * download_url is) is fetched WITHOUT credentials, and only over https unless its host is loopback.
 */













const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 4_000;
const PROGRESS_EVERY_BYTES = 128 * 1024 * 1024;
/** Less than this in one timeout window (about 1 KiB/s over the default 60 s) is a stalled transfer. */
const MIN_BYTES_PER_WINDOW = 64 * 1024;
/**
 * The most one export file may hold (as served). A user with the most events Amplitude exports
 * (100k a month) has files of tens of MiB; 4 GiB is a hundred times that, and stops a host that
 * streams without end (or announces 10 GiB) before the disk is full.
 */
const MAX_EXPORT_FILE_BYTES = 4 * 2 ** 30;
/** Error codes of a connection that broke: the download may work if repeated. */
const NETWORK_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENETUNREACH',
    'ENETDOWN',
    'EHOSTUNREACH',
    'EHOSTDOWN',
    'ERR_STREAM_PREMATURE_CLOSE'
]);
async function downloadRequestOutputs(o) {
    const requestId = o.requestId;
    const fail = (message, output, cause) => new errors/* DownloadError */.nV(`request ${requestId}: ${message}`, requestId, output, { cause });
    if (!(0,safe_files/* isSafeRequestId */.AV)(requestId)) {
        throw fail('refusing this request id as a directory name (allowed: A-Z a-z 0-9 _ -)', 0);
    }
    const maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
        throw fail(`maxAttempts must be an integer >= 1, got ${maxAttempts}`, 0);
    }
    const targets = o.urls.map((text, i) => {
        let url;
        try {
            url = new URL(text);
        }
        catch {
            throw fail(`output ${i + 1} of ${o.urls.length} has an invalid URL`, i + 1);
        }
        try {
            assertFetchable(url); // e.g. plain http to a non-loopback host: refused before any request
        }
        catch (error) {
            throw fail(`output ${i + 1} of ${o.urls.length}: ${reason(error)}`, i + 1, error);
        }
        return url;
    });
    if (targets.length === 0)
        return [];
    let encrypt;
    let dir;
    let manifest;
    const recipients = [...(o.recipients ?? [])].sort();
    const encrypted = recipients.length > 0;
    const names = targets.map((_, i) => (0,safe_files/* outputFileName */.bF)(i + 1, encrypted));
    try {
        // Everything that can be checked locally is, before the first request spends budget.
        if (encrypted) {
            // age (and its curve tables) only when a run encrypts: an unencrypted download never loads it.
            const age = await Promise.all(/* import() */[__webpack_require__.e(539), __webpack_require__.e(36)]).then(__webpack_require__.bind(__webpack_require__, 55036));
            encrypt = age.encryptStage(await age.createEncrypter(recipients));
        }
        dir = await (0,safe_files/* prepareRequestDir */._K)(o.downloadPath, requestId);
        manifest = await readManifest(dir);
    }
    catch (error) {
        throw fail(reason(error), 0, error);
    }
    const files = [];
    for (const [i, url] of targets.entries()) {
        const output = i + 1;
        const label = `output ${output} of ${targets.length}`;
        const name = names[i];
        const kept = manifest[name];
        if (await isWhole(dir, name, kept, recipients)) {
            o.onLog?.(`request ${requestId}: ${label}: kept ${name} from an earlier run (whole, sha256 checked)`);
            files.push(downloadedFile(dir, name, kept, encrypted, requestId));
            continue;
        }
        try {
            // Whatever holds the name is not a whole file of ours: it is replaced.
            await (0,safe_files/* removeQuietly */.S2)((0,external_node_path_.join)(dir, name));
            const { file, stored } = await downloadWithRetries(o, {
                url,
                dir,
                name,
                label,
                maxAttempts,
                encrypt,
                fail: (message, cause) => fail(`${label}: ${message}`, output, cause)
            });
            manifest[name] = {
                bytes: file.bytes,
                sha256: file.sha256,
                events: file.events,
                recipients,
                stored
            };
            await writeManifest(dir, manifest);
            files.push(file);
        }
        catch (error) {
            const failure = error instanceof errors/* DownloadError */.nV ? error : fail(`${label}: ${reason(error)}`, output, error);
            failure.done = files;
            throw failure;
        }
    }
    return files;
}
async function downloadWithRetries(o, job) {
    const log = (line) => o.onLog?.(`request ${o.requestId}: ${line}`);
    for (let attempt = 1;; attempt++) {
        log(`${job.label}: downloading${job.encrypt ? ' (age-encrypting while streaming)' : ''}`);
        try {
            const done = await attemptDownload(o, job, log);
            const { file } = done;
            log(`${job.label}: stored ${job.name} (${file.bytes} bytes as served, ${file.events} events, ` +
                `sha256 ${file.sha256})`);
            return done;
        }
        catch (error) {
            if (o.signal?.aborted)
                throw job.fail(abortMessage(o.signal.reason), o.signal.reason ?? error);
            const verdict = toTransferError(error);
            if (!verdict.transient)
                throw job.fail(verdict.message, error);
            if (attempt >= job.maxAttempts) {
                throw job.fail(`${verdict.message}; gave up after ${attempt} attempts`, error);
            }
            const delay = backoffMs(attempt, verdict.retryAfterMs);
            log(`${job.label}: attempt ${attempt} failed (${verdict.message}); retrying in ${delay} ms`);
            try {
                await (0,external_node_timers_promises_.setTimeout)(delay, undefined, { signal: o.signal });
            }
            catch (abort) {
                throw job.fail(abortMessage(o.signal?.reason), o.signal?.reason ?? abort);
            }
        }
    }
}
/** One attempt, from scratch: nothing of a failed attempt is left on disk. */
async function attemptDownload(o, job, log) {
    let opened;
    try {
        opened = await fetchOutput(job.url, {
            credentials: o.credentials ?? (0,credentials/* createCredentialPolicy */.M8)({ apiOrigin: o.apiOrigin }),
            basicAuth: o.basicAuth,
            timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            signal: o.signal,
            beforeRequest: o.beforeRequest
        });
        if (opened.length !== undefined && opened.length > MAX_EXPORT_FILE_BYTES) {
            throw new errors/* TransferError */.aG(tooLarge(`announces ${opened.length} bytes`), false);
        }
        const { stats, stored } = await storeVerified(opened, job, o, log);
        const file = downloadedFile(job.dir, job.name, stats, job.encrypt !== undefined, o.requestId);
        return { file, stored };
    }
    catch (error) {
        if (opened?.stalled() && !(error instanceof errors/* TransferError */.aG && !error.transient)) {
            throw new errors/* TransferError */.aG(`no data for ${o.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms (stalled)`, true);
        }
        throw error;
    }
    finally {
        opened?.response.destroy();
    }
}
async function storeVerified(opened, job, o, log) {
    const signal = o.signal;
    const partial = await (0,safe_files/* createPartialFile */.kR)(job.dir, job.name);
    let sink;
    // The idle timeout catches a silent connection; this catches one that sends a byte now and then
    // (a body dribbled at 1 byte/s would otherwise hold the step until the job is cancelled).
    const windowMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let received = 0;
    let atLastCheck = 0;
    const watchdog = setInterval(() => {
        if (received - atLastCheck < MIN_BYTES_PER_WINDOW) {
            const slow = `under ${MIN_BYTES_PER_WINDOW} bytes in ${windowMs} ms (a stalled transfer)`;
            opened.response.destroy(new errors/* TransferError */.aG(slow, true));
        }
        atLastCheck = received;
    }, windowMs);
    watchdog.unref();
    try {
        // The sink owns the descriptor from here: it fsyncs (flush) and closes it when done, and
        // closes it when destroyed by a failure. (FileHandle.close() would wait for the stream, so the
        // handle must not be closed behind its back.)
        const fileSink = (sink = openFileSink(partial.handle));
        let nextProgress = PROGRESS_EVERY_BYTES;
        const tap = new VerifyingTap({
            expectedBytes: opened.length,
            onBytes: bytes => {
                received = bytes;
                if (bytes > MAX_EXPORT_FILE_BYTES) {
                    opened.response.destroy(new errors/* TransferError */.aG(tooLarge(`sent ${bytes} bytes`), false));
                    return;
                }
                fileSink.progress(bytes);
                if (bytes < nextProgress)
                    return;
                log(`${job.label}: ${Math.floor(bytes / (1024 * 1024))} MiB received`);
                while (nextProgress <= bytes)
                    nextProgress += PROGRESS_EVERY_BYTES;
            }
        });
        const stored = new StoredTap();
        if (job.encrypt) {
            await (0,promises_.pipeline)(opened.response, tap, job.encrypt, stored, fileSink.stream, { signal });
        }
        else {
            await (0,promises_.pipeline)(opened.response, tap, stored, fileSink.stream, { signal });
        }
        await fileSink.synced();
        await (0,safe_files/* publishFile */.o6)(partial.path, (0,external_node_path_.join)(job.dir, job.name));
        return { stats: tap.result(), stored: stored.result() };
    }
    catch (error) {
        if (sink)
            await closeStream(sink.stream);
        else
            await partial.handle.close().catch(() => undefined);
        await (0,safe_files/* removeQuietly */.S2)(partial.path);
        throw error;
    }
    finally {
        clearInterval(watchdog);
    }
}
/** A file as the `files` output reports it, whether fetched now or kept from an earlier run. */
function downloadedFile(dir, name, figures, encrypted, requestId) {
    const { bytes, sha256, events } = figures;
    return { path: (0,external_node_path_.join)(dir, name), bytes, sha256, events, encrypted, requestId };
}
/** Destroys a write stream and waits until its descriptor is closed. */
async function closeStream(stream) {
    if (stream.closed)
        return;
    const closed = (0,external_node_events_.once)(stream, 'close').catch(() => undefined);
    stream.destroy();
    await closed;
}
function toTransferError(error) {
    if (error instanceof errors/* TransferError */.aG)
        return error;
    const code = error?.code;
    const message = scrub(error instanceof Error ? error.message : String(error));
    if (code !== undefined && NETWORK_CODES.has(code)) {
        return new errors/* TransferError */.aG(`connection failed (${code}: ${message})`, true);
    }
    return new errors/* TransferError */.aG(code ? `${code}: ${message}` : message, false);
}
function backoffMs(attempt, retryAfterMs) {
    const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    const jittered = Math.round(exponential * (0.5 + Math.random() / 2));
    return Math.max(jittered, retryAfterMs ?? 0);
}
function tooLarge(what) {
    return `the server ${what}, more than the ${MAX_EXPORT_FILE_BYTES} bytes an export file may have`;
}
/** Why a download stopped when its signal aborted: the run's deadline, or a cancellation. */
function abortMessage(abortReason) {
    return abortReason instanceof errors/* DeadlineReached */.h_ ? abortReason.message : 'aborted';
}
function reason(error) {
    return scrub(error instanceof Error ? error.message : String(error));
}
/** Belt and braces: no URL (a presigned one is a credential) in any message we pass on. */
function scrub(text) {
    return text.replace(/\bhttps?:\/\/\S+/gi, '<url>');
}

// EXTERNAL MODULE: ./src/export/receipt.ts
var receipt = __webpack_require__(77010);
;// CONCATENATED MODULE: ./src/export/index.ts
/** The export download: streamed, verified, stored safely, optionally age-encrypted. */







/***/ }),

/***/ 41364:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MV: () => (/* binding */ refusingLookup),
/* harmony export */   UT: () => (/* binding */ internalAddressRefusal),
/* harmony export */   oo: () => (/* binding */ InternalAddressError),
/* harmony export */   sg: () => (/* binding */ internalAddressKind)
/* harmony export */ });
/* unused harmony export INTERNAL_ADDRESS_RULE */
/* harmony import */ var node_dns__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(40610);
/* harmony import */ var node_dns__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_dns__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(77030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_1__);
/**
 * The one rule on where an export or a remote source description may be fetched from besides the
 * origins trusted with the credentials: never from a link-local, private or otherwise internal
 * address. A presigned link or
 * a redirect is chosen by the server, and on a self-hosted runner `http(s)://169.254.169.254/`
 * (cloud metadata: instance credentials), `10.x`, `192.168.x` or `fd00::/8` reach machines the
 * server could never reach itself; what they answer would land in the export folder, and maybe in
 * a workflow artifact.
 *
 * Checked twice: the URL's host when it is an IP literal, and every address a host name resolves to
 * (`refusingLookup`, used as the connection's DNS lookup, so a name cannot resolve one way for the
 * check and another for the connection). Loopback stays allowed: it is the runner itself, which the
 * loopback rule (loopback.ts) already limits to IP literals for plain http.
 */


/** Why an address is refused ('link-local', 'private', ...), or undefined when it may be fetched. */
function internalAddressKind(address) {
    const host = address.toLowerCase().replace(/^\[(.*)\]$/, '$1');
    const version = (0,node_net__WEBPACK_IMPORTED_MODULE_1__.isIP)(host);
    if (version === 4)
        return ipv4Kind(host.split('.').map(Number));
    if (version === 6)
        return ipv6Kind(host);
    return undefined;
}
const INTERNAL_ADDRESS_RULE = 'downloads and remote source descriptions never go to link-local, private or other internal addresses (cloud metadata, the local network)';
/** The one wording of a refusal, for the URL check and the DNS check alike. */
function internalAddressRefusal(kind) {
    return `refusing a ${kind} address: ${INTERNAL_ADDRESS_RULE}`;
}
function ipv4Kind([a, b]) {
    if (a === 169 && b === 254)
        return 'link-local (cloud metadata)';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168))
        return 'private';
    if (a === 100 && b >= 64 && b <= 127)
        return 'shared (carrier-grade NAT)';
    if (a === 0)
        return 'unspecified';
    if (a >= 224)
        return 'multicast or reserved';
    return undefined;
}
function ipv6Kind(host) {
    const words = expandIpv6(host);
    if (!words)
        return 'unreadable';
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms: the IPv4 rule decides.
    if (words.slice(0, 5).every(w => w === 0) && (words[5] === 0xffff || words[5] === 0)) {
        if (words[5] === 0 && words[6] === 0 && words[7] <= 1) {
            return words[7] === 0 ? 'unspecified' : undefined; // :: or ::1 (loopback)
        }
        return ipv4Kind([words[6] >> 8, words[6] & 0xff, words[7] >> 8, words[7] & 0xff]);
    }
    // NAT64 (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16, RFC 3056) carry an IPv4 address that a
    // gateway on the runner's network connects to: the IPv4 rule decides, and an embedded loopback
    // address is not the runner itself.
    const embedded = embeddedIpv4(words);
    if (embedded) {
        const kind = embedded.ipv4[0] === 127 ? 'loopback' : ipv4Kind(embedded.ipv4);
        return kind && `${kind}, embedded in ${embedded.form}`;
    }
    if ((words[0] & 0xffc0) === 0xfe80)
        return 'link-local';
    if ((words[0] & 0xfe00) === 0xfc00)
        return 'unique local (private)';
    if ((words[0] & 0xff00) === 0xff00)
        return 'multicast';
    if (words[0] === 0xfec0)
        return 'site-local (private)';
    return undefined;
}
/** The IPv4 address a NAT64 or 6to4 address embeds, if it is one. */
function embeddedIpv4(words) {
    const bytes = (high, low) => [
        high >> 8,
        high & 0xff,
        low >> 8,
        low & 0xff
    ];
    if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every(w => w === 0)) {
        return { ipv4: bytes(words[6], words[7]), form: 'NAT64 64:ff9b::/96' };
    }
    if (words[0] === 0x2002)
        return { ipv4: bytes(words[1], words[2]), form: '6to4 2002::/16' };
    return undefined;
}
/** Eight 16-bit words, or undefined. Accepts `::` and a trailing dotted IPv4 part. */
function expandIpv6(host) {
    let text = host.split('%')[0];
    const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
    if (dotted) {
        const [a, b, c, d] = dotted.slice(1).map(Number);
        text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
    const [head, tail] = text.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const missing = 8 - left.length - right.length;
    if (text.includes('::') ? missing < 1 : missing !== 0)
        return undefined;
    const words = [...left, ...Array(text.includes('::') ? missing : 0).fill('0'), ...right];
    const values = words.map(w => (/^[0-9a-f]{1,4}$/.test(w) ? parseInt(w, 16) : NaN));
    return values.some(Number.isNaN) ? undefined : values;
}
/** The refusal of a connection to an internal address (a permanent failure: retrying cannot help). */
class InternalAddressError extends Error {
    code = 'EINTERNALADDRESS';
    constructor(kind) {
        super(internalAddressRefusal(kind));
        this.name = 'InternalAddressError';
    }
}
/**
 * A DNS lookup for http(s).request's `lookup` option that fails when any address of the name is
 * internal. `resolve` is the lookup it checks (dns.lookup by default; tests inject their own).
 */
function refusingLookup(resolve = node_dns__WEBPACK_IMPORTED_MODULE_0__.lookup) {
    return (hostname, options, callback) => {
        resolve(hostname, { ...options, all: true }, (error, addresses) => {
            if (error)
                return callback(error, '');
            const list = addresses;
            const refused = list.map(entry => internalAddressKind(entry.address)).find(Boolean);
            if (refused)
                return callback(new InternalAddressError(refused), '');
            if (list.length === 0)
                return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
            if (options.all)
                return callback(null, list);
            callback(null, list[0].address, list[0].family);
        });
    };
}


/***/ })

};
