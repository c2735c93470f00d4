export const id = 98;
export const ids = [98];
export const modules = {

/***/ 87098:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  downloadRequestOutputs: () => (/* binding */ downloadRequestOutputs)
});

// UNUSED EXPORTS: DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_MS, MAX_EXPORT_FILE_BYTES

// EXTERNAL MODULE: external "node:events"
var external_node_events_ = __webpack_require__(78474);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./src/arazzo/index.ts + 37 modules
var arazzo = __webpack_require__(30029);
// EXTERNAL MODULE: ./src/export/errors.ts
var errors = __webpack_require__(79095);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(44708);
// EXTERNAL MODULE: ./src/policy/index.ts + 6 modules
var src_policy = __webpack_require__(74161);
// EXTERNAL MODULE: ./src/export/url-policy.ts
var url_policy = __webpack_require__(53938);
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
    (0,url_policy/* assertFetchable */.Pb)(start);
    const policy = options.credentials;
    let url = start;
    for (let hop = 0;; hop++) {
        const authorized = (0,src_policy/* mayCarryCredentials */.x6)(policy, {
            kind: 'outputLink',
            method: 'GET',
            url,
            chainOrigin: start.origin
        });
        // An origin trusted with the credentials is the user's choice; any other is the server's, and
        // may not lead to an internal address (cloud metadata on a self-hosted runner, the LAN).
        const trusted = (0,src_policy/* isCredentialOrigin */.cs)(policy, url);
        if (!trusted)
            (0,url_policy/* assertNotInternal */.B_)(url);
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
        const opened = await get(url, headers, options, trusted ? undefined : (0,src_policy/* refusingLookup */.MV)());
        const response = opened.response;
        const status = response.statusCode ?? 0;
        if ((0,url_policy/* isRedirectStatus */.xl)(status)) {
            response.resume();
            const location = response.headers.location;
            if (!location)
                throw new errors/* TransferError */.aG(`HTTP ${status} redirect without a Location`, false);
            if (hop >= url_policy/* MAX_REDIRECTS */.NX) {
                throw new errors/* TransferError */.aG(`more than ${url_policy/* MAX_REDIRECTS */.NX} redirects`, false);
            }
            url = (0,url_policy/* nextHop */.Fz)(url, location);
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
        throw statusError(status, authorized, code, response.headers['retry-after'], options.now());
    }
}
/**
 * An output link refused because it came without credentials, from an origin they may not go to:
 * say so, and name the input that trusts it. (A presigned URL handed out directly is not an output
 * link; its 403 means an expired link, and its origin is not named.)
 */
function untrustedLinkError(url, status, code) {
    if (!(0,src_policy/* isOutputLinkPath */.zq)(url.pathname))
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
        request.on('error', error => reject(error instanceof src_policy/* InternalAddressError */.oo ? new errors/* TransferError */.aG(error.message, false) : error));
        request.end();
    });
}
function statusError(status, authorized, code, retryAfter, now) {
    const detail = code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
    if (TRANSIENT_STATUSES.has(status) || status >= 500) {
        const retryAfterMs = (0,arazzo/* parseRetryAfter */.mu)(retryAfter, now);
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
            (0,url_policy/* assertFetchable */.Pb)(url); // e.g. plain http to a non-loopback host: refused before any request
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
            const age = await __webpack_require__.e(/* import() */ 36).then(__webpack_require__.bind(__webpack_require__, 55036));
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
            const delay = (0,arazzo/* jitteredBackoffMs */.sq)({
                attempt,
                baseMs: BACKOFF_BASE_MS,
                maxMs: BACKOFF_MAX_MS,
                random: o.random ?? arazzo/* systemRandom */.vg,
                ...(verdict.retryAfterMs !== undefined && { retryAfterMs: verdict.retryAfterMs })
            });
            log(`${job.label}: attempt ${attempt} failed (${verdict.message}); retrying in ${delay} ms`);
            try {
                await (o.clock ?? arazzo/* systemClock */.ml).sleep(delay, o.signal);
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
            credentials: o.credentials ?? (0,src_policy/* createCredentialPolicy */.M8)({ apiOrigin: o.apiOrigin }),
            basicAuth: o.basicAuth,
            timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            signal: o.signal,
            beforeRequest: o.beforeRequest,
            now: () => (o.clock ?? arazzo/* systemClock */.ml).now()
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


/***/ })

};
