export const id = 162;
export const ids = [162];
export const modules = {

/***/ 25162:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DEFAULT_REMOTE_TIMEOUT_MS: () => (/* binding */ DEFAULT_REMOTE_TIMEOUT_MS),
  createRemoteSourceReader: () => (/* binding */ createRemoteSourceReader)
});

// EXTERNAL MODULE: ./node_modules/@actions/tool-cache/lib/tool-cache.js + 2 modules
var tool_cache = __webpack_require__(59805);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/run/index.ts + 32 modules
var run = __webpack_require__(97879);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(44708);
// EXTERNAL MODULE: ./src/policy/index.ts + 6 modules
var policy = __webpack_require__(74161);
;// CONCATENATED MODULE: ./src/action/documents/remote-fetch.ts


const MAX_REDIRECTS = 5;
const ATTEMPTS = 3;
const RETRY_WAIT_MS = 1_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);
/** A refusal: its message is final (no retry). */
class FetchRefused extends Error {
}
/** A failure worth one more try (a 5xx answer, a dropped connection). */
class Transient extends Error {
}
async function fetchRemote(url, limits) {
    const stop = new AbortController();
    let reason;
    const halt = (why) => {
        reason ??= why;
        stop.abort();
    };
    const onAbort = () => halt(`${url}: fetch cancelled`);
    if (limits.signal?.aborted)
        onAbort();
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => halt(`${url}: no complete answer within ${limits.timeoutMs} ms`), limits.timeoutMs);
    try {
        for (let attempt = 1;; attempt++) {
            try {
                return await followRedirects(url, limits, stop.signal);
            }
            catch (error) {
                if (reason !== undefined)
                    throw new FetchRefused(reason);
                if (!(error instanceof Transient) || attempt >= ATTEMPTS)
                    throw asRefusal(url, error);
                await wait(RETRY_WAIT_MS * attempt, stop.signal);
                if (reason !== undefined)
                    throw new FetchRefused(reason);
            }
        }
    }
    finally {
        clearTimeout(timer);
        limits.signal?.removeEventListener('abort', onAbort);
    }
}
async function followRedirects(start, limits, signal) {
    let url = checkedUrl(start, start);
    for (let hop = 0;; hop++) {
        const response = await get(url, limits, signal, start);
        const status = response.statusCode ?? 0;
        if (REDIRECTS.has(status)) {
            response.destroy();
            const location = response.headers.location;
            if (!location)
                throw new FetchRefused(`${start}: HTTP ${status} redirect without a Location`);
            if (hop >= MAX_REDIRECTS)
                throw new FetchRefused(`${start}: more than ${MAX_REDIRECTS} redirects`);
            url = checkedUrl(location, start, url);
            continue;
        }
        if (status !== 200) {
            response.destroy();
            const error = `${start}: HTTP ${status}`;
            throw TRANSIENT.has(status) || status >= 500 ? new Transient(error) : new FetchRefused(error);
        }
        return readBody(response, start, limits.maxBytes);
    }
}
/**
 * A URL the fetch may go to: https, no credentials, no internal IP literal. A redirect target is
 * described as "a redirect" only: its text is the server's.
 */
function checkedUrl(text, start, from) {
    const what = from ? `${start}: a redirect` : start;
    let url;
    try {
        url = new URL(text, from);
    }
    catch {
        throw new FetchRefused(`${what} is not a valid URL`);
    }
    if (url.protocol !== 'https:')
        throw new FetchRefused(`${what} refused: only https is allowed`);
    if (url.username !== '' || url.password !== '') {
        throw new FetchRefused(`${what} refused: the URL carries credentials`);
    }
    const kind = (0,policy/* internalAddressKind */.sg)(url.hostname);
    if (kind)
        throw new FetchRefused(`${what} refused: ${(0,policy/* internalAddressRefusal */.UT)(kind)}`);
    return url;
}
function get(url, limits, signal, start) {
    return new Promise((resolve, reject) => {
        // agent: false: one fresh connection per request, none outliving the fetch.
        const request = external_node_https_.get(url, {
            agent: false,
            signal,
            lookup: limits.lookup ?? (0,policy/* refusingLookup */.MV)(),
            headers: { accept: '*/*', 'user-agent': 'amplitude-dsar-action' }
        });
        request.once('response', response => {
            const declared = Number(response.headers['content-length']);
            if (Number.isFinite(declared) && declared > limits.maxBytes) {
                response.destroy();
                reject(new FetchRefused(`${overLimit(start, limits.maxBytes)} (it declares ${declared} bytes)`));
                return;
            }
            resolve(response);
        });
        request.on('error', error => {
            if (error instanceof policy/* InternalAddressError */.oo) {
                reject(new FetchRefused(`${start} refused: ${error.message}`));
                return;
            }
            const detail = `${start}: ${describeNetworkError(error)}`;
            // A certificate problem will not go away on a second try.
            const code = String(error.code ?? '');
            reject(/CERT|TLS|SSL/.test(code) ? new FetchRefused(detail) : new Transient(detail));
        });
    });
}
async function readBody(response, start, maxBytes) {
    const chunks = [];
    let size = 0;
    try {
        for await (const chunk of response) {
            size += chunk.length;
            if (size > maxBytes) {
                response.destroy();
                throw new FetchRefused(overLimit(start, maxBytes));
            }
            chunks.push(chunk);
        }
    }
    catch (error) {
        if (error instanceof FetchRefused)
            throw error;
        throw new Transient(`${start}: the answer was cut short (${describeNetworkError(error)})`);
    }
    return Buffer.concat(chunks);
}
function overLimit(url, maxBytes) {
    return `${url} is over the ${maxBytes} byte limit`;
}
function asRefusal(url, error) {
    if (error instanceof FetchRefused)
        return error;
    if (error instanceof Transient)
        return new FetchRefused(error.message);
    return new FetchRefused(`${url}: ${describeNetworkError(error)}`);
}
/** A network error by its code (ECONNREFUSED, ENOTFOUND...), not by a message a peer shaped. */
function describeNetworkError(error) {
    const code = error.code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code))
        return code;
    return 'the connection failed';
}
function wait(ms, signal) {
    return new Promise(resolve => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
        }, { once: true });
    });
}

