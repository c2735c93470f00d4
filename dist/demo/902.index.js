export const id = 902;
export const ids = [902];
export const modules = {

/***/ 4970:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Y2: () => (/* binding */ childPointer)
/* harmony export */ });
/* unused harmony exports NAME_PATTERN, KEY_PATTERN, PARAMETER_LOCATIONS, isObject, parseComponentReference, lookupComponent, parseSourceReference */
/* harmony import */ var _json_pointer_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(22425);
/**
 * The shared vocabulary for walking a parsed Arazzo document, used by the validator, the loader,
 * the secret-flow check and the runner alike: what counts as an object node, how a child's JSON
 * Pointer is written in load errors, the naming patterns of ids and keys, and how
 * `$components.<kind>.<name>` and `$sourceDescriptions.<name>.<rest>` references are split and
 * looked up. Pure functions and constants only; no checks are reported from here.
 */

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Keys of outputs and components maps. */
const KEY_PATTERN = /^[a-zA-Z0-9.\-_]+$/;
const PARAMETER_LOCATIONS = (/* unused pure expression or super */ null && (['path', 'query', 'header', 'cookie']));
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** `parent/child` in the pointer style of load errors (no leading '/', RFC 6901 escapes). */
function childPointer(parent, key) {
    const token = (0,_json_pointer_js__WEBPACK_IMPORTED_MODULE_0__/* .escapePointerToken */ .uC)(String(key));
    return parent === '' ? token : `${parent}/${token}`;
}
/** `$components.parameters.page` => { kind: 'parameters', name: 'page' } (names may hold dots). */
function parseComponentReference(reference) {
    const match = /^\$components\.(inputs|parameters|successActions|failureActions)\.(.+)$/.exec(reference);
    return match ? { kind: match[1], name: match[2] } : undefined;
}
/** The component a reference names, if the document has it. */
function lookupComponent(components, kind, name) {
    const map = components?.[kind];
    return isObject(map) && Object.hasOwn(map, name) ? map[name] : undefined;
}
/** `$sourceDescriptions.name.rest` split, for workflow references into other documents. */
function parseSourceReference(text) {
    const match = /^\$sourceDescriptions\.([A-Za-z0-9_-]+)\.(.+)$/.exec(text);
    return match ? { sourceName: match[1], rest: match[2] } : undefined;
}


/***/ }),

/***/ 88012:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GA: () => (/* binding */ ArazzoLoadError),
/* harmony export */   oP: () => (/* binding */ ArazzoError)
/* harmony export */ });
/* unused harmony exports ArazzoSyntaxError, ArazzoRuntimeError */
/**
 * The engine's typed errors. Every failure the engine reports is one of these, so callers can
 * tell a broken document (load time) from a broken expression or a failed run.
 */
class ArazzoError extends Error {
    constructor(message) {
        super(message);
        this.name = new.target.name;
    }
}
/** A document that does not satisfy Arazzo 1.0.x; `pointer` is the JSON Pointer of the node. */
class ArazzoLoadError extends ArazzoError {
    pointer;
    detail;
    constructor(pointer, detail) {
        super(pointer ? `${pointer}: ${detail}` : detail);
        this.pointer = pointer;
        this.detail = detail;
    }
}
/** A runtime expression or criterion condition that does not parse. */
class ArazzoSyntaxError extends ArazzoError {
    source;
    position;
    detail;
    constructor(source, position, detail) {
        super(`${detail} at position ${position} in ${JSON.stringify(source)}`);
        this.source = source;
        this.position = position;
        this.detail = detail;
    }
}
/** A run that cannot go on (no matching failure action, bad target, transport failure...). */
class ArazzoRuntimeError extends ArazzoError {
    stepId;
    statusCode;
    constructor(message, stepId, statusCode) {
        super(message);
        this.stepId = stepId;
        this.statusCode = statusCode;
    }
}


/***/ }),

/***/ 30029:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  sq: () => (/* reexport */ jitteredBackoffMs),
  bD: () => (/* reexport */ validation_context_messageOf),
  mu: () => (/* reexport */ pacing_parseRetryAfter),
  ml: () => (/* reexport */ pacing_systemClock),
  vg: () => (/* reexport */ systemRandom)
});

// UNUSED EXPORTS: ArazzoError, ArazzoLoadError, ArazzoRuntimeError, ArazzoSyntaxError, ArazzoValidationError, DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_STEPS, DEFAULT_POLL_INTERVAL_MS, MAX_SOURCE_DEPTH, MAX_SOURCE_DOCUMENTS, MAX_WORKFLOW_DEPTH, VirtualClock, backoffPollSchedule, createFetchTransport, decodeBody, defaultPollSchedule, fetchTransport, fixedPollSchedule, loadArazzoFile, loadArazzoText, runWorkflow, validateDocument, workflowInputNames

// EXTERNAL MODULE: ./src/arazzo/errors.ts
var errors = __webpack_require__(88012);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
;// CONCATENATED MODULE: ./src/arazzo/criteria-engines.ts
/**
 * The two criterion libraries, loaded only when a document needs them: re2js for `regex`
 * conditions (and for the match() and search() functions of JSONPath ones), jsonpath-rfc9535 for
 * `jsonpath` ones. The built-in workflows use simple
 * conditions only, so a run of them never loads (or, once bundled, never even reads) either
 * library; the bundle keeps each in a chunk of its own behind these dynamic imports.
 *
 * Compiling a criterion is synchronous (validation and the runner do it), loading a module is
 * not: the loader calls `loadCriterionEngines(criterionEnginesNeeded(document))` once, before it
 * validates the document, and the criteria modules then take the engines from here. Code that
 * compiles criteria without the loader (unit tests) loads them first the same way.
 */

let re2;
let jsonPath;
/** Loads the engines asked for (both when called without arguments); loading twice is free. */
async function criteria_engines_loadCriterionEngines(needed = { regex: true, jsonpath: true }) {
    if (needed.regex && !re2)
        re2 = (await __webpack_require__.e(/* import() */ 856).then(__webpack_require__.bind(__webpack_require__, 2856))).RE2JS;
    if (needed.jsonpath && !jsonPath) {
        const [library, parser] = await Promise.all([
            Promise.all(/* import() */[__webpack_require__.e(185), __webpack_require__.e(62)]).then(__webpack_require__.bind(__webpack_require__, 33062)),
            __webpack_require__.e(/* import() */ 185).then(__webpack_require__.bind(__webpack_require__, 71185))
        ]);
        jsonPath = { query: library.query, parse: parser.default };
    }
}
/** The RE2 engine; an error when nothing loaded it (a caller bypassed the loader). */
function criteria_engines_re2Engine() {
    if (!re2)
        throw new ArazzoError('the regex engine is not loaded (loadCriterionEngines)');
    return re2;
}
/** The RFC 9535 engine; an error when nothing loaded it (a caller bypassed the loader). */
function criteria_engines_jsonPathEngine() {
    if (!jsonPath)
        throw new ArazzoError('the JSONPath engine is not loaded (loadCriterionEngines)');
    return jsonPath;
}
/**
 * Which engines a parsed document's criteria need. Looks at every object in it (criteria sit in
 * steps, actions and components, and unknown places must not slip past), iteratively and once
 * per object, so neither a deeply nested nor a self-referencing (YAML alias) document can
 * overflow the stack or loop.
 */
function criteria_engines_criterionEnginesNeeded(document) {
    const needed = {};
    const seen = new Set();
    const stack = [document];
    while (stack.length > 0 && !(needed.regex && needed.jsonpath)) {
        const value = stack.pop();
        if (typeof value !== 'object' || value === null || seen.has(value))
            continue;
        seen.add(value);
        const { type, condition } = value;
        if ('condition' in value) {
            if (type === 'regex')
                needed.regex = true;
            const kind = typeof type === 'object' && type !== null ? type.type : type;
            if (kind === 'jsonpath') {
                needed.jsonpath = true;
                // RFC 9535's match() and search() run on RE2 (safe-regex.ts); a template may write them.
                if (typeof condition !== 'string' || /match|search|\{\$/.test(condition)) {
                    needed.regex = true;
                }
            }
        }
        for (const child of Object.values(value)) {
            if (typeof child === 'object' && child !== null)
                stack.push(child);
        }
    }
    return needed;
}

// EXTERNAL MODULE: ./src/arazzo/json-pointer.ts
var json_pointer = __webpack_require__(22425);
;// CONCATENATED MODULE: ./src/arazzo/expression-evaluation.ts

/** The referenced value, type preserved; undefined when it is not there. */
function expression_evaluation_evaluateExpression(expr, ctx) {
    const ref = expr.ref;
    switch (ref.source) {
        case 'url':
            return ctx.url;
        case 'method':
            return ctx.method;
        case 'statusCode':
            return ctx.statusCode;
        case 'request':
        case 'response': {
            const message = ref.source === 'request' ? ctx.request : ctx.response;
            if (!message)
                return undefined;
            switch (ref.part) {
                case 'header':
                    return headerValue(message.headers, ref.name);
                case 'query':
                case 'path':
                    return ownValue(ref.source === 'request' ? ctx.request?.[ref.part] : undefined, ref.name);
                case 'body':
                    return resolveTokens(expression_evaluation_dereference(message.body, ref.path), ref.pointer);
            }
            return undefined;
        }
        case 'inputs':
        case 'outputs':
            return resolveNamed(ctx[ref.source], ref.path, ref.pointer);
        case 'steps':
            return resolveNamed(ownValue(ctx.steps, ref.stepId, 'outputs'), ref.path, ref.pointer);
        case 'workflows':
            return resolveNamed(ownValue(ctx.workflows, ref.workflowId, ref.field), ref.path, ref.pointer);
        case 'sourceDescriptions':
            return resolveNamed(ownValue(ctx.sourceDescriptions, ref.name), ref.path, ref.pointer);
        case 'components':
            return resolveNamed(ownValue(ctx.components, ref.componentType), ref.path, ref.pointer);
    }
}
/** Property access as conditions use it: own keys, array indices, and `length` of arrays/strings. */
function expression_evaluation_propertyOf(value, name) {
    if (name === 'length' && (Array.isArray(value) || typeof value === 'string'))
        return value.length;
    return childOf(value, name);
}
function expression_evaluation_dereference(value, path) {
    let current = value;
    for (const name of path) {
        current = expression_evaluation_propertyOf(current, name);
        if (current === undefined)
            return undefined;
    }
    return current;
}
/** Longest dotted name that exists wins: `a.b` is the name `a.b`, else `b` inside `a`. */
function resolveNamed(record, path, pointer) {
    if (typeof record !== 'object' || record === null)
        return undefined;
    for (let length = path.length; length >= 1; length--) {
        const name = path.slice(0, length).join('.');
        if (Object.hasOwn(record, name)) {
            const value = record[name];
            return resolveTokens(expression_evaluation_dereference(value, path.slice(length)), pointer);
        }
    }
    return path.length === 0 ? resolveTokens(record, pointer) : undefined;
}
function ownValue(record, ...keys) {
    let current = record;
    for (const key of keys) {
        if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
            return undefined;
        }
        current = current[key];
    }
    return current;
}
/** Header names are case-insensitive; response headers arrive lower-cased, requests may not. */
function headerValue(headers, name) {
    if (!headers)
        return undefined;
    const lower = name.toLowerCase();
    if (Object.hasOwn(headers, lower))
        return headers[lower];
    for (const [key, value] of Object.entries(headers)) {
        if (key.toLowerCase() === lower)
            return value;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/arazzo/expression-parser.ts
/**
 * Parsing of Arazzo 1.0.1 runtime expressions (`$statusCode`, `$response.body#/status`,
 * `$inputs.userIds`, ...) into an `Expression`: what source it reads and along which path. Parsing
 * happens once, at compile time; evaluation (expression-evaluation.ts) only reads the context.
 *
 * Grammar: the ABNF of Arazzo 1.0.1, with the clarifications of the 1.1.0 draft:
 * - a JSON Pointer (`#/a/0`) may follow body references and every named reference
 *   (`$inputs.x#/0`, `$steps.s.outputs.pets#/0/id`, `$workflows.w.outputs.o#/name`);
 * - `$response.body.items` dereferences properties with dots (the 1.1.0 examples use
 *   `$response.body.count` and `$response.body.status`);
 * - names may contain dots (output names match `^[a-zA-Z0-9.\-_]+$`), so `$inputs.a.b` reads the
 *   input named `a.b` when there is one, else property `b` of input `a` (longest name first).
 * Source keywords are case-sensitive; header names are not (RFC 9110).
 */


/** `$` + a source keyword that is not the start of a longer word (`$urls` is not `$url`). */
const KNOWN_SOURCE = /^\$(?:url|method|statusCode|request|response|inputs|outputs|steps|workflows|sourceDescriptions|components)(?![A-Za-z0-9_])/;
/** A name segment: no separators, no operators, so conditions and templates delimit it. */
const NAME_SEGMENT = /[^\s.#{}$,;'"()[\]<>=!&|/\\]+/y;
/**
 * Step, workflow and source description ids. The spec only recommends `[A-Za-z0-9_\-]+` (a SHOULD)
 * and its ABNF allows any CHAR in a name, so an id such as `get status` is read up to the next
 * `.`: dots, `#` and braces end it (they delimit the expression and what follows).
 */
const IDENTIFIER = /[^.#{}]+/y;
/** RFC 9110 token (tchar). */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PARAMETER_NAME = /^[^\s{}]+$/;
const COMPONENT_TYPES = (/* unused pure expression or super */ null && ([
    'inputs',
    'parameters',
    'successActions',
    'failureActions'
]));
/** True when `text` starts like an expression of a known source (a typo there is an error). */
function expression_parser_startsWithKnownSource(text) {
    return KNOWN_SOURCE.test(text);
}
function isRuntimeExpression(text) {
    if (typeof text !== 'string')
        return false;
    try {
        expression_parser_parseExpression(text);
        return true;
    }
    catch {
        return false;
    }
}
/** Parses one whole runtime expression. Throws ArazzoSyntaxError. */
function expression_parser_parseExpression(text) {
    if (typeof text !== 'string') {
        throw new ArazzoSyntaxError(String(text), 0, 'A runtime expression must be a string');
    }
    return { source: text, ref: new ExpressionParser(text).parse() };
}
class ExpressionParser {
    text;
    pos = 0;
    constructor(text) {
        this.text = text;
    }
    parse() {
        if (this.text[0] !== '$')
            this.fail("A runtime expression starts with '$'");
        this.pos = 1;
        const keyword = this.match(/[A-Za-z]+/y);
        switch (keyword) {
            case 'url':
            case 'method':
            case 'statusCode':
                this.expectEnd();
                return { source: keyword };
            case 'request':
            case 'response':
                this.expect('.');
                return this.parseMessage(keyword);
            case 'inputs':
            case 'outputs': {
                this.expect('.');
                return { source: keyword, ...this.parseNamed(true) };
            }
            case 'steps': {
                this.expect('.');
                const stepId = this.identifier('a step id');
                this.expect('.outputs');
                return { source: 'steps', stepId, ...this.parseNamed(false) };
            }
            case 'workflows': {
                this.expect('.');
                const workflowId = this.identifier('a workflow id');
                this.expect('.');
                const field = this.match(/inputs|outputs/y);
                if (field !== 'inputs' && field !== 'outputs')
                    this.fail("Expected 'inputs' or 'outputs'");
                this.expect('.');
                return { source: 'workflows', workflowId, field, ...this.parseNamed(true) };
            }
            case 'sourceDescriptions': {
                this.expect('.');
                const name = this.identifier('a source description name');
                return { source: 'sourceDescriptions', name, ...this.parseNamed(false) };
            }
            case 'components': {
                this.expect('.');
                const componentType = this.match(/[A-Za-z]+/y);
                if (!COMPONENT_TYPES.includes(componentType)) {
                    this.pos -= componentType.length;
                    this.fail('Expected inputs, parameters, successActions or failureActions');
                }
                this.expect('.');
                return {
                    source: 'components',
                    componentType: componentType,
                    ...this.parseNamed(true)
                };
            }
            default:
                this.pos = 1;
                return this.fail(`Unknown runtime expression source '$${keyword}'`);
        }
    }
    parseMessage(source) {
        const part = this.match(/header|query|path|body/y);
        if (part === 'body') {
            if (this.pos === this.text.length)
                return { source, part, path: [], pointer: [] };
            if (this.text[this.pos] === '#')
                return { source, part, path: [], pointer: this.pointer() };
            this.expect('.');
            return { source, part, ...this.parseNamed(true) };
        }
        if (part === '')
            this.fail("Expected 'header', 'query', 'path' or 'body'");
        this.expect('.');
        const name = this.text.slice(this.pos);
        const valid = part === 'header' ? HEADER_TOKEN : PARAMETER_NAME;
        if (!valid.test(name))
            this.fail(`Expected a ${part} name`);
        return { source, part, name };
    }
    /**
     * `name(.name)*` then an optional `#pointer`, up to the end. With `required`, at least one name
     * (`$inputs.` alone is an error); without, the position may be at the end, at `.name` or `#`.
     */
    parseNamed(required) {
        const path = [];
        if (!required) {
            if (this.pos === this.text.length)
                return { path, pointer: [] };
            if (this.text[this.pos] === '#')
                return { path, pointer: this.pointer() };
            this.expect('.');
        }
        for (;;) {
            const segment = this.match(NAME_SEGMENT);
            if (segment === '')
                this.fail('Expected a name');
            path.push(segment);
            if (this.text[this.pos] !== '.')
                break;
            this.pos++;
        }
        if (this.pos === this.text.length)
            return { path, pointer: [] };
        if (this.text[this.pos] === '#')
            return { path, pointer: this.pointer() };
        return this.fail('Unexpected character');
    }
    pointer() {
        const start = this.pos + 1;
        try {
            return parsePointer(this.text.slice(start), { fragment: false });
        }
        catch (error) {
            const at = error instanceof ArazzoSyntaxError ? error.position : 0;
            const detail = error instanceof ArazzoSyntaxError ? error.detail : 'Malformed JSON Pointer';
            throw new ArazzoSyntaxError(this.text, start + at, detail);
        }
    }
    identifier(what) {
        const id = this.match(IDENTIFIER);
        if (id === '')
            this.fail(`Expected ${what}`);
        return id;
    }
    match(pattern) {
        pattern.lastIndex = this.pos;
        const found = pattern.exec(this.text);
        if (!found)
            return '';
        this.pos += found[0].length;
        return found[0];
    }
    expect(literal) {
        if (!this.text.startsWith(literal, this.pos))
            this.fail(`Expected '${literal}'`);
        this.pos += literal.length;
    }
    expectEnd() {
        if (this.pos !== this.text.length)
            this.fail('Unexpected text after the expression');
    }
    fail(detail) {
        throw new ArazzoSyntaxError(this.text, this.pos, detail);
    }
}

;// CONCATENATED MODULE: ./src/arazzo/expression-templates.ts
/**
 * Strings with embedded runtime expressions: `{$...}` everywhere and, as a compatibility rule, a
 * bare `$source...` token inside a longer string (the seed's "Basic $inputs.basicAuth"). Splits
 * such a string into literal text and expressions once, and renders it against a context, with
 * the rule for how a non-string value reads inside a string.
 */



/**
 * A bare `$source...` token inside a longer string (the seed's "Basic $inputs.basicAuth").
 * Segments are plain identifiers, so trailing punctuation ("... $inputs.x.") stays literal.
 */
const BARE_TOKEN = /\$(?:url|method|statusCode|request|response|inputs|outputs|steps|workflows|sourceDescriptions|components)(?![A-Za-z0-9_])(?:\.[A-Za-z0-9_-]+)*(?:#(?:\/(?:[A-Za-z0-9_.-]|~[01])*)+)?/y;
/**
 * Splits a string into literal text and expressions: `{$...}` everywhere and, with `bare`,
 * `$source...` tokens too. Returns undefined when the string has no expression at all.
 * A `{$...}` whose inside starts with a known source but does not parse is an error (a typo the
 * author should hear about); any other `{...}` or `$...` stays literal text.
 */
function expression_templates_parseTemplate(text, options) {
    const parts = [];
    let literal = '';
    let found = false;
    let i = 0;
    while (i < text.length) {
        if (text[i] === '{' && text[i + 1] === '$') {
            const close = text.indexOf('}', i + 2);
            if (close !== -1) {
                const inner = text.slice(i + 1, close);
                const expr = tryParse(inner, text, i + 1);
                if (expr) {
                    if (literal)
                        parts.push(literal);
                    literal = '';
                    parts.push(expr);
                    found = true;
                    i = close + 1;
                    continue;
                }
            }
        }
        else if (options.bare && text[i] === '$') {
            BARE_TOKEN.lastIndex = i;
            const token = BARE_TOKEN.exec(text)?.[0];
            const expr = token ? parseQuietly(token) : undefined;
            if (token && expr) {
                if (literal)
                    parts.push(literal);
                literal = '';
                parts.push({ ...expr, bare: true });
                found = true;
                i += token.length;
                continue;
            }
        }
        literal += text[i];
        i++;
    }
    if (literal)
        parts.push(literal);
    return found ? parts : undefined;
}
/** Parses the inside of `{...}`: an expression, literal text (undefined), or an error. */
function tryParse(inner, whole, offset) {
    try {
        return parseExpression(inner);
    }
    catch (error) {
        if (!startsWithKnownSource(inner) || !(error instanceof ArazzoSyntaxError))
            return undefined;
        throw new ArazzoSyntaxError(whole, offset + error.position, error.detail);
    }
}
function parseQuietly(text) {
    try {
        return parseExpression(text);
    }
    catch {
        return undefined;
    }
}
function expression_templates_renderTemplate(parts, ctx) {
    let out = '';
    for (const part of parts) {
        out += typeof part === 'string' ? part : expression_templates_stringifyValue(evaluateExpression(part, ctx));
    }
    return out;
}
/**
 * How an embedded value reads inside a string: strings as is, undefined as '', objects and arrays
 * as JSON (1.1.0 draft), other scalars as their JavaScript string.
 */
function expression_templates_stringifyValue(value) {
    if (value === undefined)
        return '';
    if (typeof value === 'string')
        return value;
    if (typeof value === 'object' && value !== null) {
        try {
            return JSON.stringify(value) ?? '';
        }
        catch {
            return String(value);
        }
    }
    return String(value);
}

;// CONCATENATED MODULE: ./src/arazzo/compiled-values.ts
/**
 * Document values (parameter values, payloads, outputs, replacement values) compiled once into a
 * CompiledValue: a literal, a whole expression (whose value keeps its type), a template, or an
 * array/object of those. Evaluated per request against the context; also walked at load time for
 * the expressions a value reads and for the warnings the loader gives (bare tokens, constants
 * that look like expressions).
 */



/**
 * Parses a document value once (parameter value, payload, output, replacement value).
 * - a string that is exactly one expression keeps the referenced value's type;
 * - a string with `{$...}` or bare `$source...` tokens becomes a template (result is a string);
 *   a bare token is substituted only when it parses as a whole expression of a known source
 *   (`$inputs.x`, `$steps.s.outputs.y`, ...): `$5 off` and `$HOME` stay text;
 * - a string that starts like an expression but is none (`$inputs`, `$steps.s.requestId`) is a
 *   constant, as Arazzo allows ("a constant or a runtime expression"); `notExpression` says why,
 *   so the loader can warn about what may be a typo;
 * - arrays and plain objects are walked; other values are literals.
 * A `{$...}` whose inside starts like an expression but does not parse is an ArazzoSyntaxError.
 */
function compiled_values_compileValue(value) {
    if (typeof value === 'string')
        return compileString(value);
    if (Array.isArray(value))
        return { kind: 'array', items: value.map(compiled_values_compileValue) };
    if (isPlainObject(value)) {
        return {
            kind: 'object',
            entries: Object.entries(value).map(([key, item]) => [key, compiled_values_compileValue(item)])
        };
    }
    return { kind: 'literal', value };
}
function compileString(text) {
    let wholeError;
    if (startsWithKnownSource(text)) {
        try {
            return { kind: 'expression', expression: parseExpression(text) };
        }
        catch (error) {
            wholeError = error;
        }
    }
    const parts = parseTemplate(text, { bare: true });
    if (parts)
        return { kind: 'template', parts };
    if (wholeError && !/\s/.test(text)) {
        const detail = wholeError instanceof Error ? wholeError.message : String(wholeError);
        return { kind: 'literal', value: text, notExpression: detail };
    }
    return { kind: 'literal', value: text };
}
function compiled_values_evaluateValue(compiled, ctx) {
    switch (compiled.kind) {
        case 'literal':
            return compiled.value;
        case 'expression':
            return evaluateExpression(compiled.expression, ctx);
        case 'template':
            return renderTemplate(compiled.parts, ctx);
        case 'array':
            return compiled.items.map(item => compiled_values_evaluateValue(item, ctx));
        case 'object':
            // fromEntries defines own properties, so a '__proto__' key stays data.
            return Object.fromEntries(compiled.entries.map(([key, item]) => [key, compiled_values_evaluateValue(item, ctx)]));
    }
}
/** Every expression a compiled value reads (for reference checks at load time). */
function compiled_values_expressionsIn(compiled) {
    switch (compiled.kind) {
        case 'literal':
            return [];
        case 'expression':
            return [compiled.expression];
        case 'template':
            return compiled.parts.filter((part) => typeof part !== 'string');
        case 'array':
            return compiled.items.flatMap(compiled_values_expressionsIn);
        case 'object':
            return compiled.entries.flatMap(([, item]) => compiled_values_expressionsIn(item));
    }
}
/** What the loader warns about in a compiled value: bare tokens and expression look-alikes. */
function compiled_values_valueNotes(compiled) {
    const bare = [];
    const notExpressions = [];
    const walk = (value) => {
        switch (value.kind) {
            case 'literal':
                if (value.notExpression !== undefined) {
                    notExpressions.push({ text: String(value.value), reason: value.notExpression });
                }
                return;
            case 'template':
                for (const part of value.parts)
                    if (typeof part !== 'string' && part.bare)
                        bare.push(part.source);
                return;
            case 'array':
                value.items.forEach(walk);
                return;
            case 'object':
                value.entries.forEach(([, item]) => walk(item));
                return;
            case 'expression':
                return;
        }
    };
    walk(compiled);
    return { bare, notExpressions };
}
function isPlainObject(value) {
    if (typeof value !== 'object' || value === null)
        return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
}

;// CONCATENATED MODULE: ./src/arazzo/parameter-style.ts
/** Strings as is, other scalars as their JSON text (true, 3), objects and arrays as JSON. */
function parameter_style_scalarText(value) {
    if (typeof value === 'string')
        return value;
    if (value === undefined || value === null)
        return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
function parameter_style_isPlainObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const DEFAULT_STYLE = {
    path: 'simple',
    query: 'form',
    header: 'simple',
    cookie: 'form'
};
function rules(location, described) {
    const style = described?.style ?? DEFAULT_STYLE[location];
    const explode = described?.explode ?? style === 'form';
    const encode = location === 'query' && described?.allowReserved ? encodeReserved : encodeURIComponent;
    return { style, explode, encode };
}
/** RFC 3986 percent-encoding that keeps reserved characters (`allowReserved`). */
function encodeReserved(text) {
    return encodeURI(text).replace(/%5B/gi, '[').replace(/%5D/gi, ']').replace(/#/g, '%23');
}
/** A `content`-described parameter is one value of that media type (JSON for JSON types). */
function contentValue(value, described) {
    if (!described?.contentType)
        return value;
    const mediaType = described.contentType.split(';')[0].trim().toLowerCase();
    const json = mediaType === 'application/json' || mediaType.endsWith('+json');
    return json && typeof value !== 'string' ? JSON.stringify(value) : value;
}
/** Entries of an object or items of an array as text; undefined and null members dropped. */
function members(value) {
    if (Array.isArray(value)) {
        return { items: value.filter(v => v !== undefined && v !== null).map(parameter_style_scalarText) };
    }
    if (parameter_style_isPlainObject(value)) {
        return {
            entries: Object.entries(value)
                .filter(([, v]) => v !== undefined && v !== null)
                .map(([k, v]) => [k, parameter_style_scalarText(v)])
        };
    }
    return {};
}
/** `a,b` or `x,1,y,2` (`x=1,y=2` exploded), each part encoded. */
function joined(value, r, separator) {
    const { items, entries } = members(value);
    if (items)
        return items.map(r.encode).join(separator);
    if (entries) {
        return entries
            .map(([k, v]) => r.explode ? `${r.encode(k)}=${r.encode(v)}` : `${r.encode(k)},${r.encode(v)}`)
            .join(separator);
    }
    return r.encode(parameter_style_scalarText(value));
}
/** The text that replaces `{name}` in the path template (already percent-encoded). */
function parameter_style_serializePath(name, raw, described) {
    const value = contentValue(raw, described);
    const r = rules('path', described);
    const { items, entries } = members(value);
    switch (r.style) {
        case 'label':
            return `.${joined(value, r, r.explode ? '.' : ',')}`;
        case 'matrix': {
            const n = encodeURIComponent(name);
            if (items && r.explode)
                return items.map(item => `;${n}=${r.encode(item)}`).join('');
            if (entries && r.explode) {
                return entries.map(([k, v]) => `;${r.encode(k)}=${r.encode(v)}`).join('');
            }
            const text = joined(value, { ...r, explode: false }, ',');
            return items || entries || text !== '' ? `;${n}=${text}` : `;${n}`;
        }
        default:
            return joined(value, r, ',');
    }
}
/** Encoded `name=value` pairs for the query string. */
function parameter_style_serializeQuery(name, raw, described) {
    const value = contentValue(raw, described);
    const r = rules('query', described);
    const n = encodeURIComponent(name);
    const { items, entries } = members(value);
    if (r.style === 'deepObject' && entries) {
        return entries.map(([k, v]) => `${n}[${r.encode(k)}]=${r.encode(v)}`);
    }
    if (items) {
        const delimiter = DELIMITERS[r.style];
        if (delimiter !== undefined)
            return [`${n}=${items.map(r.encode).join(delimiter)}`];
        return r.explode
            ? items.map(item => `${n}=${r.encode(item)}`)
            : [`${n}=${items.map(r.encode).join(',')}`];
    }
    if (entries) {
        return r.explode
            ? entries.map(([k, v]) => `${r.encode(k)}=${r.encode(v)}`)
            : [`${n}=${entries.map(([k, v]) => `${r.encode(k)},${r.encode(v)}`).join(',')}`];
    }
    return [`${n}=${r.encode(parameter_style_scalarText(value))}`];
}
const DELIMITERS = {
    spaceDelimited: '%20',
    pipeDelimited: '|',
    tabDelimited: '%09'
};
/** A header's value (`simple`: `a,b`; objects `x,1,y,2` or exploded `x=1,y=2`), not encoded. */
function parameter_style_serializeHeader(raw, described) {
    const value = contentValue(raw, described);
    const r = { ...rules('header', described), encode: (text) => text };
    return joined(value, r, ',');
}
/** `name=value` cookie pairs (`form`): arrays `n=a,b`, exploded `n=a; n=b`. */
function parameter_style_serializeCookie(name, raw, described) {
    const value = contentValue(raw, described);
    const r = { ...rules('cookie', described), encode: cookieValue };
    const { items, entries } = members(value);
    if (items && r.explode)
        return items.map(item => `${name}=${cookieValue(item)}`);
    if (entries && r.explode)
        return entries.map(([k, v]) => `${k}=${cookieValue(v)}`);
    return [`${name}=${joined(value, { ...r, explode: false }, ',')}`];
}
/** Cookie values outside RFC 6265's cookie-octet range are percent-encoded. */
function cookieValue(value) {
    // eslint-disable-next-line no-control-regex
    return /[\s",;\\\u0000-\u001f\u007f]/.test(value) || /[^\u0000-\u007f]/.test(value)
        ? encodeURIComponent(value)
        : value;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/arazzo/request-body.ts
/**
 * A step's request body: which media type it is sent as, how the payload is serialised, and what
 * `$request.body` reads afterwards.
 *
 * - `contentType` omitted: the target operation's request media type decides (Arazzo 1.0.1: "If
 *   omitted then refer to Content-Type specified at the targeted operation"), a JSON one when it
 *   accepts several, else its first; `application/json` when the description declares none.
 * - JSON types: objects as JSON, strings (the spec's "JSON Templated Example") as written.
 *   `application/x-www-form-urlencoded`: objects as a form (arrays repeat the key), strings as
 *   written. `multipart/form-data`: objects as one part per key. Other types (XML, text): strings
 *   and scalars as text; an object payload cannot be written in them and is an error.
 * - `$request.body` is the structured value: a JSON string payload is parsed, a form string is
 *   read back into its fields, so `$request.body#/petOrder/petId` reaches into a templated body.
 */



const DEFAULT_CONTENT_TYPE = 'application/json';
function mediaTypeOf(contentType) {
    return contentType.split(';')[0].trim().toLowerCase();
}
function isJsonMediaType(contentType) {
    const mediaType = mediaTypeOf(contentType);
    return mediaType === 'application/json' || mediaType.endsWith('+json');
}
const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';
/** The content type a body is sent as: the step's, else the operation's, else JSON. */
function request_body_chooseContentType(explicit, operation) {
    if (explicit !== undefined)
        return explicit;
    const declared = (operation.requestContentTypes ?? []).filter(type => !type.includes('*'));
    return declared.find(isJsonMediaType) ?? declared[0] ?? DEFAULT_CONTENT_TYPE;
}
/** A string payload of a JSON or form type, read as data for replacements and `$request.body`. */
function request_body_structuredPayload(value, contentType) {
    if (typeof value !== 'string')
        return value;
    if (isJsonMediaType(contentType)) {
        try {
            return JSON.parse(value);
        }
        catch {
            return value;
        }
    }
    if (mediaTypeOf(contentType) === FORM) {
        const fields = {};
        for (const [key, item] of new URLSearchParams(value)) {
            const existing = Object.hasOwn(fields, key) ? fields[key] : undefined;
            const next = existing === undefined ? item : [existing, item].flat();
            Object.defineProperty(fields, key, {
                value: next,
                writable: true,
                enumerable: true,
                configurable: true
            });
        }
        return fields;
    }
    return value;
}
/** The wire form of a payload; undefined when there is no payload. */
function request_body_serializeBody(value, contentType, stepId) {
    if (value === undefined)
        return undefined;
    if (typeof value === 'string')
        return { body: value, contentType };
    const mediaType = mediaTypeOf(contentType);
    if (isJsonMediaType(contentType))
        return { body: JSON.stringify(value), contentType };
    if (value === null || typeof value !== 'object')
        return { body: scalarText(value), contentType };
    if (mediaType === FORM && !Array.isArray(value)) {
        const pairs = [];
        for (const [key, item] of Object.entries(value)) {
            if (item === undefined || item === null)
                continue;
            for (const entry of Array.isArray(item) ? item : [item]) {
                pairs.push(`${formEncode(key)}=${formEncode(scalarText(entry))}`);
            }
        }
        return { body: pairs.join('&'), contentType };
    }
    if (mediaType === MULTIPART && !Array.isArray(value)) {
        return multipart(value, contentType);
    }
    throw new ArazzoRuntimeError(`step '${stepId}': an object payload cannot be sent as ${mediaType}; write the payload as a string`, stepId);
}
/** application/x-www-form-urlencoded encoding (spaces as '+'). */
function formEncode(text) {
    return encodeURIComponent(text).replace(/%20/g, '+');
}
function multipart(value, contentType) {
    const boundary = `arazzo-${randomUUID()}`;
    const parts = [];
    for (const [key, item] of Object.entries(value)) {
        if (item === undefined || item === null)
            continue;
        for (const entry of Array.isArray(item) ? item : [item]) {
            const isObject = typeof entry === 'object' && entry !== null;
            const name = key.replace(/["\r\n]/g, c => encodeURIComponent(c));
            parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n` +
                (isObject ? 'Content-Type: application/json\r\n' : '') +
                `\r\n${scalarText(entry)}\r\n`);
        }
    }
    return {
        body: `${parts.join('')}--${boundary}--\r\n`,
        contentType: `${mediaTypeOf(contentType)}; boundary=${boundary}`
    };
}

;// CONCATENATED MODULE: ./src/arazzo/compile-cache.ts
/**
 * Memoization of compiled expressions, values and criteria on the document objects they were
 * compiled from. The validator compiles everything once at load time to report errors; the
 * runner and the request builder then reuse these per-object caches so a step that polls a
 * thousand times does not re-parse its expressions a thousand times. Keyed weakly, so a
 * document that is dropped takes its compilations with it.
 */
const compileCache = new WeakMap();
/**
 * Memoizes a compilation on the object it came from (a parameter, a criterion...), so the
 * runner compiles each expression once however often a step polls.
 */
function compile_cache_cached(owner, key, make) {
    let entries = compileCache.get(owner);
    if (!entries) {
        entries = new Map();
        compileCache.set(owner, entries);
    }
    if (!entries.has(key))
        entries.set(key, make());
    return entries.get(key);
}

// EXTERNAL MODULE: ./src/arazzo/document-nodes.ts
var document_nodes = __webpack_require__(4970);
;// CONCATENATED MODULE: ./src/arazzo/request-builder.ts
/**
 * Builds the HTTP request of an operation step: merges workflow and step parameters (reusable
 * ones resolved), serialises each by its OpenAPI description (parameter-style.ts), fills the path
 * template, picks the server, and writes the body (request-body.ts). Also returns what
 * `$request.*` expressions read afterwards.
 *
 * Header names are checked (RFC 9110 tokens) and header values may not hold line breaks or NUL:
 * a document cannot smuggle a second header or request.
 */







const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * Workflow-level parameters, overridden by the step's: by name and location for operation steps
 * (`byLocation`), by name for workflow steps (they become the child workflow's inputs).
 */
function request_builder_stepParameters(components, workflow, step, byLocation) {
    const key = (p) => (byLocation ? `${p.name}\u0000${p.in}` : p.name);
    const merged = new Map();
    for (const item of [...(workflow.parameters ?? []), ...(step.parameters ?? [])]) {
        const parameter = resolveParameter(components, item);
        if (parameter)
            merged.set(key(parameter), parameter);
    }
    return [...merged.values()];
}
function resolveParameter(components, item) {
    if (!('reference' in item) || item.reference === undefined) {
        const p = item;
        return { name: p.name, in: p.in, owner: p, value: p.value };
    }
    const parsed = parseComponentReference(item.reference);
    const target = parsed && lookupComponent(components, 'parameters', parsed.name);
    if (!isObject(target))
        return undefined;
    const component = target;
    const overridden = Object.hasOwn(item, 'value') && item.value !== undefined;
    return {
        name: component.name,
        in: component.in,
        owner: overridden ? item : component,
        value: overridden ? item.value : component.value
    };
}
function request_builder_parameterValue(parameter, ctx) {
    return evaluateValue(cached(parameter.owner, 'value', () => compileValue(parameter.value)), ctx);
}
function request_builder_buildRequest({ step, operation, parameters, ctx, serverUrl }) {
    const described = new Map();
    for (const p of operation.parameters ?? [])
        described.set(`${p.name}\u0000${p.in}`, p);
    const describe = (p) => described.get(`${p.name}\u0000${p.in}`);
    const pathText = {};
    const path = {};
    const queryPairs = [];
    const query = {};
    const headers = {};
    const cookies = [];
    for (const parameter of parameters) {
        const value = request_builder_parameterValue(parameter, ctx);
        if (value === undefined || value === null)
            continue;
        const raw = Array.isArray(value) ? value.map(scalarText).join(',') : scalarText(value);
        switch (parameter.in) {
            case 'path':
                path[parameter.name] = raw;
                pathText[parameter.name] = serializePath(parameter.name, value, describe(parameter));
                break;
            case 'query':
                query[parameter.name] = raw;
                queryPairs.push(...serializeQuery(parameter.name, value, describe(parameter)));
                break;
            case 'header':
                setHeader(headers, parameter.name, serializeHeader(value, describe(parameter)), step.stepId);
                break;
            case 'cookie':
                cookies.push(...serializeCookie(parameter.name, value, describe(parameter)));
                break;
            default:
                // No `in`: nothing to place in the request (as before this switch was made exhaustive).
                break;
        }
    }
    if (cookies.length > 0) {
        const existing = findHeader(headers, 'cookie');
        const joined = cookies.join('; ');
        setHeader(headers, existing ?? 'Cookie', existing ? `${headers[existing]}; ${joined}` : joined, step.stepId);
    }
    const pathname = operation.pathTemplate.replace(/\{([^}]+)\}/g, (_whole, name) => {
        if (!Object.hasOwn(pathText, name)) {
            throw new ArazzoRuntimeError(`step '${step.stepId}': path parameter '${name}' has no value`, step.stepId);
        }
        return pathText[name];
    });
    const server = serverUrl ?? operation.servers[0];
    if (!server || !/^https?:\/\//i.test(server)) {
        throw new ArazzoRuntimeError(`step '${step.stepId}': the operation has no absolute server URL${server ? ` ('${server}')` : ''}; pass serverUrl`, step.stepId);
    }
    let url = server.replace(/\/+$/, '') + (pathname.startsWith('/') ? pathname : `/${pathname}`);
    if (queryPairs.length > 0)
        url += (url.includes('?') ? '&' : '?') + queryPairs.join('&');
    const { body, bodyValue } = buildBody(step, operation, ctx);
    if (body !== undefined && findHeader(headers, 'content-type') === undefined) {
        headers['Content-Type'] = body.contentType;
    }
    const request = { method: operation.method, url, headers };
    if (body !== undefined)
        request.body = body.body;
    return {
        request,
        context: { headers: request_builder_lowerCaseKeys(headers), query, path, body: bodyValue }
    };
}
function buildBody(step, operation, ctx) {
    const requestBody = step.requestBody;
    if (!requestBody)
        return { body: undefined, bodyValue: undefined };
    const contentType = chooseContentType(requestBody.contentType, operation);
    let value = requestBody.payload === undefined
        ? undefined
        : evaluateValue(cached(requestBody, 'payload', () => compileValue(requestBody.payload)), ctx);
    const replacements = requestBody.replacements ?? [];
    if (replacements.length > 0 && typeof value === 'string') {
        value = structuredPayload(value, contentType);
        if (typeof value === 'string') {
            throw new ArazzoRuntimeError(`step '${step.stepId}': the payload is not JSON or a form, so replacements cannot apply`, step.stepId);
        }
    }
    for (const replacement of replacements) {
        const replaced = evaluateValue(cached(replacement, 'value', () => compileValue(replacement.value)), ctx);
        value = setPointer(value ?? {}, replacement.target, replaced);
    }
    return {
        body: serializeBody(value, contentType, step.stepId),
        bodyValue: structuredPayload(value, contentType)
    };
}
function findHeader(headers, name) {
    const lower = name.toLowerCase();
    return Object.keys(headers).find(key => key.toLowerCase() === lower);
}
/** Sets a header (replacing one of the same name in any case), refusing injection. */
function setHeader(headers, name, value, stepId) {
    if (!HEADER_NAME.test(name)) {
        throw new ArazzoRuntimeError(`step '${stepId}': '${name}' is not a valid header name`, stepId);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\r\n\u0000]/.test(value)) {
        throw new ArazzoRuntimeError(`step '${stepId}': the value of header '${name}' contains a line break or NUL`, stepId);
    }
    const existing = findHeader(headers, name);
    if (existing !== undefined && existing !== name)
        delete headers[existing];
    headers[name] = value;
}
function request_builder_lowerCaseKeys(headers) {
    const lowered = {};
    for (const [name, value] of Object.entries(headers))
        lowered[name.toLowerCase()] = value;
    return lowered;
}

;// CONCATENATED MODULE: ./src/arazzo/operation-checks.ts
/**
 * Checks of operation steps against the operation they target, done at load time so that a step
 * that cannot build its request fails before any request is sent: every `{name}` of the
 * operation's path template must be given by an `in: path` parameter of the step (its own, the
 * workflow's, or a reusable one). The Arazzo examples say parameter names "must be resolvable at
 * the referenced operation"; a missing path value could only fail later, half-way through a run.
 */


function operation_checks_checkPathParameters(document, operations, problems) {
    document.workflows.forEach((workflow, w) => {
        workflow.steps.forEach((step, s) => {
            const operation = operations.get(step);
            if (!operation)
                return;
            const given = stepParameters(document.components, workflow, step, true)
                .filter(p => p.in === 'path')
                .map(p => p.name);
            const needed = [...operation.pathTemplate.matchAll(/\{([^}]+)\}/g)].map(m => m[1]);
            const missing = needed.filter(name => !given.includes(name));
            if (missing.length === 0)
                return;
            const pointer = childPointer(childPointer(childPointer('workflows', w), 'steps'), s);
            problems.push({
                pointer,
                message: `${operation.method} ${operation.pathTemplate} needs path parameter${missing.length > 1 ? 's' : ''} ` +
                    `${missing.map(name => `'${name}'`).join(', ')}, which no parameter of step '${step.stepId}' gives` +
                    (given.length > 0
                        ? ` (it gives ${given.map(name => `'${name}'`).join(', ')} in path)`
                        : '')
            });
        });
    });
}

;// CONCATENATED MODULE: ./src/arazzo/openapi.ts
/**
 * OpenAPI source descriptions: index a parsed OpenAPI 3.x (or Swagger 2.0) document by
 * operationId and by JSON Pointer, giving each operation its method, path template and servers.
 * Only what the runner needs to build a request is read; schemas are not.
 */
const HTTP_METHODS = (/* unused pure expression or super */ null && (['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']));
function openapi_isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function escapePointerToken(token) {
    return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
function unescapePointerToken(token) {
    return token.replace(/~1/g, '/').replace(/~0/g, '~');
}
/** True when the parsed document looks like an OpenAPI (or Swagger) description. */
function openapi_isOpenApiDocument(document) {
    return openapi_isObject(document) && (typeof document.openapi === 'string' || document.swagger === '2.0');
}
/** Server URLs of a `servers` array, with `{variables}` replaced by their defaults. */
function serverUrls(servers) {
    if (!Array.isArray(servers) || servers.length === 0)
        return undefined;
    const urls = [];
    for (const server of servers) {
        if (!openapi_isObject(server) || typeof server.url !== 'string')
            continue;
        const variables = openapi_isObject(server.variables) ? server.variables : {};
        urls.push(server.url.replace(/\{([^}]+)\}/g, (whole, name) => {
            const variable = variables[name];
            return openapi_isObject(variable) && variable.default !== undefined
                ? String(variable.default)
                : whole;
        }));
    }
    return urls.length > 0 ? urls : undefined;
}
function swaggerServers(document) {
    if (typeof document.host !== 'string')
        return [];
    const schemes = Array.isArray(document.schemes) ? document.schemes : [];
    const scheme = schemes.includes('https')
        ? 'https'
        : typeof schemes[0] === 'string'
            ? schemes[0]
            : 'https';
    const basePath = typeof document.basePath === 'string' ? document.basePath : '';
    return [`${scheme}://${document.host}${basePath}`];
}
/** Follows a local `$ref` (`#/...`) once or a few times; other references are left alone. */
function followLocalRef(document, value) {
    let current = value;
    for (let hops = 0; hops < 8 && openapi_isObject(current) && typeof current.$ref === 'string'; hops++) {
        const ref = current.$ref;
        if (!ref.startsWith('#/'))
            return current;
        let target = document;
        for (const token of ref.slice(2).split('/').map(unescapePointerToken)) {
            target = openapi_isObject(target) ? target[token] : undefined;
        }
        if (target === undefined)
            return current;
        current = target;
    }
    return current;
}
function openapi_indexOpenApi(sourceName, document) {
    const index = {
        sourceName,
        byOperationId: new Map(),
        byPointer: new Map(),
        problems: []
    };
    if (!openapi_isOpenApiDocument(document)) {
        index.problems.push('not an OpenAPI description (no `openapi` or `swagger: "2.0"` field)');
        return index;
    }
    const doc = document;
    const documentServers = doc.swagger === '2.0' ? swaggerServers(doc) : (serverUrls(doc.servers) ?? ['/']);
    const paths = openapi_isObject(doc.paths) ? doc.paths : {};
    for (const [pathTemplate, rawItem] of Object.entries(paths)) {
        const pathItem = followLocalRef(doc, rawItem);
        if (!openapi_isObject(pathItem))
            continue;
        const pathServers = serverUrls(pathItem.servers);
        for (const method of HTTP_METHODS) {
            const operation = pathItem[method];
            if (!openapi_isObject(operation))
                continue;
            const resolved = {
                sourceName,
                method: method.toUpperCase(),
                pathTemplate,
                servers: serverUrls(operation.servers) ?? pathServers ?? documentServers
            };
            const parameters = operationParameters(doc, pathItem.parameters, operation.parameters);
            if (parameters)
                resolved.parameters = parameters;
            const contentTypes = requestContentTypes(doc, operation);
            if (contentTypes)
                resolved.requestContentTypes = contentTypes;
            if (typeof operation.operationId === 'string') {
                resolved.operationId = operation.operationId;
                if (index.byOperationId.has(operation.operationId)) {
                    index.problems.push(`operationId '${operation.operationId}' is used more than once`);
                }
                else {
                    index.byOperationId.set(operation.operationId, resolved);
                }
            }
            index.byPointer.set(`/paths/${escapePointerToken(pathTemplate)}/${method}`, resolved);
        }
    }
    return index;
}
const LOCATIONS = (/* unused pure expression or super */ null && (['path', 'query', 'header', 'cookie']));
/** Swagger 2's collectionFormat as the OAS 3 style (and explode) it stands for. */
const COLLECTION_FORMATS = {
    csv: { explode: false },
    multi: { style: 'form', explode: true },
    ssv: { style: 'spaceDelimited', explode: false },
    pipes: { style: 'pipeDelimited', explode: false },
    tsv: { style: 'tabDelimited', explode: false }
};
/** Path-item parameters overridden by the operation's (same name and location). */
function operationParameters(document, ...lists) {
    const merged = new Map();
    for (const list of lists) {
        if (!Array.isArray(list))
            continue;
        for (const raw of list) {
            const parameter = followLocalRef(document, raw);
            if (!openapi_isObject(parameter) || typeof parameter.name !== 'string')
                continue;
            if (typeof parameter.in !== 'string' || !LOCATIONS.includes(parameter.in))
                continue;
            const described = {
                name: parameter.name,
                in: parameter.in
            };
            if (typeof parameter.style === 'string')
                described.style = parameter.style;
            if (typeof parameter.explode === 'boolean')
                described.explode = parameter.explode;
            if (parameter.allowReserved === true)
                described.allowReserved = true;
            if (openapi_isObject(parameter.content)) {
                const [contentType] = Object.keys(parameter.content);
                if (contentType)
                    described.contentType = contentType;
            }
            if (document.swagger === '2.0' && parameter.type === 'array') {
                const format = COLLECTION_FORMATS[typeof parameter.collectionFormat === 'string' ? parameter.collectionFormat : 'csv'];
                if (format) {
                    if (format.style)
                        described.style = format.style;
                    described.explode = format.explode;
                }
            }
            merged.set(`${described.name}\u0000${described.in}`, described);
        }
    }
    return merged.size > 0 ? [...merged.values()] : undefined;
}
/** OAS 3 `requestBody.content` keys (through a `$ref`), or Swagger 2 `consumes`. */
function requestContentTypes(document, operation) {
    if (document.swagger === '2.0') {
        const consumes = Array.isArray(operation.consumes) ? operation.consumes : document.consumes;
        const types = Array.isArray(consumes)
            ? consumes.filter((type) => typeof type === 'string')
            : [];
        return types.length > 0 ? types : undefined;
    }
    const body = followLocalRef(document, operation.requestBody);
    if (!openapi_isObject(body) || !openapi_isObject(body.content))
        return undefined;
    const types = Object.keys(body.content);
    return types.length > 0 ? types : undefined;
}
/** `{$sourceDescriptions.name.url}#/paths/~1pets/get` (braces optional) split in its parts. */
function openapi_parseOperationPath(text) {
    const match = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#(.*)$/.exec(text);
    if (!match)
        return undefined;
    return { sourceName: match[1], pointer: match[2] };
}
/** `$sourceDescriptions.name.opId` or a bare operationId. */
function openapi_parseOperationIdRef(text) {
    const match = /^\$sourceDescriptions\.([A-Za-z0-9_-]+)\.(.+)$/.exec(text);
    return match ? { sourceName: match[1], operationId: match[2] } : { operationId: text };
}
/**
 * The operation a pointer names. The pointer must reach an operation object, i.e.
 * `/paths/<escaped path>/<method>`; percent-encoding in the fragment is decoded first.
 */
function openapi_findOperationByPointer(index, pointer) {
    let decoded = pointer;
    try {
        decoded = decodeURIComponent(pointer);
    }
    catch {
        // Not percent-encoded after all: use as written.
    }
    const tokens = decoded.split('/');
    if (tokens.length !== 4 || tokens[0] !== '' || tokens[1] !== 'paths')
        return undefined;
    const method = tokens[3].toLowerCase();
    return index.byPointer.get(`/paths/${tokens[2]}/${method}`);
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(73136);
;// CONCATENATED MODULE: ./src/arazzo/source-location.ts
/**
 * Where a document or source description lives, and reading it with the same bounds whatever the
 * place: a local file (confined to the allowed roots, realpath so symlinks count) or an https URL
 * read by the caller's injected SourceReader (the engine itself never opens a connection for a
 * description, so it stays free of any HTTP or GitHub library).
 *
 * Relative URLs resolve against the document that holds them: a local document's directory, or a
 * remote document's URL. A remote document may only refer to other https URLs: `file:` URLs and
 * absolute paths in it are refused, so a fetched document can never read the runner's disk.
 */




/** A key that is the same for the same place (for caching and cycle detection). */
function source_location_locationKey(location) {
    return location.kind === 'file' ? `file:${location.path}` : location.url;
}
/** For messages: a path or a URL without credentials, query or fragment. */
function source_location_describeLocation(location) {
    if (location.kind === 'file')
        return location.path;
    try {
        const url = new URL(location.url);
        return `${url.protocol}//${url.host}${url.pathname}`;
    }
    catch {
        return location.url;
    }
}
/** Resolves a source description's `url` against the location of the document holding it. */
function source_location_resolveLocation(url, base, pointer) {
    if (/^https?:\/\//i.test(url))
        return remote(url, pointer);
    const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) && !/^[A-Za-z]:[\\/]/.test(url); // not C:\ on Windows
    if (base.kind === 'remote') {
        if (hasScheme || isAbsolute(url)) {
            throw new ArazzoLoadError(pointer, `${url} refused: a remote document may only refer to https URLs, never to local files`);
        }
        return remote(new URL(url, base.url).href, pointer);
    }
    if (hasScheme && !/^file:/i.test(url)) {
        throw new ArazzoLoadError(pointer, `unsupported source description URL scheme in ${url}`);
    }
    const withoutFragment = url.split('#')[0];
    if (/^file:/i.test(withoutFragment)) {
        return { kind: 'file', path: fileURLToPath(withoutFragment) };
    }
    let decoded = withoutFragment;
    try {
        decoded = decodeURIComponent(withoutFragment);
    }
    catch {
        // Not percent-encoded: use as written.
    }
    const dir = base.kind === 'dir' ? base.path : join(base.path, '..');
    return { kind: 'file', path: resolve(dir, decoded) };
}
function remote(url, pointer) {
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        throw new ArazzoLoadError(pointer, `${url} is not a valid URL`);
    }
    if (parsed.protocol !== 'https:') {
        throw new ArazzoLoadError(pointer, `remote source description ${url} refused: only https is allowed`);
    }
    if (parsed.username || parsed.password) {
        throw new ArazzoLoadError(pointer, `remote source description refused: the URL carries credentials`);
    }
    parsed.hash = '';
    return { kind: 'remote', url: parsed.href };
}
/** The text at a location, refused when larger than the limit or outside the allowed places. */
async function source_location_readLocation(location, options, pointer) {
    const limit = options.maxDocumentBytes;
    if (location.kind === 'remote') {
        if (!options.sourceReader) {
            throw new ArazzoLoadError(pointer, `remote source description ${source_location_describeLocation(location)} refused (remote descriptions are not enabled)`);
        }
        let text;
        try {
            text = await options.sourceReader(location.url, { maxBytes: limit, signal: options.signal });
        }
        catch (error) {
            const detail = error instanceof Error ? error.message : String(error);
            throw new ArazzoLoadError(pointer, detail);
        }
        const size = Buffer.byteLength(text, 'utf8');
        if (size > limit) {
            throw new ArazzoLoadError(pointer, `${source_location_describeLocation(location)} is ${size} bytes, over the ${limit} byte limit`);
        }
        return text;
    }
    const file = location.path;
    if (!(await exists(file))) {
        for (const dir of options.fallbackDescriptionDirs ?? []) {
            const candidate = join(dir, basename(file));
            if (await exists(candidate)) {
                options.onNotice?.(`source description ${file} not found; using the bundled copy ${candidate}`);
                return source_location_readCapped(candidate, limit, pointer);
            }
        }
    }
    await source_location_assertAllowed(file, options.allowedRoots, pointer);
    return source_location_readCapped(file, limit, pointer);
}
function isUnder(root, file) {
    const rel = relative(root, file);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}
/** Refuses a file outside the allowed roots (both sides through realpath, so symlinks count). */
async function source_location_assertAllowed(file, roots, pointer) {
    if (!roots)
        return;
    let real;
    try {
        real = await realpath(file);
    }
    catch {
        // A missing file is reported by the read; checking the lexical path keeps the error honest.
        real = file;
    }
    for (const root of roots) {
        let realRoot;
        try {
            realRoot = await realpath(root);
        }
        catch {
            continue;
        }
        if (isUnder(realRoot, real))
            return;
    }
    throw new ArazzoLoadError(pointer, `${file} is outside the allowed directories`);
}
async function source_location_readCapped(file, limit, pointer) {
    let size;
    try {
        const info = await stat(file);
        if (!info.isFile())
            throw new ArazzoLoadError(pointer, `${file} is not a file`);
        size = info.size;
    }
    catch (error) {
        if (error instanceof ArazzoLoadError)
            throw error;
        throw new ArazzoLoadError(pointer, `cannot read ${file}: ${describeFsError(error)}`);
    }
    if (size > limit) {
        throw new ArazzoLoadError(pointer, `${file} is ${size} bytes, over the ${limit} byte limit`);
    }
    try {
        return await readFile(file, 'utf8');
    }
    catch (error) {
        throw new ArazzoLoadError(pointer, `cannot read ${file}: ${describeFsError(error)}`);
    }
}
function describeFsError(error) {
    const code = error.code;
    if (code === 'ENOENT')
        return 'file not found';
    if (code === 'EACCES')
        return 'permission denied';
    return error instanceof Error ? error.message : String(error);
}
async function exists(file) {
    try {
        return (await stat(file)).isFile();
    }
    catch {
        return false;
    }
}

;// CONCATENATED MODULE: ./src/arazzo/source-loader.ts
/**
 * Loads the source descriptions a document uses: OpenAPI descriptions (indexed for their
 * operations) and Arazzo documents (loaded, validated and resolved like the root document, for
 * cross-document workflow references: `workflowId: $sourceDescriptions.<name>.<workflowId>` in a
 * step, a goto or a retry, and in `dependsOn`).
 *
 * Only sources some step or reference needs are read (an unused one is never fetched). Every
 * document, local or remote, gets the same bounds: the byte limit, the YAML alias limit (the
 * parser's), at most MAX_SOURCE_DEPTH levels of nested Arazzo documents, at most
 * MAX_SOURCE_DOCUMENTS documents in all, and no cycle (a document that, through its sources,
 * refers back to itself is refused with the chain). The same place is read once per load.
 */




/** Nested Arazzo documents below the root (root -> source -> its source ...). */
const MAX_SOURCE_DEPTH = 8;
/** Documents read for one load, the root and every description included. */
const MAX_SOURCE_DOCUMENTS = 32;
/**
 * A bound of the whole load was crossed (cycle, depth, number of documents): it ends the load
 * at once, with the chain of documents in its message, instead of being one problem among many.
 */
class SourceBoundError extends (/* unused pure expression or super */ null && (ArazzoLoadError)) {
}
/**
 * Why a message about a fetched document gives positions only. Its host is chosen by a document,
 * and its answer may be something no one should read in a job log (an internal service's reply
 * shaped like an Arazzo document once had its key names quoted there).
 */
const source_loader_REMOTE_CONTENT_WITHHELD = 'what the fetched document says is not repeated here; load a copy of it as a local file to see the details';
/** Every workflow reference of the document (components' actions included). */
function workflowReferences(document) {
    const found = [];
    const actions = (list, pointer) => {
        if (!Array.isArray(list))
            return;
        list.forEach((action, i) => {
            if (isObject(action) && typeof action.workflowId === 'string') {
                found.push({
                    pointer: childPointer(childPointer(pointer, i), 'workflowId'),
                    reference: action.workflowId
                });
            }
        });
    };
    document.workflows.forEach((workflow, w) => {
        const at = childPointer('workflows', w);
        (workflow.dependsOn ?? []).forEach((reference, i) => {
            found.push({ pointer: childPointer(childPointer(at, 'dependsOn'), i), reference });
        });
        actions(workflow.successActions, childPointer(at, 'successActions'));
        actions(workflow.failureActions, childPointer(at, 'failureActions'));
        workflow.steps.forEach((step, s) => {
            const stepAt = childPointer(childPointer(at, 'steps'), s);
            if (typeof step.workflowId === 'string') {
                found.push({ pointer: childPointer(stepAt, 'workflowId'), reference: step.workflowId });
            }
            actions(step.onSuccess, childPointer(stepAt, 'onSuccess'));
            actions(step.onFailure, childPointer(stepAt, 'onFailure'));
        });
    });
    for (const kind of ['successActions', 'failureActions']) {
        const map = document.components?.[kind];
        if (!isObject(map))
            continue;
        for (const [name, action] of Object.entries(map)) {
            if (isObject(action) && typeof action.workflowId === 'string') {
                found.push({
                    pointer: childPointer(childPointer(childPointer('components', kind), name), 'workflowId'),
                    reference: action.workflowId
                });
            }
        }
    }
    return found;
}
/** The sources some step or reference needs, and what for. */
function neededSources(document) {
    const needed = new Map();
    const need = (name, what) => {
        const set = needed.get(name) ?? new Set();
        set.add(what);
        needed.set(name, set);
    };
    const openapiNames = document.sourceDescriptions.filter(s => s.type !== 'arazzo').map(s => s.name);
    for (const workflow of document.workflows) {
        for (const step of workflow.steps) {
            if (step.operationPath !== undefined) {
                const parsed = parseOperationPath(step.operationPath);
                if (parsed)
                    need(parsed.sourceName, 'operations');
            }
            else if (step.operationId !== undefined) {
                const ref = parseOperationIdRef(step.operationId);
                if (ref.sourceName)
                    need(ref.sourceName, 'operations');
                else
                    openapiNames.forEach(name => need(name, 'operations'));
            }
        }
    }
    for (const { reference } of workflowReferences(document)) {
        const external = parseSourceReference(reference);
        if (external)
            need(external.sourceName, 'workflows');
    }
    return needed;
}
/**
 * A fetched document's own problems by position only (their messages quote its content). The
 * problems of loading its sources in `keep` ([start, end) indices) are the loader's own words
 * about URLs and stay as they are.
 */
function source_loader_withhold(problems, keep = [0, 0]) {
    problems.forEach((problem, i) => {
        if (i >= keep[0] && i < keep[1])
            return;
        problems[i] = {
            pointer: positionOnly(problem.pointer),
            message: `refused; ${source_loader_REMOTE_CONTENT_WITHHELD}`
        };
    });
}
/** Arazzo 1.0.1's own field names: a pointer keeps these and indices; other keys are content. */
const ARAZZO_FIELDS = new Set(('arazzo info title summary description version sourceDescriptions name url type workflows ' +
    'workflowId inputs dependsOn steps stepId operationId operationPath parameters in value ' +
    'requestBody contentType payload replacements target successCriteria onSuccess onFailure ' +
    'outputs successActions failureActions criteria context condition retryAfter retryLimit ' +
    'components reference').split(' '));
/** A JSON Pointer with every key that is not an Arazzo field or an index shown as `*`. */
function positionOnly(pointer) {
    return pointer
        .split('/')
        .map(token => (token === '' || /^\d+$/.test(token) || ARAZZO_FIELDS.has(token) ? token : '*'))
        .join('/');
}
/** Loads the needed sources of `document` (at `base`); problems are collected, not thrown. */
async function source_loader_loadSources(document, base, context, problems, warnings) {
    const sources = { openapi: new Map(), arazzo: new Map(), remote: new Set() };
    const needed = neededSources(document);
    for (const [i, source] of document.sourceDescriptions.entries()) {
        const needs = needed.get(source.name);
        if (!needs)
            continue;
        const pointer = childPointer(childPointer('sourceDescriptions', i), 'url');
        try {
            const location = resolveLocation(source.url, base, pointer);
            if (location.kind === 'remote')
                sources.remote.add(source.name);
            const loaded = await loadOne({ name: source.name, location, context, pointer, warnings });
            const declared = source.type;
            if (declared !== undefined && declared !== loaded.kind) {
                throw new ArazzoLoadError(pointer, `source description '${source.name}' is declared type ${declared} but is ${loaded.kind === 'arazzo' ? 'an Arazzo document' : 'an OpenAPI description'}`);
            }
            if (loaded.kind === 'openapi') {
                if (needs.has('workflows')) {
                    problems.push({
                        pointer,
                        message: `source description '${source.name}' is an OpenAPI description, which has no workflows: a workflowId can only name a workflow of an arazzo source description`
                    });
                }
                sources.openapi.set(source.name, loaded.index);
            }
            else {
                if (needs.has('operations')) {
                    problems.push({
                        pointer,
                        message: `source description '${source.name}' is an Arazzo document: operationId and operationPath must target an OpenAPI description`
                    });
                }
                sources.arazzo.set(source.name, loaded.loaded);
            }
        }
        catch (error) {
            if (!(error instanceof ArazzoLoadError) || error instanceof SourceBoundError)
                throw error;
            problems.push({ pointer: error.pointer || pointer, message: error.detail });
        }
    }
    checkWorkflowReferences(document, sources, problems);
    return sources;
}
async function loadOne(job) {
    const { location, context, pointer } = job;
    const key = locationKey(location);
    if (context.chain.includes(key)) {
        const cycle = [...context.chain.slice(context.chain.indexOf(key)), key];
        throw new SourceBoundError(pointer, `circular source descriptions: ${cycle.map(describeKey).join(' -> ')}`);
    }
    let pending = context.cache.get(key);
    if (!pending) {
        pending = readAndLoad(job);
        context.cache.set(key, pending);
    }
    return pending;
}
async function readAndLoad({ name, location, context, pointer, warnings }) {
    if (++context.counter.documents > MAX_SOURCE_DOCUMENTS) {
        throw new SourceBoundError(pointer, `more than ${MAX_SOURCE_DOCUMENTS} documents would be loaded (source description '${name}')`);
    }
    const what = `source description '${name}'`;
    const parsed = await readParsed(location, context, what, pointer, warnings);
    if (isOpenApiDocument(parsed)) {
        const index = indexOpenApi(name, parsed);
        if (location.kind === 'remote' && index.problems.length > 0) {
            warnings.push(`${what}: ${index.problems.length} problem(s) in it; ${source_loader_REMOTE_CONTENT_WITHHELD}`);
        }
        else
            for (const problem of index.problems)
                warnings.push(`${what}: ${problem}`);
        return { kind: 'openapi', index };
    }
    if (!isObject(parsed) || parsed.arazzo === undefined) {
        throw new ArazzoLoadError(pointer, `${what} is neither an OpenAPI description nor an Arazzo document`);
    }
    if (context.depth + 1 > MAX_SOURCE_DEPTH) {
        const chain = [...context.chain, locationKey(location)].map(describeKey).join(' -> ');
        throw new SourceBoundError(pointer, `arazzo source descriptions nested deeper than ${MAX_SOURCE_DEPTH} levels: ${chain}`);
    }
    const nestedContext = {
        ...context,
        chain: [...context.chain, locationKey(location)],
        depth: context.depth + 1
    };
    try {
        const loaded = await context.loadNested(parsed, location, nestedContext);
        for (const warning of loaded.warnings)
            warnings.push(`${what}: ${warning}`);
        return { kind: 'arazzo', loaded };
    }
    catch (error) {
        if (!(error instanceof ArazzoLoadError))
            throw error;
        // A bound names its whole chain already: it goes up as it is, at this document's pointer.
        if (error instanceof SourceBoundError)
            throw new SourceBoundError(pointer, error.detail);
        // A problem deep down keeps its own pointer inside the message, after the chain to it.
        throw new ArazzoLoadError(pointer, `${what} (${describeLocation(location)}): ${error.message}`);
    }
}
/** A prebuilt copy of a local file (still confined to the allowed roots), or the file parsed. */
async function readParsed(location, context, what, pointer, warnings) {
    if (location.kind === 'file') {
        const prebuilt = context.prebuilt?.(location.path);
        if (prebuilt !== undefined) {
            await assertAllowed(location.path, context.read.allowedRoots, pointer);
            return prebuilt;
        }
    }
    const text = await readLocation(location, context.read, pointer);
    return context.parse(text, what, pointer, warnings, location.kind === 'remote');
}
function describeKey(key) {
    return key.startsWith('file:')
        ? key.slice('file:'.length)
        : describeLocation({ kind: 'remote', url: key });
}
/** `$sourceDescriptions.<name>.<id>` must reach a workflow of a loaded Arazzo document. */
function checkWorkflowReferences(document, sources, problems) {
    for (const { pointer, reference } of workflowReferences(document)) {
        const external = parseSourceReference(reference);
        if (!external)
            continue;
        const nested = sources.arazzo.get(external.sourceName);
        if (!nested)
            continue; // not loaded: its load problem is already reported
        const ids = nested.document.workflows.map((w) => w.workflowId);
        if (!ids.includes(external.rest)) {
            const has = sources.remote.has(external.sourceName) ? '' : ` (it has: ${ids.join(', ')})`;
            problems.push({
                pointer,
                message: `no workflow '${external.rest}' in source description '${external.sourceName}'${has}`
            });
        }
    }
}

;// CONCATENATED MODULE: ./src/arazzo/resolve-references.ts
/**
 * What a loaded document points at, resolved once at load time so a run needs no lookups: each
 * step's operation (by `operationPath` or `operationId`, across its source descriptions), and the
 * `$ref`s of workflow input schemas. Problems are collected with their pointers, not thrown.
 */


const MAX_REF_DEPTH = 32;
// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------
function resolve_references_resolveOperations(document, sources, operations, problems) {
    document.workflows.forEach((workflow, w) => {
        workflow.steps.forEach((step, s) => {
            const pointer = `workflows/${w}/steps/${s}`;
            if (step.operationPath !== undefined) {
                const at = childPointer(pointer, 'operationPath');
                const parsed = parseOperationPath(step.operationPath);
                const index = parsed && sources.get(parsed.sourceName);
                if (!parsed || !index)
                    return; // reported by validation or by the source load
                const operation = findOperationByPointer(index, parsed.pointer);
                if (!operation) {
                    problems.push({
                        pointer: at,
                        message: `'${parsed.pointer}' is not an operation of source description '${parsed.sourceName}' (expected #/paths/<path>/<method>)`
                    });
                }
                else
                    operations.set(step, operation);
            }
            else if (step.operationId !== undefined) {
                const at = childPointer(pointer, 'operationId');
                const ref = parseOperationIdRef(step.operationId);
                if (ref.sourceName !== undefined) {
                    const index = sources.get(ref.sourceName);
                    if (!index)
                        return;
                    const operation = index.byOperationId.get(ref.operationId);
                    if (operation)
                        operations.set(step, operation);
                    else {
                        problems.push({
                            pointer: at,
                            message: `unknown operationId '${ref.operationId}' in source description '${ref.sourceName}'`
                        });
                    }
                    return;
                }
                const matches = [...sources.values()]
                    .map(index => index.byOperationId.get(ref.operationId))
                    .filter((op) => op !== undefined);
                if (matches.length === 1)
                    operations.set(step, matches[0]);
                else if (matches.length === 0) {
                    problems.push({ pointer: at, message: `unknown operationId '${ref.operationId}'` });
                }
                else {
                    const names = matches.map(m => m.sourceName).join(', ');
                    problems.push({
                        pointer: at,
                        message: `operationId '${ref.operationId}' is in several source descriptions (${names}): write $sourceDescriptions.<name>.${ref.operationId}`
                    });
                }
            }
        });
    });
}
// ---------------------------------------------------------------------------------------------
// Workflow input schemas
// ---------------------------------------------------------------------------------------------
/**
 * Replaces `$ref: '#/components/inputs/x'` in workflow input schemas (at the top and in
 * properties) by the referenced schema, so required names and defaults can be read directly.
 */
function resolve_references_dereferenceInputs(document, problems) {
    const inputs = document.components?.inputs ?? {};
    const resolveRef = (schema, pointer, depth) => {
        if (!isObject(schema) || typeof schema.$ref !== 'string')
            return schema;
        const match = /^#\/components\/inputs\/(.+)$/.exec(schema.$ref);
        if (!match)
            return schema;
        if (depth >= MAX_REF_DEPTH) {
            problems.push({ pointer, message: `$ref chain deeper than ${MAX_REF_DEPTH} (circular?)` });
            return schema;
        }
        const name = match[1].replace(/~1/g, '/').replace(/~0/g, '~');
        const target = Object.hasOwn(inputs, name) ? inputs[name] : undefined;
        if (target === undefined)
            return schema; // reported by validation
        const { $ref: _ignored, ...siblings } = schema;
        const resolved = resolveRef(target, pointer, depth + 1);
        return isObject(resolved) ? { ...resolved, ...siblings } : resolved;
    };
    document.workflows.forEach((workflow, i) => {
        if (workflow.inputs === undefined)
            return;
        const pointer = childPointer(childPointer('workflows', i), 'inputs');
        const schema = resolveRef(workflow.inputs, pointer, 0);
        if (!isObject(schema))
            return;
        if (isObject(schema.properties)) {
            const properties = {};
            for (const [name, property] of Object.entries(schema.properties)) {
                properties[name] = resolveRef(property, childPointer(childPointer(pointer, 'properties'), name), 0);
            }
            workflow.inputs = { ...schema, properties };
        }
        else {
            workflow.inputs = schema;
        }
    });
}

;// CONCATENATED MODULE: ./src/arazzo/boolean-condition.ts
/**
 * The boolean skeleton shared by the `simple` and `jsonpath` (seed form) criterion languages:
 * `||`, `&&`, one non-chaining comparison, `!` and parentheses over operands each language
 * defines itself. Precedence, loosest first: `||`, `&&`, comparison, `!`, operand.
 * Each language keeps its own tokenizer and operand grammar (a subclass of
 * BooleanConditionParser) and its own leaf and comparison semantics (evaluateBoolean's callbacks).
 */

/** An ordering operator over two numbers or two strings (both dialects decide first what to compare). */
function boolean_condition_order(op, x, y) {
    switch (op) {
        case '<':
            return x < y;
        case '<=':
            return x <= y;
        case '>':
            return x > y;
        case '>=':
            return x >= y;
    }
}
/** Nesting bound ('(' and '!'), so hostile input is a syntax error, not a stack overflow. */
const MAX_NESTING = 100;
const COMPARISON_OPERATORS = (/* unused pure expression or super */ null && (['==', '!=', '<', '<=', '>', '>=']));
/** Longest first, so `<=` is not read as `<` then `=`. */
const OPERATORS = (/* unused pure expression or super */ null && (['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!']));
/** The operator that starts at `text[i]`, if any. */
function boolean_condition_operatorAt(text, i) {
    return OPERATORS.find(candidate => text.startsWith(candidate, i));
}
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
/** The identifier-like word at `text[i]`, if any (only `true`, `false`, `null` are values). */
function boolean_condition_wordAt(text, i) {
    WORD.lastIndex = i;
    return WORD.exec(text)?.[0];
}
/**
 * The number (as the language's sticky `numberPattern` reads it) or `true` / `false` / `null`
 * at `text[i]`, with the length of its source.
 */
function boolean_condition_scalarAt(text, i, numberPattern) {
    numberPattern.lastIndex = i;
    const number = numberPattern.exec(text)?.[0];
    if (number)
        return { value: Number(number), length: number.length };
    const word = boolean_condition_wordAt(text, i);
    if (word === 'true' || word === 'false' || word === 'null') {
        return { value: word === 'null' ? null : word === 'true', length: word.length };
    }
    return undefined;
}
class boolean_condition_BooleanConditionParser {
    text;
    tokens;
    index = 0;
    depth = 0;
    constructor(text, tokens) {
        this.text = text;
        this.tokens = tokens;
    }
    /** `emptyPos`: where an empty condition is reported (languages differ; default: its end). */
    parse(emptyPos = this.peek().pos) {
        if (this.peek().type === 'end')
            this.fail(emptyPos, 'Empty condition');
        const root = this.parseOr();
        const next = this.peek();
        if (next.type !== 'end')
            this.fail(next.pos, 'Unexpected token');
        return root;
    }
    parseOr() {
        const operands = [this.parseAnd()];
        while (this.isOp('||')) {
            this.index++;
            operands.push(this.parseAnd());
        }
        return operands.length === 1 ? operands[0] : { t: 'or', operands };
    }
    parseAnd() {
        const operands = [this.parseComparison()];
        while (this.isOp('&&')) {
            this.index++;
            operands.push(this.parseComparison());
        }
        return operands.length === 1 ? operands[0] : { t: 'and', operands };
    }
    parseComparison() {
        const left = this.parseUnary();
        const op = this.comparisonOperator();
        if (!op)
            return left;
        this.index++;
        const right = this.parseUnary();
        if (this.comparisonOperator())
            this.fail(this.peek().pos, 'Comparisons do not chain');
        return { t: 'compare', op, left, right };
    }
    parseUnary() {
        if (!this.isOp('!'))
            return this.parseOperand();
        this.enter();
        this.index++;
        const node = { t: 'not', operand: this.parseUnary() };
        this.depth--;
        return node;
    }
    /** What binds tighter than `!`; a language with postfix syntax wraps parsePrimary here. */
    parseOperand() {
        return this.parsePrimary();
    }
    /** A leaf or a parenthesised condition. */
    parsePrimary() {
        const token = this.next();
        if (token.type === 'punct' && token.value === '(')
            return this.parseGroup();
        if (token.type === 'end')
            return this.fail(token.pos, 'Unexpected end of condition');
        return this.leafOf(token) ?? this.fail(token.pos, this.expectedOperand);
    }
    /** The rest of a parenthesised condition, its `(` just consumed. */
    parseGroup() {
        this.enter();
        const inner = this.parseOr();
        this.expectPunct(')');
        this.depth--;
        return inner;
    }
    enter() {
        this.depth++;
        if (this.depth > MAX_NESTING)
            this.fail(this.peek().pos, 'Condition nested too deeply');
    }
    comparisonOperator() {
        const token = this.peek();
        return token.type === 'op' ? COMPARISON_OPERATORS.find(op => op === token.value) : undefined;
    }
    isOp(value) {
        const token = this.peek();
        return token.type === 'op' && token.value === value;
    }
    expectPunct(value) {
        const token = this.next();
        if (token.type !== 'punct' || token.value !== value)
            this.fail(token.pos, `Expected '${value}'`);
    }
    peek() {
        return this.tokens[this.index];
    }
    /** The current token, moving past it unless it is the end. */
    next() {
        const token = this.tokens[this.index];
        if (token.type !== 'end')
            this.index++;
        return token;
    }
    fail(pos, detail) {
        throw new ArazzoSyntaxError(this.text, pos, detail);
    }
}
/**
 * `&&` and `||` short-circuit, and they and `!` yield booleans from their operands' truthiness;
 * a comparison evaluates its left operand, then its right one.
 */
function boolean_condition_evaluateBoolean(node, semantics, asOperand = false) {
    if (!isOperatorNode(node))
        return semantics.leaf(node, asOperand);
    switch (node.t) {
        case 'not':
            return !boolean_condition_truthy(boolean_condition_evaluateBoolean(node.operand, semantics));
        case 'and':
            return node.operands.every(operand => boolean_condition_truthy(boolean_condition_evaluateBoolean(operand, semantics)));
        case 'or':
            return node.operands.some(operand => boolean_condition_truthy(boolean_condition_evaluateBoolean(operand, semantics)));
        case 'compare':
            return semantics.compare(node.op, boolean_condition_evaluateBoolean(node.left, semantics, true), boolean_condition_evaluateBoolean(node.right, semantics, true));
    }
}
function isOperatorNode(node) {
    const { t } = node;
    return t === 'not' || t === 'and' || t === 'or' || t === 'compare';
}
function boolean_condition_truthy(value) {
    return Boolean(value) && !(typeof value === 'number' && Number.isNaN(value));
}

;// CONCATENATED MODULE: ./src/arazzo/safe-regex.ts

const MAX_PATTERN_LENGTH = 4096;
/** Input characters x program instructions a single test may cost. */
const REGEX_WORK_BUDGET = 1_000_000;
/** The budget of everything one JSONPath query compiles and tests. */
const QUERY_WORK_BUDGET = 4 * REGEX_WORK_BUDGET;
/** What compiling a pattern costs against a query's budget (per character, plus a base). */
const COMPILE_COST_BASE = 10_000;
const COMPILE_COST_PER_CHARACTER = 100;
/** A pattern refused at compile time; the message says why. */
class safe_regex_RegexRefused extends Error {
    constructor(reason) {
        super(reason);
        this.name = 'RegexRefused';
    }
}
/** An ECMAScript pattern on RE2, or a RegexRefused saying why it cannot run there. */
function safe_regex_compileSafeRegex(pattern) {
    if (pattern.length > MAX_PATTERN_LENGTH) {
        throw new safe_regex_RegexRefused(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
    }
    // Outside the try: an engine that was never loaded is a bug to report, not a refused pattern.
    const RE2 = re2Engine();
    let re2;
    try {
        re2 = RE2.compile(RE2.translateRegExp(pattern));
    }
    catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new safe_regex_RegexRefused(`the pattern is not one the linear-time engine (RE2) runs: ${detail}. Lookahead, ` +
            'lookbehind and backreferences are refused: a backtracking engine can take hours on them');
    }
    const programSize = Math.max(1, re2.programSize());
    const maxInput = Math.floor(REGEX_WORK_BUDGET / programSize);
    return { programSize, maxInput, test: text => text.length <= maxInput && re2.test(text) };
}
/**
 * Runs `query` (synchronous) with the global RegExp replaced by an RE2-backed stand-in that offers
 * what jsonpath-rfc9535's match()/search() use: construction and `test`. A pattern RE2 refuses, or
 * one past the query's budget, is a failed construction, which makes the function return false
 * (RFC 9535: an invalid I-Regexp gives LogicalFalse).
 */
function safe_regex_withRe2RegExp(query) {
    const native = globalThis.RegExp;
    let left = QUERY_WORK_BUDGET;
    // re2js itself may use RegExp: it always sees the native one.
    const natively = (run) => {
        globalThis.RegExp = native;
        try {
            return run();
        }
        finally {
            globalThis.RegExp = standIn;
        }
    };
    const standIn = function (pattern) {
        const source = String(pattern);
        left -= COMPILE_COST_BASE + COMPILE_COST_PER_CHARACTER * source.length;
        if (left < 0)
            throw new safe_regex_RegexRefused('the regular-expression budget of this query is spent');
        const regex = natively(() => safe_regex_compileSafeRegex(source));
        return {
            test(text) {
                const cost = text.length * regex.programSize;
                if (text.length > regex.maxInput || cost > left)
                    return false;
                left -= cost;
                return natively(() => regex.test(text));
            }
        };
    };
    globalThis.RegExp = standIn;
    try {
        return query();
    }
    finally {
        globalThis.RegExp = native;
    }
}

;// CONCATENATED MODULE: ./src/arazzo/loose-compare.ts
/**
 * How a `simple` condition compares two values (Arazzo 1.0.1 + the 1.1.0 draft's "Condition
 * Evaluation"): strings case-insensitively, a number and a numeric string as numbers (ordering also
 * coerces two numeric strings, as header values are), null and undefined equal only each other, and
 * ordering with either is false.
 */

/** A string that reads as a decimal number (no hex, no Infinity, not blank). */
function numericString(value) {
    if (!/^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/.test(value))
        return undefined;
    return Number(value);
}
function fold(text) {
    return text.toLowerCase();
}
function isNullish(value) {
    return value === null || value === undefined;
}
/** Arazzo `==`: case-insensitive strings, number/numeric-string coercion, null == undefined. */
function looseEquals(a, b) {
    if (isNullish(a) || isNullish(b))
        return isNullish(a) && isNullish(b);
    if (typeof a === 'string' && typeof b === 'string')
        return fold(a) === fold(b);
    if (typeof a === 'number' && typeof b === 'string')
        return numericString(b) === a;
    if (typeof a === 'string' && typeof b === 'number')
        return numericString(a) === b;
    if (typeof a === 'boolean' && typeof b === 'string')
        return fold(b.trim()) === String(a);
    if (typeof a === 'string' && typeof b === 'boolean')
        return fold(a.trim()) === String(b);
    if (Array.isArray(a) && Array.isArray(b)) {
        return a.length === b.length && a.every((item, i) => looseEquals(item, b[i]));
    }
    if (isRecord(a) && isRecord(b)) {
        const keys = Object.keys(a);
        return (keys.length === Object.keys(b).length &&
            keys.every(key => Object.hasOwn(b, key) && looseEquals(a[key], b[key])));
    }
    return a === b;
}
function loose_compare_compareLoose(op, a, b) {
    if (op === '==')
        return looseEquals(a, b);
    if (op === '!=')
        return !looseEquals(a, b);
    if (isNullish(a) || isNullish(b))
        return false;
    let x = a;
    let y = b;
    if (typeof x === 'string' && (typeof y === 'number' || typeof y === 'string')) {
        const n = numericString(x);
        const m = typeof y === 'string' ? numericString(y) : y;
        if (n !== undefined && m !== undefined) {
            x = n;
            y = m;
        }
    }
    else if (typeof x === 'number' && typeof y === 'string') {
        const m = numericString(y);
        if (m !== undefined)
            y = m;
    }
    if (typeof x === 'string' && typeof y === 'string')
        return order(op, fold(x), fold(y));
    if (typeof x === 'number' && typeof y === 'number')
        return order(op, x, y);
    return false;
}
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

;// CONCATENATED MODULE: ./src/arazzo/simple-condition.ts
/**
 * `simple` criterion conditions (Arazzo 1.0.1 "Criterion Object"): literals, runtime expressions
 * and the operators `< <= > >= == != ! && || ( ) [ ] .`, parsed by a tokenizer and a
 * recursive-descent parser (never `eval`). Precedence, loosest first: `||`, `&&`, comparison,
 * `!`, then postfix `[n]` / `.name`. Comparisons do not chain (`a == b == c` is an error).
 *
 * Semantics (1.0.1 + the 1.1.0 draft's "Condition Evaluation"):
 * - string comparisons are case-insensitive (`==`, `!=` and ordering);
 * - a number and a numeric string compare as numbers (`$statusCode == '200'`); ordering operators
 *   also coerce two numeric strings (header values);
 * - null and undefined (a missing value) equal each other and nothing else; ordering with either
 *   is false, so only `!=` passes against a missing value;
 * - `&&`, `||`, `!` and the final verdict use truthiness (false, 0, '', null, undefined fail).
 * Extensions, documented: strings may also be double-quoted (JSON escapes); `{$expr}` is accepted
 * as an operand; when the criterion has a `context`, a bare `$` (as in `$.status` or `$[0]`)
 * denotes the context value.
 */






/** Where a `$...` operand ends: whitespace, operators, brackets, quotes, braces. */
const OPERAND_END = /[\s()[\]<>=!&|'",{}]/;
const PROPERTY_NAME = /[^\s()[\]<>=!&|'",{}.]+/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
function tokenize(text, allowContext) {
    const tokens = [];
    const fail = (pos, detail) => {
        throw new ArazzoSyntaxError(text, pos, detail);
    };
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        const pos = i;
        if (c === '(' || c === ')' || c === '[' || c === ']') {
            tokens.push({ type: 'punct', value: c, pos });
            i++;
            continue;
        }
        const op = operatorAt(text, i);
        if (op) {
            tokens.push({ type: 'op', value: op, pos });
            i += op.length;
            continue;
        }
        if (c === "'") {
            const { value, end } = readDoubledQuote(text, i, fail);
            tokens.push({ type: 'literal', value, pos });
            i = end;
            continue;
        }
        if (c === '"') {
            const { value, end } = simple_condition_readEscapedString(text, i, fail);
            tokens.push({ type: 'literal', value, pos });
            i = end;
            continue;
        }
        if (c === '$') {
            let end = i + 1;
            while (end < text.length && !OPERAND_END.test(text[end]))
                end++;
            tokens.push(operandToken(text, i, end, allowContext, fail));
            i = end;
            continue;
        }
        if (c === '{') {
            const close = text.indexOf('}', i);
            if (text[i + 1] !== '$' || close === -1)
                fail(i, "Unexpected '{'");
            tokens.push({ type: 'expression', value: expressionAt(text, i + 1, close), pos });
            i = close + 1;
            continue;
        }
        if (c === '.') {
            PROPERTY_NAME.lastIndex = i + 1;
            const name = PROPERTY_NAME.exec(text)?.[0];
            if (!name)
                fail(i + 1, "Expected a property name after '.'");
            tokens.push({ type: 'property', value: name, pos });
            i += 1 + name.length;
            continue;
        }
        const scalar = scalarAt(text, i, NUMBER);
        if (scalar) {
            tokens.push({ type: 'literal', value: scalar.value, pos });
            i += scalar.length;
            continue;
        }
        const word = wordAt(text, i);
        if (word)
            fail(i, `Unknown word '${word}' (strings need single quotes)`);
        fail(i, `Unexpected character '${c}'`);
    }
    tokens.push({ type: 'end', pos: text.length });
    return tokens;
}
/** `$` alone or `$.a.b` is the criterion context; anything else is a runtime expression. */
function operandToken(text, start, end, allowContext, fail) {
    const raw = text.slice(start, end);
    if (raw === '$' || raw.startsWith('$.')) {
        if (!allowContext)
            fail(start, "'$' refers to the criterion context, and this criterion has none");
        const path = raw === '$' ? [] : raw.slice(2).split('.');
        if (path.some(name => name === ''))
            fail(start, 'Empty property name');
        return { type: 'context', value: path, pos: start };
    }
    return { type: 'expression', value: expressionAt(text, start, end), pos: start };
}
/** Parses `text[start, end)` as a runtime expression, reporting positions in the whole text. */
function expressionAt(text, start, end) {
    try {
        return parseExpression(text.slice(start, end));
    }
    catch (error) {
        if (!(error instanceof ArazzoSyntaxError))
            throw error;
        throw new ArazzoSyntaxError(text, start + error.position, error.detail);
    }
}
/** Arazzo string literal: single quotes, `''` for a quote. */
function readDoubledQuote(text, start, fail) {
    let value = '';
    let i = start + 1;
    for (;;) {
        if (i >= text.length)
            fail(start, 'Unterminated string');
        if (text[i] === "'") {
            if (text[i + 1] !== "'")
                return { value, end: i + 1 };
            value += "'";
            i += 2;
            continue;
        }
        value += text[i];
        i++;
    }
}
const ESCAPES = {
    '"': '"',
    "'": "'",
    '\\': '\\',
    '/': '/',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t'
};
/**
 * A string in double or single quotes with JSON backslash escapes (plus `\'`), as JSON and
 * RFC 9535 write them. Used for lenient double-quoted strings here and by the jsonpath seed form.
 */
function simple_condition_readEscapedString(text, start, fail) {
    const quote = text[start];
    let value = '';
    let i = start + 1;
    for (;;) {
        if (i >= text.length)
            fail(start, 'Unterminated string');
        const c = text[i];
        if (c === quote)
            return { value, end: i + 1 };
        if (c !== '\\') {
            value += c;
            i++;
            continue;
        }
        const next = text[i + 1];
        if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
        }
        if (next === undefined || !Object.hasOwn(ESCAPES, next))
            fail(i, 'Invalid escape in string');
        value += ESCAPES[next];
        i += 2;
    }
}
class Parser extends (/* unused pure expression or super */ null && (BooleanConditionParser)) {
    expectedOperand = 'Expected a value';
    /** Postfix `[n]` / `.name` bind tighter than anything else. */
    parseOperand() {
        let node = this.parsePrimary();
        for (;;) {
            const token = this.peek();
            if (token.type === 'property') {
                this.next();
                node = { t: 'property', of: node, name: token.value };
            }
            else if (token.type === 'punct' && token.value === '[') {
                this.next();
                const key = this.next();
                const isIndex = key.type === 'literal' &&
                    ((typeof key.value === 'number' && Number.isInteger(key.value) && key.value >= 0) ||
                        typeof key.value === 'string');
                if (!isIndex)
                    this.fail(key.pos, 'Expected a non-negative integer or a string in [ ]');
                this.expectPunct(']');
                node = { t: 'property', of: node, name: String(key.value) };
            }
            else {
                return node;
            }
        }
    }
    leafOf(token) {
        switch (token.type) {
            case 'literal':
                return { t: 'literal', value: token.value };
            case 'expression':
                return { t: 'expression', expression: token.value };
            case 'context':
                return { t: 'context', path: token.value };
            default:
                return undefined;
        }
    }
}
/**
 * Parses a simple condition. `allowContext`: the criterion has a `context`, so `$`/`$.name`
 * may refer to it. Throws ArazzoSyntaxError.
 */
function simple_condition_parseSimpleCondition(text, options = {}) {
    if (typeof text !== 'string') {
        throw new ArazzoSyntaxError(String(text), 0, 'A condition must be a string');
    }
    const tokens = tokenize(text, options.allowContext === true);
    return { source: text, root: new Parser(text, tokens).parse() };
}
function simple_condition_evaluateSimpleCondition(condition, ctx, contextValue) {
    return truthy(evaluateBoolean(condition.root, simpleSemantics(ctx, contextValue)));
}
/** A leaf reads the same as a comparison operand and as a truth value. */
function simpleSemantics(ctx, contextValue) {
    const semantics = {
        leaf: node => {
            switch (node.t) {
                case 'literal':
                    return node.value;
                case 'expression':
                    return evaluateExpression(node.expression, ctx);
                case 'context':
                    return dereference(contextValue, node.path);
                case 'property': {
                    // A loop, not recursion through evaluateBoolean, so a long `(x).a.b.c...` chain
                    // cannot exhaust the stack.
                    const names = [];
                    let base = node;
                    for (; base.t === 'property'; base = base.of)
                        names.push(base.name);
                    return names.reduceRight((value, name) => propertyOf(value, name), evaluateBoolean(base, semantics));
                }
            }
        },
        compare: compareLoose
    };
    return semantics;
}
/** Every runtime expression a simple condition evaluates (iterative: no nesting overflows it). */
function simple_condition_simpleConditionExpressions(condition) {
    const found = [];
    const stack = [condition.root];
    while (stack.length > 0) {
        const node = stack.pop();
        switch (node.t) {
            case 'expression':
                found.push(node.expression);
                break;
            case 'property':
                stack.push(node.of);
                break;
            case 'not':
                stack.push(node.operand);
                break;
            case 'and':
            case 'or':
                stack.push(...node.operands);
                break;
            case 'compare':
                stack.push(node.left, node.right);
                break;
            case 'context':
            case 'literal':
                // No expression of their own: the context is the criterion's `context`, read separately.
                break;
        }
    }
    return found;
}

;// CONCATENATED MODULE: ./src/arazzo/jsonpath-criterion.ts





/** True when `text` is a valid RFC 9535 query. Never throws (deep input can overflow the parser). */
function isJsonPathQuery(text) {
    const { parse } = jsonPathEngine(); // outside the try: a missing engine is not an invalid query
    try {
        parse(text);
        return true;
    }
    catch {
        return false;
    }
}
/** Decides once how a condition runs. Never throws: an invalid condition fails at evaluation. */
function jsonpath_criterion_planJsonPath(condition) {
    if (typeof condition !== 'string')
        return { form: 'invalid', reason: 'condition is not a string' };
    if (isJsonPathQuery(condition))
        return { form: 'query', query: condition };
    try {
        return { form: 'comparison', condition: parseJsonPathComparison(condition) };
    }
    catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { form: 'invalid', reason };
    }
}
/** Evaluates a plan against the criterion's context value. Never throws. */
function jsonpath_criterion_evaluateJsonPathPlan(plan, contextValue) {
    if (contextValue === null || contextValue === undefined)
        return false;
    try {
        switch (plan.form) {
            case 'query':
                return jsonpath_criterion_select(contextValue, plan.query).length > 0;
            case 'comparison':
                return truthy(evaluateBoolean(plan.condition.root, seedSemantics(contextValue)));
            case 'invalid':
                return false;
        }
    }
    catch {
        // RFC 9535 evaluation errors (e.g. an ill-typed function call) make the criterion fail.
        return false;
    }
}
/** The nodes a query selects; match() and search() in it run on RE2 (safe-regex.ts). */
function jsonpath_criterion_select(value, path) {
    return withRe2RegExp(() => jsonPathEngine().query(value, path));
}
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Characters that end a query at bracket depth 0. */
const QUERY_END = /[=!<>&|()]/;
/** Parses the seed form. Throws ArazzoSyntaxError (also when a query is not valid RFC 9535). */
function parseJsonPathComparison(text) {
    if (typeof text !== 'string') {
        throw new ArazzoSyntaxError(String(text), 0, 'A condition must be a string');
    }
    const tokens = jsonpath_criterion_tokenize(text);
    // An empty seed condition is reported at position 0 (simple conditions: at the end).
    return { source: text, root: new SeedParser(text, tokens).parse(0) };
}
function jsonpath_criterion_tokenize(text) {
    const fail = (pos, detail) => {
        throw new ArazzoSyntaxError(text, pos, detail);
    };
    const tokens = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) {
            i++;
            continue;
        }
        const pos = i;
        if (c === '(' || c === ')') {
            tokens.push({ type: 'punct', value: c, pos });
            i++;
            continue;
        }
        const op = operatorAt(text, i);
        if (op) {
            tokens.push({ type: 'op', value: op, pos });
            i += op.length;
            continue;
        }
        if (c === '$') {
            const end = scanQuery(text, i);
            const path = text.slice(i, end);
            if (!isJsonPathQuery(path))
                fail(i, `Invalid JSONPath query ${JSON.stringify(path)}`);
            tokens.push({ type: 'query', value: path, pos });
            i = end;
            continue;
        }
        if (c === '"' || c === "'") {
            const { value, end } = readEscapedString(text, i, fail);
            tokens.push({ type: 'literal', value, pos });
            i = end;
            continue;
        }
        if (c === '{' || c === '[') {
            const end = skipJsonComposite(text, i);
            let value;
            try {
                value = JSON.parse(text.slice(i, end));
            }
            catch {
                fail(i, 'Invalid JSON literal');
            }
            tokens.push({ type: 'literal', value, pos });
            i = end;
            continue;
        }
        const scalar = scalarAt(text, i, JSON_NUMBER);
        if (scalar) {
            tokens.push({ type: 'literal', value: scalar.value, pos });
            i += scalar.length;
            continue;
        }
        const word = wordAt(text, i);
        fail(i, word ? `Unknown word '${word}'` : `Unexpected character '${c}'`);
    }
    tokens.push({ type: 'end', pos: text.length });
    return tokens;
}
/**
 * Where a query starting at `start` ends: at depth 0 (outside brackets and quotes), at an
 * operator or parenthesis, or at whitespace not followed by another segment (`.` or `[`).
 */
function scanQuery(text, start) {
    let depth = 0;
    let i = start + 1;
    while (i < text.length) {
        const c = text[i];
        if (c === '"' || c === "'") {
            i = skipQuoted(text, i);
            continue;
        }
        if (c === '[' || (c === '(' && depth > 0))
            depth++;
        else if ((c === ']' || c === ')') && depth > 0)
            depth--;
        else if (depth === 0) {
            if (QUERY_END.test(c))
                return i;
            if (/\s/.test(c)) {
                let j = i;
                while (j < text.length && /\s/.test(text[j]))
                    j++;
                if (text[j] !== '.' && text[j] !== '[')
                    return i;
                i = j;
                continue;
            }
        }
        i++;
    }
    return i;
}
/** Index after a balanced JSON object or array starting at `start` (or the end of the text). */
function skipJsonComposite(text, start) {
    let depth = 0;
    let i = start;
    while (i < text.length) {
        const c = text[i];
        if (c === '"') {
            i = skipQuoted(text, i);
            continue;
        }
        if (c === '{' || c === '[')
            depth++;
        else if (c === '}' || c === ']')
            depth--;
        i++;
        if (depth === 0)
            return i;
    }
    return i;
}
/** Index after the closing quote (or the end of the text when there is none). */
function skipQuoted(text, start) {
    const quote = text[start];
    let i = start + 1;
    while (i < text.length && text[i] !== quote)
        i += text[i] === '\\' ? 2 : 1;
    return Math.min(i + 1, text.length);
}
class SeedParser extends (/* unused pure expression or super */ null && (BooleanConditionParser)) {
    expectedOperand = 'Expected a query or a literal';
    leafOf(token) {
        if (token.type === 'query')
            return { t: 'query', query: token.value };
        if (token.type === 'literal')
            return { t: 'literal', value: token.value };
        return undefined;
    }
}
// ---------------------------------------------------------------------------------------------
// Seed-form evaluation
// ---------------------------------------------------------------------------------------------
/**
 * A query that is a comparison operand yields its single node's value (undefined unless exactly
 * one node); anywhere else it is an existence test.
 */
function seedSemantics(root) {
    return {
        leaf: (node, asOperand) => {
            if (node.t === 'literal')
                return node.value;
            const nodes = jsonpath_criterion_select(root, node.query);
            if (!asOperand)
                return nodes.length > 0;
            return nodes.length === 1 ? nodes[0] : undefined;
        },
        compare: compareStrict
    };
}
function compareStrict(op, a, b) {
    switch (op) {
        case '==':
            return jsonEquals(a, b);
        case '!=':
            return !jsonEquals(a, b);
        default:
            break; // the ordering operators, below
    }
    if (typeof a === 'number' && typeof b === 'number')
        return order(op, a, b);
    if (typeof a === 'string' && typeof b === 'string')
        return order(op, a, b);
    return false;
}
/** Exact JSON equality; a missing value (undefined) equals null. */
function jsonEquals(a, b) {
    const x = a === undefined ? null : a;
    const y = b === undefined ? null : b;
    if (Array.isArray(x) || Array.isArray(y)) {
        return (Array.isArray(x) &&
            Array.isArray(y) &&
            x.length === y.length &&
            x.every((item, i) => jsonEquals(item, y[i])));
    }
    if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
        const left = x;
        const right = y;
        const keys = Object.keys(left);
        return (keys.length === Object.keys(right).length &&
            keys.every(key => Object.hasOwn(right, key) && jsonEquals(left[key], right[key])));
    }
    return x === y;
}

;// CONCATENATED MODULE: ./src/arazzo/jsonpath-goessner.ts
/**
 * `jsonpath` criteria of version `draft-goessner-dispatch-jsonpath-00` (Goessner's 2007 JSONPath,
 * as submitted to the IETF). Its path syntax is translated once, at load, into an equivalent
 * RFC 9535 query, which then runs like any other jsonpath condition (passes when it selects at
 * least one node):
 *
 *   $.store.book[*].author   $..author   $.store.*   $..book[2]   $..book[-1:]   $..book[0,1]
 *   $..book[:2]   $['store']['book']   $..book[?(@.isbn)]   $..book[?(@.price < 10)]
 *   $.first-name            -> $['first-name']  (names RFC 9535 cannot write with a dot)
 *   [?(@.pets.length > 0)]  -> [?(length(@.pets) > 0)]
 *   ===, !==                -> ==, !=
 *
 * What the draft leaves to JavaScript `eval` is refused with an error, never evaluated: script
 * expressions (`$.pets[(@.length-1)]`) and filters with arithmetic, calls or other operators
 * than comparisons, `&&`, `||` and `!`. Filters compare as RFC 9535 does (no type coercion);
 * `?(@.isbn)` tests that the member exists.
 */

/** RFC 9535 member-name-shorthand: such names may follow a dot. */
const SHORTHAND = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/;
/** A Goessner dot-name: anything up to the next `.`, `[`, space or operator. */
const DOT_NAME = /[^.[\]\s()=!<>&|,'"]+/y;
const SLICE_PART = /\s*(-?\d+)?\s*/y;
/** The RFC 9535 query that means what the Goessner path says. Throws ArazzoSyntaxError. */
function jsonpath_goessner_translateGoessner(text) {
    const translator = new Translator(text);
    const out = translator.path(true);
    translator.skipSpaces();
    if (!translator.atEnd())
        translator.fail('Unexpected text after the JSONPath');
    return out;
}
class Translator {
    text;
    pos = 0;
    constructor(text) {
        this.text = text;
    }
    atEnd() {
        return this.pos >= this.text.length;
    }
    skipSpaces() {
        while (/\s/.test(this.text[this.pos] ?? ''))
            this.pos++;
    }
    fail(detail, at = this.pos) {
        throw new ArazzoSyntaxError(this.text, at, detail);
    }
    /** `$` (or `@` inside a filter) and its segments. */
    path(root) {
        const start = this.text[this.pos];
        if (root ? start !== '$' : start !== '@' && start !== '$') {
            this.fail(root ? "A JSONPath starts with '$'" : "Expected '@' or '$'");
        }
        this.pos++;
        let out = start;
        const names = [];
        for (;;) {
            const c = this.text[this.pos];
            if (c === '.' && this.text[this.pos + 1] === '.') {
                this.pos += 2;
                out += '..' + this.afterDescendant();
                names.length = 0;
            }
            else if (c === '.') {
                this.pos++;
                if (this.text[this.pos] === '*') {
                    this.pos++;
                    out += '.*';
                    names.length = 0;
                    continue;
                }
                const name = this.match(DOT_NAME);
                if (!name)
                    this.fail('Expected a member name after "."');
                out += member(name);
                names.push(name);
            }
            else if (c === '[') {
                out += this.bracket();
                names.length = 0;
            }
            else {
                return root ? out : lengthCall(out, names);
            }
        }
    }
    afterDescendant() {
        const c = this.text[this.pos];
        if (c === '*') {
            this.pos++;
            return '*';
        }
        if (c === '[')
            return this.bracket();
        const name = this.match(DOT_NAME);
        if (!name)
            this.fail('Expected a member name, * or [ after ".."');
        return member(name).replace(/^\./, '');
    }
    bracket() {
        const open = this.pos;
        this.pos++;
        this.skipSpaces();
        const c = this.text[this.pos];
        let inner;
        if (c === '(') {
            this.fail('script expressions ([(...)]) need JavaScript evaluation, which this engine never does', open);
        }
        else if (c === '?') {
            this.pos++;
            this.skipSpaces();
            inner = `?${this.filter()}`;
        }
        else if (c === '*') {
            this.pos++;
            inner = '*';
        }
        else {
            inner = this.union();
        }
        this.skipSpaces();
        if (this.text[this.pos] !== ']')
            this.fail("Expected ']'");
        this.pos++;
        return `[${inner}]`;
    }
    union() {
        const items = [];
        for (;;) {
            this.skipSpaces();
            const c = this.text[this.pos];
            if (c === "'" || c === '"')
                items.push(quote(this.quoted()));
            else
                items.push(this.indexOrSlice());
            this.skipSpaces();
            if (this.text[this.pos] !== ',')
                return items.join(',');
            this.pos++;
        }
    }
    indexOrSlice() {
        const parts = [];
        for (let i = 0; i < 3; i++) {
            const number = this.match(SLICE_PART).trim();
            parts.push(number);
            if (this.text[this.pos] !== ':')
                break;
            this.pos++;
        }
        if (parts.length === 1 && !/^-?\d+$/.test(parts[0])) {
            this.fail('Expected an index, a slice, a name or *');
        }
        return parts.join(':');
    }
    quoted() {
        const quoteChar = this.text[this.pos];
        const start = this.pos;
        let value = '';
        this.pos++;
        while (this.pos < this.text.length && this.text[this.pos] !== quoteChar) {
            if (this.text[this.pos] === '\\' && this.pos + 1 < this.text.length) {
                const next = this.text[this.pos + 1];
                value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
                this.pos += 2;
            }
            else
                value += this.text[this.pos++];
        }
        if (this.text[this.pos] !== quoteChar)
            this.fail('Unterminated string', start);
        this.pos++;
        return value;
    }
    /** `(expr)` of a `?(...)` filter, parentheses kept (RFC 9535's `?expr` is accepted too). */
    filter() {
        return this.logical(0);
    }
    /** A filter expression: operands, comparisons, `!`, `&&`, `||`, parentheses. */
    logical(depth) {
        if (depth > 64)
            this.fail('Filter nested too deeply');
        let out = '';
        let expectOperand = true;
        for (;;) {
            this.skipSpaces();
            const c = this.text[this.pos];
            if (c === undefined || c === ']' || c === ',') {
                if (expectOperand)
                    this.fail('Expected a filter operand');
                return out;
            }
            if (c === ')') {
                if (depth === 0)
                    this.fail("Unbalanced ')'");
                if (expectOperand)
                    this.fail('Expected a filter operand');
                return out;
            }
            if (expectOperand) {
                if (c === '!' && this.text[this.pos + 1] !== '=') {
                    this.pos++;
                    out += '!';
                    continue;
                }
                if (c === '(') {
                    this.pos++;
                    out += `(${this.logical(depth + 1)})`;
                    if (this.text[this.pos] !== ')')
                        this.fail("Expected ')'");
                    this.pos++;
                }
                else
                    out += this.operand();
                expectOperand = false;
                continue;
            }
            const op = /^(===|!==|==|!=|<=|>=|<|>|&&|\|\|)/.exec(this.text.slice(this.pos))?.[0];
            if (!op) {
                this.fail(`'${c}' in a filter needs JavaScript evaluation (only comparisons, &&, || and ! are run)`);
            }
            this.pos += op.length;
            out += ` ${op === '===' ? '==' : op === '!==' ? '!=' : op} `;
            expectOperand = true;
        }
    }
    operand() {
        const c = this.text[this.pos];
        if (c === '@' || c === '$')
            return this.path(false);
        if (c === "'" || c === '"')
            return quote(this.quoted());
        const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?![A-Za-z0-9_])/.exec(this.text.slice(this.pos))?.[0];
        if (literal) {
            this.pos += literal.length;
            return literal;
        }
        return this.fail('Expected @, $, a string, a number, true, false or null (anything else would need JavaScript evaluation)');
    }
    /** The text a sticky pattern matches here ('' if none), consumed. */
    match(pattern) {
        pattern.lastIndex = this.pos;
        const found = pattern.exec(this.text)?.[0] ?? '';
        this.pos += found.length;
        return found;
    }
}
function member(name) {
    return SHORTHAND.test(name) ? `.${name}` : `[${quote(name)}]`;
}
/** A single-quoted RFC 9535 string literal. */
function quote(value) {
    const escaped = value
        .replace(/[\\']/g, c => `\\${c}`)
        .replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return `'${escaped}'`;
}
/** `@.pets.length` (JavaScript's length) is RFC 9535's `length(@.pets)`. */
function lengthCall(path, names) {
    if (names.length === 0 || names[names.length - 1] !== 'length')
        return path;
    return `length(${path.slice(0, -'.length'.length)})`;
}

;// CONCATENATED MODULE: ./src/arazzo/criteria.ts
/**
 * Criterion Objects (Arazzo 1.0.1): `simple`, `regex` and `jsonpath` conditions, compiled once
 * and evaluated many times. `xpath` is refused at compile time: there is no XPath 3.1 engine
 * here, and a half-working one would make success criteria lie.
 *
 * Compile-time errors: ArazzoSyntaxError for a simple or regex condition (or a context) that does
 * not parse; a plain ArazzoError for xpath, an unknown type or version, a malformed criterion,
 * a regex or jsonpath criterion without `context` (Arazzo 1.0.1: "If `type` is specified, then
 * the `context` MUST be provided"; an explicit `simple` without one only warns), and a jsonpath
 * condition that is not valid for its version: RFC 9535 (or the seed form), or
 * draft-goessner-dispatch-jsonpath-00 (translated to RFC 9535 by jsonpath-goessner.ts, which
 * refuses what would need JavaScript `eval`). The caller adds the criterion's JSON Pointer.
 *
 * Regex conditions are ECMAScript patterns run on RE2 only (safe-regex.ts): a document is untrusted
 * input, and a backtracking engine can take hours on a pattern such as `^(?=a)a*a*a*a*a*b`. A
 * pattern RE2 cannot run (lookaround, backreferences) is refused when the document loads, and a
 * value too long for its pattern's work budget fails the criterion. RE2's `\s` is ASCII whitespace
 * only and its `.` matches `\r`; no DSAR status or code comes near those differences.
 *
 * Embedded `{$...}` expressions in regex and jsonpath conditions (1.1.0 draft) are replaced by
 * their raw string value (objects as JSON) before the condition runs; the author writes any
 * quotes the query needs: `$[?@.status == '{$inputs.expectedStatus}']`. Such a condition is the
 * only one whose text is parsed at evaluation time, since the text only exists then.
 */








const JSONPATH_VERSIONS = (/* unused pure expression or super */ null && (['draft-goessner-dispatch-jsonpath-00', 'rfc9535']));
const XPATH_VERSIONS = (/* unused pure expression or super */ null && (['xpath-10', 'xpath-20', 'xpath-30', 'xpath-31']));
const CONTEXT_RULE = 'Arazzo 1.0.1: "If type is specified, then the context MUST be provided"';
function criteria_compileCriterion(criterion) {
    if (typeof criterion !== 'object' || criterion === null) {
        throw new ArazzoError('A criterion must be an object');
    }
    if (typeof criterion.condition !== 'string') {
        throw new ArazzoError('A criterion needs a string condition');
    }
    const type = criterionType(criterion.type);
    const warnings = [];
    const context = criterion.context === undefined ? undefined : parseContext(criterion.context);
    const condition = criterion.condition;
    switch (type) {
        case 'simple':
            if (criterion.type !== undefined && !context) {
                warnings.push(`a criterion with a type should have a context (${CONTEXT_RULE})`);
            }
            return {
                criterion,
                warnings,
                plan: {
                    type,
                    condition: parseSimpleCondition(condition, { allowContext: context !== undefined }),
                    context
                }
            };
        case 'regex': {
            if (!context)
                throw new ArazzoError(`A regex criterion needs a context (${CONTEXT_RULE})`);
            const template = parseTemplate(condition, { bare: false });
            const regex = template ? undefined : compileRegex(condition);
            return { criterion, warnings, plan: { type, context, regex, template } };
        }
        case 'jsonpath': {
            if (!context) {
                throw new ArazzoError(`A jsonpath criterion needs a context, e.g. $response.body (${CONTEXT_RULE})`);
            }
            const goessner = isGoessner(criterion.type);
            const template = parseTemplate(condition, { bare: false });
            const plan = template ? undefined : planFor(condition, goessner);
            if (plan?.form === 'invalid') {
                throw new ArazzoError(`The jsonpath condition is not valid ${goessner ? JSONPATH_VERSIONS[0] : 'RFC 9535'}: ${plan.reason}`);
            }
            return { criterion, warnings, plan: { type, context, plan, template, goessner } };
        }
    }
}
/**
 * The runtime expressions a compiled criterion evaluates, by where they sit: its context, and
 * those its condition reads (operands of a simple condition, `{$...}` of a regex or jsonpath
 * template). The secret-flow check reads these, so it sees exactly what the runner parsed.
 */
function criteria_criterionExpressions(compiled) {
    const { plan } = compiled;
    const context = plan.context ? [plan.context] : [];
    if (plan.type === 'simple') {
        return { context, condition: simpleConditionExpressions(plan.condition) };
    }
    const template = plan.template ?? [];
    return { context, condition: template.filter(part => typeof part !== 'string') };
}
function criteria_compileWarnings(compiled) {
    return [...compiled.warnings];
}
/** Pass or fail. Never throws: evaluation errors fail the criterion (1.1.0 draft). */
function criteria_evaluateCriterion(compiled, ctx) {
    try {
        return evaluatePlan(compiled.plan, ctx);
    }
    catch {
        // Only pathological values get here (e.g. equality on a body nested deeper than the stack).
        return false;
    }
}
function evaluatePlan(plan, ctx) {
    switch (plan.type) {
        case 'simple': {
            const contextValue = plan.context ? evaluateExpression(plan.context, ctx) : undefined;
            return evaluateSimpleCondition(plan.condition, ctx, contextValue);
        }
        case 'regex': {
            const value = evaluateExpression(plan.context, ctx);
            if (value === null || value === undefined)
                return false;
            const regex = plan.regex ?? compileRegexQuietly(renderTemplate(plan.template ?? [], ctx));
            return regex !== undefined && regex.test(stringifyValue(value));
        }
        case 'jsonpath': {
            const value = evaluateExpression(plan.context, ctx);
            const jsonPath = plan.plan ?? planFor(renderTemplate(plan.template ?? [], ctx), plan.goessner === true);
            return evaluateJsonPathPlan(jsonPath, value);
        }
    }
}
/** All criteria pass (the spec's implicit AND); also returns the conditions that failed. */
function evaluateCriteria(compiled, ctx) {
    const failed = compiled
        .filter(criterion => !criteria_evaluateCriterion(criterion, ctx))
        .map(criterion => criterion.criterion.condition);
    return { passed: failed.length === 0, failed };
}
function criterionType(type) {
    if (type === undefined || type === 'simple')
        return 'simple';
    if (type === 'regex' || type === 'jsonpath')
        return type;
    if (type === 'xpath')
        throw new ArazzoError('xpath criteria are not supported');
    if (typeof type === 'object' && type !== null) {
        const { type: kind, version } = type;
        if (kind === 'jsonpath') {
            if (typeof version === 'string' && JSONPATH_VERSIONS.includes(version))
                return 'jsonpath';
            throw new ArazzoError(`Unknown jsonpath version ${JSON.stringify(version)}`);
        }
        if (kind === 'xpath') {
            if (typeof version === 'string' && XPATH_VERSIONS.includes(version)) {
                throw new ArazzoError(`xpath criteria are not supported (${version})`);
            }
            throw new ArazzoError(`Unknown xpath version ${JSON.stringify(version)}`);
        }
        throw new ArazzoError(`Unknown criterion expression type ${JSON.stringify(kind)}`);
    }
    throw new ArazzoError(`Unknown criterion type ${JSON.stringify(type)}`);
}
/** How a jsonpath condition runs; a Goessner one is translated to RFC 9535 first. */
function planFor(condition, goessner) {
    if (!goessner)
        return planJsonPath(condition);
    let translated;
    try {
        translated = translateGoessner(condition);
    }
    catch (error) {
        // Not a Goessner path: the seed's comparison form is accepted under either version.
        const fallback = planJsonPath(condition);
        if (fallback.form === 'comparison')
            return fallback;
        return { form: 'invalid', reason: error instanceof Error ? error.message : String(error) };
    }
    return planJsonPath(translated);
}
function isGoessner(type) {
    return typeof type === 'object' && type !== null && type.version === JSONPATH_VERSIONS[0];
}
/** The context is one runtime expression; `{$...}` around it is tolerated. */
function parseContext(context) {
    if (typeof context !== 'string')
        throw new ArazzoError('A criterion context must be a string');
    const braced = /^\{(\$[^{}]*)\}$/.exec(context);
    if (!braced)
        return parseExpression(context);
    try {
        return parseExpression(braced[1]);
    }
    catch (error) {
        if (!(error instanceof ArazzoSyntaxError))
            throw error;
        throw new ArazzoSyntaxError(context, error.position + 1, error.detail);
    }
}
/** An ECMAScript pattern on RE2; one RE2 cannot run is refused (see the module comment). */
function compileRegex(pattern) {
    try {
        return compileSafeRegex(pattern);
    }
    catch (error) {
        if (!(error instanceof RegexRefused))
            throw error;
        throw new ArazzoSyntaxError(pattern, 0, `Regular expression refused: ${error.message}`);
    }
}
/** A pattern made at run time (a template): undefined when RE2 cannot run it. */
function compileRegexQuietly(pattern) {
    try {
        return compileSafeRegex(pattern);
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/arazzo/secret-flow.ts
/**
 * Where a secret input may flow in a document: into request headers of operation steps (which the
 * caller's transport sends to the API's own origin only), and on to another workflow as an input of
 * the same secret name (where the same rule holds). Nowhere else: not into criteria, outputs, request
 * bodies, query, path or cookie parameters, nor into another workflow's other inputs.
 *
 * Why at load time, and why so strict: redaction catches a secret only where it appears whole. A
 * document with regex criteria on `$inputs.basicAuth`, one `goto` per candidate character, each
 * target step emitting a literal, rebuilds the credentials in its outputs character by character,
 * and no output then contains them. Only refusing the flow itself closes that.
 *
 * The check decides on PARSED expressions, from the same parsers the runner uses (compileValue for
 * values, compileCriterion for criteria), never on a second reading of the text: an earlier regex
 * over the text knew only ids of `[A-Za-z0-9_-]+`, so `$workflows.sub:x.inputs.basicAuth` (an id
 * the parser accepts) walked past it. One rule (`secretRead`) then says which parsed references
 * carry a secret: `$inputs.<secret>` and `$workflows.<any id>.inputs.<secret>` (with any property
 * path or JSON Pointer tail), and `$request.header.<name>` of a header some step fills from a
 * secret. Outputs never carry one (they may not read one), so `$steps`/`$workflows` outputs are
 * clean by induction. Every string under a refused place is also read as a value (whole
 * expression, `{$...}`, bare token), so a string the runner might evaluate in either form is seen.
 */



/**
 * Every use of a secret input the document makes outside request headers, as load problems (JSON
 * Pointer of the offending value, what it would reach). `secretInputs` are input names.
 */
function secret_flow_checkSecretFlow(document, secretInputs) {
    if (secretInputs.length === 0)
        return [];
    const places = [];
    const parameters = [];
    collect(document, places, parameters);
    // Headers filled from a secret, or from a header filled from one: to a fixed point.
    const secretHeaders = new Set();
    const secrets = new Set(secretInputs);
    for (let grew = true; grew;) {
        grew = false;
        for (const use of parameters) {
            const name = use.name.toLowerCase();
            if (!use.header || secretHeaders.has(name))
                continue;
            if (use.found.some(f => secretRead(f.expression, secrets, secretHeaders))) {
                secretHeaders.add(name);
                grew = true;
            }
        }
    }
    const problems = [];
    const refuse = (found, reaches, allowed) => {
        for (const { expression, pointer } of found) {
            const secret = secretRead(expression, secrets, secretHeaders);
            if (secret === undefined || secret === allowed)
                continue;
            problems.push({ pointer, message: message(secret, expression, reaches) });
        }
    };
    for (const use of parameters) {
        if (use.header)
            continue;
        refuse(use.found, use.reaches, use.childInput && secrets.has(use.name) ? use.name : undefined);
    }
    for (const place of places)
        refuse(place.found, place.reaches);
    return dedupe(problems);
}
/**
 * The one rule: the secret input a parsed reference reads, if any. `$inputs.a.b` reads input
 * `a.b` or property `b` of input `a` (longest name first), so every prefix of the path counts.
 */
function secretRead(expression, secrets, secretHeaders) {
    const ref = expression.ref;
    if (ref.source === 'inputs' || (ref.source === 'workflows' && ref.field === 'inputs')) {
        for (let n = 1; n <= ref.path.length; n++) {
            const name = ref.path.slice(0, n).join('.');
            if (secrets.has(name))
                return name;
        }
        return undefined;
    }
    if (ref.source === 'request' && ref.part === 'header') {
        const name = ref.name.toLowerCase();
        if (secretHeaders.has(name))
            return `header:${name}`;
    }
    return undefined;
}
function message(secret, expression, reaches) {
    if (secret.startsWith('header:')) {
        return (`${expression.source} reads a header that carries a secret input; it would reach ${reaches}. ` +
            'Secret inputs may be used in request headers only');
    }
    return (`the secret input '${secret}' would reach ${reaches}: secret inputs may be used only in ` +
        'request headers of operation steps (and passed on as the same secret input of another workflow)');
}
/** Walks every place the runner evaluates: parameters apart, everything else refused outright. */
function collect(document, places, parameters) {
    const components = document.components ?? {};
    const place = (value, pointer, reaches) => {
        places.push({ found: expressionsUnder(value, pointer), reaches });
    };
    document.workflows.forEach((workflow, w) => {
        const at = childPointer('workflows', w);
        workflow.steps.forEach((step, s) => {
            const stepAt = childPointer(childPointer(at, 'steps'), s);
            const isOperation = step.workflowId === undefined;
            const listedParameters = [
                ...listed(workflow.parameters, childPointer(at, 'parameters')),
                ...listed(step.parameters, childPointer(stepAt, 'parameters'))
            ];
            for (const { item, pointer } of listedParameters) {
                const use = parameterUse(item, pointer, isOperation, step.stepId, step.workflowId, components);
                if (use)
                    parameters.push(use);
            }
            place(step.requestBody, childPointer(stepAt, 'requestBody'), 'a request body');
            place(step.successCriteria, childPointer(stepAt, 'successCriteria'), 'criteria');
            place(step.onSuccess, childPointer(stepAt, 'onSuccess'), 'criteria');
            place(step.onFailure, childPointer(stepAt, 'onFailure'), 'criteria');
            place(step.outputs, childPointer(stepAt, 'outputs'), 'an output');
        });
        place(workflow.successActions, childPointer(at, 'successActions'), 'criteria');
        place(workflow.failureActions, childPointer(at, 'failureActions'), 'criteria');
        place(workflow.outputs, childPointer(at, 'outputs'), 'an output');
    });
    for (const kind of ['successActions', 'failureActions']) {
        place(components[kind], childPointer('components', kind), 'criteria');
    }
}
/** A parameter (resolved through its component reference) and the expressions its value reads. */
function parameterUse(item, pointer, isOperation, stepId, childWorkflow, components) {
    if (!isObject(item))
        return undefined;
    let parameter = item;
    let valueAt = childPointer(pointer, 'value');
    if (typeof item.reference === 'string') {
        const parsed = parseComponentReference(item.reference);
        const target = parsed && lookupComponent(components, 'parameters', parsed.name);
        if (!parsed || !isObject(target))
            return undefined; // reported by validation
        const overridden = item.value !== undefined;
        parameter = { ...target, ...(overridden && { value: item.value }) };
        if (!overridden)
            valueAt = childPointer(childPointer('components/parameters', parsed.name), 'value');
    }
    const name = typeof parameter.name === 'string' ? parameter.name : '';
    const reaches = isOperation
        ? `the ${String(parameter.in ?? 'unplaced')} parameter '${name}' of step '${stepId}'`
        : `input '${name}' of workflow '${childWorkflow}' (only an input of the same secret name may receive it)`;
    return {
        found: expressionsUnder(parameter.value, valueAt),
        name,
        reaches,
        header: isOperation && parameter.in === 'header',
        childInput: !isOperation
    };
}
/**
 * Every expression the runner could evaluate under a document value, parsed as the runner parses
 * it: each criterion-shaped object (a string `condition`) through compileCriterion, and each
 * string through compileValue. Iterative, so no document depth overflows it.
 */
function expressionsUnder(value, pointer) {
    const found = [];
    const stack = [{ value, pointer }];
    while (stack.length > 0) {
        const { value: current, pointer: at } = stack.pop();
        if (typeof current === 'string') {
            for (const expression of valueExpressions(current))
                found.push({ expression, pointer: at });
        }
        else if (Array.isArray(current) || isObject(current)) {
            if (isObject(current) && typeof current.condition === 'string') {
                found.push(...criterionUnder(current, at));
            }
            // Pushed last-first, so problems come out in document order.
            const children = Object.entries(current);
            for (let i = children.length - 1; i >= 0; i--) {
                const [key, item] = children[i];
                stack.push({ value: item, pointer: childPointer(at, key) });
            }
        }
    }
    return found;
}
function valueExpressions(text) {
    try {
        return expressionsIn(compileValue(text));
    }
    catch {
        return []; // a `{$...}` that does not parse: validation reports it, and nothing runs it
    }
}
function criterionUnder(criterion, pointer) {
    let parts;
    try {
        parts = criterionExpressions(compileCriterion(criterion));
    }
    catch {
        return []; // a criterion that does not compile is a validation problem, and never runs
    }
    return [
        ...parts.context.map(expression => ({ expression, pointer: childPointer(pointer, 'context') })),
        ...parts.condition.map(expression => ({
            expression,
            pointer: childPointer(pointer, 'condition')
        }))
    ];
}
/** The items of a parameter list with their pointers (non-lists were reported by validation). */
function listed(list, pointer) {
    return Array.isArray(list)
        ? list.map((item, i) => ({ item, pointer: childPointer(pointer, i) }))
        : [];
}
/** One problem per pointer and message (a string read both as a value and a criterion). */
function dedupe(problems) {
    const seen = new Set();
    return problems.filter(problem => {
        const key = `${problem.pointer}\n${problem.message}`;
        if (seen.has(key))
            return false;
        seen.add(key);
        return true;
    });
}

;// CONCATENATED MODULE: ./src/arazzo/validation-context.ts
/**
 * What every part of document validation shares: the problem and warning lists (with the error
 * that carries them out of the loader), the fixed fields Arazzo 1.0.1 allows on each object, and
 * the `ValidationContext` that the check modules (validate-values, validate-references,
 * validate-actions, validate-steps, validate-components, validate) report into. The context also
 * holds what one document's checks learn about it as they go (its source description types,
 * workflow ids and components), because later checks resolve references against them.
 */


/** An ArazzoLoadError that lists every problem found (the first one's pointer is `pointer`). */
class validation_context_ArazzoValidationError extends errors/* ArazzoLoadError */.GA {
    problems;
    constructor(problems) {
        const [first, ...rest] = problems;
        const more = rest.map(p => `\n  ${p.pointer ? `${p.pointer}: ` : ''}${p.message}`).join('');
        const count = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
        super(first.pointer, `${first.message}${count}${more}`);
        this.problems = problems;
        // Callers test `name`; this is a load error that happens to carry a list.
        this.name = 'ArazzoLoadError';
    }
}
/** The fixed fields of each Arazzo object; anything else must be an `x-` extension. */
const validation_context_FIELDS = {
    root: ['arazzo', 'info', 'sourceDescriptions', 'workflows', 'components'],
    info: ['title', 'summary', 'description', 'version'],
    source: ['name', 'url', 'type'],
    workflow: [
        'workflowId',
        'summary',
        'description',
        'inputs',
        'dependsOn',
        'steps',
        'successActions',
        'failureActions',
        'outputs',
        'parameters'
    ],
    step: [
        'stepId',
        'description',
        'operationId',
        'operationPath',
        'workflowId',
        'parameters',
        'requestBody',
        'successCriteria',
        'onSuccess',
        'onFailure',
        'outputs'
    ],
    parameter: ['name', 'in', 'value'],
    reusable: ['reference', 'value'],
    successAction: ['name', 'type', 'workflowId', 'stepId', 'criteria'],
    failureAction: ['name', 'type', 'workflowId', 'stepId', 'retryAfter', 'retryLimit', 'criteria'],
    criterion: ['context', 'condition', 'type'],
    expressionType: ['type', 'version'],
    requestBody: ['contentType', 'payload', 'replacements'],
    replacement: ['target', 'value'],
    components: ['inputs', 'parameters', 'successActions', 'failureActions']
};
/** Collects the problems (errors) and warnings of one document, and what its checks learnt. */
class validation_context_ValidationContext {
    problems = [];
    warnings = [];
    sourceTypes = new Map();
    workflowIds = new Set();
    components = {};
    problem(pointer, message) {
        this.problems.push({ pointer, message });
    }
    warn(pointer, message) {
        this.warnings.push(pointer ? `${pointer}: ${message}` : message);
    }
    knownFields(value, pointer, fields) {
        for (const key of Object.keys(value)) {
            if (!fields.includes(key) && !key.startsWith('x-')) {
                const near = fields.find(field => field.toLowerCase() === key.toLowerCase());
                this.problem(childPointer(pointer, key), `unknown field '${key}'${near ? ` (did you mean '${near}'?)` : ''}: Arazzo 1.0.1 allows only its fixed fields and x- extensions here`);
            }
        }
    }
    requireString(value, key, pointer) {
        const field = value[key];
        if (field === undefined) {
            this.problem(pointer, `${key} is required`);
            return undefined;
        }
        if (typeof field !== 'string') {
            this.problem(childPointer(pointer, key), `${key} must be a string`);
            return undefined;
        }
        return field;
    }
    optionalString(value, key, pointer) {
        const field = value[key];
        if (field === undefined)
            return undefined;
        if (typeof field !== 'string') {
            this.problem(childPointer(pointer, key), `${key} must be a string`);
            return undefined;
        }
        return field;
    }
    list(value, pointer, what) {
        if (value === undefined)
            return undefined;
        if (!Array.isArray(value)) {
            this.problem(pointer, `${what} must be a list`);
            return undefined;
        }
        return value;
    }
}
/** The message of anything thrown: an Error's own, or the value as text (never a stack trace). */
function validation_context_messageOf(error) {
    if (error instanceof errors/* ArazzoError */.oP || error instanceof Error)
        return error.message;
    return String(error);
}

;// CONCATENATED MODULE: ./src/arazzo/validate-values.ts
/**
 * Validation of the values a document computes at run time: runtime expressions, parameter and
 * payload values that embed them (with the warnings about bare `$tokens` and expression
 * look-alikes), workflow and step outputs, and success/action criteria. Each is compiled here
 * exactly as the runner will compile it, so a syntax error is reported at load time with the
 * pointer of the field that holds it.
 */






function checkExpression(v, text, pointer) {
    if (typeof text !== 'string') {
        v.problem(pointer, 'must be a runtime expression string');
        return;
    }
    try {
        parseExpression(text);
    }
    catch (error) {
        v.problem(pointer, messageOf(error));
    }
}
function validate_values_checkValue(v, value, pointer) {
    let notes;
    try {
        notes = valueNotes(compileValue(value));
    }
    catch (error) {
        v.problem(pointer, messageOf(error));
        return;
    }
    for (const token of notes.bare) {
        v.warn(pointer, `'${token}' inside a string is substituted as a compatibility rule; Arazzo 1.0.1 writes an embedded expression as '{${token}}'`);
    }
    for (const { text, reason } of notes.notExpressions) {
        v.warn(pointer, `'${text}' is not a runtime expression (${reason}): it is sent as text`);
    }
}
/** An output value: `$...` must parse as an expression; other strings may template `{$...}`. */
function checkOutput(v, value, pointer) {
    if (typeof value !== 'string') {
        v.problem(pointer, 'an output must be a runtime expression string');
        return;
    }
    if (value.startsWith('$'))
        checkExpression(v, value, pointer);
    else
        validate_values_checkValue(v, value, pointer);
}
function validate_values_checkOutputs(v, value, pointer) {
    if (value === undefined)
        return;
    if (!isObject(value)) {
        v.problem(pointer, 'outputs must be a map of names to runtime expressions');
        return;
    }
    for (const [key, expression] of Object.entries(value)) {
        const at = childPointer(pointer, key);
        if (!KEY_PATTERN.test(key)) {
            v.problem(at, `output name '${key}' must match ${KEY_PATTERN.source}`);
        }
        checkOutput(v, expression, at);
    }
}
function validate_values_checkCriteria(v, value, pointer) {
    const items = v.list(value, pointer, 'criteria');
    items?.forEach((item, i) => checkCriterion(v, item, childPointer(pointer, i)));
}
function checkCriterion(v, value, pointer) {
    if (!isObject(value)) {
        v.problem(pointer, 'a criterion must be an object');
        return;
    }
    v.knownFields(value, pointer, FIELDS.criterion);
    if (isObject(value.type)) {
        v.knownFields(value.type, childPointer(pointer, 'type'), FIELDS.expressionType);
    }
    if (v.requireString(value, 'condition', pointer) === undefined)
        return;
    // The criteria module owns the rules on types and contexts (e.g. a jsonpath criterion
    // without context defaults to $response.body with a warning; a regex one is an error).
    try {
        const compiled = compileCriterion(value);
        for (const warning of compileWarnings(compiled))
            v.warn(pointer, warning);
    }
    catch (error) {
        v.problem(criterionErrorPointer(value, pointer, error), messageOf(error));
    }
}
/** A syntax error points at the field whose text it quotes; other errors at the criterion. */
function criterionErrorPointer(criterion, pointer, error) {
    if (!(error instanceof ArazzoSyntaxError))
        return pointer;
    if (typeof criterion.context === 'string' && error.source === criterion.context) {
        return childPointer(pointer, 'context');
    }
    return childPointer(pointer, 'condition');
}

;// CONCATENATED MODULE: ./src/arazzo/validate-references.ts
/**
 * Validation of the references a document makes to things outside the node being checked:
 * workflowIds (local, or `$sourceDescriptions.<name>.<id>` into an arazzo source), operationIds
 * (which OpenAPI source they name), `$components` Reusable Objects and `#/components/inputs`
 * schema references. Each reference is resolved against what the ValidationContext has learnt of
 * the document, so a dangling one fails at load time rather than mid-run.
 */


/** A workflowId in a step, action or dependsOn: local, or `$sourceDescriptions.x.id`. */
function validate_references_checkWorkflowReference(v, id, pointer) {
    const external = parseSourceReference(id);
    if (external) {
        if (!v.sourceTypes.has(external.sourceName)) {
            v.problem(pointer, `no source description named '${external.sourceName}'`);
        }
        else if (v.sourceTypes.get(external.sourceName) === 'openapi') {
            v.problem(pointer, `'${external.sourceName}' is an OpenAPI source description, which has no workflows: name a workflow of this document, or of an arazzo source description as $sourceDescriptions.<name>.<workflowId>`);
        }
        // An arazzo source's workflows are checked once it is loaded (source-loader.ts).
        return;
    }
    if (!v.workflowIds.has(id))
        v.problem(pointer, `no workflow '${id}' in this document`);
}
/** `$sourceDescriptions.<name>.<id>`, or a bare id when there is one OpenAPI source (a MUST). */
function validate_references_checkOperationId(v, operationId, pointer) {
    const external = parseSourceReference(operationId);
    if (external) {
        const type = v.sourceTypes.get(external.sourceName);
        if (!v.sourceTypes.has(external.sourceName)) {
            v.problem(pointer, `no source description named '${external.sourceName}'`);
        }
        else if (type === 'arazzo') {
            v.problem(pointer, `'${external.sourceName}' is an arazzo source description: an operationId must name an OpenAPI one (for a workflow, use workflowId)`);
        }
        return;
    }
    const openapi = [...v.sourceTypes].filter(([, type]) => type !== 'arazzo');
    if (openapi.length > 1) {
        v.problem(pointer, `the document has several OpenAPI source descriptions (${openapi.map(([name]) => name).join(', ')}), so operationId must name one: write $sourceDescriptions.<name>.${operationId}`);
    }
}
/** Checks a Reusable Object and returns the component it names (undefined if broken). */
function validate_references_checkReusable(v, item, pointer, kind) {
    const reference = item.reference;
    const at = childPointer(pointer, 'reference');
    if (typeof reference !== 'string') {
        v.problem(at, 'reference must be a $components expression string');
        return undefined;
    }
    const parsed = parseComponentReference(reference);
    if (!parsed || parsed.kind !== kind) {
        v.problem(at, `reference must look like $components.${kind}.<name>, not '${reference}'`);
        return undefined;
    }
    const target = lookupComponent(v.components, kind, parsed.name);
    if (target === undefined) {
        v.problem(at, `no components.${kind} entry '${parsed.name}'`);
        return undefined;
    }
    if (item.value !== undefined) {
        if (kind === 'parameters')
            checkValue(v, item.value, childPointer(pointer, 'value'));
        else
            v.warn(childPointer(pointer, 'value'), 'value only applies to parameter references');
    }
    return target;
}
function validate_references_checkInputsRef(v, ref, pointer) {
    const match = /^#\/components\/inputs\/(.+)$/.exec(ref);
    if (!match) {
        if (ref.startsWith('#'))
            v.problem(pointer, `'${ref}' must point into #/components/inputs`);
        else
            v.warn(pointer, `external schema reference '${ref}' is not resolved`);
        return;
    }
    const name = match[1].replace(/~1/g, '/').replace(/~0/g, '~');
    if (lookupComponent(v.components, 'inputs', name) === undefined) {
        v.problem(pointer, `no components.inputs entry '${name}'`);
    }
}

;// CONCATENATED MODULE: ./src/arazzo/validate-actions.ts
/**
 * Validation of Success and Failure Action Objects, on steps, on workflows and under components:
 * their fixed fields, types (end/goto, plus retry for failures), goto targets (a step of the same
 * workflow or a workflow reference), retry bounds, criteria and unique names. A component action's
 * step target is checked where it is used, since only the using workflow knows its steps.
 */




function validate_actions_checkActions(v, value, pointer, kind, scope) {
    const items = v.list(value, pointer, kind === 'success' ? 'success actions' : 'failure actions');
    if (!items)
        return;
    const names = new Set();
    const componentKind = kind === 'success' ? 'successActions' : 'failureActions';
    items.forEach((item, i) => {
        const at = childPointer(pointer, i);
        if (!isObject(item)) {
            v.problem(at, 'an action must be an object');
            return;
        }
        let action = item;
        if (item.reference !== undefined) {
            v.knownFields(item, at, FIELDS.reusable);
            const target = checkReusable(v, item, at, componentKind);
            action = isObject(target) ? target : undefined;
            // The component's own shape was checked under components; its step target depends on
            // the workflow it is used in.
            if (action && typeof action.stepId === 'string' && !scope.stepIds.has(action.stepId)) {
                v.problem(at, `${componentKind} '${String(action.name)}' goes to step '${action.stepId}', which is not in workflow '${scope.workflowId}'`);
            }
        }
        else {
            validate_actions_checkAction(v, item, at, kind, scope);
        }
        if (!action || typeof action.name !== 'string')
            return;
        if (names.has(action.name))
            v.problem(at, `duplicate action name '${action.name}'`);
        names.add(action.name);
    });
}
/** A Success or Failure Action Object; scope undefined for components (step targets unknown). */
function validate_actions_checkAction(v, action, pointer, kind, scope) {
    v.knownFields(action, pointer, kind === 'success' ? FIELDS.successAction : FIELDS.failureAction);
    v.requireString(action, 'name', pointer);
    const type = v.requireString(action, 'type', pointer);
    const allowed = kind === 'success' ? ['end', 'goto'] : ['end', 'goto', 'retry'];
    if (type !== undefined && !allowed.includes(type)) {
        v.problem(childPointer(pointer, 'type'), `type must be ${allowed.join(' or ')}, not '${type}'`);
    }
    const stepId = v.optionalString(action, 'stepId', pointer);
    const workflowId = v.optionalString(action, 'workflowId', pointer);
    if (type === 'goto' && action.stepId === undefined && action.workflowId === undefined) {
        v.problem(pointer, 'goto needs stepId or workflowId');
    }
    if (action.stepId !== undefined && action.workflowId !== undefined) {
        v.problem(pointer, 'stepId and workflowId are mutually exclusive');
    }
    if (type === 'end' && (action.stepId !== undefined || action.workflowId !== undefined)) {
        v.warn(pointer, 'stepId/workflowId are ignored on an end action');
    }
    if (stepId !== undefined && scope && !scope.stepIds.has(stepId)) {
        v.problem(childPointer(pointer, 'stepId'), `no step '${stepId}' in workflow '${scope.workflowId}'`);
    }
    if (workflowId !== undefined)
        checkWorkflowReference(v, workflowId, childPointer(pointer, 'workflowId'));
    if (kind === 'failure') {
        const retryAfter = action.retryAfter;
        if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !(retryAfter >= 0))) {
            v.problem(childPointer(pointer, 'retryAfter'), 'retryAfter must be a non-negative number of seconds');
        }
        const retryLimit = action.retryLimit;
        if (retryLimit !== undefined &&
            (typeof retryLimit !== 'number' || !Number.isInteger(retryLimit) || retryLimit < 0)) {
            v.problem(childPointer(pointer, 'retryLimit'), 'retryLimit must be a non-negative integer');
        }
        if (type !== 'retry' && (retryAfter !== undefined || retryLimit !== undefined)) {
            v.warn(pointer, 'retryAfter/retryLimit only apply to retry actions');
        }
    }
    if (action.criteria !== undefined)
        checkCriteria(v, action.criteria, childPointer(pointer, 'criteria'));
}

;// CONCATENATED MODULE: ./src/arazzo/validate-steps.ts
/**
 * Validation of Step Objects: exactly one of operationId, operationPath or workflowId (and that
 * it names something real), parameters (locations, duplicates, references), the request body and
 * its JSON Pointer replacements, success criteria, onSuccess/onFailure actions and outputs.
 */





function validate_steps_checkStep(v, step, pointer, scope) {
    v.knownFields(step, pointer, FIELDS.step);
    v.optionalString(step, 'description', pointer);
    const kinds = ['operationId', 'operationPath', 'workflowId'].filter(k => step[k] !== undefined);
    if (kinds.length === 0) {
        v.problem(pointer, 'a step needs one of operationId, operationPath or workflowId');
    }
    else if (kinds.length > 1) {
        v.problem(pointer, `${kinds.join(' and ')} are mutually exclusive`);
    }
    const operationId = v.optionalString(step, 'operationId', pointer);
    if (operationId !== undefined)
        checkOperationId(v, operationId, childPointer(pointer, 'operationId'));
    const operationPath = v.optionalString(step, 'operationPath', pointer);
    if (operationPath !== undefined) {
        const match = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#/.exec(operationPath);
        if (!match) {
            v.problem(childPointer(pointer, 'operationPath'), 'operationPath must look like {$sourceDescriptions.<name>.url}#/paths/<path>/<method>');
        }
        else if (!v.sourceTypes.has(match[1])) {
            v.problem(childPointer(pointer, 'operationPath'), `no source description named '${match[1]}'`);
        }
    }
    const workflowId = v.optionalString(step, 'workflowId', pointer);
    if (workflowId !== undefined) {
        if (workflowId === scope.workflowId) {
            v.warn(childPointer(pointer, 'workflowId'), 'the step calls its own workflow (bounded by the nesting limit)');
        }
        checkWorkflowReference(v, workflowId, childPointer(pointer, 'workflowId'));
    }
    const isOperation = operationId !== undefined || operationPath !== undefined;
    validate_steps_checkParameters(v, step.parameters, childPointer(pointer, 'parameters'), isOperation);
    if (step.requestBody !== undefined) {
        if (!isOperation)
            v.warn(childPointer(pointer, 'requestBody'), 'ignored on a workflow step');
        checkRequestBody(v, step.requestBody, childPointer(pointer, 'requestBody'));
    }
    if (step.successCriteria !== undefined) {
        checkCriteria(v, step.successCriteria, childPointer(pointer, 'successCriteria'));
    }
    checkActions(v, step.onSuccess, childPointer(pointer, 'onSuccess'), 'success', scope);
    checkActions(v, step.onFailure, childPointer(pointer, 'onFailure'), 'failure', scope);
    checkOutputs(v, step.outputs, childPointer(pointer, 'outputs'));
}
function validate_steps_checkParameters(v, value, pointer, needsLocation) {
    const items = v.list(value, pointer, 'parameters');
    if (!items)
        return;
    const seen = new Set();
    items.forEach((item, i) => {
        const at = childPointer(pointer, i);
        if (!isObject(item)) {
            v.problem(at, 'a parameter must be an object');
            return;
        }
        let parameter = item;
        if (item.reference !== undefined) {
            v.knownFields(item, at, FIELDS.reusable);
            const target = checkReusable(v, item, at, 'parameters');
            parameter = isObject(target) ? target : undefined;
        }
        else {
            validate_steps_checkParameter(v, item, at, needsLocation);
        }
        if (!parameter || typeof parameter.name !== 'string')
            return;
        const key = `${parameter.name}\u0000${typeof parameter.in === 'string' ? parameter.in : ''}`;
        if (seen.has(key)) {
            v.problem(at, `duplicate parameter '${parameter.name}'${parameter.in ? ` in ${parameter.in}` : ''}`);
        }
        seen.add(key);
        if (needsLocation && parameter !== item && parameter.in === undefined) {
            v.problem(at, `parameter '${parameter.name}' needs 'in' for an operation step`);
        }
    });
}
function validate_steps_checkParameter(v, parameter, pointer, needsLocation) {
    v.knownFields(parameter, pointer, FIELDS.parameter);
    v.requireString(parameter, 'name', pointer);
    const location = parameter.in;
    if (location === undefined) {
        if (needsLocation)
            v.problem(pointer, "in is required for an operation step's parameters");
    }
    else if (typeof location !== 'string' ||
        !PARAMETER_LOCATIONS.includes(location)) {
        v.problem(childPointer(pointer, 'in'), `in must be one of ${PARAMETER_LOCATIONS.join(', ')}`);
    }
    if (!Object.hasOwn(parameter, 'value'))
        v.problem(pointer, 'value is required');
    else
        checkValue(v, parameter.value, childPointer(pointer, 'value'));
}
function checkRequestBody(v, value, pointer) {
    if (!isObject(value)) {
        v.problem(pointer, 'requestBody must be an object');
        return;
    }
    v.knownFields(value, pointer, FIELDS.requestBody);
    v.optionalString(value, 'contentType', pointer);
    if (value.payload !== undefined)
        checkValue(v, value.payload, childPointer(pointer, 'payload'));
    const replacementsPointer = childPointer(pointer, 'replacements');
    v.list(value.replacements, replacementsPointer, 'replacements')?.forEach((item, i) => {
        const at = childPointer(replacementsPointer, i);
        if (!isObject(item)) {
            v.problem(at, 'a replacement must be an object');
            return;
        }
        v.knownFields(item, at, FIELDS.replacement);
        const target = v.requireString(item, 'target', at);
        if (target !== undefined && target !== '' && !target.startsWith('/')) {
            v.problem(childPointer(at, 'target'), 'target must be a JSON Pointer (XPath targets are not supported)');
        }
        if (!Object.hasOwn(item, 'value'))
            v.problem(at, 'value is required');
        else
            checkValue(v, item.value, childPointer(at, 'value'));
    });
}

;// CONCATENATED MODULE: ./src/arazzo/validate-components.ts
/**
 * Validation of the document's Components Object: its maps (inputs, parameters, successActions,
 * failureActions), their key names, and each reusable parameter and action checked with the same
 * rules as an inline one (except step targets, which depend on the workflow that uses them).
 */




function validate_components_checkComponents(v) {
    const components = v.components;
    v.knownFields(components, 'components', FIELDS.components);
    const maps = ['inputs', 'parameters', 'successActions', 'failureActions'];
    for (const kind of maps) {
        const map = components[kind];
        const pointer = childPointer('components', kind);
        if (map === undefined)
            continue;
        if (!isObject(map)) {
            v.problem(pointer, `components.${kind} must be a map`);
            continue;
        }
        for (const [key, entry] of Object.entries(map)) {
            const at = childPointer(pointer, key);
            if (!KEY_PATTERN.test(key))
                v.problem(at, `component name '${key}' must match ${KEY_PATTERN.source}`);
            if (!isObject(entry)) {
                v.problem(at, `a components.${kind} entry must be an object`);
                continue;
            }
            if (kind === 'parameters')
                checkParameter(v, entry, at, false);
            else if (kind === 'successActions')
                checkAction(v, entry, at, 'success', undefined);
            else if (kind === 'failureActions')
                checkAction(v, entry, at, 'failure', undefined);
        }
    }
}

;// CONCATENATED MODULE: ./src/arazzo/validate.ts
/**
 * Structural validation of an Arazzo 1.0.x document, done once at load time so a broken document
 * fails before any request is sent. Every problem carries the JSON Pointer of the offending node
 * (`workflows/0/steps/1/onSuccess/0`), and every runtime expression and criterion is compiled here
 * so syntax errors surface with their pointers instead of half-way through a run.
 *
 * MUST rules of the spec are errors, among them unknown fixed fields (only `x-` extensions may be
 * added: a misspelt `successcriteria` would otherwise be ignored and the step pass on any 2xx).
 * SHOULD rules (the `[A-Za-z0-9_-]+` naming of ids and names) and the engine's compatibility
 * rules (a bare `$inputs.x` inside a string is substituted) are warnings.
 *
 * This module walks the document, its source descriptions and its workflows; the checks of
 * values and criteria, references, actions, steps and components live in the validate-*.ts
 * modules beside it, all reporting into one ValidationContext.
 */







const ARAZZO_VERSION = /^1\.0\.\d+(-.+)?$/;
/** Validates a parsed document; never throws (problems are returned). */
function validate_validateDocument(doc) {
    const context = new ValidationContext();
    checkDocument(context, doc);
    return { problems: context.problems, warnings: context.warnings };
}
function checkDocument(v, doc) {
    if (!isObject(doc)) {
        v.problem('', 'an Arazzo document must be an object');
        return;
    }
    v.knownFields(doc, '', FIELDS.root);
    checkVersion(v, doc);
    checkInfo(v, doc.info);
    checkSourceDescriptions(v, doc.sourceDescriptions);
    if (doc.components !== undefined) {
        if (isObject(doc.components))
            v.components = doc.components;
        else
            v.problem('components', 'components must be an object');
    }
    const workflows = checkWorkflowList(v, doc.workflows);
    checkComponents(v);
    workflows.forEach((workflow, i) => {
        if (isObject(workflow))
            checkWorkflow(v, workflow, childPointer('workflows', i));
    });
    checkDependencyCycles(v, workflows);
}
function checkVersion(v, doc) {
    if (doc.arazzo === undefined)
        v.problem('', 'arazzo is required');
    else if (typeof doc.arazzo !== 'string' || !ARAZZO_VERSION.test(doc.arazzo)) {
        v.problem('arazzo', `unsupported Arazzo version ${JSON.stringify(doc.arazzo)} (need 1.0.x)`);
    }
}
function checkInfo(v, info) {
    if (info === undefined) {
        v.problem('', 'info is required');
        return;
    }
    if (!isObject(info)) {
        v.problem('info', 'info must be an object');
        return;
    }
    v.knownFields(info, 'info', FIELDS.info);
    v.requireString(info, 'title', 'info');
    if (info.version === undefined)
        v.problem('info', 'version is required');
    else if (typeof info.version === 'number') {
        v.warn('info/version', 'version should be a string (quote it in YAML)');
    }
    else if (typeof info.version !== 'string') {
        v.problem('info/version', 'version must be a string');
    }
}
function checkSourceDescriptions(v, value) {
    if (value === undefined) {
        v.problem('', 'sourceDescriptions is required');
        return;
    }
    const items = v.list(value, 'sourceDescriptions', 'sourceDescriptions');
    if (!items)
        return;
    if (items.length === 0)
        v.problem('sourceDescriptions', 'sourceDescriptions must not be empty');
    items.forEach((item, i) => {
        const pointer = childPointer('sourceDescriptions', i);
        if (!isObject(item)) {
            v.problem(pointer, 'a source description must be an object');
            return;
        }
        v.knownFields(item, pointer, FIELDS.source);
        const name = v.requireString(item, 'name', pointer);
        v.requireString(item, 'url', pointer);
        const type = v.optionalString(item, 'type', pointer);
        if (type !== undefined && type !== 'openapi' && type !== 'arazzo') {
            v.problem(childPointer(pointer, 'type'), `type must be openapi or arazzo, not '${type}'`);
        }
        if (name === undefined)
            return;
        if (!NAME_PATTERN.test(name)) {
            v.warn(childPointer(pointer, 'name'), `name '${name}' should match ${NAME_PATTERN.source}`);
        }
        if (v.sourceTypes.has(name)) {
            v.problem(childPointer(pointer, 'name'), `duplicate source description name '${name}'`);
        }
        v.sourceTypes.set(name, type);
    });
}
function checkWorkflowList(v, value) {
    if (value === undefined) {
        v.problem('', 'workflows is required');
        return [];
    }
    const items = v.list(value, 'workflows', 'workflows');
    if (!items)
        return [];
    if (items.length === 0)
        v.problem('workflows', 'workflows must not be empty');
    items.forEach((item, i) => {
        const pointer = childPointer('workflows', i);
        if (!isObject(item)) {
            v.problem(pointer, 'a workflow must be an object');
            return;
        }
        const id = v.requireString(item, 'workflowId', pointer);
        if (id === undefined)
            return;
        if (v.workflowIds.has(id)) {
            v.problem(childPointer(pointer, 'workflowId'), `duplicate workflowId '${id}'`);
        }
        if (!NAME_PATTERN.test(id)) {
            v.warn(childPointer(pointer, 'workflowId'), `workflowId '${id}' should match ${NAME_PATTERN.source}`);
        }
        v.workflowIds.add(id);
    });
    return items;
}
function checkWorkflow(v, workflow, pointer) {
    v.knownFields(workflow, pointer, FIELDS.workflow);
    v.optionalString(workflow, 'summary', pointer);
    v.optionalString(workflow, 'description', pointer);
    const scope = {
        workflowId: typeof workflow.workflowId === 'string' ? workflow.workflowId : '',
        stepIds: new Set()
    };
    checkInputs(v, workflow.inputs, childPointer(pointer, 'inputs'));
    const dependsOn = v.list(workflow.dependsOn, childPointer(pointer, 'dependsOn'), 'dependsOn');
    dependsOn?.forEach((id, i) => {
        const at = childPointer(childPointer(pointer, 'dependsOn'), i);
        if (typeof id !== 'string')
            v.problem(at, 'dependsOn entries must be workflowIds');
        else if (id === scope.workflowId)
            v.problem(at, 'a workflow cannot depend on itself');
        else
            checkWorkflowReference(v, id, at);
    });
    const stepsPointer = childPointer(pointer, 'steps');
    const steps = workflow.steps === undefined ? undefined : v.list(workflow.steps, stepsPointer, 'steps');
    if (workflow.steps === undefined)
        v.problem(pointer, 'steps is required');
    else if (steps && steps.length === 0)
        v.problem(stepsPointer, 'steps must not be empty');
    // Step ids first: actions may jump forward.
    steps?.forEach((step, i) => {
        const at = childPointer(stepsPointer, i);
        if (!isObject(step)) {
            v.problem(at, 'a step must be an object');
            return;
        }
        const id = v.requireString(step, 'stepId', at);
        if (id === undefined)
            return;
        if (!NAME_PATTERN.test(id)) {
            v.warn(childPointer(at, 'stepId'), `stepId '${id}' should match ${NAME_PATTERN.source}`);
        }
        if (scope.stepIds.has(id)) {
            v.problem(childPointer(at, 'stepId'), `duplicate stepId '${id}' in workflow '${scope.workflowId}'`);
        }
        scope.stepIds.add(id);
    });
    const hasOperationStep = steps?.some(s => isObject(s) && (s.operationId !== undefined || s.operationPath !== undefined)) ?? false;
    checkParameters(v, workflow.parameters, childPointer(pointer, 'parameters'), hasOperationStep);
    checkActions(v, workflow.successActions, childPointer(pointer, 'successActions'), 'success', scope);
    checkActions(v, workflow.failureActions, childPointer(pointer, 'failureActions'), 'failure', scope);
    steps?.forEach((step, i) => {
        if (isObject(step))
            checkStep(v, step, childPointer(stepsPointer, i), scope);
    });
    checkOutputs(v, workflow.outputs, childPointer(pointer, 'outputs'));
}
function checkInputs(v, value, pointer) {
    if (value === undefined)
        return;
    if (!isObject(value)) {
        v.problem(pointer, 'inputs must be a JSON Schema object');
        return;
    }
    if (typeof value.$ref === 'string')
        checkInputsRef(v, value.$ref, childPointer(pointer, '$ref'));
}
function checkDependencyCycles(v, workflows) {
    const graph = new Map();
    workflows.forEach((w, index) => {
        if (!isObject(w) || typeof w.workflowId !== 'string')
            return;
        const deps = Array.isArray(w.dependsOn)
            ? w.dependsOn.filter((d) => typeof d === 'string')
            : [];
        graph.set(w.workflowId, { deps, index });
    });
    const state = new Map();
    const reported = new Set();
    const visit = (id, trail) => {
        const node = graph.get(id);
        if (!node || state.get(id) === 'done')
            return;
        if (state.get(id) === 'visiting') {
            const cycle = [...trail.slice(trail.indexOf(id)), id];
            if (cycle.length > 2 && !reported.has(id)) {
                reported.add(id);
                v.problem(childPointer(childPointer('workflows', node.index), 'dependsOn'), `circular dependsOn: ${cycle.join(' -> ')}`);
            }
            return;
        }
        state.set(id, 'visiting');
        for (const dep of node.deps)
            visit(dep, [...trail, id]);
        state.set(id, 'done');
    };
    for (const id of graph.keys())
        visit(id, []);
}
/** The names a workflow's inputs schema declares (after the loader resolved `$ref`s). */
function validate_workflowInputNames(workflow) {
    const schema = workflow.inputs;
    const properties = isObject(schema?.properties) ? Object.keys(schema.properties) : [];
    const required = Array.isArray(schema?.required)
        ? schema.required.filter((name) => typeof name === 'string')
        : [];
    return { properties, required };
}

;// CONCATENATED MODULE: ./src/arazzo/loader.ts
/**
 * Loads an Arazzo document (YAML or JSON), validates it, loads the source descriptions its steps
 * and workflow references use (OpenAPI descriptions and other Arazzo documents, local or remote:
 * source-loader.ts) and resolves every operation, so that a loaded document can run without
 * further file or network access. Every failure is one ArazzoLoadError listing all problems with
 * their pointers.
 *
 * Untrusted input is expected: documents are size-capped before parsing, YAML alias expansion is
 * bounded (alias bombs), duplicate keys are refused, local files can be confined to allowed roots,
 * nested Arazzo documents are bounded in depth and number and may not form a cycle, and remote
 * (https) descriptions are read only through the caller's SourceReader.
 */











const DEFAULT_MAX_DOCUMENT_BYTES = (/* unused pure expression or super */ null && (5 * 1024 * 1024));
/** Generous for real documents, tiny next to what an alias bomb needs. */
const MAX_ALIAS_COUNT = 100;
/** Bound on `$ref` chains when resolving workflow input schemas. */
async function loadArazzoFile(path, options = {}) {
    const absolute = resolve(path);
    await assertAllowed(absolute, options.allowedRoots, '');
    const prebuilt = prebuiltCopy(options.prebuilt, absolute);
    if (prebuilt)
        return loadRoot(prebuilt, { kind: 'file', path: absolute }, options, absolute);
    const text = await readCapped(absolute, options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES, '');
    return loadRoot({ text }, { kind: 'file', path: absolute }, options, absolute);
}
async function loadArazzoText(text, options = {}) {
    return loadRoot({ text }, { kind: 'dir', path: options.baseDir ?? process.cwd() }, options, undefined);
}
async function loadRoot(root, base, options, path) {
    const limit = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
    const warnings = [];
    let parsed;
    if ('text' in root) {
        const size = Buffer.byteLength(root.text, 'utf8');
        if (size > limit) {
            throw new ArazzoLoadError('', `the document is ${size} bytes, over the ${limit} byte limit`);
        }
        parsed = await parseYamlOrJson(root.text, 'the document', '', warnings);
    }
    else {
        parsed = root.parsed;
    }
    // Nested Arazzo documents receive the same secrets (as the same inputs), under the same rule.
    const secretInputs = options.secretInputs ?? [];
    const context = {
        read: {
            sourceReader: options.sourceReader,
            allowedRoots: options.allowedRoots,
            fallbackDescriptionDirs: options.fallbackDescriptionDirs,
            maxDocumentBytes: limit,
            signal: options.signal,
            onNotice: options.onNotice
        },
        chain: base.kind === 'dir' ? [] : [locationKey(base)],
        depth: 0,
        cache: new Map(),
        counter: { documents: 1 },
        parse: parseYamlOrJson,
        prebuilt: file => prebuiltCopy(options.prebuilt, file)?.parsed,
        loadNested: (nested, location, nestedContext) => loadParsed(nested, location, nestedContext, [], undefined, secretInputs)
    };
    return loadParsed(parsed, base, context, warnings, path, secretInputs);
}
/** Validates a parsed document, loads its sources and resolves its operations. */
async function loadParsed(parsed, base, context, warnings, path, secretInputs) {
    await loadCriterionEngines(criterionEnginesNeeded(parsed));
    const { problems, warnings: validationWarnings } = validateDocument(parsed);
    const remote = base.kind === 'remote';
    if (remote && validationWarnings.length > 0) {
        warnings.push(`${validationWarnings.length} warning(s); ${REMOTE_CONTENT_WITHHELD}`);
    }
    else
        warnings.push(...validationWarnings);
    const document = parsed;
    const operations = new Map();
    let sources = new Map();
    if (problems.length === 0)
        problems.push(...checkSecretFlow(document, secretInputs));
    if (problems.length === 0) {
        dereferenceInputs(document, problems);
        const fromSources = problems.length;
        const loaded = await loadSources(document, base, context, problems, warnings);
        const sourcesEnd = problems.length;
        sources = loaded.arazzo;
        resolveOperations(document, loaded.openapi, operations, problems);
        checkPathParameters(document, operations, problems);
        if (remote)
            withhold(problems, [fromSources, sourcesEnd]);
    }
    else if (remote)
        withhold(problems);
    if (problems.length > 0)
        throw new ArazzoValidationError(problems);
    return loadedDocument(document, path, warnings, operations, sources);
}
function loadedDocument(document, path, warnings, operations, sources) {
    const loaded = {
        document,
        path,
        warnings,
        sources,
        workflow(id) {
            if (id === undefined)
                return document.workflows[0];
            const found = document.workflows.find(w => w.workflowId === id);
            if (!found) {
                const known = document.workflows.map(w => w.workflowId).join(', ');
                throw new ArazzoLoadError('workflows', `no workflow '${id}' (the document has: ${known})`);
            }
            return found;
        },
        resolveWorkflow(reference) {
            const external = parseSourceReference(reference);
            const nested = external && sources.get(external.sourceName);
            if (external && nested)
                return { loaded: nested, workflow: nested.workflow(external.rest) };
            return { loaded, workflow: loaded.workflow(reference) };
        },
        operation(step) {
            const found = operations.get(step);
            if (!found) {
                throw new ArazzoLoadError('', `step '${step.stepId}' is not an operation step of this document`);
            }
            return found;
        }
    };
    return loaded;
}
// ---------------------------------------------------------------------------------------------
// Parsing and files
// ---------------------------------------------------------------------------------------------
/** A fresh copy of a prebuilt document (loading changes what it loads), if there is one. */
function prebuiltCopy(prebuilt, file) {
    const parsed = prebuilt?.get(file);
    return parsed === undefined ? undefined : { parsed: structuredClone(parsed) };
}
/**
 * YAML 1.2 (JSON is YAML): one document, unique keys (checked in linear time by
 * duplicate-keys.ts, not by the library's quadratic check), bounded aliases. `yaml` (and the key
 * check built on it) is loaded here, on first use, so a run of prebuilt documents never loads it.
 */
async function parseYamlOrJson(text, what, pointer, warnings, remote = false) {
    const [{ parseDocument }, { findKeyProblem }] = await Promise.all([
        __webpack_require__.e(/* import() */ 815).then(__webpack_require__.t.bind(__webpack_require__, 38815, 19)),
        Promise.all(/* import() */[__webpack_require__.e(815), __webpack_require__.e(7)]).then(__webpack_require__.bind(__webpack_require__, 27007))
    ]);
    const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'silent', prettyErrors: true });
    if (doc.errors.length > 0) {
        const [error] = doc.errors;
        const at = error.linePos?.[0];
        const position = at ? `line ${at.line}, column ${at.col}` : `offset ${error.pos[0]}`;
        throw new ArazzoLoadError(pointer, remote
            ? `${what} is not valid YAML or JSON (${error.code} at ${position}); ${REMOTE_CONTENT_WITHHELD}`
            : `${what} is not valid YAML or JSON: ${firstLine(error.message)}`);
    }
    const keyProblem = findKeyProblem(doc);
    if (keyProblem && remote) {
        throw new ArazzoLoadError(pointer, `${what} is not valid YAML or JSON: a duplicate key; ${REMOTE_CONTENT_WITHHELD}`);
    }
    if (keyProblem) {
        const where = keyProblem.pointer === '' ? 'at the top level' : `at ${keyProblem.pointer}`;
        throw new ArazzoLoadError(pointer, `${what} is not valid YAML or JSON: ${keyProblem.message} (${where})`);
    }
    if (remote && doc.warnings.length > 0) {
        warnings.push(`${what}: ${doc.warnings.length} YAML warning(s); ${REMOTE_CONTENT_WITHHELD}`);
    }
    else
        for (const warning of doc.warnings)
            warnings.push(`${what}: ${firstLine(warning.message)}`);
    try {
        return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new ArazzoLoadError(pointer, `${what} was refused: ${message}`);
    }
}
function firstLine(text) {
    return text.split('\n')[0];
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
const pacing_systemClock = {
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
function backoffPollSchedule(o) {
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
/** The system's random source, 0 <= x < 1 (a seeded one makes a simulation repeatable). */
const systemRandom = () => Math.random();
/**
 * The one back-off formula: `baseMs` doubled per failure up to `maxMs`, half of it jittered (so
 * clients that failed together do not retry together), never sooner than the server's Retry-After.
 */
function jitteredBackoffMs(o) {
    const exponential = Math.min(o.maxMs, o.baseMs * 2 ** (o.attempt - 1));
    const jittered = exponential / 2 + (o.random() * exponential) / 2;
    return Math.max(Math.round(jittered), o.retryAfterMs ?? 0);
}
/** The runner's default: one second between polls (callers normally pass their own). */
const DEFAULT_POLL_INTERVAL_MS = 1000;
const pacing_defaultPollSchedule = fixedPollSchedule(DEFAULT_POLL_INTERVAL_MS);
/**
 * An HTTP Retry-After value (RFC 9110: delay-seconds or an HTTP-date) as milliseconds from `now`;
 * undefined when absent or unreadable. Dates in the past give 0.
 */
function pacing_parseRetryAfter(value, now) {
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

;// CONCATENATED MODULE: ./src/arazzo/run-control.ts
/**
 * The bounds and the event stream one workflow run shares across all its nesting levels: the
 * injected clock and poll schedule, the AbortSignal, the optional deadline and the `maxSteps`
 * budget, the count of step executions and the last response (for messages and for Retry-After),
 * and the `onEvent` emitter with its header redaction. A `Stop` thrown from here ends the whole
 * run with a status (aborted, timedOut, maxSteps, or failed on a transport error), however deeply
 * nested the workflow that hit it.
 */


const DEFAULT_MAX_STEPS = 10000;
const REDACTED = '***';
const ALWAYS_SENSITIVE = (/* unused pure expression or super */ null && (['authorization', 'cookie', 'proxy-authorization']));
/**
 * Ends the whole run (all nesting levels) with a status: abort, deadline, bounds, hard errors.
 * An Error (so that anything that catches it sees an error), carrying the run's status and the
 * error that explains it; the runner turns it back into a status.
 */
class run_control_Stop extends Error {
    status;
    error;
    constructor(status, error) {
        super(error ? `run stopped (${status}): ${error.message}` : `run stopped (${status})`, {
            cause: error
        });
        this.status = status;
        this.error = error;
        this.name = 'Stop';
    }
}
class run_control_RunControl {
    options;
    stepsExecuted = 0;
    lastResponse;
    clock;
    schedule;
    signal;
    maxSteps;
    sensitive;
    constructor(options) {
        this.options = options;
        this.clock = options.clock ?? systemClock;
        this.schedule = options.pollSchedule ?? defaultPollSchedule;
        this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
        this.signal = options.signal ?? new AbortController().signal;
        this.sensitive = new Set([
            ...ALWAYS_SENSITIVE,
            ...(options.sensitiveHeaders ?? []).map(h => h.toLowerCase())
        ]);
    }
    emit(event) {
        this.options.onEvent?.({ ...event, at: this.clock.now() });
    }
    /** Waits (a poll or a retry delay) unless that would end past the deadline. */
    async wait(ms, reason, workflowId, stepId) {
        this.checkAborted(stepId);
        const delay = Math.max(0, Number.isFinite(ms) ? ms : 0);
        const until = this.clock.now() + delay;
        const deadline = this.options.deadline;
        if (deadline !== undefined && until > deadline) {
            throw new run_control_Stop('timedOut', new ArazzoRuntimeError(`deadline reached: step '${stepId}' would ${reason === 'poll' ? 'poll again' : 'retry'} after the deadline` +
                this.lastStatusNote(), stepId, this.lastResponse?.status));
        }
        if (delay === 0)
            return;
        this.emit({ type: 'waiting', workflowId, stepId, reason, until });
        try {
            await this.clock.sleep(delay, this.signal);
        }
        catch (error) {
            this.checkAborted(stepId);
            throw error;
        }
    }
    lastStatusNote() {
        return this.lastResponse ? ` (last status ${this.lastResponse.status})` : '';
    }
    checkAborted(stepId) {
        if (this.signal.aborted) {
            throw new run_control_Stop('aborted', new ArazzoRuntimeError(`the run was aborted${stepId ? ` at step '${stepId}'` : ''}`, stepId, this.lastResponse?.status));
        }
    }
    /** Counts one step execution against `maxSteps`; past the budget the run stops. */
    countStepExecution(stepId) {
        if (this.stepsExecuted >= this.maxSteps) {
            throw new run_control_Stop('maxSteps', new ArazzoRuntimeError(`the run reached its limit of ${this.maxSteps} step executions before step '${stepId}'` +
                this.lastStatusNote(), stepId, this.lastResponse?.status));
        }
        this.stepsExecuted++;
    }
    redact(request) {
        const headers = {};
        for (const [name, value] of Object.entries(request.headers)) {
            headers[name] = this.sensitive.has(name.toLowerCase()) ? REDACTED : value;
        }
        return { ...request, headers };
    }
}
/** Rejects as soon as the signal aborts, even if the transport ignores it. */
function run_control_raceAbort(promise, signal) {
    return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        if (signal.aborted)
            onAbort();
        else
            signal.addEventListener('abort', onAbort, { once: true });
        promise.then(value => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
        }, (error) => {
            signal.removeEventListener('abort', onAbort);
            reject(error);
        });
    });
}

;// CONCATENATED MODULE: ./src/arazzo/run-outputs.ts
/**
 * Evaluation of step and workflow outputs. Each output expression is compiled once (cached on
 * the outputs map it belongs to) and evaluated against the context; an output whose expression
 * cannot be evaluated is undefined rather than an error, because outputs are read after failures
 * and timeouts too, when a caller still needs the request id and last status.
 */


/**
 * Evaluates an outputs map in order into `into`, which may be the context's own `outputs` (a
 * workflow output may then read the ones before it).
 */
function run_outputs_evaluateOutputs(outputs, ctx, into = {}) {
    for (const [name, expression] of Object.entries(outputs ?? {})) {
        into[name] = evaluateOutput(outputs, name, expression, ctx);
    }
    return into;
}
function evaluateOutput(owner, name, expression, ctx) {
    try {
        return evaluateValue(cached(owner, `output:${name}`, () => compileValue(expression)), ctx);
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/arazzo/step-actions.ts
/**
 * Choosing what happens after a step: the step's success or failure actions merged with the
 * workflow's (step ones first, `$components` references resolved), the first whose criteria all
 * pass, the `action` event that reports the choice, and the error a failed step ends its
 * workflow with (its request line and status, failed criteria, an exhausted retry). Pure
 * functions; the runner applies the chosen action.
 */




/** Step actions first, then workflow-level ones the step does not override by name. */
function step_actions_mergeActions(doc, stepActions, workflowActions, kind) {
    const resolve = (item) => {
        if (!('reference' in item) || item.reference === undefined)
            return item;
        const parsed = parseComponentReference(item.reference);
        const target = parsed && lookupComponent(doc.document.components, kind, parsed.name);
        return isObject(target) ? target : undefined;
    };
    const own = (stepActions ?? []).map(resolve).filter((a) => a !== undefined);
    const names = new Set(own.map(a => a.name));
    const inherited = (workflowActions ?? [])
        .map(resolve)
        .filter((a) => a !== undefined && !names.has(a.name));
    return [...own, ...inherited];
}
/** The first action whose criteria all pass (and that `usable` accepts). */
function step_actions_chooseAction(actions, ctx, usable = () => true) {
    return actions.find(action => (action.criteria ?? []).every(criterion => step_actions_criterionPasses(criterion, ctx)) &&
        usable(action));
}
function step_actions_criterionPasses(criterion, ctx) {
    try {
        const compiled = cached(criterion, 'criterion', () => compileCriterion(criterion));
        return evaluateCriterion(compiled, ctx);
    }
    catch {
        // Validated at load; a criterion that still cannot be evaluated does not pass.
        return false;
    }
}
function step_actions_actionEvent(workflowId, stepId, action) {
    return {
        type: 'action',
        workflowId,
        stepId,
        action: action.type,
        name: action.name,
        ...(action.stepId !== undefined || action.workflowId !== undefined
            ? { target: action.stepId ?? action.workflowId }
            : {})
    };
}
function step_actions_stepFailure(stepId, execution, exhausted, note) {
    const parts = [`step '${stepId}' failed: ${execution.description}`];
    if (execution.failed.length > 0)
        parts.push(`failed criteria: ${execution.failed.join('; ')}`);
    if (exhausted) {
        parts.push(`retry '${exhausted.name}' exhausted after ${exhausted.retryLimit ?? 1} attempt(s)`);
    }
    if (note)
        parts.push(note);
    return new ArazzoRuntimeError(parts.join('; '), stepId, execution.response?.status);
}

;// CONCATENATED MODULE: ./src/arazzo/step-execution.ts
/**
 * One execution of one step. An operation step builds its request, sends it through the
 * injected transport (raced against the abort signal, refused past the deadline) and reads the
 * response; a `workflowId` step runs the child workflow with the step's parameters as inputs, and
 * its criteria see the child's last response and its outputs the child's outputs. Either way the
 * success criteria are checked and the step's outputs evaluated (also when the step failed: a
 * caller needs the last status), and the `stepStarted`, `request`, `response`, `criteria` and
 * `stepOutputs` events are emitted.
 */





async function step_execution_executeStep(run, state, step) {
    run.control.checkAborted(step.stepId);
    run.control.countStepExecution(step.stepId);
    const attempt = (state.runs.get(step.stepId) ?? 0) + 1;
    state.runs.set(step.stepId, attempt);
    run.control.emit({
        type: 'stepStarted',
        workflowId: state.workflow.workflowId,
        stepId: step.stepId,
        attempt
    });
    return step.workflowId !== undefined
        ? executeWorkflowStep(run, state, step, step.workflowId)
        : executeOperationStep(run, state, step);
}
async function executeOperationStep(run, state, step) {
    const workflowId = state.workflow.workflowId;
    const base = run.baseContext(state);
    const built = buildRequest({
        step,
        operation: state.doc.operation(step),
        parameters: stepParameters(state.doc.document.components, state.workflow, step, true),
        ctx: base,
        serverUrl: run.control.options.serverUrl
    });
    const deadline = run.control.options.deadline;
    if (deadline !== undefined && run.control.clock.now() > deadline) {
        throw new Stop('timedOut', new ArazzoRuntimeError(`deadline reached before step '${step.stepId}' could send its request` +
            run.control.lastStatusNote(), step.stepId, run.control.lastResponse?.status));
    }
    run.control.emit({
        type: 'request',
        workflowId,
        stepId: step.stepId,
        request: run.control.redact(built.request)
    });
    let response;
    try {
        response = await raceAbort(run.control.options.transport(built.request, run.control.signal), run.control.signal);
    }
    catch (error) {
        run.control.checkAborted(step.stepId);
        // The caller's transport may throw its own typed errors: hand them back untouched.
        throw new Stop('failed', error instanceof Error ? error : new Error(String(error)));
    }
    run.control.lastResponse = response;
    run.control.emit({ type: 'response', workflowId, stepId: step.stepId, status: response.status });
    const ctx = {
        ...base,
        url: built.request.url,
        method: built.request.method,
        statusCode: response.status,
        request: built.context,
        response: { headers: lowerCaseKeys(response.headers), body: response.body }
    };
    const failed = failedCriteria(step, ctx);
    const passed = step.successCriteria && step.successCriteria.length > 0
        ? failed.length === 0
        : response.status >= 200 && response.status < 300;
    const description = `${built.request.method} ${safePath(built.request.url)} returned ${response.status}`;
    return finishStep(run, state, step, ctx, passed, failed, description, response);
}
async function executeWorkflowStep(run, state, step, targetId) {
    const base = run.baseContext(state);
    const inputs = {};
    for (const parameter of stepParameters(state.doc.document.components, state.workflow, step, false)) {
        inputs[parameter.name] = parameterValue(parameter, base);
    }
    const outcome = await run.workflow(state.doc.resolveWorkflow(targetId), inputs, state.depth + 1);
    if (outcome.stopped)
        throw new Stop(outcome.status, outcome.error);
    const last = outcome.lastResponse;
    const ctx = {
        ...base,
        outputs: outcome.outputs,
        statusCode: last?.status,
        response: last ? { headers: lowerCaseKeys(last.headers), body: last.body } : undefined
    };
    const failed = failedCriteria(step, ctx);
    const passed = outcome.status === 'succeeded' && failed.length === 0;
    const description = `workflow '${targetId}' ended ${outcome.status}${outcome.error ? ` (${outcome.error.message})` : ''}`;
    return finishStep(run, state, step, ctx, passed, failed, description, last);
}
function failedCriteria(step, ctx) {
    return (step.successCriteria ?? [])
        .filter(criterion => !criterionPasses(criterion, ctx))
        .map(criterion => criterion.condition);
}
function finishStep(run, state, step, ctx, passed, failed, description, response) {
    const workflowId = state.workflow.workflowId;
    run.control.emit({
        type: 'criteria',
        workflowId,
        stepId: step.stepId,
        passed,
        ...(failed.length > 0 ? { failed } : {})
    });
    const outputs = evaluateOutputs(step.outputs, ctx);
    state.steps[step.stepId] = { outputs };
    run.control.emit({ type: 'stepOutputs', workflowId, stepId: step.stepId, outputs });
    return { passed, ctx, failed, response, description };
}
/** The URL's path, for messages: never the query (it may carry keys) nor credentials. */
function safePath(url) {
    try {
        return new URL(url).pathname;
    }
    catch {
        return '(invalid URL)';
    }
}

;// CONCATENATED MODULE: ./src/arazzo/runner.ts
/**
 * Runs a loaded Arazzo workflow: builds each step's request, sends it through the injected
 * transport, checks success criteria, evaluates outputs, and follows success/failure actions.
 *
 * What the spec leaves to the runner, and how this one decides:
 * - A `goto` back to a step that already ran is a poll: it waits `pollSchedule.delayMs(n,
 *   Retry-After)` first (default 1 s fixed), because an unpaced loop hammers the provider.
 * - Every run is bounded: `maxSteps` (all step executions, nested ones too), a nesting depth of
 *   16, an optional `deadline` (no request starts and no wait ends past it: a wait that would
 *   end after it ends the run as `timedOut` at once) and an AbortSignal.
 * - Step outputs are evaluated whenever a response arrived, also when the step failed, and
 *   workflow outputs at the end of every run whatever its status: a caller needs the request id
 *   and last status even after a timeout.
 * - A retry whose limit is exhausted is skipped, so a later failure action can match (the spec:
 *   the limit "MUST be exhausted prior to executing subsequent failure actions"); if none does,
 *   the workflow fails.
 * - A `workflowId` step has no HTTP exchange of its own: its criteria see the child workflow's
 *   last response (`$statusCode`) and its outputs see the child's outputs as `$outputs`; it
 *   succeeds when the child succeeded and its criteria pass.
 * - Errors never include header values or bodies (they may hold credentials or personal data);
 *   `request` events show sensitive headers as '***'.
 *
 * This module runs workflows (inputs, dependsOn, outputs) and applies the chosen actions (next,
 * end, goto with its poll wait, retry, transfer to another workflow). One step's execution is in
 * step-execution.ts, the choice of action in step-actions.ts, output evaluation in
 * run-outputs.ts, and the run's bounds, waits and events in run-control.ts.
 */








const MAX_WORKFLOW_DEPTH = 16;
/**
 * Runs a workflow (default: the document's first; `$sourceDescriptions.<name>.<id>` names one of
 * an arazzo source description) to its end and reports how it ended.
 */
async function runWorkflow(loaded, options) {
    const target = options.workflowId === undefined
        ? { loaded, workflow: loaded.workflow() }
        : loaded.resolveWorkflow(options.workflowId);
    const workflow = target.workflow;
    const run = new Run(options);
    const outcome = await run.workflow(target, options.inputs ?? {}, 0);
    return {
        status: outcome.status,
        workflowId: workflow.workflowId,
        outputs: outcome.outputs,
        steps: outcome.steps,
        error: outcome.error,
        lastResponse: run.control.lastResponse,
        stepsExecuted: run.control.stepsExecuted
    };
}
class Run {
    control;
    /** Per document: `$workflows` and `$sourceDescriptions` read their own document's. */
    scopes = new Map();
    /** dependsOn workflows, by the workflow object (ids repeat across documents). */
    dependencies = new Map();
    constructor(options) {
        this.control = new RunControl(options);
    }
    scope(doc) {
        let scope = this.scopes.get(doc);
        if (!scope) {
            const sourceDescriptions = {};
            for (const source of doc.document.sourceDescriptions) {
                sourceDescriptions[source.name] = { ...source };
            }
            scope = { workflows: {}, sourceDescriptions };
            this.scopes.set(doc, scope);
        }
        return scope;
    }
    // -------------------------------------------------------------------------------------------
    // Workflows
    // -------------------------------------------------------------------------------------------
    async workflow(target, givenInputs, depth) {
        const { workflow } = target;
        const state = {
            doc: target.loaded,
            workflow,
            inputs: withDefaults(workflow, givenInputs),
            steps: {},
            runs: new Map(),
            polls: new Map(),
            depth
        };
        this.control.emit({ type: 'workflowStarted', workflowId: workflow.workflowId });
        let status;
        let error;
        let stopped = false;
        try {
            ;
            ({ status, error } = await this.workflowBody(state));
        }
        catch (thrown) {
            stopped = true;
            if (thrown instanceof Stop) {
                status = thrown.status;
                error = thrown.error;
            }
            else {
                status = 'failed';
                error = thrown instanceof Error ? thrown : new ArazzoRuntimeError(String(thrown));
            }
        }
        const outputs = this.workflowOutputs(state);
        this.scope(state.doc).workflows[workflow.workflowId] = { inputs: state.inputs, outputs };
        this.control.emit({
            type: 'workflowFinished',
            workflowId: workflow.workflowId,
            status,
            outputs
        });
        return {
            status,
            outputs,
            steps: state.steps,
            error,
            stopped,
            lastResponse: this.control.lastResponse
        };
    }
    async workflowBody(state) {
        const { workflow } = state;
        if (state.depth > MAX_WORKFLOW_DEPTH) {
            throw new ArazzoRuntimeError(`workflow '${workflow.workflowId}' is nested deeper than ${MAX_WORKFLOW_DEPTH} levels`);
        }
        const missing = workflowInputNames(workflow).required.filter(name => state.inputs[name] === undefined);
        if (missing.length > 0) {
            throw new ArazzoRuntimeError(`workflow '${workflow.workflowId}' is missing required input${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
        }
        for (const id of workflow.dependsOn ?? []) {
            const outcome = await this.dependency(id, state);
            if (outcome.stopped)
                throw new Stop(outcome.status, outcome.error);
            if (outcome.status !== 'succeeded') {
                return {
                    status: 'failed',
                    error: new ArazzoRuntimeError(`workflow '${workflow.workflowId}' depends on '${id}', which ended ${outcome.status}` +
                        (outcome.error ? `: ${outcome.error.message}` : ''))
                };
            }
        }
        return this.steps(state);
    }
    /** A dependsOn workflow runs once per run, however many workflows depend on it. */
    dependency(id, state) {
        const target = state.doc.resolveWorkflow(id);
        let outcome = this.dependencies.get(target.workflow);
        if (!outcome) {
            outcome = this.workflow(target, state.inputs, state.depth + 1);
            this.dependencies.set(target.workflow, outcome);
        }
        return outcome;
    }
    workflowOutputs(state) {
        const outputs = {};
        return evaluateOutputs(state.workflow.outputs, { ...this.baseContext(state), outputs }, outputs);
    }
    // -------------------------------------------------------------------------------------------
    // Steps and the actions that follow them
    // -------------------------------------------------------------------------------------------
    async steps(state) {
        const { workflow } = state;
        const workflowId = workflow.workflowId;
        /** Retries used per failure action name, for the current step; reset on leaving it. */
        const retries = new Map();
        let index = 0;
        for (;;) {
            const step = workflow.steps[index];
            const execution = await executeStep(this, state, step);
            const stepId = step.stepId;
            if (execution.passed) {
                retries.clear();
                const action = chooseAction(mergeActions(state.doc, step.onSuccess, workflow.successActions, 'successActions'), execution.ctx);
                if (!action) {
                    this.control.emit({ type: 'action', workflowId, stepId, action: 'next' });
                    index++;
                    if (index >= workflow.steps.length)
                        return { status: 'succeeded' };
                    continue;
                }
                this.control.emit(actionEvent(workflowId, stepId, action));
                if (action.type === 'end')
                    return { status: 'succeeded' };
                if (action.stepId !== undefined) {
                    index = await this.transition(state, action.stepId);
                    continue;
                }
                return this.transferTo(state, action.workflowId);
            }
            const actions = mergeActions(state.doc, step.onFailure, workflow.failureActions, 'failureActions');
            let exhausted;
            const action = chooseAction(actions, execution.ctx, candidate => {
                if (candidate.type !== 'retry')
                    return true;
                const used = retries.get(candidate.name) ?? 0;
                if (used < (candidate.retryLimit ?? 1))
                    return true;
                exhausted ??= candidate;
                return false;
            });
            if (!action) {
                this.control.emit({ type: 'action', workflowId, stepId, action: 'fail' });
                return { status: 'failed', error: stepFailure(stepId, execution, exhausted) };
            }
            this.control.emit(actionEvent(workflowId, stepId, action));
            if (action.type === 'retry') {
                retries.set(action.name, (retries.get(action.name) ?? 0) + 1);
                const failedResponse = execution.response;
                await this.beforeRetry(state, action);
                const fromHeader = parseRetryAfter(failedResponse?.headers['retry-after'], this.control.clock.now());
                await this.control.wait(fromHeader ?? (action.retryAfter ?? 0) * 1000, 'retry', workflowId, stepId);
                continue;
            }
            if (action.type === 'end') {
                return {
                    status: 'failed',
                    error: stepFailure(stepId, execution, undefined, `ended by failure action '${action.name}'`)
                };
            }
            retries.clear();
            if (action.stepId !== undefined) {
                index = await this.transition(state, action.stepId);
                continue;
            }
            return this.transferTo(state, action.workflowId);
        }
    }
    /** The index of a goto's target step, after the poll wait when it already ran. */
    async transition(state, targetStepId) {
        const index = state.workflow.steps.findIndex(s => s.stepId === targetStepId);
        if (index < 0) {
            throw new ArazzoRuntimeError(`no step '${targetStepId}' in workflow '${state.workflow.workflowId}'`, targetStepId);
        }
        if ((state.runs.get(targetStepId) ?? 0) > 0) {
            const pollNumber = (state.polls.get(targetStepId) ?? 0) + 1;
            state.polls.set(targetStepId, pollNumber);
            const retryAfter = parseRetryAfter(this.control.lastResponse?.headers['retry-after'], this.control.clock.now());
            const delay = this.control.schedule.delayMs(pollNumber, retryAfter);
            await this.control.wait(delay, 'poll', state.workflow.workflowId, targetStepId);
        }
        return index;
    }
    /** A goto to a workflow: run it, then the current workflow ends with its result. */
    async transferTo(state, workflowId) {
        const outcome = await this.workflow(state.doc.resolveWorkflow(workflowId), state.inputs, state.depth + 1);
        if (outcome.stopped)
            throw new Stop(outcome.status, outcome.error);
        return outcome.status === 'succeeded'
            ? { status: 'succeeded' }
            : { status: 'failed', error: outcome.error };
    }
    /** A retry naming a step or workflow runs it first; context then returns to the retry. */
    async beforeRetry(state, action) {
        if (action.stepId !== undefined) {
            const step = state.workflow.steps.find(s => s.stepId === action.stepId);
            if (!step) {
                throw new ArazzoRuntimeError(`no step '${action.stepId}' in workflow '${state.workflow.workflowId}'`);
            }
            await executeStep(this, state, step);
        }
        else if (action.workflowId !== undefined) {
            const outcome = await this.workflow(state.doc.resolveWorkflow(action.workflowId), state.inputs, state.depth + 1);
            if (outcome.stopped)
                throw new Stop(outcome.status, outcome.error);
        }
    }
    // -------------------------------------------------------------------------------------------
    // Expression context
    // -------------------------------------------------------------------------------------------
    baseContext(state) {
        return {
            inputs: state.inputs,
            outputs: {},
            steps: state.steps,
            workflows: this.scope(state.doc).workflows,
            sourceDescriptions: this.scope(state.doc).sourceDescriptions,
            components: state.doc.document.components ?? {}
        };
    }
}
/** Input defaults from the workflow's schema properties, without touching the caller's object. */
function withDefaults(workflow, given) {
    const inputs = { ...given };
    const properties = isObject(workflow.inputs?.properties) ? workflow.inputs.properties : {};
    for (const [name, schema] of Object.entries(properties)) {
        if (inputs[name] === undefined && isObject(schema) && schema.default !== undefined) {
            inputs[name] = structuredClone(schema.default);
        }
    }
    return inputs;
}

;// CONCATENATED MODULE: ./src/arazzo/fetch-transport.ts
/**
 * The default HttpTransport, on the global fetch. Redirects are NOT followed (`redirect:
 * 'manual'`): a 3xx is returned to the workflow as is, so credentials never travel to another
 * host behind the caller's back. JSON bodies are parsed when the content type says JSON.
 */
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
function createFetchTransport(options = {}) {
    const doFetch = options.fetch ?? globalThis.fetch;
    const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    return async (request, signal) => {
        const response = await doFetch(request.url, {
            method: request.method,
            headers: request.headers,
            body: request.body,
            redirect: 'manual',
            signal
        });
        const headers = {};
        response.headers.forEach((value, name) => {
            headers[name.toLowerCase()] = value;
        });
        const text = await readLimited(response, maxBytes);
        return { status: response.status, headers, body: decodeBody(text, headers['content-type']) };
    };
}
/** The transport the runner uses when the caller does not inject one. */
const fetchTransport = createFetchTransport();
async function readLimited(response, maxBytes) {
    if (!response.body)
        return '';
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body.cancel();
        throw new Error(`response body of ${declared} bytes exceeds the ${maxBytes} byte limit`);
    }
    const chunks = [];
    let total = 0;
    for await (const chunk of response.body) {
        total += chunk.byteLength;
        if (total > maxBytes) {
            throw new Error(`response body exceeds the ${maxBytes} byte limit`);
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}
function isJsonContentType(contentType) {
    if (!contentType)
        return false;
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    return mediaType === 'application/json' || mediaType.endsWith('+json');
}
/** Parsed JSON for JSON content types (the text if it does not parse), else the text. */
function decodeBody(text, contentType) {
    if (text === '')
        return undefined;
    if (!isJsonContentType(contentType))
        return text;
    try {
        return JSON.parse(text);
    }
    catch {
        return text;
    }
}

;// CONCATENATED MODULE: ./src/arazzo/index.ts
/**
 * The Arazzo 1.0.1 engine's public entry: load and validate a document, run a workflow with an
 * injected transport and clock. A library: nothing here depends on @actions/*.
 */












/***/ }),

/***/ 22425:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   uC: () => (/* binding */ escapePointerToken)
/* harmony export */ });
/* unused harmony exports parsePointer, formatPointer, childOf, resolveTokens, resolvePointer, setPointer */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(88012);
/**
 * JSON Pointer (RFC 6901): read a value at a pointer, and set one (for `requestBody.replacements`).
 * Reading never throws for a value that is not there: runtime expressions depend on a missing
 * value being `undefined` (a download URL that is absent while a request is pending).
 */

/** Array indices as RFC 6901 spells them: no sign, no leading zero. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
/**
 * Splits a pointer into its unescaped reference tokens. `''` (and `'#'` in fragment form) is the
 * whole document. With `fragment`, a leading `#` marks the URI fragment form, which is
 * percent-decoded first (RFC 6901 section 6).
 */
function parsePointer(pointer, options = {}) {
    let text = pointer;
    const fragment = options.fragment !== false && text.startsWith('#');
    if (fragment) {
        try {
            text = decodeURIComponent(text.slice(1));
        }
        catch {
            throw new ArazzoSyntaxError(pointer, 0, 'Malformed percent-encoding in JSON Pointer');
        }
    }
    if (text === '')
        return [];
    if (!text.startsWith('/')) {
        throw new ArazzoSyntaxError(pointer, 0, "JSON Pointer must be empty or start with '/'");
    }
    const offset = fragment ? 1 : 0;
    const tokens = [];
    let start = 1;
    for (let i = 1; i <= text.length; i++) {
        if (i < text.length && text[i] !== '/') {
            if (text[i] === '~' && text[i + 1] !== '0' && text[i + 1] !== '1') {
                throw new ArazzoSyntaxError(pointer, i + offset, "'~' must be followed by '0' or '1'");
            }
            continue;
        }
        tokens.push(unescapeToken(text.slice(start, i)));
        start = i + 1;
    }
    return tokens;
}
/** `~1` is '/' and `~0` is '~', decoded in that order so `~01` stays `~1`. */
function unescapeToken(token) {
    return token.replace(/~1/g, '/').replace(/~0/g, '~');
}
function escapePointerToken(token) {
    return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
function formatPointer(tokens) {
    return tokens.map(token => '/' + escapePointerToken(token)).join('');
}
/**
 * One step down: an own property of an object, or an existing index of an array. Own
 * properties only, so a document can never reach `constructor` or `__proto__` of a prototype.
 */
function childOf(value, token) {
    if (Array.isArray(value)) {
        if (!ARRAY_INDEX.test(token))
            return undefined;
        const index = Number(token);
        return index < value.length ? value[index] : undefined;
    }
    if (isObject(value) && Object.hasOwn(value, token))
        return value[token];
    return undefined;
}
/** Follows already-parsed tokens; undefined as soon as one step reaches nothing. */
function resolveTokens(value, tokens) {
    let current = value;
    for (const token of tokens) {
        current = childOf(current, token);
        if (current === undefined)
            return undefined;
    }
    return current;
}
/**
 * The value at `pointer` ('' or '#' = the whole value; '/a/0' or '#/a/0'), undefined when
 * unreachable. Throws ArazzoSyntaxError only for a malformed pointer.
 */
function resolvePointer(value, pointer) {
    return resolveTokens(value, parsePointer(pointer));
}
/**
 * Sets `value` at `pointer` and returns the new root. Copy-on-write along the path: the input is
 * never mutated (the payload may be an input or a step output shared with other steps). Only the
 * last token may name something new: an object key, or '-' to append to an array.
 */
function setPointer(target, pointer, value) {
    return setTokens(target, parsePointer(pointer), value, pointer);
}
function setTokens(target, tokens, value, pointer) {
    if (tokens.length === 0)
        return value;
    const [head, ...rest] = tokens;
    if (Array.isArray(target)) {
        const copy = [...target];
        if (rest.length === 0 && head === '-') {
            copy.push(value);
            return copy;
        }
        if (!ARRAY_INDEX.test(head) || Number(head) >= target.length) {
            throw missing(pointer, tokens.length === 1 ? 'array index' : 'parent');
        }
        copy[Number(head)] = setTokens(target[Number(head)], rest, value, pointer);
        return copy;
    }
    if (isObject(target)) {
        if (rest.length > 0 && !Object.hasOwn(target, head))
            throw missing(pointer, 'parent');
        const copy = { ...target };
        // defineProperty, not assignment: a key named '__proto__' must stay a plain own property.
        Object.defineProperty(copy, head, {
            value: setTokens(target[head], rest, value, pointer),
            writable: true,
            enumerable: true,
            configurable: true
        });
        return copy;
    }
    throw missing(pointer, 'parent');
}
function missing(pointer, what) {
    return new ArazzoRuntimeError(`Cannot set ${JSON.stringify(pointer)}: the ${what} does not exist`);
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}


/***/ }),

/***/ 75902:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   K: () => (/* binding */ sweepOnce),
/* harmony export */   ledgerDemo: () => (/* binding */ ledgerDemo)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(31421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(73136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_url__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _simulator_github_index_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(50009);
/* harmony import */ var _simulator_index_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(38280);
/* harmony import */ var _ledger_index_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(79629);
/* harmony import */ var _command_file_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(58881);
/**
 * `npm run demo -- --ledger`: the DSAR ledger end to end on this machine. Starts the DSAR simulator and
 * the GitHub REST stand-in on 127.0.0.1, files three issues (a DSAR from a collaborator, one from an
 * outsider, one with a broken form), then runs the bundled action (dist/index.js) three times with
 * `ledger: issues`, as three scheduled sweeps would, printing each sweep's log and the issues'
 * comments and labels as they change; then the privacy desk's erasures (src/demo/desk.ts). Like the other demo, it removes its temporary folder (which holds
 * the downloaded exports: personal data, even simulated) unless DEMO_KEEP_FILES=true.
 */









const action = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.dirname)((0,node_url__WEBPACK_IMPORTED_MODULE_4__.fileURLToPath)(import.meta.url)), '..', 'index.js');
const SWEEPS = 3;
/**
 * On a runner the ledger spaces its GitHub writes as GitHub asks (1 s apart, 3 s between comments),
 * which would make this demo's ~50 writes to the stand-in take a minute of waiting. The demo's days
 * are virtual, so it shortens that spacing with the action's test hook, and says so.
 */
const WRITE_SPACING = { DSAR_TEST_WRITE_SPACING_MS: '50' };
function form(userIds, reference, startDate = '2024-01-01') {
    return (0,_ledger_index_js__WEBPACK_IMPORTED_MODULE_7__/* .formBody */ .bQ)({ userIds, reference, startDate });
}
async function ledgerDemo() {
    const simulator = await (0,_simulator_index_js__WEBPACK_IMPORTED_MODULE_6__/* .startSimulator */ .rs)({
        job: { pollsInStaging: 0, pollsInSubmitted: 1, files: 1, linesPerFile: 25 }
    });
    const github = await (0,_simulator_github_index_js__WEBPACK_IMPORTED_MODULE_5__/* .startGitHubStandIn */ .Xe)();
    github.addUser({ login: 'priya', permission: 'write' });
    github.addUser({ login: 'stranger', permission: 'none' });
    const issues = [
        github.fileIssue({
            author: 'priya',
            body: form('alice@example.com', 'TICKET-101'),
            labels: ['dsar']
        }),
        github.fileIssue({
            author: 'stranger',
            body: form('bob@example.com', 'please'),
            labels: ['dsar']
        }),
        github.fileIssue({
            author: 'priya',
            body: form('carol@example.com', 'TICKET-102', '2024-13-01'),
            labels: ['dsar']
        })
    ];
    console.log(`DSAR simulator: ${simulator.url}; GitHub REST stand-in: ${github.url} (${github.repository})`);
    console.log("GitHub's spacing of writes (1 s apart, 3 s between comments on a runner) is shortened to " +
        `${WRITE_SPACING.DSAR_TEST_WRITE_SPACING_MS} ms for the stand-in (DSAR_TEST_WRITE_SPACING_MS, a test hook).`);
    console.log('Filed: #1 by a collaborator, #2 by an outsider, #3 with a start date of 2024-13-01\n');
    const home = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.mkdtempSync)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_2__.tmpdir)(), 'dsar-ledger-demo-'));
    const keep = process.env.DEMO_KEEP_FILES === 'true';
    let code = 0;
    // The runs' files are the demo's own: gone when it ends.
    try {
        for (let sweep = 1; sweep <= SWEEPS; sweep++) {
            console.log(`=== sweep ${sweep} of ${SWEEPS}: node ${action} with ledger: issues ===`);
            const run = await sweepOnce((0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(home, `sweep-${sweep}`), {
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
        // The privacy desk (issue 22): access, then erasure; an erasure cancelled in its window.
        const { deskDemo } = await __webpack_require__.e(/* import() */ 670).then(__webpack_require__.bind(__webpack_require__, 58670));
        const desk = await deskDemo(home);
        if (desk !== 0)
            code = desk;
    }
    finally {
        if (keep)
            console.log(`Files kept in ${home}`);
        else
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.rmSync)(home, { recursive: true, force: true });
    }
    console.log(`The stand-in saw ${github.log.length} GitHub requests, the simulator ${simulator.log.length}.`);
    await Promise.all([simulator.close(), github.close()]);
    process.exitCode = code ?? 1;
}
async function sweepOnce(home, inputs, extraEnv, showLog = true) {
    (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.mkdirSync)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(home, 'temp'), { recursive: true });
    const files = {
        GITHUB_OUTPUT: (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(home, 'output'),
        GITHUB_STEP_SUMMARY: (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(home, 'summary.md')
    };
    for (const file of Object.values(files))
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.writeFileSync)(file, '');
    const env = {
        PATH: process.env.PATH ?? '',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: home,
        RUNNER_TEMP: (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(home, 'temp'),
        GITHUB_RUN_ID: '1',
        ...WRITE_SPACING,
        ...files,
        ...extraEnv
    };
    for (const [name, value] of Object.entries(inputs))
        env[`INPUT_${name.toUpperCase()}`] = value;
    const code = await new Promise(done => {
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(process.execPath, [action], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout.on('data', (chunk) => {
            for (const line of chunk.toString('utf8').split('\n')) {
                if (showLog && line !== '' && !line.startsWith('::add-mask::'))
                    console.log(`  | ${line}`);
            }
        });
        child.on('close', done);
    });
    return { code, outputs: (0,_command_file_js__WEBPACK_IMPORTED_MODULE_8__/* .parseCommandFile */ .P)((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)(files.GITHUB_OUTPUT, 'utf8')) };
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


/***/ }),

/***/ 79095:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   aG: () => (/* binding */ TransferError),
/* harmony export */   h_: () => (/* binding */ DeadlineReached),
/* harmony export */   nV: () => (/* binding */ DownloadError)
/* harmony export */ });
/**
 * Errors of the export download. `DownloadError` is the one callers see; `TransferError` is the
 * internal verdict on one attempt, which the retry loop reads to decide whether to try again.
 * Messages never carry a URL: a presigned URL is a bearer credential.
 */
/** A request's outputs could not be downloaded. `output` is 1-based (0: not about one output). */
class DownloadError extends Error {
    requestId;
    output;
    /** The files verified and stored before this failure (they are on disk and whole). */
    done = [];
    constructor(message, requestId, output, options) {
        super(message, options);
        this.requestId = requestId;
        this.output = output;
        this.name = 'DownloadError';
    }
}
/**
 * One attempt failed. `transient`: the same download may succeed if repeated from scratch (5xx,
 * reset, stall, 429); otherwise repeating is pointless (403, 404, 401, a corrupt gzip, a policy).
 */
class TransferError extends Error {
    transient;
    retryAfterMs;
    constructor(message, transient, retryAfterMs, options) {
        super(message, options);
        this.transient = transient;
        this.retryAfterMs = retryAfterMs;
        this.name = 'TransferError';
    }
}
/** The run's timeout ran out while downloading (the abort reason of the download's signal). */
class DeadlineReached extends Error {
    constructor(message) {
        super(message);
        this.name = 'DeadlineReached';
    }
}


/***/ }),

/***/ 54608:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  downloadRequestOutputs: () => (/* binding */ downloadRequestOutputs)
});

// UNUSED EXPORTS: DeadlineReached, DownloadError, MAX_REDIRECTS, NOT_KNOWN, RECEIPT_FILE, TransferError, buildReceipt, nextHop, outputFileName, writeReceipt, writeWholeFile

// EXTERNAL MODULE: ./src/export/errors.ts
var errors = __webpack_require__(79095);
// EXTERNAL MODULE: ./src/export/url-policy.ts
var url_policy = __webpack_require__(53938);
// EXTERNAL MODULE: ./src/export/safe-files.ts
var safe_files = __webpack_require__(73543);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
;// CONCATENATED MODULE: ./src/export/receipt.ts
/**
 * `receipt.json`: the evidence an auditor asks for (GDPR Art. 5(2)), written by every run that
 * reached Amplitude (in `download-path`, beside the files when there are any, and uploaded inside the
 * artifact): what was asked (subject fingerprints, dates as sent or as Amplitude's status answer
 * gave them, never a default), when and by which request ids, the statuses seen and when, how each
 * request ended (and Amplitude's failReason), and what was delivered, verified how (each file's
 * name, events, and bytes and sha256 both as Amplitude served it and as stored, which differ when
 * age-encrypted; to which public keys), by which action version against which API host.
 * docs/receipt.md describes it field by field.
 *
 * It never holds a raw subject id (a fingerprint: the first hex digits of the id's SHA-256), a
 * download URL (a presigned one is a bearer credential) or a credential. It is written like the
 * exports: a 0600 partial file opened without following links, then renamed into place.
 */


const RECEIPT_FILE = 'receipt.json';
/** What the receipt says of a date it does not know (a resumed request Amplitude did not date). */
const NOT_KNOWN = 'not known in this run';
function buildReceipt(input) {
    const encrypted = input.files.some(file => file.encrypted);
    return {
        receiptVersion: 1,
        generatedAt: input.generatedAt,
        action: input.action,
        apiHost: input.apiHost,
        workflow: input.workflow,
        ...(input.run && { run: input.run }),
        ...(input.issue && { issue: input.issue }),
        ...(input.deadline && { deadline: input.deadline }),
        ...(input.filing && {
            filedBy: input.filing.filedBy,
            identityVerified: input.filing.identityVerified
        }),
        requests: input.requests,
        files: input.files.map(file => ({
            name: relative(input.root, file.path).split(sep).join('/'),
            requestId: file.requestId ?? null,
            bytes: file.bytes,
            sha256: file.sha256,
            storedBytes: file.storedBytes,
            storedSha256: file.storedSha256,
            events: file.events,
            encrypted: file.encrypted
        })),
        encryption: encrypted || input.recipients.length > 0
            ? { format: 'age', recipients: [...input.recipients] }
            : null,
        ...(input.artifact && { artifact: input.artifact }),
        note: 'bytes and sha256 describe each export as Amplitude served it (gzip of JSON lines); ' +
            'storedBytes and storedSha256 describe the file as stored and uploaded (the .age file when ' +
            'encrypted: check it with sha256sum without decrypting); events counts its JSON lines. ' +
            'Subjects are named by the first 8 hex digits of the SHA-256 of their id ' +
            `(printf %s ID | sha256sum). A date that reads "${NOT_KNOWN}" was neither sent by this run ` +
            "nor given in Amplitude's status answer."
    };
}
/** Writes `<dir>/receipt.json` (0600, replacing an older one) and returns its path. */
async function writeReceipt(dir, receipt) {
    return writeWholeFile(dir, RECEIPT_FILE, JSON.stringify(receipt, null, 2) + '\n');
}

;// CONCATENATED MODULE: ./src/export/index.ts




/** Downloads one request's output files (src/export/download.ts, loaded on first use). */
async function downloadRequestOutputs(options) {
    const { downloadRequestOutputs: download } = await __webpack_require__.e(/* import() */ 98).then(__webpack_require__.bind(__webpack_require__, 87098));
    return download(options);
}


/***/ }),

/***/ 73543:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AV: () => (/* binding */ isSafeRequestId),
/* harmony export */   R0: () => (/* binding */ writeWholeFile),
/* harmony export */   S2: () => (/* binding */ removeQuietly),
/* harmony export */   _K: () => (/* binding */ prepareRequestDir),
/* harmony export */   bF: () => (/* binding */ outputFileName),
/* harmony export */   kR: () => (/* binding */ createPartialFile),
/* harmony export */   o6: () => (/* binding */ publishFile)
/* harmony export */ });
/* unused harmony export partialName */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _policy_index_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(74161);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(79095);
/**
 * Storing exports safely. They are personal data, so:
 * - `${downloadPath}/${requestId}/` is 0700 and must be a real directory of ours (an existing
 *   symlink there is refused: it could point the export anywhere);
 * - file names come from our own counters, never from the server;
 * - a file is written as `<name>.partial` (0600, O_CREAT|O_EXCL|O_NOFOLLOW) and only gets its
 *   final name once verified, through link(2), which never replaces an existing file;
 * - a failed file is deleted, so nothing that looks complete is left behind.
 * `downloadPath` itself (and what is above it) is the user's choice and is trusted as given.
 */





// Windows has no O_NOFOLLOW (nor meaningful modes); everywhere else it is what makes the open safe.
const O_NOFOLLOW = node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_DIRECTORY ?? 0;
const PARTIAL_SUFFIX = '.partial';
function isSafeRequestId(requestId) {
    return _policy_index_js__WEBPACK_IMPORTED_MODULE_3__/* .REQUEST_ID_PATTERN */ .zM.test(requestId);
}
/** `output-001.json.gz` (or `.json.gz.age`), numbered from 1 by our own counter. */
function outputFileName(index, encrypted) {
    return `output-${String(index).padStart(3, '0')}.json.gz${encrypted ? '.age' : ''}`;
}
function partialName(finalName) {
    return finalName + PARTIAL_SUFFIX;
}
/**
 * Creates (or accepts) `${downloadPath}/${requestId}` as a 0700 directory and returns its absolute
 * path. Throws when the request id is unsafe or the directory is a symlink, not a directory, or
 * owned by another user.
 */
async function prepareRequestDir(downloadPath, requestId) {
    if (!isSafeRequestId(requestId)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .TransferError */ .aG(`refusing request id ${JSON.stringify(requestId)} as a directory name`, false);
    }
    const dir = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.resolve)(downloadPath), requestId);
    await refuseSymlink(dir);
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(dir, { recursive: true, mode: 0o700 });
    // Check and chmod through one descriptor opened without following links, so a symlink swapped
    // in after the lstat above cannot redirect the chmod.
    let handle;
    try {
        handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(dir, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    }
    catch (error) {
        if (isCode(error, 'ELOOP') || isCode(error, 'ENOTDIR')) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .TransferError */ .aG(`refusing ${dir}: it is a symlink or not a directory`, false);
        }
        throw error;
    }
    try {
        const stat = await handle.stat();
        if (!stat.isDirectory())
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .TransferError */ .aG(`refusing ${dir}: not a directory`, false);
        const uid = process.getuid?.();
        if (uid !== undefined && stat.uid !== uid) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .TransferError */ .aG(`refusing ${dir}: owned by another user (uid ${stat.uid})`, false);
        }
        await handle.chmod(0o700);
    }
    finally {
        await handle.close();
    }
    return dir;
}
/**
 * Opens `${dir}/${finalName}.partial` for writing: new (O_EXCL), 0600, never through a symlink.
 * A stale partial of an interrupted run is removed first (unlink removes a symlink itself, never
 * its target).
 */
async function createPartialFile(dir, finalName) {
    const path = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, partialName(finalName));
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.unlink)(path).catch((error) => {
        if (!isCode(error, 'ENOENT'))
            throw error;
    });
    const flags = node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_WRONLY | node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_CREAT | node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_EXCL | O_NOFOLLOW;
    const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open)(path, flags, 0o600);
    try {
        await handle.chmod(0o600); // the umask may have taken bits away; make the mode exact
    }
    catch (error) {
        await handle.close();
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(path, { force: true });
        throw error;
    }
    return { handle, path };
}
/**
 * Gives a verified partial file its final name without ever replacing an existing file: link(2)
 * fails with EEXIST. Where hard links are not supported, falls back to check-then-rename.
 */
async function publishFile(partialPath, finalPath) {
    try {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.link)(partialPath, finalPath);
    }
    catch (error) {
        if (isCode(error, 'EEXIST'))
            throw alreadyExists(finalPath);
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].some(c => isCode(error, c)))
            throw error;
        if (await exists(finalPath))
            throw alreadyExists(finalPath);
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(partialPath, finalPath);
        return;
    }
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.unlink)(partialPath);
}
/**
 * Writes `dir/name` whole: a 0600 partial file (new, never through a symlink), synced, then renamed
 * into place, replacing an older one (rename replaces a symlink there, never its target). Returns
 * the path. Readers never see half a file.
 */
async function writeWholeFile(dir, name, text) {
    const target = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, name);
    const partial = await createPartialFile(dir, name);
    try {
        await partial.handle.writeFile(text, 'utf8');
        await partial.handle.sync();
    }
    catch (error) {
        await partial.handle.close();
        await removeQuietly(partial.path);
        throw error;
    }
    await partial.handle.close();
    try {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(partial.path, target);
    }
    catch (error) {
        await removeQuietly(partial.path);
        throw error;
    }
    return target;
}
/** Deletes a file if present; never throws (used on the failure path). */
async function removeQuietly(path) {
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(path, { force: true }).catch(() => undefined);
}
async function refuseSymlink(path) {
    try {
        const stat = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.lstat)(path);
        if (stat.isSymbolicLink())
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .TransferError */ .aG(`refusing ${path}: it is a symlink`, false);
        if (!stat.isDirectory())
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .TransferError */ .aG(`refusing ${path}: not a directory`, false);
    }
    catch (error) {
        if (!isCode(error, 'ENOENT'))
            throw error;
    }
}
async function exists(path) {
    try {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.lstat)(path);
        return true;
    }
    catch (error) {
        if (isCode(error, 'ENOENT'))
            return false;
        throw error;
    }
}
function alreadyExists(path) {
    return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .TransferError */ .aG(`${path} already exists; refusing to overwrite it`, false);
}
function isCode(error, code) {
    return error?.code === code;
}


/***/ }),

/***/ 53938:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   B_: () => (/* binding */ assertNotInternal),
/* harmony export */   Fz: () => (/* binding */ nextHop),
/* harmony export */   NX: () => (/* binding */ MAX_REDIRECTS),
/* harmony export */   Pb: () => (/* binding */ assertFetchable),
/* harmony export */   xl: () => (/* binding */ isRedirectStatus)
/* harmony export */ });
/* harmony import */ var _policy_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(74161);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(79095);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TransferError */ .aG(`refusing a ${url.protocol} URL (only https is allowed)`, false);
    }
    if (url.protocol === 'http:' && !(0,_policy_index_js__WEBPACK_IMPORTED_MODULE_0__/* .isLoopbackHost */ .cW)(url.hostname)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TransferError */ .aG(`refusing plain http to a non-loopback host (${_policy_index_js__WEBPACK_IMPORTED_MODULE_0__/* .LOOPBACK_RULE */ .x1})`, false);
    }
    if (url.username !== '' || url.password !== '') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TransferError */ .aG('refusing a URL that embeds credentials', false);
    }
}
/** The next URL of a redirect chain, or a permanent TransferError when the hop is not allowed. */
function nextHop(from, location) {
    let to;
    try {
        to = new URL(location, from);
    }
    catch {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TransferError */ .aG('the server redirected to an invalid location', false);
    }
    if (from.protocol === 'https:' && to.protocol === 'http:') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TransferError */ .aG('refusing a redirect from https to http (downgrade)', false);
    }
    assertFetchable(to);
    return to;
}
/** Throws (permanent TransferError) when the URL's host is an internal IP literal. */
function assertNotInternal(url) {
    const kind = (0,_policy_index_js__WEBPACK_IMPORTED_MODULE_0__/* .internalAddressKind */ .sg)(url.hostname);
    if (kind)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .TransferError */ .aG((0,_policy_index_js__WEBPACK_IMPORTED_MODULE_0__/* .internalAddressRefusal */ .UT)(kind), false);
}


/***/ }),

/***/ 79629:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  bQ: () => (/* reexport */ formBody)
});

// UNUSED EXPORTS: DEFAULT_OTHER_DAYS, REGIMES, clockTable, parseRegime, sweepLedger

// EXTERNAL MODULE: ./src/arazzo/index.ts + 37 modules
var arazzo = __webpack_require__(30029);
// EXTERNAL MODULE: ./src/policy/index.ts + 6 modules
var policy = __webpack_require__(74161);
;// CONCATENATED MODULE: ./src/run/budget.ts
const budget_DOCUMENTED_BUDGET_PER_HOUR = 14_400;
const HOUR_MS = 3_600_000;
/** The largest cost of one request (a POST). */
const MAX_REQUEST_COST = 8;
function budget_requestCost(method) {
    return method.toUpperCase() === 'POST' ? MAX_REQUEST_COST : 1;
}
/** The budget would have had room only after the caller's deadline. */
class budget_BudgetDeadlineError extends Error {
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
        this.rate = (limitPerHour - this.burst) / HOUR_MS;
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
    /** How long, from now, until `cost` units are free (ignoring waiters already queued). */
    waitMs(cost) {
        const now = this.options.clock.now();
        this.refill(now);
        return Math.max(0, this.pausedUntil - now, Math.ceil((cost - this.tokens) / this.rate));
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
                throw new budget_BudgetDeadlineError(now + wait);
            await clock.sleep(wait, signal);
        }
    }
    refill(now) {
        this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.rate);
        this.refilledAt = now;
    }
}

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(44708);
;// CONCATENATED MODULE: ./src/run/transport-error.ts
class transport_error_TransportError extends Error {
    kind;
    status;
    neverSent;
    constructor(kind, message, status, 
    /**
     * For 'network': the connection never reached the server; for 'deadline': the timeout ran out
     * before the request was sent, or before a POST answered 429/503 (not processed) could be
     * repeated. Either way nothing was taken.
     */
    neverSent = false) {
        super(message);
        this.kind = kind;
        this.status = status;
        this.neverSent = neverSent;
        this.name = 'TransportError';
    }
}

;// CONCATENATED MODULE: ./src/run/send-once.ts
/**
 * One HTTP attempt over node:http(s) for the API transport (src/run/http-transport.ts): a whole-attempt
 * timeout, a body size cap, JSON parsed without quoting the text, and whether the connection was up
 * when it failed (a failure before that cannot have created anything, even for a POST).
 */





/** One attempt over node:http(s), with a whole-attempt timeout and a body size cap. */
function send_once_sendOnce(request, signal, limits) {
    return new Promise((resolve, reject) => {
        const url = new URL(request.url);
        const client = url.protocol === 'https:' ? https : http;
        const headers = { accept: 'application/json', ...request.headers };
        if (request.body !== undefined)
            headers['content-length'] = String(Buffer.byteLength(request.body));
        const req = client.request(url, { method: request.method, headers, signal });
        // Until the connection is up (TLS included), no byte of the request can have reached the
        // server: a failure before that cannot have created anything, even for a POST.
        let connected = false;
        req.on('socket', socket => {
            if (!socket.connecting)
                connected = true; // a kept-alive socket, already up
            else
                socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
        });
        const fail = (error) => {
            clearTimeout(timer);
            req.destroy();
            reject(error);
        };
        const timer = setTimeout(() => {
            const message = connected
                ? `no complete answer within ${limits.timeoutMs} ms`
                : `no connection within ${limits.timeoutMs} ms`;
            fail(new TransportError('network', message, undefined, !connected));
        }, limits.timeoutMs);
        req.on('error', error => fail(signal.aborted ? signal.reason : networkError(error, !connected)));
        req.on('response', res => {
            const declared = Number(res.headers['content-length'] ?? 0);
            if (declared > limits.maxBodyBytes) {
                res.destroy();
                return fail(tooLarge(request, limits));
            }
            const chunks = [];
            let size = 0;
            res.on('data', (chunk) => {
                size += chunk.length;
                if (size > limits.maxBodyBytes) {
                    res.destroy();
                    return fail(tooLarge(request, limits));
                }
                chunks.push(chunk);
            });
            res.on('error', error => fail(networkError(error)));
            res.on('end', () => {
                clearTimeout(timer);
                if (!res.complete)
                    return reject(networkError(new Error('the answer was cut short')));
                try {
                    resolve({
                        status: res.statusCode ?? 0,
                        headers: flattenHeaders(res.headers),
                        body: parseBody(Buffer.concat(chunks).toString('utf8'), res.headers['content-type'])
                    });
                }
                catch (error) {
                    const what = `${request.method} ${url.pathname}`;
                    reject(new TransportError('malformed', `HTTP ${res.statusCode} from ${what} had a malformed JSON body (${messageOf(error)})`, res.statusCode));
                }
            });
        });
        req.end(request.body);
    });
}
function tooLarge(request, limits) {
    const path = new URL(request.url).pathname;
    return new TransportError('tooLarge', `the answer to ${request.method} ${path} is larger than ${limits.maxBodyBytes} bytes: refused`);
}
function networkError(error, neverSent = false) {
    return new TransportError('network', error.code ? `${error.code}: ${error.message}` : error.message, undefined, neverSent);
}
function flattenHeaders(headers) {
    const flat = {};
    for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined)
            flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return flat;
}
/**
 * JSON when the server says so; throws on malformed JSON (saying where, never quoting the text) and
 * on JSON nested too deep to walk.
 */
function parseBody(text, contentType) {
    if (text.length === 0)
        return undefined;
    const declaredJson = /\bjson\b/i.test(contentType ?? '');
    if (declaredJson)
        return parseJsonText(text);
    return text;
}

;// CONCATENATED MODULE: ./src/run/http-transport.ts
/**
 * The action's HTTP transport for the Arazzo engine. Everything the engine sends goes through here, so
 * this is where the action is careful with the shared API budget and with credentials:
 * - only the API origin is ever contacted: every request of a workflow may carry the credentials, and
 *   src/policy/credentials.ts says where they may go (a document cannot send them anywhere else);
 * - at most `maxConcurrency` requests are in flight; every request first takes its cost from the budget;
 * - transient failures (5xx, resets, stalls past the per-request timeout) are retried with exponential
 *   back-off and jitter, never sooner than the server's Retry-After, up to `maxAttempts`;
 * - a 429 (the organisation's shared budget is spent, maybe by another job) is retried for as long as
 *   the run's deadline allows, with back-off capped at `rateLimitMaxMs`, and pauses the whole run's
 *   pacer, not one request: Amplitude documents no Retry-After and no window, so a client must wait
 *   a 429 out on its own;
 * - a POST is retried only when it cannot have been taken: the server said so (429, 503), or its
 *   connection never reached the server (refused, DNS, TLS before the request was written). A reset
 *   or a silence after the request was written is not repeated: a lost answer must never create a
 *   duplicate DSAR;
 * - no retry waits past the run's deadline (a Retry-After of an hour must not outlive a 3 s timeout):
 *   the request fails at once with a 'deadline' TransportError instead;
 * - permanent failures come back at once: 401/403 as an AuthError (it would fail for every subject),
 *   malformed JSON and oversized bodies as a TransportError; other statuses go back to the engine, whose
 *   criteria decide.
 */








const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);
const RATE_LIMIT_BACKOFF_MAX_MS = (/* unused pure expression or super */ null && (5 * 60_000));
/** Statuses that promise the request was not processed: safe to repeat even a POST. */
const http_transport_NOT_PROCESSED_STATUSES = new Set([429, 503]);
function http_transport_createActionTransport(options) {
    const credentials = createCredentialPolicy({ apiOrigin: options.apiOrigin });
    const limits = {
        timeoutMs: options.requestTimeoutMs ?? 30_000,
        maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024
    };
    const maxAttempts = options.maxAttempts ?? 8;
    const baseMs = options.backoffBaseMs ?? 1_000;
    const maxMs = options.backoffMaxMs ?? 120_000;
    const rateLimitMaxMs = options.rateLimitMaxMs ?? Math.max(maxMs, RATE_LIMIT_BACKOFF_MAX_MS);
    const random = options.random ?? Math.random;
    const send = options.send ?? sendOnce;
    const slots = new Semaphore(options.maxConcurrency);
    const stats = { requests: 0, retries: 0, cost: 0, statuses: {} };
    const backoff = (failures, cap, retryAfterMs) => jitteredBackoffMs({
        attempt: failures,
        baseMs,
        maxMs: cap,
        random,
        ...(retryAfterMs !== undefined && { retryAfterMs })
    });
    const transport = async (request, signal) => {
        const url = new URL(request.url);
        const scope = options.scope ?? 'dsar';
        if (!mayCarryCredentials(credentials, { kind: 'apiCall', url, scope })) {
            throw new TransportError('policy', url.origin === credentials.apiOrigin
                ? `refused to send ${scope === 'erasure' ? 'the erasure keys' : 'the DSAR keys'} to ${url.pathname}: ` +
                    (scope === 'erasure'
                        ? 'they go to the deletion API (/api/2/deletions/users) only'
                        : "the deletion API takes a project's erasure keys, not these")
                : `refused to send a request to ${url.origin}: only the API origin ${credentials.apiOrigin} is contacted`);
        }
        const method = request.method.toUpperCase();
        const path = url.pathname;
        // 429s and other failures are counted apart: a budget drained by another job must not use up
        // the attempts meant for a failing server, nor the other way round.
        let failures = 0;
        let rateLimited = 0;
        for (let attempt = 1;; attempt++) {
            const cost = requestCost(method);
            try {
                await options.pacer.acquire(cost, signal, options.deadline);
            }
            catch (error) {
                if (!(error instanceof BudgetDeadlineError))
                    throw error;
                throw new TransportError('deadline', `${method} ${path} not sent: ${error.message}, after the timeout`, undefined, true);
            }
            stats.requests++;
            stats.cost += cost;
            let response;
            let failure;
            // A request in flight is cut at the deadline, whatever the per-request timeout says.
            let cut = false;
            let late = false;
            // The pacer hears when each attempt ended (the erasure pacer spaces calls from there).
            try {
                await slots.use(async () => {
                    const remainingMs = (options.deadline ?? Infinity) - options.clock.now();
                    cut = remainingMs < limits.timeoutMs;
                    late = remainingMs <= 0;
                    if (late)
                        return;
                    try {
                        response = await send(request, signal, cut ? { ...limits, timeoutMs: remainingMs } : limits);
                    }
                    catch (error) {
                        failure = error;
                    }
                });
            }
            finally {
                options.pacer.settled?.();
            }
            signal.throwIfAborted();
            if (late) {
                throw new TransportError('deadline', `${method} ${path} not sent: the timeout ran out`, undefined, true);
            }
            if (failure && cut && options.clock.now() >= (options.deadline ?? Infinity)) {
                throw new TransportError('deadline', `${method} ${path} had no answer when the timeout ran out` +
                    (method === 'GET'
                        ? ''
                        : ' (the server may have taken it: check before submitting again)'));
            }
            let reason;
            let delayMs;
            if (response) {
                const status = response.status;
                stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
                if (status === 401 || status === 403) {
                    throw new TransportError('auth', `HTTP ${status} from ${method} ${path}: the API refused the credentials ` +
                        '(an organisation-level API key and secret key are required)', status);
                }
                if (!TRANSIENT_STATUSES.has(status))
                    return response;
                if (method !== 'GET' && !http_transport_NOT_PROCESSED_STATUSES.has(status)) {
                    throw new TransportError('status', `HTTP ${status} from ${method} ${path}`, status);
                }
                const retryAfterMs = parseRetryAfter(response.headers['retry-after'], options.clock.now());
                reason = `HTTP ${status}`;
                if (status === 429) {
                    rateLimited++;
                    delayMs = backoff(rateLimited, rateLimitMaxMs, retryAfterMs);
                    // Everyone waits, but not past the deadline: the run ends there anyway.
                    const until = options.clock.now() + delayMs;
                    options.pacer.pauseUntil(Math.min(until, options.deadline ?? until));
                }
                else {
                    failures++;
                    delayMs = backoff(failures, maxMs, retryAfterMs);
                }
            }
            else {
                const error = failure;
                if (error instanceof TransportError && error.kind !== 'network')
                    throw error;
                const neverSent = error instanceof TransportError && error.neverSent;
                if (method !== 'GET' && !neverSent) {
                    throw new TransportError('network', `${method} ${path} failed (${error.message}); not repeated, since the server may have ` +
                        'taken it and a repeat could create a duplicate request');
                }
                reason = neverSent
                    ? `${error.message} (the request never reached the server)`
                    : error.message;
                failures++;
                delayMs = backoff(failures, maxMs);
            }
            if (failures >= maxAttempts) {
                throw new TransportError(response ? 'status' : 'network', `${method} ${path} still failing after ${attempt} attempts (last: ${reason})`, response?.status);
            }
            if (options.deadline !== undefined && options.clock.now() + delayMs > options.deadline) {
                throw new TransportError('deadline', `${method} ${path} failed (last: ${reason}); the next attempt, in ${Math.ceil(delayMs / 1000)} s, ` +
                    'would come after the timeout', response?.status, 
                // A POST is repeated only after 429/503 or a connection that never reached the server:
                // none of its attempts was taken.
                method !== 'GET');
            }
            stats.retries++;
            options.onRetry?.({ method, path, attempt, reason, delayMs });
            await options.clock.sleep(delayMs, signal);
        }
    };
    return { transport, stats };
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 11 modules
var lib_core = __webpack_require__(91659);
;// CONCATENATED MODULE: ./src/run/log.ts
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
        lib_core/* info */.pq((0,policy/* forLog */.Ig)(text));
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

;// CONCATENATED MODULE: ./src/run/pacing-policy.ts
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
function pacing_policy_createBudgetPacer(clock, share = BUDGET_SHARE) {
    return new BudgetPacer({ limitPerHour: Math.floor(DOCUMENTED_BUDGET_PER_HOUR * share), clock });
}
function pacing_policy_createPollSchedule(pollIntervalMs) {
    return backoffPollSchedule({
        initialMs: pollIntervalMs,
        factor: POLL_GROWTH,
        maxMs: Math.max(pollIntervalMs, POLL_INTERVAL_CAP_MS)
    });
}

;// CONCATENATED MODULE: ./src/run/duration.ts
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
function parseDuration(text) {
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
/** A duration as the log and the summary say it (`1h5m`, `30s`, `250ms`): what parseDuration reads. */
function duration_formatDuration(ms) {
    if (ms < 1000)
        return `${Math.max(0, Math.round(ms))}ms`;
    let seconds = Math.round(ms / 1000);
    const hours = Math.floor(seconds / 3600);
    seconds -= hours * 3600;
    const minutes = Math.floor(seconds / 60);
    seconds -= minutes * 60;
    return [
        hours ? `${hours}h` : '',
        minutes ? `${minutes}m` : '',
        seconds || (!hours && !minutes) ? `${seconds}s` : ''
    ]
        .filter(Boolean)
        .join('');
}

;// CONCATENATED MODULE: ./src/run/input-names.ts
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

;// CONCATENATED MODULE: ./src/run/secret-helper.ts
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
function secret_helper_credentialRedactor(credentials) {
    const forms = credentialMaskForms(credentials)
        // Shorter than this would match ordinary text (real keys are 32 characters).
        .filter(form => form.length >= 6)
        .sort((a, b) => b.length - a.length);
    return text => forms.reduce((result, form) => result.split(form).join('***'), text);
}

;// CONCATENATED MODULE: ./src/run/sent-state.ts
/**
 * The transport's own answer to "was this request sent?": the one place that reads its error
 * kinds and statuses for it. The ledger's submit step (one DSAR per person, never two) and the
 * request runner (`not-sent` records) ask here instead of reading the transport's error kinds.
 *
 * - `not-sent`: Amplitude cannot have taken it: the attempt was refused (4xx), answered "not
 *   processed" (429, 503), or the transport knows nothing left this machine (the connection never
 *   opened, the deadline or the budget came first).
 * - `sent`: answered with anything else: the server took it.
 * - `unknown`: handed to the network and not answered (a reset, a stall, a cut): it may have been
 *   taken, so it is never submitted again blindly.
 */

/** Whether an attempt that was answered with `status` was taken by the server. */
function sent_state_answeredSentState(status) {
    const refused = status >= 400 && status < 500;
    return refused || NOT_PROCESSED_STATUSES.has(status) ? 'not-sent' : 'sent';
}
/** Whether an attempt (or a request) that failed with `error` was taken by the server. */
function sent_state_sentState(error) {
    return error instanceof TransportError && error.neverSent ? 'not-sent' : 'unknown';
}
/** Whether the run's timeout (or the budget's room only after it) stopped the request: no fault. */
function sent_state_stoppedByDeadline(error) {
    return error instanceof TransportError && error.kind === 'deadline';
}

;// CONCATENATED MODULE: ./src/run/test-hooks.ts

function test_hooks_testHooks() {
    const read = (name) => {
        const text = process.env[name];
        if (text === undefined || text === '')
            return undefined;
        if (!/^\d{1,9}$/.test(text) || Number(text) <= 0) {
            log.warning(line `${name} is not a positive whole number of milliseconds: ignored`);
            return undefined;
        }
        return Number(text);
    };
    return {
        requestTimeoutMs: read('DSAR_TEST_REQUEST_TIMEOUT_MS'),
        backoffBaseMs: read('DSAR_TEST_BACKOFF_BASE_MS'),
        backoffMaxMs: read('DSAR_TEST_BACKOFF_MAX_MS'),
        progressEveryMs: read('DSAR_TEST_PROGRESS_EVERY_MS'),
        writeSpacingMs: read('DSAR_TEST_WRITE_SPACING_MS')
    };
}

;// CONCATENATED MODULE: ./src/run/api-session.ts
/**
 * What every run needs to talk to the Amplitude API, composed once: the clock, the deadline, the
 * budget pacer, the transport (origin rule, retries, concurrency) and the credential redactor. The
 * request runs (src/main.ts) and the ledger sweep (src/ledger/sweep.ts) both start from it.
 *
 * `RunDependencies` is how a caller other than the runner drives the real action: the lifecycle
 * benchmark (bench/lifecycle.ts) runs `run()` on a discrete-event clock against in-process models of
 * Amplitude and GitHub. Production passes nothing and gets the system clock and the network. Every
 * dependency is optional and replaces exactly one thing:
 * - `clock`: time and sleeps (deadline, budget pacer, polls, retries, "today", timestamps);
 * - `sendToApi`: one HTTP attempt to the Amplitude API (the transport's rules still apply around it);
 * - `random`: the transport's back-off jitter (a seeded generator makes a simulation repeatable).
 * The ledger adds how it reaches GitHub (`LedgerDependencies`, src/ledger/sweep.ts).
 */








function api_session_openApiSession(settings, stop, deps = {}) {
    const clock = deps.clock ?? systemClock;
    const startedAt = clock.now();
    const deadline = startedAt + settings.timeoutMs;
    const pacer = createBudgetPacer(clock);
    const hooks = testHooks();
    const sent = new WeakSet();
    const send = deps.sendToApi ?? sendOnce;
    const redact = credentialRedactor({
        apiKey: settings.apiKey ?? '',
        secretKey: settings.secretKey ?? '',
        basicAuth: settings.basicAuth
    });
    const { transport } = createActionTransport({
        apiOrigin: settings.apiUrl,
        clock,
        pacer,
        maxConcurrency: settings.maxConcurrency,
        deadline,
        requestTimeoutMs: hooks.requestTimeoutMs,
        backoffBaseMs: hooks.backoffBaseMs,
        backoffMaxMs: hooks.backoffMaxMs,
        rateLimitMaxMs: hooks.backoffMaxMs,
        send: async (request, signal, limits) => {
            try {
                const response = await send(request, signal, limits);
                if (answeredSentState(response.status) === 'sent')
                    sent.add(request);
                return response;
            }
            catch (error) {
                if (sentState(error) !== 'not-sent')
                    sent.add(request);
                throw error;
            }
        },
        ...(deps.random && { random: deps.random }),
        onRetry: api_session_retryNotice(redact)
    });
    // Refused credentials would be refused for every subject: stop them all at once.
    const guarded = async (request, signal) => {
        try {
            return await transport(request, signal);
        }
        catch (error) {
            if (error instanceof TransportError && error.kind === 'auth')
                stop.abort(error);
            throw error;
        }
    };
    return {
        clock,
        startedAt,
        deadline,
        pacer,
        transport: guarded,
        redact,
        hooks,
        pollSchedule: createPollSchedule(settings.pollIntervalMs),
        maxSteps: Math.min(1_000_000, Math.ceil(settings.timeoutMs / settings.pollIntervalMs) + 100),
        wasSent: request => sent.has(request)
    };
}
/** The log line a retried API call leaves: reason, method, redacted path, attempt and wait. */
function api_session_retryNotice(redact) {
    return n => log.info(line `${n.reason} on ${n.method} ${redact(n.path)}; attempt ${n.attempt + 1} in ${formatDuration(n.delayMs)}`);
}

// EXTERNAL MODULE: ./src/run/artifact-helper.ts + 1 modules
var artifact_helper = __webpack_require__(38836);
;// CONCATENATED MODULE: ./src/run/builtin-workflows.ts
/** The built-in documents the action ships, and which of their workflows serves each mode. */
/** The built-in documents, and which of their workflows serves each mode. */
const builtin_workflows_BUILTIN_WORKFLOWS = {
    amplitude: {
        file: 'amplitude.arazzo.yml',
        submitAndPoll: 'submit-and-poll',
        submit: 'submit',
        // `wait: false`: submit, then read the status once (the create answer carries none).
        submitAndCheck: 'submit-and-check',
        poll: 'poll',
        status: 'status',
        oneSubjectPerRequest: true,
        requestIdShape: 'digits'
    },
    'apis-io': {
        file: 'apis-io.arazzo.yml',
        submitAndPoll: 'submit-and-poll-dsar',
        submit: 'submit-dsar',
        // The seed contract's create answer carries the status already.
        submitAndCheck: 'submit-dsar',
        poll: 'poll-dsar',
        status: 'status-dsar',
        oneSubjectPerRequest: false,
        requestIdShape: 'token'
    }
};

;// CONCATENATED MODULE: ./src/run/input-error.ts
/**
 * The error that names an input (or the issue-form field that stands for it), and quoting a
 * user-supplied value for a message. Messages never quote credentials or user/Amplitude IDs
 * (personal data): they point at the entry or line instead.
 */
class input_error_InputError extends Error {
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
/** A user-supplied value for a message: JSON-escaped and bounded (never used for secrets). */
function input_error_quote(text) {
    const json = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
    return `'${json.slice(1, -1)}'`;
}

;// CONCATENATED MODULE: ./src/run/dates.ts
/** The date range of a DSAR (`start-date`, `end-date`, or the issue form's dates). */



// Amplitude was founded in 2012; anything before 2000 is a typo such as 0202-01-01.
const DEFAULT_START_DATE = '2012-01-01';
const EARLIEST_START_DATE = '2000-01-01';
/**
 * Dates are calendar days in UTC. end-date may be up to one day after today (UTC), since a
 * runner's "today" can be behind the user's; start-date must not be before 2000-01-01.
 */
function dates_parseDates(startText, endText, today) {
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
    if (!isCalendarDay(text)) {
        throw new InputError(input, `${text} is not a real calendar date`, 'is not a real calendar date: expected the form YYYY-MM-DD (e.g. 2024-01-31)');
    }
    return text;
}

;// CONCATENATED MODULE: ./src/run/dsar-status.ts

/** Statuses across both contracts: the documented API's and the seed's (lowercase). */
const dsar_status_DONE_STATUSES = new Set(['done', 'complete']);
const dsar_status_FAILED_STATUSES = new Set(['failed']);
const dsar_status_PENDING_STATUSES = new Set(['staging', 'submitted', 'pending', 'processing']);
function dsar_status_normalizeStatus(status) {
    return status.toLowerCase();
}
function dsar_status_isKnownStatus(status) {
    const word = dsar_status_normalizeStatus(status);
    return dsar_status_DONE_STATUSES.has(word) || dsar_status_FAILED_STATUSES.has(word) || dsar_status_PENDING_STATUSES.has(word);
}
/** `2026-12-03` -> `2026-12-03T23:59:59Z` (the links work through that day); others unchanged. */
function dsar_status_expiresAt(expires) {
    return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T23:59:59Z` : expires;
}
/** The longest user id the action accepts as input (subject-inputs.ts), and so from a server. */
const MAX_USER_ID_LENGTH = 1024;
/** What ends a shell quote or starts an expansion: outputs are pasted into scripts. */
const SHELL_SPECIAL = /["'`$\\]/;
/**
 * The subject a status answer names, when it has the shape of one (a user id of at most 1,024
 * characters, without control characters, quotes, backslashes or `$`; or a non-negative integer
 * Amplitude id); otherwise none: it is only a label, never worth failing a request for.
 */
function dsar_status_answeredSubject(outputs) {
    const { userId, amplitudeId } = outputs;
    if (typeof userId === 'string' || typeof userId === 'number') {
        const text = String(userId);
        const fits = text.trim() !== '' &&
            [...text].length <= MAX_USER_ID_LENGTH &&
            !hasControlCharacter(text) &&
            !SHELL_SPECIAL.test(text);
        if (fits)
            return { kind: 'userId', userId: text };
    }
    if (typeof amplitudeId === 'number' && Number.isSafeInteger(amplitudeId) && amplitudeId >= 0) {
        return { kind: 'amplitudeId', amplitudeId };
    }
    return undefined;
}
const DAY = /^\d{4}-\d{2}-\d{2}$/;
function dsar_status_askedDates(inputs) {
    const { startDate, endDate } = inputs;
    return typeof startDate === 'string' && typeof endDate === 'string'
        ? { startDate, endDate, from: 'asked' }
        : undefined;
}
/** The range a status answer names, when both ends are calendar days (YYYY-MM-DD). */
function dsar_status_answeredDates(outputs) {
    const { startDate, endDate } = outputs;
    return typeof startDate === 'string' &&
        typeof endDate === 'string' &&
        DAY.test(startDate) &&
        DAY.test(endDate)
        ? { startDate, endDate, from: 'amplitude' }
        : undefined;
}

;// CONCATENATED MODULE: ./src/run/erasure-jobs.ts



/** Amplitude takes at most 100 ids per deletion request. */
const MAX_IDS_PER_CALL = 100;
const erasure_jobs_DAY_MS = 86_400_000;
const ERASURE_STATUSES = (/* unused pure expression or super */ null && (['staging', 'submitted', 'done']));
/** Amplitude's statuses cannot be changed from three days before a job's day. */
const CANCEL_WINDOW_DAYS = 3;
function batches(items, size = MAX_IDS_PER_CALL) {
    const out = [];
    for (let i = 0; i < items.length; i += size)
        out.push(items.slice(i, i + size));
    return out;
}
/** The `submit` workflow's id inputs for one batch: absent lists are left out of the body. */
function erasure_jobs_batchInputs(batch) {
    const amplitudeIds = batch.flatMap(s => (s.kind === 'amplitudeId' ? [s.amplitudeId] : []));
    const userIds = batch.flatMap(s => (s.kind === 'userId' ? [s.userId] : []));
    return {
        ...(amplitudeIds.length > 0 && { amplitudeIds }),
        ...(userIds.length > 0 && { userIds })
    };
}
const MAX_REQUESTER_CHARS = 200;
const MAX_JOBS = 1_000;
const MAX_ENTRIES = 100_000;
/**
 * The jobs a server answered, each checked: a real `day`, a status word, integer ids, user ids
 * and requesters that are one line of bounded length. What does not fit is refused (named by
 * position, never quoted: it may hold a subject's id), and does not reach the report.
 */
function erasure_jobs_readJobs(value) {
    const refused = [];
    if (!Array.isArray(value)) {
        return { jobs: [], refused: ['the deletion API answered something other than a list of jobs'] };
    }
    if (value.length > MAX_JOBS) {
        return {
            jobs: [],
            refused: [`the deletion API answered ${value.length} jobs (at most ${MAX_JOBS} are read)`]
        };
    }
    const jobs = [];
    let entriesSeen = 0;
    value.forEach((raw, index) => {
        const job = raw;
        const where = `job ${index + 1} of the answer`;
        if (typeof job !== 'object' || job === null || Array.isArray(job)) {
            refused.push(`${where} is not an object`);
            return;
        }
        if (!isCalendarDay(job.day)) {
            refused.push(`${where} has no valid day (YYYY-MM-DD)`);
            return;
        }
        if (typeof job.status !== 'string' || !/^[A-Za-z_-]{1,32}$/.test(job.status)) {
            refused.push(`job ${job.day} has no valid status`);
            return;
        }
        const list = job.amplitude_ids ?? [];
        if (!Array.isArray(list) || entriesSeen + list.length > MAX_ENTRIES) {
            refused.push(`job ${job.day} has no valid list of ids`);
            return;
        }
        entriesSeen += list.length;
        const entries = [];
        for (const item of list) {
            const entry = readEntry(item);
            if (!entry) {
                refused.push(`job ${job.day} lists an id of the wrong shape`);
                return;
            }
            entries.push(entry);
        }
        const scrub = job.active_scrub_done_date;
        if (scrub !== undefined && scrub !== null && !isCalendarDay(scrub)) {
            refused.push(`job ${job.day} has an active_scrub_done_date that is not a day`);
            return;
        }
        jobs.push({
            day: job.day,
            status: job.status.toLowerCase(),
            ...(isCalendarDay(scrub) && { activeScrubDoneDate: scrub }),
            entries
        });
    });
    return { jobs, refused };
}
function readEntry(item) {
    if (typeof item !== 'object' || item === null)
        return undefined;
    const { amplitude_id, user_id, requester, requested_on_day } = item;
    if (typeof amplitude_id !== 'number' || !Number.isSafeInteger(amplitude_id) || amplitude_id < 0) {
        return undefined;
    }
    const entry = { amplitudeId: amplitude_id };
    if (user_id !== undefined && user_id !== null) {
        // The shape a user id must have to be named at all (the same rule as a DSAR status answer's).
        const subject = answeredSubject({ userId: user_id });
        if (!subject || subject.kind !== 'userId')
            return undefined;
        entry.userId = subject.userId;
    }
    if (typeof requester === 'string') {
        if (hasControlCharacter(requester) || [...requester].length > MAX_REQUESTER_CHARS)
            return undefined;
        entry.requester = requester;
    }
    if (isCalendarDay(requested_on_day))
        entry.requestedOnDay = requested_on_day;
    return entry;
}
/** Whether a job entry is this subject: by user id when asked by one, else by Amplitude id. */
function erasure_jobs_entryIs(entry, subject) {
    return subject.kind === 'userId'
        ? entry.userId === subject.userId
        : entry.amplitudeId === subject.amplitudeId;
}
/**
 * Each subject with the latest job that holds it. A subject no job holds was skipped by
 * Amplitude as an id it does not know (ignore_invalid_id): it has nothing to erase.
 */
function erasure_jobs_placeSubjects(subjects, jobs) {
    const byDay = [...jobs].sort((a, b) => b.day.localeCompare(a.day));
    return subjects.map(subject => {
        for (const job of byDay) {
            const entry = job.entries.find(e => erasure_jobs_entryIs(e, subject));
            if (entry)
                return { subject, job, entry };
        }
        return { subject };
    });
}
/** Resuming by day, the subjects are those the jobs list (by user id when they name one). */
function listedSubjects(jobs) {
    const seen = new Set();
    const subjects = [];
    for (const job of jobs) {
        for (const entry of job.entries) {
            const subject = entry.userId !== undefined
                ? { kind: 'userId', userId: entry.userId }
                : { kind: 'amplitudeId', amplitudeId: entry.amplitudeId };
            const key = subject.kind === 'userId' ? `u:${subject.userId}` : `a:${subject.amplitudeId}`;
            if (!seen.has(key)) {
                seen.add(key);
                subjects.push(subject);
            }
        }
    }
    return subjects;
}
/** Several jobs: `done` only when all are; otherwise the least advanced status. */
function aggregateJobStatus(statuses) {
    if (statuses.length === 0)
        return '';
    const order = (s) => {
        const at = ERASURE_STATUSES.indexOf(s);
        return at < 0 ? -1 : at; // an unknown status ranks first: it is what must be looked at
    };
    return [...statuses].sort((a, b) => order(a) - order(b))[0];
}
/** The last moment ids can be revoked from a job: three days before its day (UTC). */
function erasure_jobs_cancellableUntil(day) {
    return new Date(Date.parse(`${day}T00:00:00Z`) - CANCEL_WINDOW_DAYS * erasure_jobs_DAY_MS).toISOString();
}
/**
 * How often a job is read: a deletion job takes weeks, so Amplitude's list is read at most once a
 * day per job. Only a loopback API (the simulator, in tests and demos in virtual days) is read at
 * `poll-interval` itself. A server's Retry-After is respected either way.
 */
function erasurePollSchedule(pollIntervalMs, loopback) {
    const interval = loopback ? pollIntervalMs : Math.max(pollIntervalMs, erasure_jobs_DAY_MS);
    return { delayMs: (_poll, retryAfterMs) => Math.max(interval, retryAfterMs ?? 0) };
}

;// CONCATENATED MODULE: ./src/run/erasure-pacer.ts

const ERASURE_MIN_INTERVAL_MS = 1000;
/** The next deletion call could go only after the caller's deadline. */
class PaceDeadlineError extends budget_BudgetDeadlineError {
    constructor(availableAt) {
        super(availableAt);
        this.message = `the next deletion call may go only at ${new Date(availableAt).toISOString()} (1 call a second, 429s waited out)`;
    }
}
class erasure_pacer_IntervalPacer {
    clock;
    intervalMs;
    lastEnded = -Infinity;
    pausedUntil = 0;
    queue = Promise.resolve();
    /** Resolves when the call holding the turn ends. */
    inFlight = Promise.resolve();
    endInFlight;
    constructor(clock, intervalMs = ERASURE_MIN_INTERVAL_MS) {
        this.clock = clock;
        this.intervalMs = intervalMs;
    }
    acquire(_cost, signal, deadline) {
        const turn = this.queue.then(() => this.waitForTurn(signal, deadline));
        // A waiter that was aborted must not block the ones behind it.
        this.queue = turn.catch(() => undefined);
        return turn;
    }
    pauseUntil(until) {
        this.pausedUntil = Math.max(this.pausedUntil, until);
    }
    settled() {
        this.lastEnded = this.clock.now();
        const end = this.endInFlight;
        this.endInFlight = undefined;
        end?.();
    }
    async waitForTurn(signal, deadline) {
        await this.inFlight;
        for (;;) {
            signal?.throwIfAborted();
            const now = this.clock.now();
            const wait = Math.max(this.lastEnded + this.intervalMs, this.pausedUntil) - now;
            if (wait <= 0)
                break;
            if (deadline !== undefined && now + wait > deadline)
                throw new PaceDeadlineError(now + wait);
            await this.clock.sleep(wait, signal);
        }
        this.inFlight = new Promise(resolve => (this.endInFlight = resolve));
    }
}

;// CONCATENATED MODULE: ./src/run/erasure-transport.ts





/** Both key pairs' every form, out of anything the run reports. */
function erasure_transport_composeRedactors(settings, erasure) {
    const project = credentialRedactor({ ...erasure, basicAuth: erasure.basicAuth });
    const org = credentialRedactor({
        apiKey: settings.apiKey ?? '',
        secretKey: settings.secretKey ?? '',
        basicAuth: settings.basicAuth
    });
    return text => org(project(text));
}
/** The deletion API's transport: erasure scope, one call at a time, 1 a second, 429s waited out. */
function erasure_transport_erasureTransport(settings, stop, deps, clock, deadline, redact) {
    const hooks = testHooks();
    const { transport } = createActionTransport({
        apiOrigin: settings.apiUrl,
        scope: 'erasure',
        clock,
        pacer: new IntervalPacer(clock),
        maxConcurrency: 1,
        deadline,
        requestTimeoutMs: hooks.requestTimeoutMs,
        backoffBaseMs: hooks.backoffBaseMs,
        backoffMaxMs: hooks.backoffMaxMs,
        rateLimitMaxMs: hooks.backoffMaxMs,
        ...(deps.sendToApi && { send: deps.sendToApi }),
        ...(deps.random && { random: deps.random }),
        onRetry: retryNotice(redact)
    });
    return async (request, signal) => {
        try {
            return await transport(request, signal);
        }
        catch (error) {
            if (error instanceof TransportError && error.kind === 'auth') {
                // Refused keys would be refused for every batch: stop, naming the right keys.
                const method = request.method.toUpperCase();
                const refused = new TransportError('auth', `HTTP ${error.status} from ${method} ${new URL(request.url).pathname}: the API refused the erasure keys (a project's API key and secret key are required)`, error.status);
                stop.abort(refused);
                throw refused;
            }
            throw error;
        }
    };
}

// EXTERNAL MODULE: ./src/export/index.ts + 1 modules
var src_export = __webpack_require__(54608);
;// CONCATENATED MODULE: ./src/run/export-helper.ts
/**
 * The export phase of a run: download every output of every done request (at most `max-concurrency`
 * requests at once, their API calls paid from the same budget as the polls), then upload the files as a
 * workflow artifact when asked. The download and artifact modules are loaded only when a run uses them,
 * so runs that only submit and poll start fast.
 */






async function downloadExports(options) {
    const { downloadRequestOutputs } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 54608));
    const slots = new Semaphore(options.maxConcurrency);
    const files = [];
    const problems = [];
    const { signal, release } = untilDeadline(options.signal, options.deadline);
    const done = options.records.filter(r => r.outcome === 'done' && r.requestId && r.urls.length > 0);
    await Promise.all(done.map(record => slots.use(async () => {
        try {
            const got = await downloadRequestOutputs({
                apiOrigin: options.credentials.apiOrigin,
                credentials: options.credentials,
                basicAuth: options.basicAuth,
                requestId: record.requestId,
                urls: record.urls,
                downloadPath: options.downloadPath,
                recipients: options.recipients,
                signal,
                timeoutMs: options.timeoutMs,
                // Called for DSAR endpoints only (API and output-link hosts), not for storage.
                beforeRequest: () => options.payForRequest(signal),
                // Its lines name the request id, which is what a reader of the log can act on.
                onLog: options.log,
                ...(options.deadline && { clock: options.deadline.clock })
            });
            files.push(...got.map(file => ({ ...file, requestId: record.requestId })));
        }
        catch (error) {
            problems.push(messageOf(error));
            // What was verified before the failure is on disk and whole: it is listed too.
            if (error instanceof DownloadError)
                files.push(...error.done);
        }
    }))).finally(release);
    // Stable order for outputs and summary: by request, then by file name.
    files.sort((a, b) => a.path.localeCompare(b.path));
    return { files, problems };
}
/**
 * `signal`, also aborted (with a DeadlineReached) when the run's timeout runs out; `release` stops
 * watching the clock once the downloads are over.
 */
function untilDeadline(signal, deadline) {
    if (!deadline)
        return { signal, release: () => undefined };
    const watch = new AbortController();
    const reached = new AbortController();
    const { at, clock, timeoutMs } = deadline;
    clock.sleep(Math.max(0, at - clock.now()), watch.signal).then(() => reached.abort(new DeadlineReached(`the timeout (${formatDuration(timeoutMs)}) ran out during the download; a later run ` +
        'with request-ids and the same download-path keeps the whole files and fetches the rest')), () => undefined);
    return { signal: AbortSignal.any([signal, reached.signal]), release: () => watch.abort() };
}
/**
 * Downloads the exports of `records` into `downloadPath` the way every run does: the settings'
 * credentials, recipients and concurrency, API-origin requests paid from the session's budget.
 */
function export_helper_downloadRecords(settings, session, records, downloadPath, signal, log) {
    return downloadExports({
        records,
        credentials: createCredentialPolicy({
            apiOrigin: settings.apiUrl,
            region: settings.region,
            extraOrigins: settings.credentialOrigins
        }),
        basicAuth: settings.basicAuth,
        downloadPath,
        recipients: settings.encryptTo,
        maxConcurrency: settings.maxConcurrency,
        signal,
        timeoutMs: session.hooks.requestTimeoutMs,
        payForRequest: paySignal => session.pacer.acquire(requestCost('GET'), paySignal, session.deadline),
        deadline: { at: session.deadline, clock: session.clock, timeoutMs: settings.timeoutMs },
        log
    });
}
async function export_helper_uploadArtifact(options) {
    const { uploadExportArtifact } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 38836));
    const uploaded = await uploadExportArtifact({
        name: options.name,
        files: [...options.files.map(f => f.path), ...(options.extraPaths ?? [])],
        rootDirectory: options.rootDirectory,
        retentionDays: options.retentionDays
    });
    return { id: uploaded.id, url: uploaded.url };
}
/** Links that stop working within this long get a warning annotation: download them soon. */
const EXPIRY_WARNING_MS = (/* unused pure expression or super */ null && (12 * 3_600_000));
function expiringSoon(records, now) {
    return records.filter(r => {
        if (!r.expires)
            return false;
        const at = Date.parse(r.expires);
        return Number.isFinite(at) && at - now < EXPIRY_WARNING_MS;
    });
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/run/subject-fingerprint.ts
/**
 * How logs, the summary, the ledger and receipts name a subject: by position and a short
 * fingerprint, never by its id (personal data).
 */

function subject_fingerprint_subjectText(subject) {
    return subject.kind === 'userId' ? subject.userId : String(subject.amplitudeId);
}
/**
 * Subject ids are personal data and logs are read by everyone with access to the repository, so logs and
 * the summary name a subject by position and a short fingerprint, never by its id.
 */
function subject_fingerprint_subjectLabel(subject, index) {
    return `subject ${index + 1} (${subject_fingerprint_subjectFingerprint(subject)})`;
}
/** `user #ab12cd34` or `amplitude id #ab12cd34`: how logs, the ledger and receipts name a subject. */
function subject_fingerprint_subjectFingerprint(subject) {
    const kind = subject.kind === 'userId' ? 'user' : 'amplitude id';
    return `${kind} #${fingerprint(subject_fingerprint_subjectText(subject))}`;
}
function fingerprint(text) {
    // The first hex digits of its SHA-256: enough to tell subjects apart, and a privacy engineer who holds
    // the id can check it (`printf %s ID | sha256sum`).
    return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);
}

;// CONCATENATED MODULE: ./src/run/planning.ts
/**
 * Plans the runs of a loaded document: which workflow of it, how many times (one per subject when
 * the workflow takes one subject), with which inputs. Everything here happens before any request,
 * so a plan that cannot work fails by input name.
 */






/** The document half of the settings, for a caller that brings its own requests. */
function planning_planDocument(settings) {
    const { workflow, workflowId, basicAuth, extraInputs } = settings;
    return { workflow, basicAuth, extraInputs, ...(workflowId !== undefined && { workflowId }) };
}
function planning_planRuns(settings, loaded, options = {}) {
    const choice = settings.workflow;
    if (choice.kind === 'builtin')
        return planBuiltin(settings, choice.name, options);
    return planCustom(settings, loaded);
}
function planBuiltin(settings, name, options) {
    const builtin = BUILTIN_WORKFLOWS[name];
    const { basicAuth, startDate, endDate } = settings;
    const requestIdShape = builtin.requestIdShape;
    if (settings.requestIds.length > 0) {
        return settings.requestIds.map(requestId => ({
            label: `request ${requestId}`,
            workflowId: builtin.poll,
            inputs: {
                basicAuth,
                requestId: name === 'amplitude' ? requestIdValue(requestId) : requestId
            },
            submitOnly: false,
            requestId,
            requestIdShape
        }));
    }
    const workflowId = settings.wait
        ? builtin.submitAndPoll
        : options.readStatusAfterSubmit
            ? builtin.submitAndCheck
            : builtin.submit;
    if (builtin.oneSubjectPerRequest) {
        return settings.subjects.map((subject, index) => ({
            label: subjectLabel(subject, index),
            subject: subjectText(subject),
            workflowId,
            inputs: { basicAuth, startDate, endDate, ...subjectInputs(subject) },
            submitOnly: !settings.wait,
            requestIdShape
        }));
    }
    const amplitudeIds = settings.subjects.filter(s => s.kind === 'amplitudeId');
    if (amplitudeIds.length > 0) {
        throw new InputError(Inputs.AmplitudeIds, "the 'apis-io' workflow takes user ids only; use the default 'amplitude' workflow for Amplitude ids");
    }
    const userIds = settings.subjects.map(s => (s.kind === 'userId' ? s.userId : ''));
    return [
        {
            label: `${plural(userIds.length, 'user id')}`,
            subject: userIds.join(','),
            workflowId,
            inputs: { basicAuth, userIds },
            submitOnly: !settings.wait,
            requestIdShape
        }
    ];
}
/**
 * One status check per request id, with a built-in workflow (the ledger: each sweep reads each
 * request's status once, without waiting). Labels name the request, never the subject.
 */
function planning_planStatusChecks(settings, requestIds) {
    const choice = settings.workflow;
    if (choice.kind !== 'builtin')
        throw new Error('status checks need a built-in workflow');
    const builtin = BUILTIN_WORKFLOWS[choice.name];
    return requestIds.map(requestId => ({
        label: `request ${requestId}`,
        workflowId: builtin.status,
        inputs: {
            basicAuth: settings.basicAuth,
            requestId: choice.name === 'amplitude' ? requestIdValue(requestId) : requestId
        },
        submitOnly: false,
        requestId,
        requestIdShape: builtin.requestIdShape
    }));
}
function planCustom(settings, loaded) {
    let workflow;
    try {
        workflow = loaded.workflow(settings.workflowId);
    }
    catch (error) {
        throw new InputError(Inputs.WorkflowId, messageOf(error));
    }
    const { properties, required } = workflowInputNames(workflow);
    const declared = new Set(properties);
    const common = {};
    const offer = (name, value) => {
        if (declared.has(name) && value !== undefined)
            common[name] = value;
    };
    offer('basicAuth', settings.basicAuth);
    offer('startDate', settings.startDate);
    offer('endDate', settings.endDate);
    // The user's own `inputs` come last: they know their workflow best.
    const base = (extra) => ({
        ...common,
        ...extra,
        ...settings.extraInputs
    });
    let runs;
    const workflowId = workflow.workflowId;
    // A custom contract's request ids are only known to be tokens.
    const custom = { workflowId, submitOnly: false, requestIdShape: 'token' };
    if (settings.requestIds.length > 0 && declared.has('requestId')) {
        runs = settings.requestIds.map(requestId => ({
            ...custom,
            label: `request ${requestId}`,
            inputs: base({ requestId }),
            requestId
        }));
    }
    else if (declared.has('userIds')) {
        const userIds = settings.subjects.filter(s => s.kind === 'userId').map(s => s.userId);
        runs = [
            {
                ...custom,
                label: `${plural(userIds.length, 'user id')}`,
                subject: userIds.join(','),
                inputs: base(userIds.length > 0 ? { userIds } : {})
            }
        ];
    }
    else if ((declared.has('userId') || declared.has('amplitudeId')) &&
        settings.subjects.length > 0) {
        runs = settings.subjects.map((subject, index) => ({
            ...custom,
            label: subjectLabel(subject, index),
            subject: subjectText(subject),
            inputs: base(pick(subjectInputs(subject), declared))
        }));
    }
    else {
        runs = [{ ...custom, label: `workflow ${workflowId}`, inputs: base({}) }];
    }
    for (const run of runs) {
        const missing = required.filter(name => run.inputs[name] === undefined);
        if (missing.length > 0) {
            throw new InputError(Inputs.Inputs, `workflow '${workflowId}' requires input${missing.length === 1 ? '' : 's'} ` +
                `${missing.join(', ')}, which no action input supplies (add ${missing.length === 1 ? 'it' : 'them'} to 'inputs')`);
        }
    }
    return runs;
}
function pick(values, names) {
    return Object.fromEntries(Object.entries(values).filter(([name]) => names.has(name)));
}
function subjectInputs(subject) {
    return subject.kind === 'userId'
        ? { userId: subject.userId }
        : { amplitudeId: subject.amplitudeId };
}
/** The documented API's request ids are integers: send them as such when they are. */
function requestIdValue(requestId) {
    return /^\d{1,15}$/.test(requestId) ? Number(requestId) : requestId;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
;// CONCATENATED MODULE: ./src/run/receipt-helper.ts
/**
 * The action's side of `receipt.json` (src/export/receipt.ts): the facts only the GitHub layer knows
 * (the run, the action version, the API host) joined to what the requests and downloads recorded,
 * and the SHA-256 of each file as stored (the `.age` file when encrypted), read back from disk so
 * the receipt describes exactly what an auditor finds in the artifact.
 */



// Not through export/index.js: that would load the download code into runs that do not download.



/** Writes `<dir>/receipt.json` (creating `dir`, 0700, when missing) and returns its path. */
async function writeRunReceipt(options) {
    const settings = options.settings;
    const requests = options.requests ?? (options.records ?? []).map(receiptRequest);
    const files = await Promise.all(options.files.map(storedFile));
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const run = workflowRun();
    const receipt = buildReceipt({
        action: {
            name: ACTION_NAME,
            version: ACTION_VERSION,
            ...(process.env.GITHUB_ACTION_REF && { ref: process.env.GITHUB_ACTION_REF })
        },
        apiHost: new URL(settings.apiUrl).origin,
        workflow: options.workflow,
        generatedAt: new Date(options.now).toISOString(),
        requests,
        files,
        root: options.dir,
        recipients: settings.encryptTo,
        ...(run && { run }),
        ...(options.issue && { issue: options.issue }),
        ...(options.artifact && { artifact: options.artifact }),
        ...(options.deadline && { deadline: options.deadline }),
        ...(options.filing && { filing: options.filing })
    });
    return writeReceipt(options.dir, receipt);
}
/** The size and SHA-256 (hex) of a file, read as a stream. */
async function hashFile(path) {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(path)) {
        hash.update(chunk);
        bytes += chunk.length;
    }
    return { bytes, sha256: hash.digest('hex') };
}
async function fileSha256(path) {
    return (await hashFile(path)).sha256;
}
/** A plain file is stored as served; an encrypted one is hashed again as the `.age` file it is. */
async function storedFile(file) {
    if (!file.encrypted)
        return { ...file, storedBytes: file.bytes, storedSha256: file.sha256 };
    const stored = await hashFile(file.path);
    return { ...file, storedBytes: stored.bytes, storedSha256: stored.sha256 };
}
/**
 * What the receipt says of one request of this run. Its dates are those this run sent, or those
 * Amplitude's status answer gave (a resumed request): never the inputs' defaults, which a resumed
 * run did not send.
 */
function receiptRequest(record) {
    return {
        requestId: record.requestId ?? null,
        // The label names the subject by position and fingerprint, never by its id.
        subject: record.label,
        startDate: record.dates?.startDate ?? NOT_KNOWN,
        endDate: record.dates?.endDate ?? NOT_KNOWN,
        ...(record.dates && { datesFrom: record.dates.from }),
        ...(record.submittedAt !== undefined && {
            submittedAt: new Date(record.submittedAt).toISOString()
        }),
        ...(record.outcome && { outcome: record.outcome }),
        ...(record.failReason && { failReason: record.failReason }),
        statuses: (record.history ?? []).map(h => ({
            status: h.status,
            at: new Date(h.at).toISOString()
        })),
        ...(record.expires && { expires: record.expires })
    };
}
/** The workflow run, from the runner's environment (absent outside Actions). */
function workflowRun() {
    const repository = process.env.GITHUB_REPOSITORY;
    const runId = process.env.GITHUB_RUN_ID;
    if (!repository || !runId)
        return undefined;
    return { repository, runId, url: workflowRunPage(process.env) };
}
async function receipt_helper_writeRunReceiptWithDigest(options) {
    const path = await writeRunReceipt(options);
    return { path, sha256: await fileSha256(path) };
}
/**
 * Whether the run reached Amplitude: a request id obtained or resumed, or any answer at all (a
 * refused submit is evidence too). A run stopped before that has nothing to attest.
 */
function reachedAmplitude(records) {
    return records.some(r => r.requestId !== undefined || r.lastHttpStatus !== undefined);
}

;// CONCATENATED MODULE: ./src/run/server-values.ts
/**
 * What a DSAR server says, checked before it reaches a step output, a file name or a decision.
 *
 * Step outputs end up in workflow files (`run: echo "${{ steps.dsar.outputs.requestId }}"`), where a
 * value is pasted into a shell script before the shell reads it: a request id such as
 * `1"; touch /tmp/x; echo "` would run. So every value the action takes from a server has a shape,
 * and a value outside it is refused as a whole (never repaired): the request fails with a message
 * naming the field, and what was already known and checked (the request id obtained earlier, the
 * last good status) is kept.
 *
 * The shapes leave out every character that ends a shell quote or starts an expansion
 * (`" ' \` $ \\`) and every line break:
 * - request id: digits for the documented API (its ids are integers), otherwise 1 to 128 of
 *   `A-Z a-z 0-9 _ -` (the shape the `request-ids` input accepts);
 * - status: a short word;
 * - failReason: one line of at most 500 printable characters, none of the above;
 * - expires: an ISO 8601 date or date-time;
 * - urls: at most 1,000 https URLs (http only for loopback IP literals), no credentials in them,
 *   each written with URL characters only, at most 8 KiB.
 */


/** The documented API's request ids are integers. */
const DIGITS_PATTERN = /^\d{1,20}$/;
const MAX_FAIL_REASON = 500;
// Controls, line separators, and what ends a shell quote or starts an expansion.
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029"'`$\\]/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const MAX_URLS = 1000;
const MAX_URL_LENGTH = 8192;
/** RFC 3986 unreserved and reserved characters, less the sub-delims a shell gives a meaning to. */
const URL_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@%&=+]+$/;
/**
 * Reads the names both contracts and the built-in workflows use (`requestId`, `status` or
 * `finalStatus`, `failReason`, `expires`, `urls` or `downloadUrl`) from a workflow's or a step's
 * outputs, and checks each one that is present.
 */
function server_values_checkServerValues(outputs, shape) {
    const accepted = {};
    const refused = [];
    const refuse = (field, value, rule) => {
        refused.push(`the server's ${field} ${shown(value)} is not ${rule}`);
    };
    const requestId = present(outputs.requestId);
    if (requestId !== undefined) {
        const text = scalarText(requestId);
        const pattern = shape === 'digits' ? DIGITS_PATTERN : REQUEST_ID_PATTERN;
        if (text !== undefined && pattern.test(text))
            accepted.requestId = text;
        else
            refuse('requestId', requestId, `a request id (${requestIdRule(shape)})`);
    }
    const status = present(outputs.finalStatus ?? outputs.status);
    if (status !== undefined) {
        if (typeof status === 'string' && STATUS_PATTERN.test(status))
            accepted.status = status;
        else
            refuse('status', status, 'a status (a word of up to 32 letters, digits, _ or -)');
    }
    const failReason = present(outputs.failReason);
    if (failReason !== undefined) {
        if (typeof failReason === 'string' &&
            failReason.length <= MAX_FAIL_REASON &&
            !UNSAFE_TEXT.test(failReason)) {
            accepted.failReason = failReason;
        }
        else {
            refuse('failReason', failReason, `one line of at most ${MAX_FAIL_REASON} characters without quotes, backslashes or $`);
        }
    }
    const expires = present(outputs.expires);
    if (expires !== undefined) {
        if (typeof expires === 'string' &&
            ISO_DATE.test(expires) &&
            isCalendarDay(expires.slice(0, 10)) &&
            !isNaN(Date.parse(expires))) {
            accepted.expires = expires;
        }
        else {
            refuse('expires', expires, 'an ISO 8601 date');
        }
    }
    const links = present(outputs.urls) ?? present(outputs.downloadUrl);
    if (links !== undefined) {
        const field = outputs.urls !== undefined ? 'urls' : 'downloadUrl';
        const list = Array.isArray(links) ? links : [links];
        if (list.length > MAX_URLS) {
            refused.push(`the server's ${field} holds ${list.length} links, more than ${MAX_URLS}`);
        }
        else {
            const problem = list
                .map((link, i) => urlProblem(link, Array.isArray(links) ? `${field}[${i}]` : field))
                .find(Boolean);
            if (problem)
                refused.push(problem);
            else
                accepted.urls = list;
        }
    }
    return { accepted, refused };
}
/** A workflow's own outputs with every reported value that was refused replaced by null. */
function server_values_withoutRefused(outputs, shape) {
    const checked = { ...outputs };
    for (const name of REPORTED_NAMES) {
        if (!Object.hasOwn(outputs, name))
            continue;
        if (server_values_checkServerValues({ [name]: outputs[name] }, shape).refused.length > 0)
            checked[name] = null;
    }
    return checked;
}
const REPORTED_NAMES = (/* unused pure expression or super */ null && ([
    'requestId',
    'status',
    'finalStatus',
    'failReason',
    'expires',
    'urls',
    'downloadUrl'
]));
function requestIdRule(shape) {
    return shape === 'digits' ? 'digits' : REQUEST_ID_RULE;
}
/** Why a link is refused, or undefined when it has the shape of a download link. */
function urlProblem(link, field) {
    const refuse = (rule) => `the server's ${field} ${shown(link)} is not ${rule}`;
    if (typeof link !== 'string')
        return refuse('a URL (not text)');
    if (link.length > MAX_URL_LENGTH)
        return refuse(`a URL of at most ${MAX_URL_LENGTH} characters`);
    if (!URL_CHARACTERS.test(link))
        return refuse('a URL (characters outside URL syntax)');
    let url;
    try {
        url = new URL(link);
    }
    catch {
        return refuse('a URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
        return refuse(`an https URL (${LOOPBACK_RULE})`);
    }
    if (url.username !== '' || url.password !== '')
        return refuse('a URL without credentials');
    return undefined;
}
/**
 * The parts of presigned links (S3, GCS, Azure SAS, CloudFront) that make them bearer credentials:
 * the whole query string, and each signature, credential or token parameter on its own (a log may
 * show a link decoded or cut). The caller registers them as secrets with the runner.
 */
function server_values_linkSecrets(link) {
    let url;
    try {
        url = new URL(link);
    }
    catch {
        return [];
    }
    if (url.search.length <= 1)
        return [];
    const secrets = new Set([url.search.slice(1)]);
    for (const [name, value] of url.searchParams) {
        if (/signature|^sig$|token|credential|^key$|policy|^se$|^sv$/i.test(name) &&
            value.length >= 8) {
            secrets.add(value);
            secrets.add(encodeURIComponent(value));
        }
    }
    return [...secrets];
}
/**
 * Two requests with the same id would download into the same folder, and the export could belong to
 * either subject: every id given to more than one request is returned with the labels holding it.
 */
function server_values_sharedRequestIds(records) {
    const byId = new Map();
    for (const record of records) {
        if (record.requestId === undefined)
            continue;
        byId.set(record.requestId, [...(byId.get(record.requestId) ?? []), record.label]);
    }
    return [...byId]
        .filter(([, labels]) => labels.length > 1)
        .map(([requestId, labels]) => ({ requestId, labels }));
}
function present(value) {
    return value === undefined || value === null || value === '' ? undefined : value;
}
/** A string or a number as text (ids arrive as either), else undefined. */
function scalarText(value) {
    if (typeof value === 'string')
        return value;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
        return String(value);
    return undefined;
}
/** A value for a message: JSON (quotes and line breaks escaped), at most 60 characters of it. */
function shown(value) {
    let text;
    try {
        text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    }
    catch {
        text = String(value);
    }
    return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

;// CONCATENATED MODULE: ./src/run/request-runner.ts
/**
 * Runs one planned request (one Arazzo workflow run) on the engine and keeps a record of it that the
 * outputs, the summary and the logs are written from. The record is updated as events arrive, so a run
 * that is cancelled or times out still reports the request id it obtained.
 */









/** The status a subject that was never sent is reported with (`requests` output, summary). */
const NOT_SENT = 'not-sent';
async function request_runner_runRequest(options) {
    const { plan, clock } = options;
    const record = {
        label: plan.label,
        subject: plan.subject,
        ...(plan.requestId !== undefined && { requestId: plan.requestId }),
        urls: [],
        polls: 0,
        history: [],
        startedAt: clock.now(),
        requestsStarted: 0,
        workflowOutputs: {}
    };
    // What this run sends; a resumed request's range comes from Amplitude's answer, if at all.
    const asked = plan.requestId === undefined ? askedDates(plan.inputs) : undefined;
    if (asked)
        record.dates = asked;
    options.onStart?.(record);
    const redact = options.redact ?? ((text) => text);
    // A value refused on arrival stops this request at once: a refused request id must not be polled.
    const refused = new Set();
    const refusal = new AbortController();
    const take = (outputs) => {
        for (const problem of absorbOutputs(record, outputs, options))
            refused.add(redact(problem));
        noteStatus(record, clock.now());
        if (refused.size > 0)
            refusal.abort(new Error('a server value was refused'));
    };
    const onEvent = (event) => {
        if (event.type === 'stepOutputs')
            take(redactDeep(event.outputs, redact));
        observe(record, event, options);
    };
    const result = await runWorkflow(options.loaded, {
        workflowId: plan.workflowId,
        inputs: plan.inputs,
        transport: options.transport,
        clock,
        pollSchedule: options.pollSchedule,
        maxSteps: options.maxSteps,
        deadline: options.deadline,
        signal: AbortSignal.any([options.signal, refusal.signal]),
        serverUrl: options.serverUrl,
        sensitiveHeaders: ['authorization'],
        onEvent
    });
    record.finishedAt = clock.now();
    const outputs = redactDeep(result.outputs, redact);
    take(outputs);
    record.workflowOutputs = withoutRefused(outputs, plan.requestIdShape);
    record.nextPollAt = undefined;
    judge(record, result.status, result.error, options);
    if (refused.size > 0)
        refuse(record, [...refused]);
    if (record.problem)
        record.problem = redact(record.problem);
    return record;
}
/** What the server said that had no valid shape fails the request, whatever else happened. */
function refuse(record, refused) {
    const id = record.requestId ? `request ${record.requestId}` : record.label;
    // A run stopped by the refusal itself says nothing more than the refusal.
    const base = record.problem && record.outcome !== 'aborted' ? record.problem : id;
    record.problem = [base, ...refused].join('; ');
    if (record.outcome !== 'failed' && record.outcome !== 'timedOut')
        record.outcome = 'error';
}
/** A copy of a JSON-like value with `redact` applied to every string in it. */
function redactDeep(value, redact) {
    if (typeof value === 'string')
        return redact(value);
    if (Array.isArray(value))
        return value.map(item => redactDeep(item, redact));
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]));
    }
    return value;
}
/** Keeps the record current while the run goes on, and writes the per-poll log line. */
function observe(record, event, options) {
    const { clock, log } = options;
    switch (event.type) {
        case 'request':
            // Every GET of these workflows reads a status: that is a poll.
            if (event.request.method.toUpperCase() === 'GET')
                record.polls++;
            record.requestsStarted = (record.requestsStarted ?? 0) + 1;
            record.nextPollAt = undefined;
            break;
        case 'response':
            record.lastHttpStatus = event.status;
            break;
        case 'waiting': {
            record.nextPollAt = event.until;
            const elapsed = formatDuration(event.at - record.startedAt);
            const next = new Date(event.until).toISOString().replace(/\.\d{3}Z$/, 'Z');
            const reason = event.reason === 'retry' ? 'retrying' : 'next poll';
            log(`${record.label}: request ${record.requestId ?? '?'} is ${record.status ?? 'unknown'} ` +
                `after ${plural(record.polls, 'poll')}, ${elapsed} elapsed; ${reason} at ${next} ` +
                `(in ${formatDuration(event.until - clock.now())})`);
            break;
        }
        default:
            break;
    }
}
/**
 * Takes what the action reports from a workflow's or a step's outputs, once checked
 * (server-values.ts), and returns what was refused. A request id, once known (from the submit, or
 * the `request-ids` input on resume), is never replaced by another one.
 */
function absorbOutputs(record, outputs, options) {
    const { accepted, refused } = checkServerValues(outputs, options.plan.requestIdShape);
    if (accepted.requestId !== undefined) {
        if (record.requestId === undefined) {
            record.requestId = accepted.requestId;
            record.submittedAt = options.clock.now();
        }
        else if (record.requestId !== accepted.requestId) {
            refused.push(`the server answered with request id ${accepted.requestId} for ${record.requestId}`);
        }
    }
    if (accepted.status !== undefined)
        record.status = normalizeStatus(accepted.status);
    record.failReason = accepted.failReason ?? record.failReason;
    if (accepted.expires !== undefined)
        record.expires = expiresAt(accepted.expires);
    const answered = answeredDates(outputs);
    if (answered)
        record.dates = answered;
    // Resuming by request id, the subject is not known until a status answer names it.
    const subject = record.subject === undefined ? answeredSubject(outputs) : undefined;
    if (subject) {
        record.subject = subjectText(subject);
        record.label = `${record.label} (${subjectFingerprint(subject)})`;
    }
    if (accepted.urls && accepted.urls.length > 0) {
        for (const link of accepted.urls)
            linkSecrets(link).forEach(secret => options.mask?.(secret));
        record.urls = accepted.urls;
    }
    return refused;
}
function noteStatus(record, at) {
    const history = (record.history ??= []);
    if (record.status !== undefined && history.at(-1)?.status !== record.status) {
        history.push({ status: record.status, at });
    }
}
function judge(record, status, error, options) {
    const id = record.requestId ? `request ${record.requestId}` : record.label;
    // A request resumed by id was submitted, even before its status was read.
    const still = record.status
        ? `still ${record.status}`
        : record.requestId
            ? 'no status read yet'
            : 'still not submitted';
    const stopReason = options.signal.reason;
    if (status === 'aborted' && stopReason instanceof TransportError && stopReason.kind === 'auth') {
        // Refused credentials stop every request: say which call was refused, not "cancelled".
        record.outcome = 'aborted';
        record.stoppedBy =
            /^HTTP \d{3} from [A-Z]{1,16} \S+/.exec(stopReason.message)?.[0] ??
                `HTTP ${stopReason.status}`;
        record.problem = `${id}: ${still}, stopped by ${stopReason.message}`;
    }
    else if (neverSent(record, status, error, options)) {
        // Amplitude took nothing for this subject: the next run can take it as it is.
        record.outcome = 'notSent';
        record.status = NOT_SENT;
        // Kept for callers that tell a deadline cut from a refusal (the ledger's submit step).
        if (error)
            record.error = error;
        record.problem =
            status === 'aborted'
                ? `${record.label}: not sent (the run was stopped first)`
                : `${record.label}: not sent; ${error?.message ?? 'the timeout ran out first'}`;
    }
    else if (status === 'aborted') {
        record.outcome = 'aborted';
        record.problem = `${id}: cancelled while ${record.status ?? 'running'}`;
    }
    else if (status === 'timedOut') {
        record.outcome = 'timedOut';
        // The engine stops early when the next wait would end after the deadline: say that.
        const early = (record.finishedAt ?? options.clock.now()) < options.deadline;
        record.problem = early
            ? `${id}: ${still} after ${formatElapsed(record.finishedAt - record.startedAt)}, and its next poll would come after the timeout`
            : `${id}: ${still} when the timeout ran out`;
    }
    else if (status === 'maxSteps') {
        record.outcome = 'error';
        record.problem = `${id}: stopped after the maximum number of steps`;
    }
    else if (status === 'failed' && error && stoppedByDeadline(error)) {
        // The transport would have had to wait past the deadline to try again: a timeout, resumable.
        record.outcome = 'timedOut';
        record.error = error;
        record.problem = `${id}: ${still}; ${error.message}`;
    }
    else if (status === 'failed' && resumedUnknown(record, options)) {
        // The workflow's criteria failed on a 404: what that means is what the user needs to read.
        record.outcome = 'error';
        record.error = error;
        record.problem = `${id}: Amplitude has no such request (HTTP 404)`;
    }
    else if (status === 'failed') {
        record.outcome = 'error';
        record.error = error;
        record.problem = `${id}: ${error?.message ?? 'the workflow failed'}`;
        if (record.status && !isKnownStatus(record.status)) {
            record.problem = `${id}: unknown status '${record.status}'`;
        }
    }
    else if (record.status && FAILED_STATUSES.has(record.status)) {
        record.outcome = 'failed';
        record.problem = `${id} failed${record.failReason ? `: ${record.failReason}` : ''}`;
    }
    else if (options.plan.submitOnly) {
        record.outcome = record.requestId ? 'submitted' : 'error';
        if (!record.requestId)
            record.problem = `${record.label}: submitted, but no request id came back`;
    }
    else if (record.status && DONE_STATUSES.has(record.status)) {
        record.outcome = 'done';
    }
    else if (record.status === undefined) {
        // A custom workflow may report no status: it succeeded, which is all it said.
        record.outcome = 'done';
    }
    else {
        record.outcome = 'error';
        record.problem = isKnownStatus(record.status)
            ? `${id}: the workflow ended while the request was still ${record.status}`
            : `${id}: unknown status '${record.status}'`;
    }
}
/**
 * A subject Amplitude took no request for: no request id, none resumed, and either no request
 * started or the transport said nothing was taken (the budget or the timeout held it back, or every
 * attempt was answered 429/503, "not processed"). A submit cut in flight may have been taken, so it
 * is not counted here.
 */
function neverSent(record, status, error, options) {
    if (record.requestId !== undefined || options.plan.requestId !== undefined)
        return false;
    if (stoppedByDeadline(error) && sentState(error) === 'not-sent')
        return true;
    return (status === 'timedOut' || status === 'aborted') && (record.requestsStarted ?? 0) === 0;
}
/** A request resumed by id whose status read was answered 404 before any status was seen. */
function resumedUnknown(record, options) {
    return (options.plan.requestId !== undefined &&
        record.status === undefined &&
        record.lastHttpStatus === 404);
}
/**
 * Requests the server gave the same id fail, all of them: their exports would land in one folder
 * and could be either subject's, so none is downloaded.
 */
function markSharedRequestIds(records) {
    for (const { requestId, labels } of sharedRequestIds(records)) {
        for (const record of records.filter(r => r.requestId === requestId)) {
            record.outcome = 'error';
            record.problem =
                `request ${requestId} was returned for ${labels.length} subjects (${labels.join(', ')}): ` +
                    'the server gave one id to different requests, so none of their exports is downloaded';
        }
    }
}
/** Like formatDuration, with tenths under a minute: "stopped after 13.7s" of a 20s timeout. */
function formatElapsed(ms) {
    return ms < 60_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : formatDuration(ms);
}

;// CONCATENATED MODULE: ./src/run/run-limits.ts
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
const LONGEST_RUN_MS = 5.5 * HOUR_MS;
const MAX_SUBJECTS = Math.floor((BUDGET_SHARE * budget_DOCUMENTED_BUDGET_PER_HOUR * (LONGEST_RUN_MS / HOUR_MS)) / budget_requestCost('POST'));
/** Why `count` subjects (or request ids) are too many for one run; undefined when they are not. */
function runSizeProblem(count, what) {
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

;// CONCATENATED MODULE: ./src/run/subjects.ts
/**
 * Who the DSAR is about, or which requests to resume: user-ids, amplitude-ids, user-ids-file and
 * request-ids. Lists are split by newlines and/or commas, or given as a JSON array (`["u1","u2"]`,
 * as user-ids-file takes), and a problem names the entry or line, never the id itself (personal
 * data). An id that starts or ends with a bracket or a quote is refused: it is almost always a JSON
 * array or a quoted list read as a plain one (`["u1"` and `"u2"]` would be asked for as subjects).
 */





const MAX_ID_LENGTH = 1024;
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
function subjects_parseUserIds(text) {
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
function subjects_parseAmplitudeIds(text) {
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
function subjects_uniqueSubjects(subjects) {
    const seen = new Set();
    return subjects.filter(subject => {
        const key = subject.kind === 'userId' ? `u:${subject.userId}` : `a:${String(subject.amplitudeId)}`;
        if (seen.has(key))
            return false;
        seen.add(key);
        return true;
    });
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

;// CONCATENATED MODULE: ./src/run/session-run.ts

/** Runs one planned workflow on the session. */
async function session_run_runOnSession(session, options) {
    const posts = [];
    const record = await runRequest({
        ...options,
        transport: (request, signal) => {
            if (request.method.toUpperCase() === 'POST')
                posts.push(request);
            return session.transport(request, signal);
        },
        clock: session.clock,
        pollSchedule: session.pollSchedule,
        deadline: session.deadline,
        maxSteps: session.maxSteps,
        redact: session.redact
    });
    return { record, posted: posts.some(post => session.wasSent(post)) };
}

;// CONCATENATED MODULE: ./src/run/delivery.ts



async function deliver(o) {
    const { settings } = o;
    const problems = [];
    let files;
    if (o.download) {
        const got = await downloadRecords(settings, o.session, o.records, o.dir, o.signal, o.log);
        files = got.files;
        problems.push(...got.problems);
        o.on?.downloaded?.(files);
    }
    const withArtifact = o.artifact && settings.download;
    let receipt;
    if (o.receipt) {
        try {
            // Every field the caller gives reaches the receipt as given (one type, no copy to keep up).
            receipt = await writeRunReceiptWithDigest({
                ...o.receipt,
                dir: o.dir,
                settings,
                ...(!o.receipt.requests && { records: o.records }),
                files: files ?? [],
                ...(withArtifact && {
                    artifact: { name: o.artifact.name, retentionDays: settings.retentionDays }
                })
            });
            o.on?.receipt?.(receipt);
        }
        catch (error) {
            problems.push(`receipt.json could not be written: ${messageOf(error)}`);
            return { files, problems };
        }
    }
    const upload = withArtifact && problems.length === 0 && (files?.length || o.artifact.evenWithoutFiles);
    if (!upload || files === undefined)
        return { files, ...(receipt && { receipt }), problems };
    const name = o.artifact.name;
    try {
        const uploaded = await uploadArtifact({
            name,
            files,
            extraPaths: receipt ? [receipt.path] : [],
            rootDirectory: o.dir,
            retentionDays: settings.retentionDays
        });
        return {
            files,
            ...(receipt && { receipt }),
            artifact: { name, ...uploaded, retentionDays: settings.retentionDays },
            problems
        };
    }
    catch (error) {
        // The files are on disk and listed in the outputs; only the upload is missing.
        problems.push(messageOf(error));
        return { files, ...(receipt && { receipt }), problems };
    }
}

;// CONCATENATED MODULE: ./src/run/index.ts
/**
 * The run core: what one run of the action and one ledger sweep both use. The API session and its
 * transport (which answers whether a request was sent), the budget and pacing, planning and
 * running requests, the status and server values, run limits, the log, and delivering exports.
 * It imports the engine, the export and the policies, never the action or the ledger.
 */


































// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/utils.js + 19 modules
var utils = __webpack_require__(85555);
// EXTERNAL MODULE: ./node_modules/bottleneck/light.js
var light = __webpack_require__(63251);
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
class github_octokit_GitHubError extends Error {
    status;
    constructor(status, message) {
        super(message);
        this.status = status;
        this.name = 'GitHubError';
    }
}
/** 5xx are retried; 429 is left to the throttling plugin, which honours its retry-after. */
const DO_NOT_RETRY = (/* unused pure expression or super */ null && ([400, 401, 403, 404, 410, 422, 429, 451]));
const RETRIES = 3;
const RATE_LIMIT_RETRIES = 3;
/** Checks GITHUB_API_URL the way api-url is checked: https, or http for loopback only. */
function github_octokit_githubApiOrigin(text) {
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
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
        throw new Error(`GITHUB_API_URL must use https (${LOOPBACK_RULE})`);
    }
    // GitHub Enterprise Server serves the API under /api/v3: keep the path.
    return withoutTrailing(url.href, '/');
}
/** The Octokit for `options`, counting every attempt into `calls`. */
function github_octokit_createOctokit(options, calls) {
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
    const fetchImpl = options.fetch ?? githubDefaults.request?.fetch;
    const octokit = getOctokit(options.token, {
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
            onSecondaryRateLimit: onLimit('secondary rate limit'),
            ...spacingGroups(options.writeSpacingMs)
        }
    }, counting, retry, throttling);
    octokit.hook.error('request', (error, o) => {
        const failure = error;
        if (error instanceof CutError || (signal?.aborted && !failure.response)) {
            throw new github_octokit_GitHubError(undefined, `${o.method} ${o.url} to GitHub ${cutReason(signal)}`);
        }
        // No HTTP answer at all: Octokit calls that a 500; say what it was.
        if (!failure.response) {
            const why = /ECONNREFUSED/.test(`${failure.message} ${causeCode(failure)}`)
                ? 'connection refused'
                : firstLine(failure.message);
            throw new github_octokit_GitHubError(undefined, `cannot reach GitHub at ${options.apiUrl}: ${why}`);
        }
        throw new github_octokit_GitHubError(failure.status, `GitHub answered ${failure.status ? `HTTP ${failure.status}` : `no answer (${firstLine(failure.message)})`} to ${o.method} ${o.url}` +
            (failure.status && failure.status < 500 ? `: ${firstLine(failure.message)}` : ''));
    });
    return octokit;
}
/**
 * The throttling plugin's write and notification groups with a shorter spacing (the test hook), built
 * as the plugin builds its own (one call at a time, a minimum time between calls); none by default,
 * so the plugin's GitHub spacing (1 s, 3 s) applies.
 */
function spacingGroups(spacingMs) {
    if (spacingMs === undefined)
        return undefined;
    const group = (id, minTime) => new Bottleneck.Group({ id, maxConcurrent: 1, minTime, timeout: 2 * 60_000 });
    return {
        write: group('dsar-octokit-write', spacingMs),
        notifications: group('dsar-octokit-notifications', 3 * spacingMs)
    };
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
class github_client_GitHubClient {
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
    /**
     * The issue's label events (who added or removed which label, when), oldest first: how the
     * ledger learns who approved an erasure (labels on the issue do not say who set them).
     */
    async labelEvents(issueNumber) {
        const items = await this.pages(this.octokit.rest.issues.listEvents, {
            owner: this.owner,
            repo: this.repo,
            issue_number: issueNumber,
            per_page: PAGE
        });
        const events = [];
        for (const item of items) {
            const event = labelEventFacts(item);
            if (event === null)
                continue;
            if (event)
                events.push(event);
            else
                this.calls.malformed++;
        }
        return events;
    }
    /** Takes one label off the issue (a person's label the ledger answered, e.g. an approval that does not count). */
    async removeLabel(issueNumber, name) {
        try {
            await this.octokit.rest.issues.removeLabel({
                owner: this.owner,
                repo: this.repo,
                issue_number: issueNumber,
                name
            });
        }
        catch (error) {
            if (!(error instanceof GitHubError && error.status === 404))
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
class github_budget_GitHubBudget {
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

;// CONCATENATED MODULE: ./src/ledger/deadlines.ts
/**
 * Every request's legal clock, as pure functions over calendar days (`YYYY-MM-DD`, UTC):
 * - GDPR (Art. 12(3)): one calendar month after the request was received, extendable once by two
 *   further months. A month after the 31st is the last day of a shorter month (Regulation
 *   1182/71, Art. 3(2)(c): the period ends on the same date, or the month's last day when that date
 *   does not exist). The extension counts from receipt (three months), so clamping never compounds.
 * - CCPA (Cal. Civ. Code 1798.130(a)(2)): 45 calendar days, extendable once by 45 more.
 * - Other: `ledger-due-days` (default 30) calendar days; no extension is defined.
 * The due day itself is still in time: a request is overdue from the day after. `due-soon` starts
 * seven days before the due day.
 */

const deadlines_REGIMES = (/* unused pure expression or super */ null && (['GDPR', 'CCPA', 'Other']));
const DEFAULT_OTHER_DAYS = 30;
const DUE_SOON_DAYS = 7;
const deadlines_DAY_MS = 86_400_000;
/** `GDPR`, `ccpa`, ` Other ` -> the regime; anything else -> undefined. */
function deadlines_parseRegime(text) {
    const word = text.trim().toLowerCase();
    return deadlines_REGIMES.find(regime => regime.toLowerCase() === word);
}
function startOf(day) {
    if (!isCalendarDay(day))
        throw new RangeError(`not a calendar day (YYYY-MM-DD): ${day}`);
    return Date.parse(`${day}T00:00:00Z`);
}
function deadlines_addDays(day, days) {
    return new Date(startOf(day) + days * deadlines_DAY_MS).toISOString().slice(0, 10);
}
/** The same date `months` later, or that month's last day when the date does not exist. */
function addCalendarMonths(day, months) {
    const date = new Date(startOf(day));
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + months;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const target = new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)));
    return target.toISOString().slice(0, 10);
}
/** The day a request received on `receivedOn` must be answered by. */
function deadlines_dueDate(receivedOn, regime, options = {}) {
    const extended = options.extended === true;
    switch (regime) {
        case 'GDPR':
            return addCalendarMonths(receivedOn, extended ? 3 : 1);
        case 'CCPA':
            return deadlines_addDays(receivedOn, extended ? 90 : 45);
        case 'Other': {
            const days = options.otherDays ?? DEFAULT_OTHER_DAYS;
            if (!(Number.isInteger(days) && days >= 1 && days <= 3650)) {
                throw new RangeError(`the days of an Other request must be 1..3650, got ${days}`);
            }
            return deadlines_addDays(receivedOn, days);
        }
    }
}
/** Where an unfinished request stands on `today` against its due day. */
function deadlines_deadlineState(due, today) {
    if (startOf(today) > startOf(due))
        return 'overdue';
    if (startOf(today) >= startOf(due) - DUE_SOON_DAYS * deadlines_DAY_MS)
        return 'due-soon';
    return 'open';
}
/** Whole days from `today` to `due` (negative once overdue). */
function deadlines_daysLeft(due, today) {
    return Math.round((startOf(due) - startOf(today)) / deadlines_DAY_MS);
}

;// CONCATENATED MODULE: ./src/ledger/form.ts
/**
 * Reads a DSAR issue filed from the shipped issue form. GitHub renders each form field as a
 * `### <label>` section; an empty optional field reads `_No response_`. The body is untrusted
 * (anyone who may open an issue wrote it, and may have edited it since): it is bounded, each field
 * is checked by the same rules as the matching action input (src/run/subjects.ts,
 * dates.ts), and a problem names the field, never quotes a subject id. Headings are
 * matched case-insensitively; a field given twice is refused rather than guessed at.
 */



const form_FIELDS = {
    userIds: 'User IDs',
    amplitudeIds: 'Amplitude IDs',
    startDate: 'Start date',
    endDate: 'End date',
    receivedOn: 'Received on',
    regime: 'Regime',
    reference: 'Reference',
    request: 'Request',
    identityVerified: 'Identity verified'
};
/** GitHub's own limit on an issue body: anything longer did not come from GitHub. */
const MAX_BODY_CHARS = 65_536;
/** Subjects one issue may ask for: a DSAR is about one person, sometimes a few of their ids. */
const MAX_SUBJECTS_PER_ISSUE = 20;
const MAX_REFERENCE_CHARS = 200;
const NO_RESPONSE = '_No response_';
function form_readForm(body, defaults) {
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
        subjects = uniqueSubjects([
            ...parseUserIds(value(form_FIELDS.userIds)).map(userId => ({ kind: 'userId', userId })),
            ...parseAmplitudeIds(value(form_FIELDS.amplitudeIds)).map(amplitudeId => ({ kind: 'amplitudeId', amplitudeId }))
        ]);
        dates = parseDates(value(form_FIELDS.startDate) || defaults.startDate, value(form_FIELDS.endDate) || defaults.endDate, defaults.today);
    }
    catch (error) {
        if (!(error instanceof InputError))
            throw error;
        // The field and the expected form, never what was typed: the comment is public to the repo.
        return refuse(fieldOf(error.input), error.expected ?? error.detail);
    }
    if (subjects.length === 0) {
        return refuse(`${form_FIELDS.userIds} / ${form_FIELDS.amplitudeIds}`, 'no subject: give at least one user ID or Amplitude ID');
    }
    if (subjects.length > MAX_SUBJECTS_PER_ISSUE) {
        return refuse(`${form_FIELDS.userIds} / ${form_FIELDS.amplitudeIds}`, `${subjects.length} subjects; one issue may ask for at most ${MAX_SUBJECTS_PER_ISSUE} (file one issue per person)`);
    }
    const clock = readClockFields(value, defaults);
    if (!clock.ok)
        return refuse(clock.field, clock.problem);
    const reference = value(form_FIELDS.reference).replace(/\s+/g, ' ').trim();
    const erasure = readErasureFields(value);
    if (!erasure.ok)
        return erasure;
    return {
        ok: true,
        form: {
            subjects,
            ...dates,
            request: erasure.request,
            ...(erasure.identityVerified !== undefined && { identityVerified: erasure.identityVerified }),
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
    const received = value(form_FIELDS.receivedOn);
    const receivedOn = received || defaults.receivedOn || defaults.today;
    if (!isCalendarDay(receivedOn)) {
        return { ok: false, field: form_FIELDS.receivedOn, problem: 'must be a calendar day, YYYY-MM-DD' };
    }
    if (receivedOn > addDays(defaults.today, 1)) {
        return { ok: false, field: form_FIELDS.receivedOn, problem: 'must not be in the future' };
    }
    const said = value(form_FIELDS.regime);
    const regime = said === '' ? (defaults.regime ?? 'GDPR') : parseRegime(said);
    if (regime === undefined) {
        return { ok: false, field: form_FIELDS.regime, problem: `must be one of ${REGIMES.join(', ')}` };
    }
    return { ok: true, receivedOn, regime };
}
/** The issue body GitHub renders from the shipped form (examples/ISSUE_TEMPLATE/dsar.yml). */
function formBody(fields) {
    const section = (label, value) => `### ${label}\n\n${value && value !== '' ? value : NO_RESPONSE}`;
    return [
        section(form_FIELDS.userIds, fields.userIds),
        section(form_FIELDS.amplitudeIds, fields.amplitudeIds),
        section(form_FIELDS.startDate, fields.startDate),
        section(form_FIELDS.endDate, fields.endDate),
        // The clock's fields before the free-text ones, as in the shipped form.
        section(form_FIELDS.receivedOn, fields.receivedOn),
        section(form_FIELDS.regime, fields.regime),
        section(form_FIELDS.reference, fields.reference),
        ...erasureSections(fields).map(([label, value]) => section(label, value))
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
            return form_FIELDS.userIds;
        case Inputs.AmplitudeIds:
            return form_FIELDS.amplitudeIds;
        case Inputs.StartDate:
            return form_FIELDS.startDate;
        case Inputs.EndDate:
            return form_FIELDS.endDate;
        default:
            return input;
    }
}
/** The dropdown's options, as the form shows them, and what each means. */
const REQUEST_OPTIONS = (/* unused pure expression or super */ null && ([
    ['Access (export)', 'access'],
    ['Erasure', 'erasure'],
    ['Access, then erasure', 'access-then-erasure']
]));
const MAX_IDENTITY_CHARS = 200;
/** The form's `Request` (default access) and `Identity verified` (empty: not verified). */
function readErasureFields(value) {
    const said = value(form_FIELDS.request).replace(/\s+/g, ' ').trim();
    const found = REQUEST_OPTIONS.find(([option]) => option.toLowerCase() === said.toLowerCase());
    if (said !== '' && !found) {
        return {
            ok: false,
            field: form_FIELDS.request,
            problem: `is not one of ${REQUEST_OPTIONS.map(([option]) => `'${option}'`).join(', ')}`
        };
    }
    const identity = value(form_FIELDS.identityVerified).replace(/\s+/g, ' ').trim();
    return {
        ok: true,
        request: found ? found[1] : 'access',
        ...(identity !== '' && {
            identityVerified: [...identity].slice(0, MAX_IDENTITY_CHARS).join('')
        })
    };
}
function erasureSections(fields) {
    return [
        ...(fields.request !== undefined ? [[form_FIELDS.request, fields.request]] : []),
        ...(fields.identityVerified !== undefined
            ? [[form_FIELDS.identityVerified, fields.identityVerified]]
            : [])
    ];
}
/** Whether the request erases (alone, or after the export). */
function form_erases(kind) {
    return kind !== 'access';
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
const FINISHED_STATES = (/* unused pure expression or super */ null && (['done', 'ready', 'erased', 'cancelled']));
const deadline_record_DEADLINE_LABELS = (/* unused pure expression or super */ null && (['due-soon', 'overdue', 'extended']));
function deadline_record_isFinished(state) {
    return FINISHED_STATES.includes(state);
}
/** The record of a request taken up now. */
function deadline_record_newDeadline(receivedOn, regime, options) {
    const extended = options.extended && regime !== 'Other';
    return {
        receivedOn,
        regime,
        dueDate: dueDate(receivedOn, regime, { extended, otherDays: options.otherDays }),
        ...(extended && { extended: true })
    };
}
/**
 * Where an unfinished request stands `today`. `extendedLabel`: `<label>:extended` is on the issue
 * now (once seen, the extension stays recorded even if the label goes). Other has no extension:
 * its due date is the one recorded when it was taken up.
 */
function deadline_record_moveDeadline(record, today, extendedLabel) {
    const extended = (record.extended === true || extendedLabel) && record.regime !== 'Other';
    const due = record.regime === 'Other'
        ? record.dueDate
        : dueDate(record.receivedOn, record.regime, { extended });
    const next = {
        ...record,
        dueDate: due,
        ...(extended && { extended: true })
    };
    const standing = deadlineState(due, today);
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
function deadline_record_deadlineLabels(labels, label, move) {
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
function deadline_record_finishedLabels(labels, label) {
    return labels.filter(l => l !== `${label}:due-soon` && l !== `${label}:overdue`);
}
/** Why a state line's `deadline` is not one the action writes, or undefined when it is. */
function deadline_record_deadlineProblem(value) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return 'bad deadline';
    }
    const record = value;
    const day = (key) => {
        const text = record[key];
        return typeof text === 'string' && isCalendarDay(text);
    };
    if (!day('receivedOn'))
        return 'bad deadline receivedOn';
    if (!REGIMES.includes(record.regime))
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
function deadline_record_dueLine(deadline) {
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
    expired: ['c5def5', 'DSAR: links expired before delivery; add the DSAR label again'],
    'awaiting-approval': ['fbca04', 'DSAR erasure: waits for a second member to add :approved'],
    'erasure-submitting': ['fbca04', 'DSAR erasure: being submitted'],
    'erasure-scheduled': ['0e8a16', 'DSAR erasure: in a deletion job at Amplitude'],
    cancelled: ['c5def5', 'DSAR erasure: cancelled, ids taken out of the job'],
    erased: ['5319e7', 'DSAR erasure: done at Amplitude, receipt posted'],
    approved: ['0e8a16', 'DSAR erasure: approved by a member other than the author'],
    cancel: ['b60205', 'DSAR erasure: cancel it (only while the job can still change)']
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
        ...[...IN_PROGRESS, ...PERSON_STATES].map(state => ({
            name: stateLabel(label, state),
            color: DESCRIPTIONS[state][0],
            description: DESCRIPTIONS[state][1]
        })),
        ...['approved', 'cancel'].map(which => ({
            name: personLabel(label, which),
            color: DESCRIPTIONS[which][0],
            description: DESCRIPTIONS[which][1]
        })),
        ...DEADLINE_LABELS.map(name => ({
            name: `${label}:${name}`,
            color: CLOCK_DESCRIPTIONS[name][0],
            description: CLOCK_DESCRIPTIONS[name][1]
        }))
    ];
}
async function labels_ensureLabels(github, label, log) {
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
function seal_ledgerKey(secret) {
    return createHmac('sha256', secret).update(PURPOSE).digest();
}
function seal_sealFor(key, repository, issue) {
    return { key, scope: `${repository}#${issue}` };
}
/** The check value of `json` (the state without its `mac`) for `seal`'s issue, hex. */
function seal_macOf(seal, json) {
    return createHmac('sha256', seal.key).update(`${seal.scope}\n${json}`).digest('hex');
}
function seal_macMatches(seal, json, mac) {
    if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac))
        return false;
    return timingSafeEqual(Buffer.from(seal_macOf(seal, json), 'hex'), Buffer.from(mac, 'hex'));
}

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
function sweep_time_reserveMs(timeoutMs) {
    return Math.min(120_000, Math.max(3_000, Math.round(timeoutMs * 0.15)));
}
/** GitHub's spacing of writes (@octokit/plugin-throttling): new comments 3 s apart, others 1 s. */
const COMMENT_MS = 3_000;
const WRITE_MS = 1_000;
/** The writes of one submit: the write-ahead comment, then the record, the labels (a retry's label). */
const SUBMIT_WRITES_MS = COMMENT_MS + 3 * WRITE_MS;
/** Time planned for Amplitude to answer one POST (its pacing comes on top). */
const ANSWER_MS = 2_000;
class sweep_time_SubmitTime {
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
        const cost = subjects * requestCost('POST');
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
        const cost = subjects * requestCost('POST');
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

;// CONCATENATED MODULE: ./src/ledger/erasure-comments.ts
/**
 * What the ledger writes into an issue about an erasure: the ledger comment's erasure lines, the
 * one comment that says who may approve, the answers to an approval that does not count and to a
 * cancellation, and the erasure receipt. Values from outside (logins, the form's text) go through
 * the one escaper; subjects appear by fingerprint only.
 */


const erasure_comments_SIGNATURE = '<sub>Written by the Amplitude DSAR action (ledger). Do not edit this comment.</sub>';
const code = (text) => `\`${forMarkdown(text)}\``;
/** The erasure's lines in the ledger comment (above its table). */
function erasure_comments_erasureLines(marker, label) {
    const e = marker.erasure;
    if (!e)
        return [];
    const lines = [];
    const approval = e.approvedBy
        ? `approved by ${forMarkdown(e.approvedBy)} at ${e.approvedAt}`
        : `waits for approval: a member other than ${forMarkdown(e.requester)} adds ${code(`${label}:approved`)}`;
    lines.push(`Erasure (${marker.request === 'access-then-erasure' ? 'after the export is delivered' : 'alone'}): ${approval}.`);
    if (e.day) {
        lines.push(`Deletion job: ${e.day}, ${forMarkdown(e.statuses.at(-1)?.status ?? 'unknown')}` +
            (e.statuses.at(-1)?.status === 'staging'
                ? `; can be cancelled until ${cancellableUntil(e.day)} (add ${code(`${label}:cancel`)})`
                : '') +
            (e.activeScrubDoneDate ? `; live data scrubbed on ${e.activeScrubDoneDate}` : '') +
            '.');
        lines.push(`Subjects: ${e.subjects.map(s => `${forMarkdown(s.subject)} ${s.absent ? '(absent: unknown to the project, nothing to erase)' : s.day ? `(job ${s.day})` : '(not sent)'}`).join(', ')}.`);
    }
    if (e.cancelled) {
        lines.push(`Cancelled by ${forMarkdown(e.cancelled.by)} at ${e.cancelled.at}: ${e.cancelled.revoked} id(s) taken out of the job.`);
    }
    return [...lines, ''];
}
/** Why an approval older than the ledger's reading of the form cannot count, for a person. */
const EARLY_APPROVAL = 'GitHub does not say when an issue was last edited, so an approval given before the ledger read the form cannot be told apart from one given to an earlier version of it';
/**
 * The one comment that asks for the approval. `earlyApproval`: the label was already on the issue
 * when the ledger first read the form, and was taken off (it cannot count: EARLY_APPROVAL).
 */
function erasure_comments_awaitingApprovalComment(record, label, earlyApproval = false) {
    const approved = code(`${label}:approved`);
    return [
        `**DSAR erasure awaiting approval**: an erasure deletes this person's events and user properties in the project and cannot be undone once Amplitude starts its job, so it needs a second person.`,
        '',
        `It is submitted once a member of this repository with write access, other than ${forMarkdown(record.requester)} (who filed it), adds the label ${approved}. An approval given before ${record.formSeenAt}, when the ledger read the form as it stands, does not count (${EARLY_APPROVAL}): add the label again after that time. Editing the form asks for a new approval.`,
        '',
        ...(earlyApproval
            ? [
                `The label ${approved} was already on the issue when the ledger read the form, so it was taken off: to approve, add it again now.`,
                ''
            ]
            : []),
        'Nothing was sent to the deletion API.',
        '',
        erasure_comments_SIGNATURE
    ].join('\n');
}
/**
 * An approval that does not count: why, and what to do (who may add the label again). `early`:
 * it was given before the ledger read the form as it stands, which a person fixes by adding the
 * label again.
 */
function erasure_comments_approvalRefusedComment(login, why, label, requester, early = false) {
    const approved = code(`${label}:approved`);
    return [
        `**DSAR erasure: approval not counted**: the label ${approved} added by ${forMarkdown(login)} does not count: ${forMarkdown(why)}. The label was taken off; nothing was sent to the deletion API.`,
        '',
        early
            ? `${EARLY_APPROVAL}. To approve the form as it stands, a member with write access other than ${forMarkdown(requester)} adds ${approved} again.`
            : `To approve, a member of this repository with write access, other than ${forMarkdown(requester)} (who filed it), adds ${approved}.`,
        '',
        erasure_comments_SIGNATURE
    ].join('\n');
}
function erasure_comments_formChangedComment(label) {
    return [
        `**DSAR erasure: the form changed**: the issue was edited after the ledger read it, so an earlier approval no longer counts. A member other than the author adds ${code(`${label}:approved`)} again to approve the form as it stands.`,
        '',
        erasure_comments_SIGNATURE
    ].join('\n');
}
function erasure_comments_cancelledComment(day, revoked, by) {
    return [
        `**DSAR erasure cancelled**: ${revoked} id(s) were taken out of the deletion job of ${day} at ${forMarkdown(by)}'s request. Nothing of this request will be erased.`,
        '',
        erasure_comments_SIGNATURE
    ].join('\n');
}
function erasure_comments_tooLateComment(day, status, label) {
    return [
        `**DSAR erasure: too late to cancel**: the deletion job of ${day} is ${forMarkdown(status)}; ids can be taken out only while it is staging, until ${cancellableUntil(day)}. Nothing was called; the ${code(`${label}:cancel`)} label was taken off and the erasure goes on.`,
        '',
        erasure_comments_SIGNATURE
    ].join('\n');
}
/** The erasure receipt, posted when the job is done: the evidence, as JSON a person can read. */
function erasure_comments_erasedComment(receipt) {
    // Our own JSON (fingerprints, times, logins of a checked shape, the form's escaped text); a
    // backtick is written as \u0060 so nothing ends the code block.
    const json = JSON.stringify(receipt, null, 2).replace(/`/g, '\\u0060');
    return [
        '**DSAR erased**: Amplitude finished the deletion job. The erasure receipt:',
        '',
        '```json',
        json,
        '```',
        '',
        'New events are not blocked: if the person comes back, Amplitude counts them as a new user.',
        '',
        erasure_comments_SIGNATURE
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/ledger/erasure-record.ts
/**
 * The erasure part of the ledger's state line (issue 22): what the sweep must remember between
 * runs to erase safely. Which form it saw and since when (an approval counts only when given after
 * the ledger saw the form as it stands), who approved and when, which job (day) holds each subject
 * (by fingerprint only), the job's statuses with times, and a cancellation. Checked field by field
 * like the rest of the line (src/ledger/marker.ts): the line is sealed, but a shape the action does
 * not write is never acted on.
 */


const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const STATUS = /^[a-z][a-z_-]{0,31}$/;
const SUBJECT = /^(user|amplitude id) #[0-9a-f]{8}$/;
const DIGEST = /^[0-9a-f]{16}$/;
const erasure_record_MAX_SUBJECTS = 20;
const MAX_STATUSES = 10;
/** The digest of an issue body the erasure record keeps. */
function erasure_record_formDigest(body) {
    return createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 16);
}
function erasure_record_isLogin(value) {
    return typeof value === 'string' && LOGIN.test(value);
}
/** Why `value` is not an erasure record the action writes, or undefined when it is one. */
function erasure_record_erasureProblem(value, isTime) {
    if (!isObject(value))
        return 'erasure: not an object';
    if (typeof value.form !== 'string' || !DIGEST.test(value.form))
        return 'erasure: bad form';
    if (!isTime(value.formSeenAt))
        return 'erasure: bad formSeenAt';
    if (!erasure_record_isLogin(value.requester))
        return 'erasure: bad requester';
    if (value.approvedBy !== undefined && !erasure_record_isLogin(value.approvedBy))
        return 'erasure: bad approvedBy';
    for (const key of ['approvedAt', 'deliveredAt', 'sentAt', 'checkedAt']) {
        if (value[key] !== undefined && !isTime(value[key]))
            return `erasure: bad ${key}`;
    }
    for (const key of ['day', 'activeScrubDoneDate']) {
        if (value[key] !== undefined && !isCalendarDay(value[key]))
            return `erasure: bad ${key}`;
    }
    const subjects = value.subjects;
    if (!Array.isArray(subjects) || subjects.length === 0 || subjects.length > erasure_record_MAX_SUBJECTS) {
        return 'erasure: bad subjects';
    }
    for (const s of subjects) {
        if (!isObject(s) || typeof s.subject !== 'string' || !SUBJECT.test(s.subject)) {
            return 'erasure: bad subject';
        }
        if (s.day !== null && !isCalendarDay(s.day))
            return 'erasure: bad subject day';
        if (s.absent !== undefined && s.absent !== true)
            return 'erasure: bad absent';
        if (Object.keys(s).some(k => !['subject', 'day', 'absent'].includes(k))) {
            return 'erasure: unexpected subject fields';
        }
    }
    const statuses = value.statuses;
    if (!Array.isArray(statuses) || statuses.length > MAX_STATUSES)
        return 'erasure: bad statuses';
    for (const s of statuses) {
        if (!isObject(s) || typeof s.status !== 'string' || !STATUS.test(s.status) || !isTime(s.at)) {
            return 'erasure: bad status';
        }
        if (Object.keys(s).length !== 2)
            return 'erasure: unexpected status fields';
    }
    const cancelled = value.cancelled;
    if (cancelled !== undefined) {
        if (!isObject(cancelled) ||
            !erasure_record_isLogin(cancelled.by) ||
            !isTime(cancelled.at) ||
            typeof cancelled.revoked !== 'number' ||
            !Number.isSafeInteger(cancelled.revoked) ||
            cancelled.revoked < 0 ||
            Object.keys(cancelled).length !== 3) {
            return 'erasure: bad cancelled';
        }
    }
    const allowed = new Set([
        'form',
        'formSeenAt',
        'requester',
        'approvedBy',
        'approvedAt',
        'deliveredAt',
        'subjects',
        'sentAt',
        'day',
        'statuses',
        'checkedAt',
        'activeScrubDoneDate',
        'cancelled'
    ]);
    if (Object.keys(value).some(key => !allowed.has(key)))
        return 'erasure: unexpected fields';
    return undefined;
}
function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

;// CONCATENATED MODULE: ./src/ledger/marker.ts
/**
 * The ledger's state, kept in the last line of the ledger comment as
 * `<!-- amplitude-dsar-ledger {json} -->`. Comments are untrusted: anyone who can comment can
 * write that line. A marker is honoured only in a comment written by the action's own identity
 * (the token's bot or user), and only when every value has the shape the action writes; a marker
 * the action wrote that no longer reads as one is reported, never guessed at.
 */




const marker_MARKER_PREFIX = '<!-- amplitude-dsar-ledger ';
const MARKER_LINE = /^<!-- amplitude-dsar-ledger (\{.*\}) -->$/;
/**
 * 2: per-request outcome (`sent`) and the integrity check (`mac`, src/ledger/seal.ts). A version-1
 * line (no check) is not honoured: docs/ledger.md says how to carry one over.
 * 3 (issue 22): the request's legal clock (`deadline`: src/ledger/deadline-record.ts), and the
 * optional `request` and `erasure` fields with the erasure states (src/ledger/erasure-record.ts).
 * A version-2 line carries the same check and reads as before (no deadline yet); the next write
 * makes it version 3. An older release refuses a version-3 line (needs-attention, nothing
 * submitted).
 */
const marker_MARKER_VERSION = 3;
/** Versions read: those sealed with the integrity check. */
const READABLE_VERSIONS = (/* unused pure expression or super */ null && ([2, 3]));
const ERASURE_STATES = [
    'awaiting-approval',
    'erasure-submitting',
    'erasure-scheduled',
    'cancelled',
    'erased'
];
const STATES = [
    'submitting',
    'submitted',
    'done',
    'ready',
    'failed',
    'needs-attention',
    'expired',
    ...ERASURE_STATES
];
// One subject, or several (a seed-contract request covers all the issue's user ids).
const marker_SUBJECT = /^(user|amplitude id) #[0-9a-f]{8}(, (user|amplitude id) #[0-9a-f]{8}){0,19}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_REQUESTS = 100;
/**
 * The marker line: the state, then its check (`mac`, over the JSON before it, bound to the issue),
 * with `<`, `>` and `&` escaped, so no value can end the HTML comment.
 */
function marker_markerLine(marker, seal) {
    const plain = JSON.stringify(marker);
    const signed = `${plain.slice(0, -1)},"mac":"${macOf(seal, plain)}"}`;
    const json = signed.replace(/[<>&]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return `${marker_MARKER_PREFIX}${json} -->`;
}
/**
 * The ledger of one issue from its comments: the one comment by `identity` that carries a marker,
 * checked against `seal` (its issue). Markers in anyone else's comments are ignored (forgeries or
 * quotes); two or more of the action's own (overlapping sweeps) are never chosen between.
 */
function marker_readLedger(comments, identity, seal) {
    const own = comments
        .filter(c => c.author === identity.login && c.authorType === identity.type)
        .filter(c => c.body.includes(marker_MARKER_PREFIX))
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
            .filter((id) => typeof id === 'string' && REQUEST_ID_PATTERN.test(id))
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
    // An erasure alone asks Amplitude's DSAR API for nothing: its requests list is empty.
    const minRequests = value.request === 'erasure' ? 0 : 1;
    if (!Array.isArray(requests) || requests.length < minRequests || requests.length > MAX_REQUESTS) {
        return 'bad requests list';
    }
    for (const [index, request] of requests.entries()) {
        const problem = requestProblem(request, value.state);
        if (problem)
            return `request ${index + 1}: ${problem}`;
    }
    if (value.until !== undefined && !isTime(value.until))
        return 'bad until';
    if (value.deadline !== undefined) {
        if (value.version === 2)
            return 'unexpected fields';
        const problem = deadlineProblem(value.deadline);
        if (problem)
            return problem;
    }
    if (value.request !== undefined || value.erasure !== undefined) {
        if (value.request !== 'erasure' && value.request !== 'access-then-erasure')
            return 'bad request';
        const problem = erasureProblem(value.erasure, isTime);
        if (problem)
            return problem;
    }
    else if (ERASURE_STATES.includes(value.state)) {
        return 'an erasure state without an erasure';
    }
    const allowed = new Set([
        'version',
        'state',
        'startDate',
        'endDate',
        'requests',
        'until',
        'request',
        'erasure',
        'deadline'
    ]);
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
    else if (typeof requestId !== 'string' || !REQUEST_ID_PATTERN.test(requestId)) {
        return 'bad request id';
    }
    else if (sent !== undefined) {
        return 'sent beside a request id';
    }
    if (typeof subject !== 'string' || !marker_SUBJECT.test(subject))
        return 'bad subject fingerprint';
    if (status !== null && (typeof status !== 'string' || !isRecordedStatus(status)))
        return 'bad status';
    for (const key of ['submittedAt', 'checkedAt', 'doneAt']) {
        if (value[key] !== null && !isTime(value[key]))
            return `bad ${key}`;
    }
    if (value.expires !== undefined && !isTime(value.expires))
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
function isTime(value) {
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





const comments_SIGNATURE = '<sub>Written by the Amplitude DSAR action (ledger). Do not edit this comment.</sub>';
function referenceLine(reference) {
    return reference ? [`Reference: ${forMarkdown(reference)}`, ''] : [];
}
function cell(value) {
    return value ? forMarkdown(value) : '–';
}
/** The ledger comment: one row per request, then the state line (sealed). Edited in place. */
function comments_ledgerComment(marker, seal, reference, label = 'dsar') {
    // Times are the action's own (ISO, validated in the marker); the rest came from outside.
    const rows = marker.requests.map(r => `| ${cell(r.subject)} | ${cell(r.requestId)} | ${cell(r.status ?? (r.requestId ? 'requested' : (r.sent ?? 'submitting')))} | ${r.checkedAt ?? r.submittedAt ?? '–'} |`);
    return [
        `**DSAR ledger**: ${forMarkdown(marker.state)} (data from ${marker.startDate} to ${marker.endDate})`,
        '',
        ...dueLine(marker.deadline),
        ...referenceLine(reference),
        ...erasureLines(marker, label),
        ...(rows.length > 0
            ? [
                '| subject | request id | status | last checked |',
                '| --- | --- | --- | --- |',
                ...rows,
                ''
            ]
            : []),
        comments_SIGNATURE,
        markerLine(marker, seal)
    ].join('\n');
}
/** Posted once every request is done (and downloaded, and uploaded, when asked). */
function comments_deliveredComment(d) {
    const lines = [
        `**DSAR delivered**: Amplitude finished ${d.requestIds.length === 1 ? 'request' : 'requests'} ${d.requestIds.map(id => forMarkdown(id)).join(', ')}.`,
        '',
        ...referenceLine(d.reference)
    ];
    if (d.artifact) {
        lines.push(`Artifact: [${forMarkdown(d.artifact.name)}](${d.artifact.url}), kept ${plural(d.artifact.retentionDays, 'day')}; \`receipt.json\` inside it records what was asked and delivered.`, '');
    }
    if (d.files && d.files.length > 0) {
        lines.push('| file | bytes | SHA-256 (as served) | events |', '| --- | --- | --- | --- |', ...d.files.map(f => `| ${forMarkdown(f.name)} | ${f.bytes} | \`${f.sha256}\` | ${f.events} |`), '');
        lines.push(d.recipients.length > 0
            ? `Encrypted with age to: ${d.recipients.map(forMarkdown).join(', ')}.`
            : 'Not encrypted (set `encrypt-to` to encrypt exports before they touch the disk).', '');
    }
    else if (!d.files) {
        lines.push('This workflow does not download exports (`download: false`): collect them with ' +
            `\`request-ids: ${d.requestIds.join(',')}\` before the links expire.`, '');
    }
    if (d.expires)
        lines.push(`Amplitude's download links expire at ${d.expires}.`, '');
    lines.push(comments_SIGNATURE);
    return lines.join('\n');
}
/**
 * Posted when every request is done but the workflow delivers nothing (no `artifact-name`): the
 * export is not called delivered, and the issue stays open until someone collects it.
 */
function comments_readyComment(d) {
    return [
        `**DSAR ready to collect (not delivered)**: Amplitude finished ${d.requestIds.length === 1 ? 'request' : 'requests'} ${d.requestIds.map(id => forMarkdown(id)).join(', ')}, but ${d.why}.`,
        '',
        ...referenceLine(d.reference),
        `Collect the export with \`request-ids: ${d.requestIds.join(',')}\`` +
            (d.expires
                ? ` before ${d.expires}, when Amplitude's download links expire.`
                : " before Amplitude's download links expire."),
        '',
        'This issue stays open until a person closes it. To have the ledger deliver exports itself, set `artifact-name` in the workflow.',
        '',
        comments_SIGNATURE
    ].join('\n');
}
function comments_failedComment(failures, reference, label) {
    return [
        '**DSAR failed**: Amplitude reports that it could not complete this request.',
        '',
        ...referenceLine(reference),
        ...failures.map(f => `- request ${forMarkdown(f.requestId)} (${forMarkdown(f.subject)}): ${f.failReason ? forMarkdown(f.failReason) : 'no reason given'}`),
        '',
        `Left open for a person. To submit again after fixing the cause, add the “${forMarkdown(label)}” label again.`,
        '',
        comments_SIGNATURE
    ].join('\n');
}
function comments_needsInfoComment(field, problem, label) {
    return [
        `**DSAR needs information**: ${forMarkdown(field)} ${forMarkdown(problem)}.`,
        '',
        'Nothing was sent to Amplitude. Edit the issue (keep the form’s `### ` headings), then add the ' +
            `“${forMarkdown(label)}” label again to retry.`,
        '',
        comments_SIGNATURE
    ].join('\n');
}
/** Says nothing about the subject: the author may not be entitled to know anything about it. */
function comments_refusedComment() {
    return [
        '**DSAR refused**: only owners, members and collaborators of this repository may file a data ' +
            'subject access request here. Nothing was sent to Amplitude.',
        '',
        comments_SIGNATURE
    ].join('\n');
}
function comments_needsAttentionComment(reason, label) {
    return [
        `**DSAR needs attention**: ${forMarkdown(reason)}`,
        '',
        'The action does not submit again on its own, since that could ask Amplitude twice. Check the ' +
            "failed run's log and job summary for request ids; if no request was created, add the " +
            `“${forMarkdown(label)}” label again to submit.`,
        '',
        comments_SIGNATURE
    ].join('\n');
}
function comments_expiredComment(expires, label) {
    return [
        `**DSAR expired**: Amplitude finished, but its download links expired${expires ? ` at ${expires}` : ''} before they were delivered.`,
        '',
        `Submit it again: add the “${forMarkdown(label)}” label again.`,
        '',
        comments_SIGNATURE
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/ledger/approval.ts

/** Permissions (GitHub's `permission`, or its `role_name`) that make an approver. */
const approval_APPROVING_PERMISSIONS = new Set(['admin', 'maintain', 'write']);
function approval_judgeApproval(events, options) {
    const added = events.filter(e => e.event === 'labeled' && e.label === options.approvedLabel);
    const last = added[added.length - 1];
    if (!last)
        return { kind: 'none' };
    const who = { login: last.actor, at: last.createdAt };
    if (!isLogin(last.actor))
        return { kind: 'refused', ...who, why: 'the approver is not a GitHub user' };
    if (last.actor.toLowerCase() === options.author.toLowerCase()) {
        return {
            kind: 'refused',
            ...who,
            why: 'the author of the issue cannot approve their own request'
        };
    }
    if (last.actorType !== 'User') {
        return { kind: 'refused', ...who, why: 'only a person can approve (not a bot or an app)' };
    }
    // GitHub's event times have whole seconds: the form's time is compared at that precision.
    const seen = Math.floor(Date.parse(options.formSeenAt) / 1000) * 1000;
    if (!(Date.parse(last.createdAt) >= seen)) {
        return {
            kind: 'refused',
            ...who,
            why: `the approval was given before the ledger read the form as it stands (${options.formSeenAt})`,
            early: true
        };
    }
    return { kind: 'candidate', ...who };
}

;// CONCATENATED MODULE: ./src/ledger/erasure-calls.ts
/**
 * The ledger's calls to Amplitude's deletion API, each one a workflow of the built-in
 * `amplitude-erasure` document run by the engine, through the erasure transport of an erasure
 * run (src/run/erasure-transport.ts, shared with the action's erasure run): the project's keys
 * only (the 'erasure' credential scope), one call at a time, at least a second apart, 429s waited out. One transport (one pacer) per sweep,
 * shared by every issue, so the sweep as a whole never sends more than one call a second.
 */


/** The sweep's deletion-API calls, or why there are none (no erasure keys). */
function erasure_calls_erasureCalls(ctx) {
    const keys = ctx.ledger.erasure;
    const load = ctx.erasureDocument;
    if (!keys || !load)
        return undefined;
    ctx.erasureCalls ??= erasure_calls_open(ctx, keys, load);
    return ctx.erasureCalls;
}
async function erasure_calls_open(ctx, keys, load) {
    const { settings, session } = ctx;
    const loaded = await load();
    // Refused keys stop the erasure calls of this sweep, not its access requests.
    const stop = new AbortController();
    ctx.signal.addEventListener('abort', () => stop.abort(ctx.signal.reason), { once: true });
    const redact = composeRedactors(settings, keys);
    const transport = erasureTransport(settings, stop, { ...ctx.apiDependencies, clock: session.clock }, session.clock, session.deadline, redact);
    const run = async (workflowId, inputs) => {
        if (stop.signal.aborted) {
            return { ok: false, jobs: [], problem: redact(stop.signal.reason.message) };
        }
        const result = await runWorkflow(loaded, {
            workflowId,
            inputs: { basicAuth: keys.basicAuth, ...inputs },
            transport,
            clock: session.clock,
            deadline: session.deadline,
            signal: stop.signal,
            serverUrl: settings.apiUrl,
            sensitiveHeaders: ['authorization'],
            maxSteps: 10
        });
        if (result.status !== 'succeeded') {
            return {
                ok: false,
                jobs: [],
                problem: redact(result.error?.message ?? `the deletion API call ended ${result.status}`)
            };
        }
        if (!('jobs' in result.outputs))
            return { ok: true, jobs: [] };
        const { jobs, refused } = readJobs(result.outputs.jobs);
        return refused.length > 0
            ? { ok: false, jobs, problem: refused.join('; ') }
            : { ok: true, jobs };
    };
    return {
        jobs: (startDay, endDay) => run('jobs', { startDay, endDay }),
        submit: (ids, requester) => run('submit', { ...ids, requester }),
        revoke: async (amplitudeId, day) => {
            const result = await run('revoke', { amplitudeId, day });
            return result.ok ? { ok: true } : { ok: false, problem: result.problem };
        }
    };
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
function deadline_step_stampDeadline(ctx, issue, marker) {
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
async function deadline_step_checkDeadline(ctx, issue) {
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
    // A version-2 line without a deadline is not rewritten just for it (a sweep in which nothing
    // changed writes nothing): its next write stamps it.
    if (move.changed) {
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
    const label = forMarkdown(ctx.ledger.label);
    const days = daysLeft(deadline.dueDate, ctx.today);
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
            String(daysLeft(r.deadline.dueDate, today)),
            r.deadline.regime,
            r.deadline.receivedOn,
            r.standing,
            forHtml(r.state)
        ])
    ];
}
/**
 * The receipt's `deadline`, written as the export is delivered: the request finishes with this
 * delivery (`finishedAt` now, unless recorded earlier), extension as recorded or on the issue now.
 */
function deadline_step_receiptDeadline(ctx, issue, marker) {
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
            // The export of an access-then-erasure request is delivered first: the request goes on.
            ...(!(marker.request === 'access-then-erasure' && marker.state === 'submitted') && {
                finishedAt: now.finishedAt ?? new Date(ctx.session.clock.now()).toISOString()
            })
        }
    };
}

;// CONCATENATED MODULE: ./src/ledger/sweep-context.ts









function sweep_context_sealOf(ctx, issue) {
    return sealFor(ctx.ledgerKey, ctx.repository, issue);
}
function sweep_context_nowIso(ctx) {
    return new Date(ctx.session.clock.now()).toISOString();
}
/** Runs planned workflows (at most max-concurrency at once via the transport). */
async function sweep_context_runPlans(ctx, plans) {
    return (await sweep_context_submitPlans(ctx, plans)).map(run => run.record);
}
/** Runs planned workflows, saying for each whether a POST of it left this machine. */
async function sweep_context_submitPlans(ctx, plans) {
    return Promise.all(plans.map(async (plan) => {
        const run = await runOnSession(ctx.session, {
            loaded: ctx.loaded,
            plan,
            serverUrl: ctx.settings.apiUrl,
            signal: ctx.signal,
            log: text => ctx.log(text)
        });
        ctx.records.push(run.record);
        return run;
    }));
}
/** Writes the ledger comment: edits it in place when it exists, creates it otherwise. */
async function sweep_context_writeLedger(ctx, issue, marker, commentId, reference) {
    marker.version = MARKER_VERSION;
    stampDeadline(ctx, issue, marker);
    const body = ledgerComment(marker, sweep_context_sealOf(ctx, issue.number), reference, ctx.ledger.label);
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
        throw new sweep_context_IdentityError(ctx.identity, created);
    }
    return held(created.id);
}
/** Sets the labels for `state` (and closes the issue when delivered), unless already so. */
async function sweep_context_moveLabels(ctx, issue, state) {
    const kept = isFinished(state) ? finishedLabels(issue.labels, ctx.ledger.label) : issue.labels;
    const labels = labelsFor(kept, ctx.ledger.label, state);
    const close = (state === 'done' || state === 'erased') && ctx.ledger.closeOnDone;
    if (!close && sameLabels(labels, issue.labels))
        return;
    await ctx.github.setLabels(issue.number, labels, close);
    issue.labels = labels;
}
class sweep_context_IdentityError extends Error {
    constructor(expected, got) {
        super(`the GitHub token writes as ${(0,policy/* forLog */.Ig)(got.author)} (${(0,policy/* forLog */.Ig)(got.authorType)}), not as ` +
            `${expected.login}: the ledger supports the workflow's GITHUB_TOKEN or a user's token ` +
            '(github-token). Nothing was submitted.');
        this.name = 'IdentityError';
    }
}
/** The issue's form as the sweep reads it now (the body may have changed since it was filed). */
function sweep_context_readIssueForm(ctx, issue) {
    return readForm(issue.body, {
        startDate: ctx.settings.startDate,
        endDate: ctx.settings.endDate,
        today: ctx.today
    });
}
/** The form's reference, read again (a broken form has none). */
function sweep_context_referenceOf(ctx, issue) {
    const reading = sweep_context_readIssueForm(ctx, issue);
    return reading.ok ? reading.form.reference : undefined;
}
/** Who filed the issue, and how the person's identity was checked as the form says now (raw text). */
function sweep_context_issueFiling(ctx, issue) {
    const reading = sweep_context_readIssueForm(ctx, issue);
    const identity = reading.ok ? reading.form.identityVerified : undefined;
    return { filedBy: issue.author, identityVerified: identity ?? null };
}

;// CONCATENATED MODULE: ./src/ledger/erasure-cancel.ts
/**
 * Cancelling an erasure (a person added `<label>:cancel`): only while the job is `staging` and more
 * than three days before its day (Amplitude's window) does the sweep call `DELETE` for each of the
 * issue's ids the job holds, and nothing else -> `cancelled`. Too late: one comment says so, the
 * label is taken off, and nothing is called. Who asked is read from the issue's label events.
 */






async function erasure_cancel_cancelJob(ctx, issue, marker, commentId, job, reference, result) {
    const n = issue.number;
    const record = marker.erasure;
    const { label } = ctx.ledger;
    const cancel = personLabel(label, 'cancel');
    const now = ctx.session.clock.now();
    const inWindow = job.status === 'staging' && now < Date.parse(cancellableUntil(job.day));
    if (!inWindow) {
        await ctx.github.createComment(n, tooLateComment(job.day, job.status, label));
        await ctx.github.removeLabel(n, cancel);
        return result('erasure-scheduled', `too late to cancel job ${job.day} (${job.status}): nothing called`);
    }
    const events = await ctx.github.labelEvents(n);
    const asked = events.filter(e => e.event === 'labeled' && e.label === cancel).at(-1);
    const reading = readIssueForm(ctx, issue);
    const subjects = reading.ok ? reading.form.subjects : [];
    const api = (await erasureCalls(ctx));
    let revoked = 0;
    const problems = [];
    for (const subject of subjects) {
        const entry = job.entries.find(e => entryIs(e, subject));
        if (!entry)
            continue;
        const done = await api.revoke(entry.amplitudeId, job.day);
        if (done.ok)
            revoked++;
        else
            problems.push(`${subjectFingerprint(subject)}: ${done.problem}`);
    }
    if (problems.length > 0) {
        return result('erasure-scheduled', `cancellation incomplete (${revoked} taken out)`, {
            problem: `issue #${n}: ${problems.join('; ')}; the next sweep tries again while the job is staging`
        });
    }
    const at = nowIso(ctx);
    const by = asked && isLogin(asked.actor) ? asked.actor : 'unknown';
    record.cancelled = { by: isLogin(by) ? by : 'ghost', at, revoked };
    record.statuses.push({ status: 'cancelled', at });
    marker.state = 'cancelled';
    await writeLedger(ctx, issue, marker, commentId, reference);
    await ctx.github.createComment(n, cancelledComment(job.day, revoked, record.cancelled.by));
    await moveLabels(ctx, issue, 'cancelled');
    return result('cancelled', `${revoked} id(s) taken out of job ${job.day}`);
}

;// CONCATENATED MODULE: ./src/ledger/erasure-receipt.ts



function erasure_receipt_erasureReceipt(ctx, issue, marker) {
    const e = marker.erasure;
    // Posted in a comment: the form's text goes through the one escaper.
    const { filedBy, identityVerified } = issueFiling(ctx, issue);
    return {
        kind: 'erasure',
        request: marker.request ?? 'erasure',
        issue: { number: issue.number, url: issue.htmlUrl },
        filedBy,
        identityVerified: identityVerified ? forMarkdown(identityVerified) : null,
        requester: e.requester,
        approvedBy: e.approvedBy && e.approvedAt ? { login: e.approvedBy, at: e.approvedAt } : null,
        exportDeliveredAt: e.deliveredAt ?? null,
        jobDay: e.day ?? null,
        ids: {
            sent: e.subjects.map(s => s.subject),
            absent: e.subjects.filter(s => s.absent).map(s => s.subject)
        },
        statuses: e.statuses,
        activeScrubDoneDate: e.activeScrubDoneDate ?? null,
        cancellation: e.cancelled ?? null,
        writtenAt: new Date(ctx.session.clock.now()).toISOString(),
        ...receiptDeadline(ctx, issue, marker)
    };
}

;// CONCATENATED MODULE: ./src/ledger/erasure-step.ts
/**
 * The erasure's part of a sweep (issue 22), one step per sweep like the rest of the ledger:
 * - `awaiting-approval`: nothing is sent until a member other than the author added
 *   `<label>:approved` after the ledger read the form as it stands (src/ledger/approval.ts);
 * - then the ids are sent: first the write-ahead record (`erasure-submitting`), then the project's
 *   jobs are READ, and only the ids no job holds yet are sent (so a retry, or a run that died
 *   mid-POST, never sends an id twice to a job that already holds it) -> `erasure-scheduled`;
 * - `erasure-scheduled`: the job is read at most once a day (at `poll-interval` against a loopback
 *   simulator); `done` -> the erasure receipt is posted, `erased`, the issue closes;
 * - `<label>:cancel` while the job is staging and more than three days before its day: DELETE
 *   for each id, `cancelled`; too late: a comment says so, nothing is called.
 * Raw subject ids go to the deletion API only; the issue, the log and the summary see fingerprints.
 */













/** Amplitude's advice: list jobs from the request day to 30 days later. */
const LIST_DAYS = 30;
function erasure_step_newErasureRecord(issue, form, at) {
    return {
        form: formDigest(issue.body),
        formSeenAt: at,
        requester: issue.author,
        subjects: form.subjects.map(s => ({ subject: subjectFingerprint(s), day: null })),
        statuses: []
    };
}
/** An erasure alone, just read and checked: recorded, and the one comment saying who may approve. */
async function erasure_step_startErasure(ctx, issue, form, commentId, result) {
    if (!isLogin(issue.author))
        return result('unchanged', 'the author is not a GitHub user');
    const marker = {
        version: MARKER_VERSION,
        state: 'awaiting-approval',
        startDate: form.startDate,
        endDate: form.endDate,
        requests: [],
        request: 'erasure',
        erasure: erasure_step_newErasureRecord(issue, form, nowIso(ctx))
    };
    await writeLedger(ctx, issue, marker, commentId, form.reference);
    // The team may label the issue before the first sweep: that approval predates the ledger's
    // reading of the form, so it cannot count (REST has no body-edit time). Taken off now, and the
    // comment asking for approval says to add it again, rather than a refusal an hour later.
    const approved = personLabel(ctx.ledger.label, 'approved');
    const early = issue.labels.includes(approved);
    if (early) {
        await ctx.github.removeLabel(issue.number, approved);
        issue.labels = issue.labels.filter(l => l !== approved);
    }
    return erasure_step_askApproval(ctx, issue, marker, result, early);
}
/**
 * Posts the one comment that says who may approve, and labels the issue awaiting approval.
 * `earlyApproval`: an approval label given before the ledger read the form was just taken off.
 */
async function erasure_step_askApproval(ctx, issue, marker, result, earlyApproval = false) {
    await ctx.github.createComment(issue.number, awaitingApprovalComment(marker.erasure, ctx.ledger.label, earlyApproval));
    await moveLabels(ctx, issue, 'awaiting-approval');
    return result('awaiting-approval', earlyApproval
        ? 'the erasure waits for a second member to approve it (an approval given before the form was read was taken off: to be given again)'
        : 'the erasure waits for a second member to approve it');
}
async function erasure_step_erasureStep(ctx, issue, marker, commentId) {
    const result = (state, note, extra = {}) => ({
        issue: issue.number,
        before: marker.state,
        state,
        requestIds: marker.requests.flatMap(r => (r.requestId ? [r.requestId] : [])),
        note,
        ...extra
    });
    const record = marker.erasure;
    if (!record)
        return result(marker.state, 'no erasure record', {
            problem: `issue #${issue.number}: an erasure state without its record`
        });
    if (marker.state === 'erasure-scheduled')
        return scheduled(ctx, issue, marker, commentId, result);
    return approvalThenSubmit(ctx, issue, marker, commentId, result);
}
async function approvalThenSubmit(ctx, issue, marker, commentId, result) {
    const n = issue.number;
    const record = marker.erasure;
    const { label } = ctx.ledger;
    const approved = personLabel(label, 'approved');
    // The export first: the erasure destroys what the export reads.
    if (marker.request === 'access-then-erasure' && !record.deliveredAt) {
        return result(marker.state, 'the export is not delivered yet: nothing erased');
    }
    const reading = readIssueForm(ctx, issue);
    if (!reading.ok || !reading.form.identityVerified) {
        const field = reading.ok ? FIELDS.identityVerified : reading.field;
        const problem = reading.ok
            ? 'is empty: an erasure needs the person’s identity verified'
            : reading.problem;
        await ctx.github.createComment(n, needsInfoComment(field, problem, label));
        await moveLabels(ctx, issue, 'needs-info');
        return result('needs-info', `the form: ${forLog(field)} ${forLog(problem)}`);
    }
    const form = reading.form;
    // The form changed since the ledger read it: approvals given before do not count.
    if (formDigest(issue.body) !== record.form && marker.state === 'awaiting-approval') {
        const next = structuredClone(marker);
        next.erasure = {
            ...erasure_step_newErasureRecord(issue, form, nowIso(ctx)),
            requester: record.requester,
            ...(record.deliveredAt && { deliveredAt: record.deliveredAt })
        };
        await writeLedger(ctx, issue, next, commentId, form.reference);
        if (issue.labels.includes(approved)) {
            await ctx.github.removeLabel(n, approved);
            await ctx.github.createComment(n, formChangedComment(label));
        }
        return result('awaiting-approval', 'the form changed: approval asked again');
    }
    if (marker.state === 'awaiting-approval' && !record.approvedBy) {
        if (!issue.labels.includes(approved))
            return result('awaiting-approval', 'waiting for approval');
        const verdict = judgeApproval(await ctx.github.labelEvents(n), {
            approvedLabel: approved,
            author: record.requester,
            formSeenAt: record.formSeenAt
        });
        let why;
        if (verdict.kind === 'none')
            why = 'no event says who added it';
        else if (verdict.kind === 'refused')
            why = verdict.why;
        else if (!APPROVING_PERMISSIONS.has(await ctx.github.permission(verdict.login))) {
            why = 'only members with write access to this repository can approve';
        }
        if (why !== undefined || verdict.kind !== 'candidate') {
            const login = verdict.kind === 'none' ? 'someone' : verdict.login;
            await ctx.github.removeLabel(n, approved);
            await ctx.github.createComment(n, approvalRefusedComment(login, why ?? '', label, record.requester, verdict.kind === 'refused' && verdict.early === true));
            return result('awaiting-approval', `an approval by ${forLog(login)} does not count: ${forLog(why ?? '')}`);
        }
        record.approvedBy = verdict.login;
        record.approvedAt = new Date(Date.parse(verdict.at)).toISOString();
    }
    return erasure_step_submit(ctx, issue, marker, commentId, form, result);
}
/** Sends the ids no job holds yet; write-ahead first, the jobs read before the POST. */
async function erasure_step_submit(ctx, issue, marker, commentId, form, result) {
    const n = issue.number;
    const record = marker.erasure;
    const calls = erasureCalls(ctx);
    if (!calls) {
        await writeLedger(ctx, issue, marker, commentId, form.reference);
        return result(marker.state, 'approved; no erasure keys', {
            problem: `issue #${n}: the erasure is approved, but erasure-api-key and erasure-secret-key are not set (a project's keys): nothing was sent`
        });
    }
    const api = await calls;
    marker.state = 'erasure-submitting';
    marker.until = new Date(ctx.deadline).toISOString();
    await writeLedger(ctx, issue, marker, commentId, form.reference);
    const back = async (problem) => {
        // Nothing is known to be sent: the approval stays recorded; the next sweep reads the jobs first.
        delete marker.until;
        marker.state = 'awaiting-approval';
        await writeLedger(ctx, issue, marker, commentId, form.reference);
        return result('awaiting-approval', 'approved; not sent yet', {
            problem: `issue #${n}: ${problem}`
        });
    };
    const today = ctx.today;
    const end = new Date(Date.parse(`${today}T00:00:00Z`) + LIST_DAYS * DAY_MS)
        .toISOString()
        .slice(0, 10);
    const before = await api.jobs(today, end);
    if (!before.ok)
        return back(`the deletion jobs could not be read: ${before.problem}`);
    // Never twice: an id a job already holds (an earlier attempt of this issue, or another issue
    // of the same person) is not sent again.
    const held = placeSubjects(form.subjects, before.jobs);
    const toSend = form.subjects.filter((_, i) => !held[i].job);
    let answered = [];
    if (toSend.length > 0) {
        const sent = await api.submit(batchInputs(toSend), record.requester);
        if (!sent.ok) {
            // Sent or not, the next sweep reads the jobs first: what arrived is not sent again.
            marker.until = new Date(ctx.deadline).toISOString();
            return result('erasure-submitting', 'the ids may not have arrived', {
                problem: `issue #${n}: the deletion request got no usable answer (${sent.problem}); the next sweep reads the jobs and sends only the ids none holds`
            });
        }
        answered = sent.jobs;
    }
    const at = nowIso(ctx);
    const placed = placeSubjects(form.subjects, [...before.jobs, ...answered]);
    const sentSet = new Set(toSend);
    record.subjects = placed.map(p => ({
        subject: subjectFingerprint(p.subject),
        day: p.job?.day ?? null,
        ...(!p.job && sentSet.has(p.subject) && { absent: true })
    }));
    record.sentAt = at;
    const days = placed.flatMap(p => (p.job ? [p.job] : []));
    delete marker.until;
    if (days.length === 0) {
        // Every id was absent: Amplitude knows none of them, there is nothing to erase.
        record.statuses.push({ status: 'absent', at });
        return finish(ctx, issue, marker, commentId, form.reference, result, 'no id is known to the project');
    }
    const job = days.sort((a, b) => b.day.localeCompare(a.day))[0];
    record.day = job.day;
    erasure_step_noteStatus(record, job, at);
    marker.state = 'erasure-scheduled';
    await writeLedger(ctx, issue, marker, commentId, form.reference);
    await moveLabels(ctx, issue, 'erasure-scheduled');
    const absent = record.subjects.filter(s => s.absent).length;
    ctx.log(`issue #${n}: erasure sent (${toSend.length} id(s)), job ${job.day} ${job.status}${absent ? `, ${absent} absent` : ''}`);
    return result('erasure-scheduled', `in the deletion job of ${job.day} (${job.status}); cancellable until ${cancellableUntil(job.day)}`);
}
async function scheduled(ctx, issue, marker, commentId, result) {
    const n = issue.number;
    const record = marker.erasure;
    const cancel = personLabel(ctx.ledger.label, 'cancel');
    const calls = erasureCalls(ctx);
    const day = record.day;
    const reference = referenceOf(ctx, issue);
    const wantsCancel = issue.labels.includes(cancel);
    const now = ctx.session.clock.now();
    // At most one read a day per job (a job takes weeks); a loopback simulator at poll-interval.
    const loopback = isLoopbackHost(new URL(ctx.settings.apiUrl).hostname);
    const interval = loopback ? ctx.settings.pollIntervalMs : DAY_MS;
    const due = !record.checkedAt || now - Date.parse(record.checkedAt) >= interval;
    if (!wantsCancel && !due)
        return result('erasure-scheduled', `job ${day}: read less than a day ago`);
    if (!calls) {
        return result('erasure-scheduled', 'no erasure keys', {
            problem: `issue #${n}: erasure-api-key and erasure-secret-key are not set: job ${day} was not read`
        });
    }
    const api = await calls;
    const read = await api.jobs(day, day);
    const job = read.jobs.find(j => j.day === day);
    if (!read.ok || !job) {
        return result('erasure-scheduled', `job ${day} not read`, {
            problem: `issue #${n}: job ${day}: ${read.ok ? 'Amplitude lists no deletion job on that day' : read.problem}`
        });
    }
    const at = nowIso(ctx);
    if (wantsCancel)
        return cancelJob(ctx, issue, marker, commentId, job, reference, result);
    record.checkedAt = at;
    erasure_step_noteStatus(record, job, at);
    if (job.status === 'done')
        return finish(ctx, issue, marker, commentId, reference, result, `job ${day} done`);
    await writeLedger(ctx, issue, marker, commentId, reference);
    return result('erasure-scheduled', `job ${day} still ${job.status}`);
}
/** The job is done (or nothing was known to erase): the receipt, `erased`, closed. */
async function finish(ctx, issue, marker, commentId, reference, result, note) {
    marker.state = 'erased';
    await writeLedger(ctx, issue, marker, commentId, reference);
    await ctx.github.createComment(issue.number, erasedComment(erasureReceipt(ctx, issue, marker)));
    await moveLabels(ctx, issue, 'erased');
    return result('erased', note);
}
function erasure_step_noteStatus(record, job, at) {
    if (record.statuses.at(-1)?.status !== job.status && /^[a-z][a-z_-]{0,31}$/.test(job.status)) {
        record.statuses.push({ status: job.status, at });
    }
    if (job.activeScrubDoneDate)
        record.activeScrubDoneDate = job.activeScrubDoneDate;
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
;// CONCATENATED MODULE: ./src/ledger/poll-step.ts
/**
 * A submitted issue: check each request's status once. Any `failed` -> tell the team (failReason)
 * and leave it open; all done -> deliver (download, verify, encrypt, receipt, one artifact per
 * issue when asked), post the delivery comment, `done`, close; links already expired -> `expired`.
 * The ledger comment is edited only when a status changed: a sweep that learns nothing new writes
 * nothing.
 */








async function poll_step_pollIssue(ctx, issue, marker, commentId) {
    const n = issue.number;
    const ids = marker.requests.map(request => request.requestId);
    const plans = planStatusChecks(ctx.settings, ids).map(plan => ({
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
            (DONE_STATUSES.has(status) || FAILED_STATUSES.has(status) || PENDING_STATUSES.has(status));
        if (!known) {
            problems.push(record.problem ?? `request ${ids[i]}: no status`);
            return;
        }
        // A status check that saw a pending status did its job: not a problem for the outputs.
        if (PENDING_STATUSES.has(status)) {
            record.outcome = 'submitted';
            delete record.problem;
        }
        const request = next.requests[i];
        if (request.status !== status) {
            changed = true;
            request.status = status;
            request.checkedAt = at;
        }
        if (DONE_STATUSES.has(status)) {
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
    const failed = records.filter(r => r.status !== undefined && FAILED_STATUSES.has(r.status));
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
    if (problems.length === 0 && records.every(r => DONE_STATUSES.has(r.status))) {
        return poll_step_deliver(ctx, issue, next, commentId, records, reference, result);
    }
    if (changed)
        await writeLedger(ctx, issue, next, commentId, reference);
    await moveLabels(ctx, issue, 'submitted');
    const statuses = next.requests.map(r => r.status ?? '?').join(', ');
    return result('submitted', changed ? `now ${statuses}` : `still ${statuses} (nothing written)`);
}
async function poll_step_deliver(ctx, issue, marker, commentId, records, reference, result) {
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
    const dir = join(settings.downloadPath, `issue-${n}`);
    if (settings.download) {
        try {
            await ownFolder(settings.downloadPath, dir);
        }
        catch (error) {
            return keep(messageOf(error));
        }
        // The one delivery pipeline (src/run/delivery.ts): the ledger's artifact is the delivery
        // itself, so it is uploaded even when a request had no files.
        const name = settings.artifactName ? `${settings.artifactName}-${n}` : undefined;
        const delivery = await deliverExports({
            settings,
            session: ctx.session,
            records,
            dir,
            download: true,
            signal: ctx.signal,
            log: ctx.log,
            receipt: {
                workflow: ctx.loaded.document.info.title,
                now,
                requests: receiptRequests(marker),
                issue: { number: n, url: issue.htmlUrl, ...(reference && { reference }) },
                ...receiptDeadline(ctx, issue, marker),
                filing: issueFiling(ctx, issue)
            },
            ...(name && { artifact: { name, evenWithoutFiles: true } }),
            on: {
                downloaded: got => ctx.files.push(...got),
                receipt: receipt => ctx.log(`issue #${n}: wrote ${receipt.path}`)
            }
        });
        if (delivery.problems.length > 0)
            return keep(delivery.problems.join('; '));
        files = delivery.files;
        if (delivery.artifact) {
            const { id, url, retentionDays } = delivery.artifact;
            ctx.artifacts.push({ issue: n, id, url });
            artifact = { name: delivery.artifact.name, url, retentionDays };
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
    if (marker.request === 'access-then-erasure' && marker.erasure) {
        // Delivered: now, and only now, the erasure may go on (it destroys what the export reads).
        marker.erasure.deliveredAt = new Date(now).toISOString();
        marker.state = 'awaiting-approval';
        await writeLedger(ctx, issue, marker, commentId, reference);
        return askApproval(ctx, issue, marker, (state, note) => result(state, `delivered ${files?.length ?? 0} file(s); ${note}`));
    }
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
    const reading = readIssueForm(ctx, issue);
    const formSubjects = new Set(reading.ok ? reading.form.subjects.map(subjectFingerprint) : []);
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
        const fingerprint = subjectFingerprint(answered);
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
    await mkdir(root, { recursive: true, mode: 0o700 });
    try {
        await mkdir(dir, { mode: 0o700 });
    }
    catch (error) {
        if (error.code !== 'EEXIST')
            throw error;
    }
    const found = await lstat(dir);
    if (found.isSymbolicLink() || !found.isDirectory()) {
        throw new Error(`the download folder ${basename(dir)} is ${found.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: refused to write the export through it`);
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
function isoTime(value) {
    if (!value || value.length > 40)
        return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

;// CONCATENATED MODULE: ./src/ledger/submit-step.ts
/**
 * A new issue (or one a person asked again): check that its author may ask, read the form, write
 * the ledger comment as `submitting` (the write-ahead record), submit one DSAR per subject, then
 * record the request ids (`submitted`). A request id that GitHub then fails to record is logged at
 * once and reaches the step's outputs, summary and failure message: nothing is lost.
 */








/**
 * Only owners, members and collaborators may ask. GitHub shows a private org member to some
 * tokens as CONTRIBUTOR or NONE, so anyone else is looked up by their permission first.
 * (The two lists live in the function, not at module level, so that StrykerJS sees a mutant of
 * them: under Jest's ESM mode it does not activate module-level mutants; bench/RESULTS.md.)
 */
async function mayAsk(ctx, issue) {
    if (['OWNER', 'MEMBER', 'COLLABORATOR'].includes(issue.association))
        return true;
    // Any permission on a private repository makes its holder a member or collaborator.
    const permission = await ctx.github.permission(issue.author);
    return ['admin', 'maintain', 'write', 'triage', 'read'].includes(permission);
}
async function submit_step_submitIssue(ctx, issue, step) {
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
        return result('needs-info', `the form: ${forLog(reading.field)} ${forLog(reading.problem)}`);
    }
    const form = reading.form;
    const erasureProblem = erasureFormProblem(ctx, form);
    if (erasureProblem) {
        await ctx.github.createComment(issue.number, needsInfoComment(erasureProblem.field, erasureProblem.problem, ctx.ledger.label));
        await moveLabels(ctx, issue, 'needs-info');
        return result('needs-info', `the form: ${forLog(erasureProblem.field)} ${forLog(erasureProblem.problem)}`);
    }
    // An erasure alone waits for approval; access, then erasure, starts with the export.
    if (form.request === 'erasure') {
        if (step.retry)
            await moveLabels(ctx, issue, 'new');
        return startErasure(ctx, issue, form, step.commentId, result);
    }
    return submitForm(ctx, issue, form, step, result);
}
/** What an erasure needs before anything is done: a verified identity, and a delivery for the export. */
function erasureFormProblem(ctx, form) {
    if (!erases(form.request))
        return undefined;
    if (!form.identityVerified) {
        return {
            field: FIELDS.identityVerified,
            problem: 'is empty: an erasure is submitted only for a person whose identity was verified (say how it was checked)'
        };
    }
    if (form.request === 'access-then-erasure' && !ctx.settings.artifactName) {
        return {
            field: FIELDS.request,
            problem: "asks for the export before the erasure, but this workflow does not deliver exports (no artifact-name): the erasure would destroy what the export reads. Ask for 'Erasure' alone, or set artifact-name"
        };
    }
    return undefined;
}
async function submitForm(ctx, issue, form, step, result) {
    const n = issue.number;
    const allPlans = planRuns({
        ...planDocument(ctx.settings),
        subjects: form.subjects,
        startDate: form.startDate,
        endDate: form.endDate,
        wait: false,
        requestIds: []
    }, ctx.loaded).map(plan => ({ ...plan, label: `issue #${n} ${plan.label}`, subject: undefined }));
    // One request per subject (documented API), or one for all of them (the seed's contract).
    const fingerprints = allPlans.length === form.subjects.length
        ? form.subjects.map(subjectFingerprint)
        : [form.subjects.map(subjectFingerprint).join(', ')];
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
        ...(form.request === 'access-then-erasure' && {
            request: form.request,
            erasure: step.keep?.erasure ?? newErasureRecord(issue, form, nowIso(ctx))
        }),
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
        const id = record.requestId && REQUEST_ID_PATTERN.test(record.requestId) ? record.requestId : null;
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
            request.status = status && isRecordedStatus(status) ? status : null;
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
    const cut = outcomes.every(o => o.sent !== 'not-sent' || stoppedByDeadline(o.record.error ?? stopReason));
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
                    `(${messageOf(error)}); the ledger comment still says submitting, so the next ` +
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
 * this machine, or every answer was a refusal or "not processed": src/run/api-session.ts);
 * `uncertain` otherwise (sent and not answered, or answered with an id the ledger cannot keep).
 */
function sentOutcome(record, posted) {
    return record.requestId || posted ? 'uncertain' : 'not-sent';
}

;// CONCATENATED MODULE: ./src/ledger/issue-step.ts
/**
 * One issue, one step: read its ledger (trusted comments only), decide (src/ledger/states.ts), act.
 * The two states that stop for a person without Amplitude's say are here: `needs-attention` (the
 * ledger cannot tell what was submitted) and the silent completion of a label change a previous
 * sweep recorded but did not finish.
 */







/** What the sweep will do with `issue`, from its labels and its ledger (no call made). */
function issue_step_planStep(ctx, issue, comments) {
    const reading = readLedger(comments, ctx.identity, sealOf(ctx, issue.number));
    if (reading.kind === 'valid') {
        ctx.ledgers.set(issue.number, { marker: reading.marker, commentId: reading.commentId });
    }
    return decide(issue.labels, ctx.ledger.label, reading, ctx.session.clock.now());
}
async function issue_step_stepIssue(ctx, issue, step, options = { poll: true }) {
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
        case 'erasure':
            return erasureStep(ctx, issue, step.marker, step.commentId);
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
const RECENT_MS = (/* unused pure expression or super */ null && (7 * 24 * 3_600_000));
/** An issue event's run looks at the issues updated this recently (the schedule sees the rest). */
const EVENT_LOOKBACK_MS = (/* unused pure expression or super */ null && (2 * 3_600_000));
/** How long GitHub calls may go on after the run was stopped, to record what was done. */
const CLEANUP_MS = 5_000;
/** The longest wait for GitHub's rate limit a sweep accepts (the next sweep can carry on). */
const MAX_RATE_LIMIT_WAIT_MS = (/* unused pure expression or super */ null && (15 * 60_000));
/**
 * One sweep. The action hands over the run's settings, the ledger's, the loaded document and
 * where to report: the ledger reads no input and writes no output itself.
 */
async function sweepLedger(settings, ledger, loaded, stop, report, deps = {}) {
    // Amplitude is cut a reserve before the deadline, GitHub at it (src/ledger/sweep-time.ts).
    const reserve = reserveMs(settings.timeoutMs);
    const session = openApiSession({ ...settings, timeoutMs: settings.timeoutMs - reserve }, stop, deps);
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
        writeSpacingMs: session.hooks.writeSpacingMs,
        maxRateLimitWaitMs: Math.min(MAX_RATE_LIMIT_WAIT_MS, Math.max(0, session.deadline - session.clock.now())),
        log: text => log.untrusted(text),
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
        log: text => log.untrusted(text),
        records: [],
        files: [],
        artifacts: [],
        deadline,
        ledgerKey: ledgerKey(settings.basicAuth),
        repository: `${owner}/${repo}`,
        ...(deps.erasureDocument && { erasureDocument: deps.erasureDocument }),
        apiDependencies: deps,
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
        await ensureLabels(github, ledger.label, text => log.info(line `${text}`));
        // A run started by an issue event takes up the issues changed lately (filed, re-labelled) at
        // once; checking the requests Amplitude is working on, and older issues, is the schedule's job:
        // a burst of filings then costs Amplitude nothing and GitHub a page or two per run.
        const event = eventRun();
        const listed = await github.openIssues(ledger.label, event ? new Date(session.clock.now() - EVENT_LOOKBACK_MS).toISOString() : undefined);
        // (An erasure's job too, unless a person asked to cancel it: that is answered at once.)
        const issues = event
            ? listed.filter(issue => !issue.labels.includes(stateLabel(ledger.label, 'submitted')) &&
                (!issue.labels.includes(stateLabel(ledger.label, 'erasure-scheduled')) ||
                    issue.labels.includes(personLabel(ledger.label, 'cancel'))))
            : listed;
        openIssues = issues.length;
        log.info(event
            ? line `An issue event: ${issues.length} open issue(s) labelled '${ledger.label}' changed in the last 2 hours to take up in ${repository.fullName}; requests in progress are checked by the scheduled sweeps`
            : line `Ledger: ${listed.length} open issue(s) labelled '${ledger.label}' in ${repository.fullName}`);
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
        const slots = new Semaphore(settings.maxConcurrency);
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
                log.info(line `issue #${issue.number}: ${result.before} -> ${result.state}: ${result.note}`);
            }
            catch (error) {
                const message = `issue #${issue.number}: ${messageOf(error)}`;
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
            log.notice(line `${deferred}`);
        if (halted)
            problems.push(`the sweep stopped early: ${halted}`);
    }
    catch (error) {
        problems.push(messageOf(error));
    }
    finally {
        githubStop.release();
        results.sort((a, b) => a.issue - b.issue);
        problems.unshift(...results.map(r => r.problem).filter((p) => Boolean(p)));
        const unrecorded = results.flatMap(r => r.unrecorded ?? []);
        await report({
            results,
            records: ctx.records,
            files: ctx.files,
            ...(ctx.artifacts[0] && { artifact: ctx.artifacts[0] }),
            problems,
            ...(unrecorded.length > 0 && { resumeHint: `request-ids: ${unrecorded.join(',')}` }),
            workflowTitle: ctx.loaded.document.info.title,
            now: ctx.session.clock.now(),
            label: ctx.ledger.label,
            openIssues,
            ...(deferred && { deferred }),
            calls: ctx.github.calls,
            clocks: ctx.clocks,
            today: ctx.today
        });
    }
    const unrecorded = results.flatMap(r => r.unrecorded ?? []);
    if (stop.signal.aborted)
        problems.push(messageOf(stop.signal.reason));
    if (problems.length > 0) {
        let message = [...new Set(problems)].join('; ');
        if (unrecorded.length > 0) {
            message += `\nResume them in a later run with:\n  request-ids: ${unrecorded.join(',')}`;
        }
        throw new Error(message);
    }
    log.info(line `Ledger sweep done: ${results.length} issue(s) moved on or checked.`);
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

;// CONCATENATED MODULE: ./src/ledger/index.ts
/**
 * `ledger: issues`: the DSAR issues of a private repository as a ledger, swept on a schedule. It
 * uses the run core (src/run/) and never the action: the action hands it its settings, the loaded
 * document and where to report.
 */






/***/ }),

/***/ 38836:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  uploadExportArtifact: () => (/* binding */ uploadExportArtifact)
});

// UNUSED EXPORTS: ArtifactUploadError, safeDetail, workflowRunPage

;// CONCATENATED MODULE: ./src/run/linear-text.ts
/**
 * Small text operations done by index instead of by a regular expression, for text that may come
 * from outside (error messages, server answers): the patterns they replace (`/\/+$/`,
 * `/\bhttps?:\/\/[^?]+\?.../`) are quadratic on JavaScript's backtracking engine for a long run
 * that ends in the wrong character. Each character here is read a bounded number of times. The
 * rule that keeps src/ledger and src/action free of such patterns: __tests__/linear-regex-rule.test.ts.
 */
/** `text` without any run of `char` at its end (`/x+$/` without the quadratic worst case). */
function withoutTrailing(text, char) {
    let end = text.length;
    while (end > 0 && text[end - 1] === char)
        end--;
    return text.slice(0, end);
}
const WHITESPACE = /\s/;
/** Characters that end a URL's host and path (`[^\s?#"'<>]`) or its query (`[^\s"'<>]`). */
const endsPath = (char) => WHITESPACE.test(char) || '?#"\'<>'.includes(char);
const endsQuery = (char) => WHITESPACE.test(char) || '"\'<>'.includes(char);
const isWordChar = (char) => char !== undefined && /[A-Za-z0-9_]/.test(char);
/**
 * Every `http(s)://...?query` in `text` with its query replaced by `***` (signed URLs keep their
 * authority there); a URL whose path ends at `#` keeps its fragment, and the text after it is
 * searched on. One pass: the search always moves forward.
 */
function withoutUrlQueries(text) {
    const lower = text.toLowerCase();
    let out = '';
    let from = 0;
    let search = 0;
    for (;;) {
        const at = lower.indexOf('http', search);
        if (at === -1)
            return out + text.slice(from);
        const scheme = lower.startsWith('https://', at) ? 8 : lower.startsWith('http://', at) ? 7 : 0;
        if (scheme === 0 || isWordChar(text[at - 1])) {
            search = at + 1;
            continue;
        }
        let end = at + scheme;
        while (end < text.length && !endsPath(text[end]))
            end++;
        if (end > at + scheme && text[end] === '?') {
            let queryEnd = end + 1;
            while (queryEnd < text.length && !endsQuery(text[queryEnd]))
                queryEnd++;
            out += `${text.slice(from, end)}?***`;
            from = queryEnd;
            search = queryEnd;
        }
        else {
            search = Math.max(end, at + 1);
        }
    }
}

;// CONCATENATED MODULE: ./src/run/artifact-helper.ts
/**
 * Uploads the downloaded export as a workflow artifact through @actions/artifact, and names the
 * result the way a person finds it: the artifact's page under the workflow run.
 *
 * @actions/artifact (with the Azure SDK behind it) is loaded only when an upload happens: most runs
 * upload nothing and should not pay its start-up cost. Failures become one line that never carries
 * the runtime token or a signed storage URL, since the message ends up in the job log.
 */

class ArtifactUploadError extends Error {
    constructor(detail) {
        super(`artifact upload failed: ${detail}`);
        this.name = 'ArtifactUploadError';
    }
}
async function uploadExportArtifact(o) {
    // Checked first: without them the upload would succeed but the reported URL would be wrong.
    const runPage = workflowRunPage(process.env);
    try {
        const { DefaultArtifactClient } = await __webpack_require__.e(/* import() */ 656).then(__webpack_require__.bind(__webpack_require__, 56656));
        const client = new DefaultArtifactClient();
        const result = await client.uploadArtifact(o.name, o.files, o.rootDirectory, {
            retentionDays: o.retentionDays
        });
        if (result.id === undefined)
            throw new Error('the service returned no artifact id');
        return {
            id: result.id,
            url: `${runPage}/artifacts/${result.id}`,
            size: result.size ?? 0,
            ...(result.digest && { digest: result.digest })
        };
    }
    catch (error) {
        throw new ArtifactUploadError(safeDetail(error, process.env.ACTIONS_RUNTIME_TOKEN));
    }
}
/** `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`. */
function workflowRunPage(env) {
    const repository = env.GITHUB_REPOSITORY;
    const runId = env.GITHUB_RUN_ID;
    if (!repository || !runId) {
        throw new ArtifactUploadError('GITHUB_REPOSITORY and GITHUB_RUN_ID are not set (artifacts need a GitHub Actions run)');
    }
    const server = withoutTrailing(env.GITHUB_SERVER_URL || 'https://github.com', '/');
    return `${server}/${repository}/actions/runs/${runId}`;
}
/**
 * The error's message on one line, with the secrets a storage or Twirp error can echo removed:
 * the runtime token, bearer credentials, SAS signatures and any URL's query string (where signed
 * URLs keep their authority). No stack: the message is for the job log, not for debugging the client.
 */
function safeDetail(error, runtimeToken) {
    let text = error instanceof Error ? error.message : String(error);
    if (runtimeToken && runtimeToken.length >= 8)
        text = text.split(runtimeToken).join('***');
    // Whitespace first: then `Bearer <credential>` has one unbounded run, last in its pattern.
    text = withoutUrlQueries(text.replace(/\s+/g, ' '))
        .replace(/\bBearer [^\s,;"']+/gi, 'Bearer ***')
        .replace(/\bsig=[^&\s"'<>]+/gi, 'sig=***')
        .trim();
    return text === '' ? 'unknown error' : text;
}


/***/ }),

/***/ 50009:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Xe: () => (/* reexport */ startGitHubStandIn)
});

// UNUSED EXPORTS: ACTIONS_BOT, DEFAULT_RATE_LIMIT_PER_HOUR, INSTALLATION_TOKEN, MAX_BODY_CHARS, createGitHubStandIn, secondaryRateLimit

// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(37067);
// EXTERNAL MODULE: external "node:timers/promises"
var promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ./src/simulator/faults.ts
var faults = __webpack_require__(97609);
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
    events = [];
    nextEventId = 30_000_001;
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
        this.setLabels(issue, options.labels ?? [], user);
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
    /** Sets the issue's labels; `actor` (when known) is recorded in a labeled/unlabeled event per change. */
    setLabels(issue, names, actor) {
        for (const name of names)
            this.label(name);
        const next = [...new Set(names)];
        if (actor) {
            const at = this.now();
            const record = (event, label) => {
                this.events.push({
                    id: this.nextEventId++,
                    issueNumber: issue.number,
                    event,
                    actor,
                    label,
                    at
                });
            };
            for (const name of issue.labels)
                if (!next.includes(name))
                    record('unlabeled', name);
            for (const name of next)
                if (!issue.labels.includes(name))
                    record('labeled', name);
        }
        issue.labels = next;
        issue.updatedAt = this.now();
    }
    /** The issue's events, oldest first (only label events are recorded). */
    issueEvents(issueNumber) {
        return this.events.filter(event => event.issueNumber === issueNumber);
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
    /** An issue event as GitHub renders it (GET /repos/{owner}/{repo}/issues/{n}/events). */
    eventJson(event, base) {
        const label = this.labels.get(event.label);
        return {
            id: event.id,
            node_id: `LE_${event.id}`,
            url: `${base}/repos/${this.owner}/${this.repo}/issues/events/${event.id}`,
            actor: this.userJson(event.actor, base),
            event: event.event,
            commit_id: null,
            commit_url: null,
            created_at: iso(event.at),
            performed_via_github_app: null,
            label: { name: event.label, color: label?.color ?? 'ededed' }
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
        ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/events$/, listIssueEvents],
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
            state.setLabels(issue, labels, request.caller.user);
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
    /** GitHub's issue events, oldest first (the stand-in records label events, with their actor). */
    function listIssueEvents(request, [number]) {
        const issue = state.issue(Number(number));
        if (!issue)
            return notFound();
        return paged(request, state.issueEvents(issue.number), event => state.eventJson(event, request.base));
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
        state.setLabels(issue, issue.labels.filter(existing => existing !== label), request.caller.user);
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
        state.setLabels(issue, next(issue, names), request.caller.user);
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
            // GitHub's `permission` keeps the legacy levels: maintain reads as write, triage as read.
            permission: permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission,
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
    editIssue(issueNumber, change, actor) {
        const issue = this.mustIssue(issueNumber);
        if (change.body !== undefined)
            issue.body = change.body;
        const who = actor === undefined ? issue.user : this.person(actor);
        if (change.labels !== undefined)
            this.state.setLabels(issue, change.labels, who);
        issue.updatedAt = this.now();
    }
    addIssueLabel(issueNumber, login, label) {
        const issue = this.mustIssue(issueNumber);
        this.state.setLabels(issue, [...issue.labels, label], this.person(login));
    }
    issueEvents(issueNumber) {
        return structuredClone(this.state.issueEvents(issueNumber));
    }
    person(login) {
        return this.state.user(login) ?? this.state.addUser({ login });
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





/***/ })

};
