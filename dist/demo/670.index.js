export const id = 670;
export const ids = [670];
export const modules = {

/***/ 58670:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   deskDemo: () => (/* binding */ deskDemo)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _simulator_github_index_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(50009);
/* harmony import */ var _simulator_index_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(38280);
/* harmony import */ var _ledger_index_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(79629);
/* harmony import */ var _ledger_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(75902);
/**
 * The privacy desk's part of `npm run demo -- --ledger` (issue 22): two erasures through the
 * ledger, in virtual days. An "Access, then erasure" request is exported, delivered as an artifact,
 * approved by a second member and erased (the deletion job's weeks pass by moving the simulator's
 * clock); an "Erasure" request is approved, scheduled, and cancelled while its job can still change.
 * The bundled action runs once per sweep, as a scheduled workflow would run it.
 */





const MARKER = '<!-- amplitude-dsar-ledger ';
async function deskDemo(home) {
    let offset = 0;
    const simulator = await (0,_simulator_index_js__WEBPACK_IMPORTED_MODULE_2__/* .startSimulator */ .rs)({
        now: () => Date.now() + offset,
        job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 1, linesPerFile: 5 },
        deletions: { leadDays: 10, scrubDays: 1 }
    });
    const github = await (0,_simulator_github_index_js__WEBPACK_IMPORTED_MODULE_1__/* .startGitHubStandIn */ .Xe)();
    const artifacts = await (0,_simulator_index_js__WEBPACK_IMPORTED_MODULE_2__/* .startArtifactService */ .Ab)();
    github.addUser({ login: 'priya', permission: 'write' });
    github.addUser({ login: 'omar', permission: 'write' });
    const identityVerified = 'reply from the address on file';
    const both = github.fileIssue({
        author: 'priya',
        body: (0,_ledger_index_js__WEBPACK_IMPORTED_MODULE_3__/* .formBody */ .bQ)({
            userIds: 'dana@example.com',
            request: 'Access, then erasure',
            identityVerified,
            reference: 'TICKET-201'
        }),
        labels: ['dsar']
    });
    const erase = github.fileIssue({
        author: 'priya',
        body: (0,_ledger_index_js__WEBPACK_IMPORTED_MODULE_3__/* .formBody */ .bQ)({
            userIds: 'eve@example.com',
            request: 'Erasure',
            identityVerified,
            reference: 'TICKET-202'
        }),
        labels: ['dsar']
    });
    console.log("\n=== The privacy desk: erasure with a second person's approval (virtual days) ===");
    console.log(`Filed by priya: #${both} "Access, then erasure", #${erase} "Erasure". The simulator's clock moves in virtual days.\n`);
    const seen = new Map();
    let code = 0;
    const sweep = async (n, what) => {
        console.log(`--- desk sweep ${n}: ${what} ---`);
        const run = await (0,_ledger_js__WEBPACK_IMPORTED_MODULE_4__/* .sweepOnce */ .K)((0,node_path__WEBPACK_IMPORTED_MODULE_0__.join)(home, `desk-${n}`), {
            ledger: 'issues',
            'github-token': github.token,
            'api-url': simulator.url,
            'api-key': simulator.apiKey,
            'secret-key': simulator.secretKey,
            'erasure-api-key': simulator.erasureApiKey,
            'erasure-secret-key': simulator.erasureSecretKey,
            'artifact-name': 'dsar-export',
            'encrypt-to': 'none',
            'poll-interval': '1s',
            timeout: '2m'
        }, { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: github.repository, ...artifacts.env }, false);
        if (run.code !== 0)
            code = run.code;
        console.log(`    output ledger: ${run.outputs.ledger ?? '(none)'}; exit code ${run.code}`);
        for (const issue of [both, erase])
            printChanges(github, issue, seen);
        const calls = simulator.log.filter(e => e.path.startsWith('/api/2/deletions/'));
        console.log(`    deletion API calls so far: ${calls.map(c => `${c.method} ${c.path.split('?')[0]}`).join(', ') || 'none'}\n`);
    };
    try {
        await sweep(1, `#${both} is exported; #${erase} waits for approval`);
        console.log(`omar adds dsar:approved to #${both} and #${erase}`);
        github.addIssueLabel(both, 'omar', 'dsar:approved');
        github.addIssueLabel(erase, 'omar', 'dsar:approved');
        await sweep(2, `#${both}'s export is delivered first; #${erase} is approved and sent`);
        await sweep(3, `#${both} is approved and sent, after its delivery`);
        console.log(`priya adds dsar:cancel to #${erase} (its job is still staging, more than 3 days ahead)`);
        github.addIssueLabel(erase, 'priya', 'dsar:cancel');
        await sweep(4, `#${erase} is cancelled`);
        offset += 17 * _simulator_index_js__WEBPACK_IMPORTED_MODULE_2__/* .DAY_MS */ .sO;
        console.log('17 virtual days pass: the job runs, the live data is scrubbed, the backups are purged');
        await sweep(5, `#${both}'s job is done: erased, receipt posted, closed`);
    }
    finally {
        await Promise.all([simulator.close(), github.close(), artifacts.close()]);
    }
    return code;
}
/** The labels, and each comment new since the last print (the ledger comment without its state line). */
function printChanges(github, n, seen) {
    const issue = github.issue(n);
    console.log(`    #${n} [${issue.state}] labels: ${issue.labels.join(', ')}`);
    for (const comment of github.comments(n)) {
        const at = seen.get(comment.id);
        if (at === comment.updatedAt)
            continue;
        seen.set(comment.id, comment.updatedAt);
        const body = comment.body
            .replace(/&#(\d+);/g, (_m, c) => String.fromCharCode(Number(c)))
            .split('\n')
            .filter(line => !line.startsWith(MARKER) && !line.startsWith('<sub>') && line.trim() !== '');
        console.log(`      ${at === undefined ? 'new' : 'edited'} comment ${comment.id}:`);
        for (const line of body)
            console.log(`        ${line}`);
    }
}


/***/ })

};