;// CONCATENATED MODULE: ./src/action/documents/remote-sources.ts
/**
 * Remote (https) source descriptions for the engine's SourceReader: fetched by remote-fetch.ts
 * (the internal-address rule at every hop, size and time bounds), checked against
 * `source-integrity` pins, and kept in the runner's tool cache (@actions/tool-cache
 * `cacheFile`/`find`) ONLY when pinned:
 * - a pinned description is read from the cache when its bytes still match the pin (checked on
 *   every read: a copy planted or altered in the cache is fetched again), else fetched and checked;
 * - an unpinned one is fetched on every run and never cached: nothing on the runner's disk can
 *   stand in for it (a description planted under the URL's cache key once steered polls elsewhere);
 * - with `source-integrity` set, every remote URL must be pinned there, else the run fails.
 */







/** One fetch of one description, retries included. */
const DEFAULT_REMOTE_TIMEOUT_MS = 60_000;
const TOOL_NAME = 'amplitude-dsar-arazzo-source';
const CACHED_FILE = 'description';
// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------
function createRemoteSourceReader(options) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS;
    return async (url, { maxBytes, signal }) => {
        const pin = options.pins.get(url);
        if (options.pins.size > 0 && pin === undefined) {
            throw new Error(`${url} refused: '${run/* Inputs */.G0.SourceIntegrity}' is set, and every remote source description must be pinned there`);
        }
        if (pin !== undefined) {
            const cached = await fromCache(cacheVersion(url, pin), maxBytes);
            // The pin is checked on every read from the cache, not only when the copy was stored.
            if (cached && sha256(cached) === pin) {
                options.log(url, `from the runner's tool cache (sha256 ${pin}, matches its pin)`);
                return cached.toString('utf8');
            }
        }
        let bytes;
        try {
            bytes = await fetchRemote(url, { maxBytes, timeoutMs, signal });
        }
        catch (error) {
            throw new Error(error instanceof FetchRefused ? error.message : `${url}: fetch failed`);
        }
        if (bytes.length > maxBytes)
            throw new Error(overLimit(url, maxBytes));
        const digest = sha256(bytes);
        if (pin === undefined) {
            options.log(url, `fetched ${bytes.length} bytes, sha256 ${digest}; not pinned, so fetched on every run ` +
                `and never cached: pin it with '${run/* Inputs */.G0.SourceIntegrity}'`);
            return bytes.toString('utf8');
        }
        if (digest !== pin) {
            throw new Error(`integrity mismatch for ${url}: '${run/* Inputs */.G0.SourceIntegrity}' pins sha256 ${pin}, the server sent ${digest}`);
        }
        await toCache(bytes, cacheVersion(url, pin));
        options.log(url, `fetched ${bytes.length} bytes, sha256 ${digest} (matches its pin)`);
        return bytes.toString('utf8');
    };
}
function sha256(bytes) {
    return (0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex');
}
/** An explicit semver version, as tool-cache's `find` needs: `0.0.0-u<url hash>.p<pin>`. */
function cacheVersion(url, pin) {
    const key = (0,external_node_crypto_.createHash)('sha256').update(url).digest('hex').slice(0, 32);
    return `0.0.0-u${key}.p${pin.slice(0, 32)}`;
}
async function fromCache(version, maxBytes) {
    if (!process.env.RUNNER_TOOL_CACHE)
        return undefined;
    const dir = tool_cache/* find */.I6(TOOL_NAME, version);
    if (!dir)
        return undefined;
    try {
        const file = (0,external_node_path_.join)(dir, CACHED_FILE);
        if ((await (0,promises_.stat)(file)).size > maxBytes)
            return undefined;
        return await (0,promises_.readFile)(file);
    }
    catch {
        return undefined;
    }
}
/** Stores checked bytes (tool-cache copies a file: it is written to RUNNER_TEMP first). */
async function toCache(bytes, version) {
    if (!process.env.RUNNER_TOOL_CACHE)
        return;
    const dir = (0,external_node_path_.join)(process.env.RUNNER_TEMP || (0,external_node_os_.tmpdir)(), 'arazzo-sources');
    await (0,promises_.mkdir)(dir, { recursive: true });
    const file = (0,external_node_path_.join)(dir, (0,external_node_crypto_.randomUUID)());
    try {
        await (0,promises_.writeFile)(file, bytes);
        await tool_cache/* cacheFile */.NJ(file, CACHED_FILE, TOOL_NAME, version);
    }
    finally {
        await (0,promises_.rm)(file, { force: true });
    }
}


/***/ })

};
