export const id = 36;
export const ids = [36];
export const modules = {

/***/ 55036:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createEncrypter: () => (/* binding */ createEncrypter),
/* harmony export */   encryptStage: () => (/* binding */ encryptStage)
/* harmony export */ });
/* harmony import */ var age_encryption__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(81539);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(79095);
/* harmony import */ var _arazzo_index_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(30029);
/**
 * age encryption as a stream stage, with constant memory: the plaintext never reaches the disk.
 *
 * age-encryption does the part that needs care: the recipients, the random file key, its wrapping
 * into the header's stanzas and the header's MAC. Only the bulk payload runs on Node's own
 * ChaCha20-Poly1305 (OpenSSL) instead of the library's pure-JS cipher: measured on a 209 MiB export,
 * the library took about 2 s of main-thread CPU, which made an encrypted download half as fast as a
 * plain one; OpenSSL takes about 0.25 s. The payload is the age v1 STREAM, exactly as the library
 * writes it (https://age-encryption.org/v1):
 *   payload key = HKDF-SHA-256(ikm: file key, salt: 16-byte nonce, info: "payload"), 32 bytes;
 *   64 KiB plaintext chunks, each sealed with nonce = 11-byte big-endian counter || last-chunk flag;
 *   the last chunk is the only one with the flag, and is empty only when the whole file is.
 *
 * The header comes from the library itself: for each file it encrypts an empty plaintext, with one
 * extra recipient that only observes the file key (and adds no stanza). Its output is header ||
 * nonce || the sealed empty last chunk; the header and nonce are used as they are, and the sealed
 * empty chunk is recomputed here and must match the library's byte for byte, so a mismatch of key
 * derivation or nonce layout can never produce a file nobody can open.
 */




const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const NONCE_BYTES = 16;
/**
 * An encrypter for these recipients, checked up front (a bad recipient must fail before any
 * download spends the API budget, not after the first file arrived).
 */
async function createEncrypter(recipients) {
    let observed;
    const observer = {
        wrapFileKey(fileKey) {
            observed = fileKey;
            return [];
        }
    };
    const encrypter = new age_encryption__WEBPACK_IMPORTED_MODULE_0__/* .Encrypter */ .T7();
    for (const recipient of recipients) {
        try {
            encrypter.addRecipient(recipient);
        }
        catch (error) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .TransferError */ .aG(`invalid age recipient: ${(0,_arazzo_index_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(error)}`, false);
        }
    }
    encrypter.addRecipient(observer);
    const start = async () => {
        observed = undefined;
        const empty = await encrypter.encrypt(new Uint8Array(0));
        const fileKey = observed;
        if (!fileKey || empty.length < NONCE_BYTES + TAG_BYTES) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .TransferError */ .aG('age encryption failed: no file key or header', false);
        }
        const prefix = empty.subarray(0, empty.length - TAG_BYTES);
        const nonce = prefix.subarray(prefix.length - NONCE_BYTES);
        // A KeyObject, made once: a raw key would be converted again for every 64 KiB chunk.
        const payloadKey = (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.createSecretKey)(Buffer.from((0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.hkdfSync)('sha256', fileKey, nonce, 'payload', 32)));
        const sealedEmpty = sealChunk(payloadKey, 0, true, new Uint8Array(0));
        if (!Buffer.from(empty.subarray(prefix.length)).equals(Buffer.concat(sealedEmpty))) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .TransferError */ .aG('age encryption failed: the payload key does not match', false);
        }
        return { prefix, payloadKey };
    };
    try {
        await start(); // wraps a file key for each recipient: validates them
    }
    catch (error) {
        if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .TransferError */ .aG)
            throw error;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .TransferError */ .aG(`invalid age recipient: ${(0,_arazzo_index_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(error)}`, false);
    }
    return { start };
}
/** One STREAM chunk: ChaCha20-Poly1305 under the counter nonce; [ciphertext, tag]. */
function sealChunk(key, counter, last, plaintext) {
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(counter, 5, 6); // the counter is 11 bytes; 6 cover 2^48 chunks (16 EiB)
    nonce[11] = last ? 1 : 0;
    const cipher = (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.createCipheriv)('chacha20-poly1305', key, nonce, { authTagLength: TAG_BYTES });
    const sealed = cipher.update(plaintext);
    cipher.final();
    return [sealed, cipher.getAuthTag()];
}
function encryptStage(encrypter) {
    return async function* encrypt(source) {
        const { prefix, payloadKey } = await encrypter.start();
        yield prefix;
        // A full chunk is held back until more plaintext arrives: only then is it known not to be
        // the last one (whose nonce carries the flag).
        const pending = Buffer.allocUnsafe(CHUNK_BYTES);
        let filled = 0;
        let counter = 0;
        for await (const data of source) {
            let offset = 0;
            while (offset < data.length) {
                if (filled === CHUNK_BYTES) {
                    yield* sealChunk(payloadKey, counter++, false, pending);
                    filled = 0;
                }
                const take = Math.min(CHUNK_BYTES - filled, data.length - offset);
                pending.set(data.subarray(offset, offset + take), filled);
                filled += take;
                offset += take;
            }
        }
        yield* sealChunk(payloadKey, counter, true, pending.subarray(0, filled));
    };
}


/***/ })

};
