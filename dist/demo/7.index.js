export const id = 7;
export const ids = [7];
export const modules = {

/***/ 27007:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   findKeyProblem: () => (/* binding */ findKeyProblem)
/* harmony export */ });
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(38815);
/* harmony import */ var _document_nodes_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4970);
/**
 * Duplicate mapping keys, found in linear time. The `yaml` library's own check (`uniqueKeys: true`)
 * compares every new key with every key before it: a 1 MB document holding one 100,000-key mapping
 * kept the CPU busy for 69 s, a 5 MiB one would take about 40 minutes. Here each mapping's keys go
 * into a Set once, so a document costs time in proportion to its size.
 *
 * Keys are compared as JavaScript will see them once the document is converted (`toJS` makes every
 * key a string): `200` and `'200'` are the same key there, so they are duplicates here. A key that
 * is not a plain value (a mapping, a sequence or an alias used as a key) is refused outright: no
 * Arazzo or OpenAPI document uses one, and an alias key could stand for anything.
 */


/** The first duplicate or non-scalar key of the document, or undefined. Iterative: no recursion. */
function findKeyProblem(document) {
    const stack = [{ node: document.contents, pointer: '' }];
    while (stack.length > 0) {
        const { node, pointer } = stack.pop();
        if ((0,yaml__WEBPACK_IMPORTED_MODULE_0__.isMap)(node)) {
            const seen = new Set();
            for (const pair of node.items) {
                const key = pair.key;
                if (key !== null && !(0,yaml__WEBPACK_IMPORTED_MODULE_0__.isScalar)(key)) {
                    const kind = (0,yaml__WEBPACK_IMPORTED_MODULE_0__.isAlias)(key) ? 'an alias' : 'a mapping or sequence';
                    return { pointer, message: `a mapping key is ${kind}, not a plain value` };
                }
                const name = key === null || key.value === null ? '' : String(key.value);
                if (seen.has(name)) {
                    return { pointer, message: `Map keys must be unique: '${name}' appears more than once` };
                }
                seen.add(name);
                stack.push({ node: pair.value, pointer: (0,_document_nodes_js__WEBPACK_IMPORTED_MODULE_1__/* .childPointer */ .Y2)(pointer, name) });
            }
        }
        else if ((0,yaml__WEBPACK_IMPORTED_MODULE_0__.isSeq)(node)) {
            node.items.forEach((item, i) => stack.push({ node: item, pointer: (0,_document_nodes_js__WEBPACK_IMPORTED_MODULE_1__/* .childPointer */ .Y2)(pointer, i) }));
        }
        // Scalars and aliases: nothing below (an alias's target is checked where it is defined).
    }
    return undefined;
}


/***/ })

};
