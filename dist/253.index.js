export const id = 253;
export const ids = [253];
export const modules = {

/***/ 61253:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   DEFAULT_REMOTE_TIMEOUT_MS: () => (/* binding */ DEFAULT_REMOTE_TIMEOUT_MS),
/* harmony export */   createRemoteSourceReader: () => (/* binding */ createRemoteSourceReader)
/* harmony export */ });
/* harmony import */ var _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(59805);
/* harmony import */ var node_async_hooks__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(16698);
/* harmony import */ var node_async_hooks__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_async_hooks__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_diagnostics_channel__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(53053);
/* harmony import */ var node_diagnostics_channel__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_diagnostics_channel__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_5__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_6___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_6__);
/* harmony import */ var _input_names_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(62383);
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
// The reader
// ---------------------------------------------------------------------------------------------
function createRemoteSourceReader(options) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
    return async (url, { maxBytes, signal }) => {
        const pin = options.pins.get(url);
        if (options.pins.size > 0 && pin === undefined) {
            throw new Error(`${url} refused: '${_input_names_js__WEBPACK_IMPORTED_MODULE_7__/* .Inputs */ .G.SourceIntegrity}' is set, and every remote source description must be pinned there`);
        }
        const version = cacheVersion(url, pin);
        const cached = await fromCache(version, maxBytes);
        if (cached && (pin === undefined || sha256(cached) === pin)) {
            options.log(url, `from the runner's tool cache (sha256 ${sha256(cached)})`);
            return cached.toString('utf8');
        }
        const file = await download(url, { maxBytes, timeoutMs, signal });
        try {
            const bytes = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_4__.readFile)(file);
            if (bytes.length > maxBytes)
                throw new Error(overLimit(url, maxBytes));
            const digest = sha256(bytes);
            if (pin !== undefined && digest !== pin) {
                throw new Error(`integrity mismatch for ${url}: '${_input_names_js__WEBPACK_IMPORTED_MODULE_7__/* .Inputs */ .G.SourceIntegrity}' pins sha256 ${pin}, the server sent ${digest}`);
            }
            await toCache(file, version);
            options.log(url, `fetched ${bytes.length} bytes, sha256 ${digest}` +
                (pin ? ' (matches its pin)' : `; pin it with '${_input_names_js__WEBPACK_IMPORTED_MODULE_7__/* .Inputs */ .G.SourceIntegrity}'`));
            return bytes.toString('utf8');
        }
        finally {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_4__.rm)(file, { force: true });
        }
    };
}
function sha256(bytes) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_2__.createHash)('sha256').update(bytes).digest('hex');
}
function overLimit(url, maxBytes) {
    return `${url} is over the ${maxBytes} byte limit`;
}
/** An explicit semver version, as tool-cache's `find` needs: `0.0.0-u<url hash>[.p<pin>]`. */
function cacheVersion(url, pin) {
    const key = (0,node_crypto__WEBPACK_IMPORTED_MODULE_2__.createHash)('sha256').update(url).digest('hex').slice(0, 32);
    return `0.0.0-u${key}${pin ? `.p${pin.slice(0, 32)}` : ''}`;
}
async function fromCache(version, maxBytes) {
    if (!process.env.RUNNER_TOOL_CACHE)
        return undefined;
    const dir = _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .find */ .I6(TOOL_NAME, version);
    if (!dir)
        return undefined;
    try {
        const file = (0,node_path__WEBPACK_IMPORTED_MODULE_6__.join)(dir, CACHED_FILE);
        if ((await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_4__.stat)(file)).size > maxBytes)
            return undefined;
        return await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_4__.readFile)(file);
    }
    catch {
        return undefined;
    }
}
async function toCache(file, version) {
    if (!process.env.RUNNER_TOOL_CACHE)
        return;
    await _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .cacheFile */ .NJ(file, CACHED_FILE, TOOL_NAME, version);
}
// ---------------------------------------------------------------------------------------------
// A bounded downloadTool
// ---------------------------------------------------------------------------------------------
/** Stops a download; tool-cache does not retry an HTTPError below 500 (other than 408, 429). */
class Refused extends _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .HTTPError */ .Hl {
    reason;
    constructor(reason) {
        super(400);
        this.reason = reason;
        this.message = reason;
    }
}
async function download(url, limits) {
    const dest = (0,node_path__WEBPACK_IMPORTED_MODULE_6__.join)(process.env.RUNNER_TEMP || (0,node_os__WEBPACK_IMPORTED_MODULE_5__.tmpdir)(), 'arazzo-sources', (0,node_crypto__WEBPACK_IMPORTED_MODULE_2__.randomUUID)());
    const guard = new DownloadGuard(url, dest, limits);
    try {
        return await guard.run(() => _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .downloadTool */ .bq(url, dest));
    }
    catch (error) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_4__.rm)(dest, { force: true });
        if (error instanceof Refused)
            throw new Error(error.reason);
        if (error instanceof _actions_tool_cache__WEBPACK_IMPORTED_MODULE_0__/* .HTTPError */ .Hl) {
            throw new Error(`${url}: HTTP ${error.httpStatusCode ?? 'error'}`);
        }
        throw new Error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
}
/** The guard of the download running in this async context. */
const guards = new node_async_hooks__WEBPACK_IMPORTED_MODULE_1__.AsyncLocalStorage();
let watching = false;
function watchRequests() {
    if (watching)
        return;
    watching = true;
    (0,node_diagnostics_channel__WEBPACK_IMPORTED_MODULE_3__.subscribe)('http.client.request.start', message => {
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
            (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_4__.stat)(this.dest).then(info => {
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


/***/ })

};
