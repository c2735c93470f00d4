export const id = 489;
export const ids = [489];
export const modules = {

/***/ 9489:
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
// EXTERNAL MODULE: ./src/action/input-names.ts
var input_names = __webpack_require__(62383);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(44708);
// EXTERNAL MODULE: ./src/policy/private-address.ts
var private_address = __webpack_require__(41364);
;// CONCATENATED MODULE: ./src/action/remote-fetch.ts


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
    const kind = (0,private_address/* internalAddressKind */.sg)(url.hostname);
    if (kind)
        throw new FetchRefused(`${what} refused: ${(0,private_address/* internalAddressRefusal */.UT)(kind)}`);
    return url;
}
function get(url, limits, signal, start) {
    return new Promise((resolve, reject) => {
        // agent: false: one fresh connection per request, none outliving the fetch.
        const request = external_node_https_.get(url, {
            agent: false,
            signal,
            lookup: limits.lookup ?? (0,private_address/* refusingLookup */.MV)(),
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
            if (error instanceof private_address/* InternalAddressError */.oo) {
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

;// CONCATENATED MODULE: ./src/action/remote-sources.ts
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
            throw new Error(`${url} refused: '${input_names/* Inputs */.G.SourceIntegrity}' is set, and every remote source description must be pinned there`);
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
                `and never cached: pin it with '${input_names/* Inputs */.G.SourceIntegrity}'`);
            return bytes.toString('utf8');
        }
        if (digest !== pin) {
            throw new Error(`integrity mismatch for ${url}: '${input_names/* Inputs */.G.SourceIntegrity}' pins sha256 ${pin}, the server sent ${digest}`);
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
