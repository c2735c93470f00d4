export const id = 569;
export const ids = [569];
export const modules = {

/***/ 58569:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  loadErasureDocument: () => (/* binding */ loadErasureDocument),
  runErasure: () => (/* binding */ runErasure)
});

// UNUSED EXPORTS: ERASURE_DOCUMENT, ERASURE_WORKFLOWS

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/arazzo/index.ts + 37 modules
var arazzo = __webpack_require__(30029);
// EXTERNAL MODULE: ./src/policy/index.ts + 6 modules
var policy = __webpack_require__(74161);
// EXTERNAL MODULE: ./src/run/index.ts + 32 modules
var run = __webpack_require__(97879);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./src/action/reporting/output-helper.ts
var output_helper = __webpack_require__(31443);
;// CONCATENATED MODULE: ./src/action/reporting/erasure-report.ts
/**
 * What an erasure run reports: the step outputs (action-contract.md, with docs/erasure.md's
 * additions), the job summary and the failure message. Subjects are named in the summary and the
 * log by position and fingerprint only; their ids appear only in the step outputs, as for access.
 */





/** A subject left out of every answered job: Amplitude does not know it (nothing to erase). */
function isAbsent(report, index) {
    return report.placed[index].job === undefined && !report.notSubmitted.has(index);
}
function erasureOutputs(report) {
    const requests = report.placed.map((p, index) => ({
        subject: (0,run/* subjectText */.yq)(p.subject),
        requestId: p.job?.day ?? null,
        day: p.job?.day ?? null,
        status: p.job?.status ?? (isAbsent(report, index) ? 'absent' : 'not submitted'),
        requester: p.entry?.requester ?? null,
        requestedOnDay: p.entry?.requestedOnDay ?? null,
        activeScrubDoneDate: p.job?.activeScrubDoneDate ?? null
    }));
    const absent = report.placed
        .filter((_, i) => isAbsent(report, i))
        .map(p => (0,run/* subjectText */.yq)(p.subject));
    return {
        requestId: report.jobs[0]?.day ?? '',
        finalStatus: (0,run/* aggregateJobStatus */.r5)(report.jobs.map(j => j.status)),
        downloadUrl: '',
        requests: JSON.stringify(requests),
        downloadUrls: '[]',
        expires: '',
        workflowOutputs: JSON.stringify({ jobs: report.jobs.map(jobOutput) }),
        absentIds: JSON.stringify(absent)
    };
}
/** A job as the workflowOutputs output shows it: counts, not ids (those are in `requests`). */
function jobOutput(job) {
    return {
        day: job.day,
        status: job.status,
        ids: job.entries.length,
        activeScrubDoneDate: job.activeScrubDoneDate ?? null
    };
}
function writeErasureOutputs(report) {
    const { absentIds, ...outputs } = erasureOutputs(report);
    core/* setOutput */.uH('absentIds', absentIds);
    return (0,output_helper/* writeOutputs */.Kn)(outputs);
}
/** `request-ids: 2026-12-11,2026-12-18` for the jobs a later run can read. */
function erasureResumeHint(report) {
    return report.resumeDays.length > 0 ? `request-ids: ${report.resumeDays.join(',')}` : undefined;
}
function erasureFailure(report, stopReason) {
    const hint = erasureResumeHint(report);
    const days = report.jobs.map(j => j.day);
    const known = days.length > 0 ? `; job days so far: ${days.join(', ')}` : '';
    const reasons = stopReason ? [stopReason.message, ...report.problems] : report.problems;
    if (reasons.length === 0)
        return undefined;
    const shown = reasons.slice(0, 20).join('; ');
    const more = reasons.length > 20 ? `; and ${reasons.length - 20} more (see the job summary)` : '';
    return (`${shown}${more}${known}` +
        (hint ? `\nResume in a later run with request-type: erasure and:\n  ${hint}` : ''));
}
const ROWS_BUDGET = run/* SUMMARY_BUDGET */.pm / 2;
const SECTION_BUDGET = run/* SUMMARY_BUDGET */.pm / 16;
function buildErasureSummary(report) {
    const summary = core/* summary */.z.addHeading('Amplitude erasure', 2);
    const absent = report.placed.filter((_, i) => isAbsent(report, i));
    summary.addTable([
        [{ data: 'API host', header: true }, (0,policy/* forHtml */.B2)(report.apiUrl)],
        [{ data: 'Requester', header: true }, (0,policy/* forHtml */.B2)(report.requester)],
        [{ data: 'Subjects', header: true }, String(report.placed.length)],
        [{ data: 'Absent (nothing to erase)', header: true }, String(absent.length)],
        [{ data: 'Waited for the jobs', header: true }, report.wait ? 'yes' : 'no (submitted only)']
    ]);
    summary.addHeading('Deletion jobs', 3);
    summary.addTable([
        ['Day', 'Status', 'Ids', 'Cancellable until', 'Live data scrubbed on'].map(data => ({
            data,
            header: true
        })),
        ...report.jobs.map(job => [
            (0,policy/* forHtml */.B2)(job.day),
            (0,policy/* forHtml */.B2)(job.status),
            String(job.entries.length),
            job.status === 'staging' ? (0,policy/* forHtml */.B2)((0,run/* cancellableUntil */.dV)(job.day)) : '–',
            (0,policy/* forHtml */.B2)(job.activeScrubDoneDate ?? '–')
        ])
    ]);
    const rows = (0,run/* withinBudget */.xV)(report.placed.map((p, index) => [
        (0,policy/* forHtml */.B2)((0,run/* subjectLabel */.pb)(p.subject, index)),
        (0,policy/* forHtml */.B2)(p.job?.day ?? '–'),
        (0,policy/* forHtml */.B2)(p.job?.status ?? (isAbsent(report, index) ? 'absent' : 'not submitted'))
    ]), ROWS_BUDGET, cells => cells.reduce((n, c) => n + c.length + 9, 9));
    summary.addTable([
        ['Subject', 'Job day', 'Status'].map(data => ({ data, header: true })),
        ...rows.kept,
        ...(rows.left > 0
            ? [
                [
                    {
                        data: `… and ${rows.left} more (all of them are in the requests output)`,
                        colspan: '3'
                    }
                ]
            ]
            : [])
    ]);
    if (absent.length > 0) {
        summary.addHeading('Absent from the job Amplitude answered', 3);
        summary.addRaw('<p>Amplitude skipped these ids as unknown to the project (ignore_invalid_id): it holds no data under them, so there is nothing to erase. Check the id if you expected data.</p>', true);
        const names = (0,run/* withinBudget */.xV)(absent.map(p => (0,policy/* forHtml */.B2)((0,run/* subjectFingerprint */.BG)(p.subject))), SECTION_BUDGET, n => n.length + 9);
        summary.addList([...names.kept, ...(names.left > 0 ? [`… and ${names.left} more`] : [])]);
    }
    if (report.problems.length > 0) {
        summary.addHeading('What needs attention', 3);
        const shown = (0,run/* withinBudget */.xV)(report.problems.map(policy/* forHtml */.B2), SECTION_BUDGET, p => p.length + 9);
        summary.addList([...shown.kept, ...(shown.left > 0 ? [`… and ${shown.left} more`] : [])]);
    }
    const hint = erasureResumeHint(report);
    if (hint) {
        summary.addHeading('Next step', 3);
        summary.addRaw(`<p>Read these jobs in a later run (request-type: erasure) with:</p><pre lang="yaml"><code>${(0,policy/* forHtml */.B2)(hint)}</code></pre>`, true);
    }
    return summary;
}

// EXTERNAL MODULE: ./src/action/documents/document-loading.ts
var document_loading = __webpack_require__(84703);
;// CONCATENATED MODULE: ./src/action/erasure/erasure-run.ts
/**
 * `request-type: erasure`: the subjects' ids go to Amplitude's deletion API in batches of at most
 * 100, one call at a time, at most one a second (src/run/erasure-pacer.ts), with the project's
 * keys only (the 'erasure' scope of src/policy/credentials.ts). Then, with `wait: true`, each job
 * is read by its day until it is done, at most once a day against Amplitude. Every call is one the
 * Arazzo document describes (built-in `amplitude-erasure`, or a file with the same workflows), run
 * by the engine. Resuming (`request-ids`) reads the jobs of those days.
 */







const ERASURE_DOCUMENT = 'amplitude-erasure.arazzo.yml';
/** The workflows a document must have to serve erasure (the built-in one's ids). */
const ERASURE_WORKFLOWS = { submit: 'submit', poll: 'poll', status: 'status' };
async function runErasure(settings, stop, deps = {}) {
    const erasure = settings.erasure;
    if (!erasure)
        throw new Error('an erasure run needs the erasure settings');
    const loaded = await loadErasureDocument(settings, stop.signal);
    const clock = deps.clock ?? arazzo/* systemClock */.ml;
    const deadline = clock.now() + settings.timeoutMs;
    const redact = (0,run/* composeRedactors */.I9)(settings, erasure);
    const transport = (0,run/* erasureTransport */.hS)(settings, stop, deps, clock, deadline, redact);
    const ctx = {
        settings,
        erasure,
        loaded,
        transport,
        clock,
        deadline,
        signal: stop.signal,
        redact
    };
    const problems = [];
    const jobs = new Map();
    const notSubmitted = new Set();
    const resuming = settings.requestIds.length > 0;
    const subjects = settings.subjects;
    run/* log */.Rm.info((0,run/* line */.n8) `${loaded.document.info.title}: ${resuming ? `reading the jobs of ${settings.requestIds.length} day(s)` : `${subjects.length} subject(s) in ${Math.ceil(subjects.length / 100)} batch(es)`} at ${settings.apiUrl}, at most 1 call a second, requester ${erasure.requester}`);
    if (!resuming)
        await submitBatches(ctx, jobs, notSubmitted, problems);
    const days = resuming ? settings.requestIds : [...jobs.keys()];
    if (settings.wait && !stop.signal.aborted) {
        await Promise.all(days.map(day => pollJob(ctx, day, jobs, problems)));
    }
    const finalJobs = [...jobs.values()].sort((a, b) => a.day.localeCompare(b.day));
    const placed = (0,run/* placeSubjects */.tI)(resuming ? (0,run/* listedSubjects */.X$)(finalJobs) : subjects, finalJobs);
    const report = {
        placed,
        jobs: finalJobs,
        notSubmitted,
        problems,
        // Every day a later run should read: all of them after a submit, else those not seen done
        // (timed out, cancelled, or not read at all because the run stopped first).
        resumeDays: settings.wait ? days.filter(day => jobs.get(day)?.status !== 'done') : days,
        requester: erasure.requester,
        apiUrl: settings.apiUrl,
        wait: settings.wait
    };
    placed.forEach((p, index) => {
        if (!isAbsent(report, index))
            return;
        run/* log */.Rm.info((0,run/* line */.n8) `${(0,run/* subjectLabel */.pb)(p.subject, index)}: absent from the job Amplitude answered (it does not know this id in the project), so there is nothing to erase`);
    });
    for (const job of finalJobs) {
        run/* log */.Rm.info((0,run/* line */.n8) `job ${job.day}: ${job.status}, ${job.entries.length} id(s)${job.activeScrubDoneDate ? `, live data scrubbed on ${job.activeScrubDoneDate}` : ''}`);
    }
    writeErasureOutputs(report);
    if (!settings.wait && days.length > 0) {
        run/* log */.Rm.info((0,run/* line */.n8) `Submitted. Read the jobs in a later run (request-type: erasure) with:
  request-ids: ${days.join(',')}`);
    }
    if (process.env.GITHUB_STEP_SUMMARY) {
        try {
            await buildErasureSummary(report).write();
        }
        catch (error) {
            run/* log */.Rm.warning((0,run/* line */.n8) `could not write the job summary: ${(0,arazzo/* messageOf */.bD)(error)}`);
        }
    }
    const stopReason = stop.signal.aborted ? stop.signal.reason : undefined;
    const failure = erasureFailure(report, stopReason);
    if (failure)
        throw new Error(failure);
}
/** One call per batch of at most 100 ids; a batch that fails leaves the others going. */
async function submitBatches(ctx, jobs, notSubmitted, problems) {
    const all = ctx.settings.subjects.map((subject, index) => ({ subject, index }));
    const groups = (0,run/* batches */.Xy)(all);
    for (const [n, group] of groups.entries()) {
        if (ctx.signal.aborted) {
            group.forEach(g => notSubmitted.add(g.index));
            continue;
        }
        const what = `batch ${n + 1} of ${groups.length} (${(0,run/* plural */.LS)(group.length, 'id')})`;
        const result = await (0,arazzo/* runWorkflow */.FZ)(ctx.loaded, {
            workflowId: ERASURE_WORKFLOWS.submit,
            inputs: {
                basicAuth: ctx.erasure.basicAuth,
                requester: ctx.erasure.requester,
                ...(0,run/* batchInputs */.CD)(group.map(g => g.subject))
            },
            ...engineOptions(ctx)
        });
        if (result.status !== 'succeeded') {
            group.forEach(g => notSubmitted.add(g.index));
            if (result.status !== 'aborted') {
                problems.push(`${what}: not taken (${ctx.redact(result.error?.message ?? result.status)})`);
            }
            continue;
        }
        const { jobs: answered, refused } = (0,run/* readJobs */.RI)(result.outputs.jobs);
        for (const problem of refused)
            problems.push(`${what}: ${problem}`);
        for (const job of answered)
            jobs.set(job.day, job);
        const where = answered.map(j => `job ${j.day} (${j.status})`).join(', ') || 'no job';
        run/* log */.Rm.info((0,run/* line */.n8) `${what} sent: ${where}`);
    }
}
/** Reads the job of one day until it is done (or the run's time is up). */
async function pollJob(ctx, day, jobs, problems) {
    const { settings } = ctx;
    const loopback = (0,policy/* isLoopbackHost */.cW)(new URL(settings.apiUrl).hostname);
    let reads = 0;
    const result = await (0,arazzo/* runWorkflow */.FZ)(ctx.loaded, {
        workflowId: ERASURE_WORKFLOWS.poll,
        inputs: { basicAuth: ctx.erasure.basicAuth, day },
        ...engineOptions(ctx),
        pollSchedule: (0,run/* erasurePollSchedule */.K0)(settings.pollIntervalMs, loopback),
        maxSteps: 10_000,
        onEvent: (event) => {
            if (event.type === 'waiting') {
                const status = jobs.get(day)?.status ?? 'unknown';
                const next = new Date(event.until).toISOString().replace(/\.\d{3}Z$/, 'Z');
                run/* log */.Rm.info((0,run/* line */.n8) `job ${day} is ${status} after ${reads} read(s); next read at ${next}`);
            }
            if (event.type === 'stepOutputs') {
                reads++;
                const found = (0,run/* readJobs */.RI)(event.outputs.jobs).jobs.find(j => j.day === day);
                if (found)
                    jobs.set(day, found);
            }
        }
    });
    const { jobs: answered, refused } = (0,run/* readJobs */.RI)(result.outputs.jobs);
    for (const problem of refused)
        problems.push(`job ${day}: ${problem}`);
    const job = answered.find(j => j.day === day) ?? jobs.get(day);
    if (job)
        jobs.set(day, job);
    const still = job ? `still ${job.status}` : 'not read';
    const outOfTime = result.status === 'timedOut' || (0,run/* stoppedByDeadline */.N3)(result.error);
    if (outOfTime) {
        problems.push(`job ${day}: ${still} after ${reads} read(s); the next read would come after the timeout`);
    }
    else if (result.status === 'aborted') {
        return; // the stop reason is reported once, for the whole run
    }
    else if (result.status !== 'succeeded') {
        problems.push(`job ${day}: ${ctx.redact(result.error?.message ?? result.status)}`);
    }
    else if (!job) {
        problems.push(`job ${day}: Amplitude lists no deletion job on that day`);
    }
    else if (!run/* ERASURE_STATUSES */.nW.includes(job.status)) {
        problems.push(`job ${day}: unknown status '${job.status}'`);
    }
    else if (job.status !== 'done') {
        problems.push(`job ${day}: the workflow ended while the job was still ${job.status}`);
    }
}
function engineOptions(ctx) {
    return {
        transport: ctx.transport,
        clock: ctx.clock,
        deadline: ctx.deadline,
        signal: ctx.signal,
        serverUrl: ctx.settings.apiUrl,
        sensitiveHeaders: ['authorization'],
        maxSteps: 100
    };
}
/** The built-in document, or the user's file with the same workflows (e.g. for the v2 API). */
async function loadErasureDocument(settings, signal) {
    const notice = (message) => run/* log */.Rm.notice((0,run/* line */.n8) `${message}`);
    let loaded;
    try {
        if (settings.workflow.kind === 'file') {
            loaded = await (0,document_loading/* loadChosenDocument */.yb)(settings, notice, { signal });
        }
        else {
            const shipped = (0,document_loading/* bundledWorkflowsDir */.Oj)();
            loaded = await (0,arazzo/* loadArazzoFile */.K6)((0,external_node_path_.join)(shipped, ERASURE_DOCUMENT), {
                allowedRoots: [shipped],
                secretInputs: document_loading/* SECRET_INPUTS */.pH,
                prebuilt: await (0,document_loading/* prebuiltDocuments */.im)(shipped),
                onNotice: notice
            });
        }
        for (const id of Object.values(ERASURE_WORKFLOWS))
            loaded.workflow(id);
    }
    catch (error) {
        if (error instanceof arazzo/* ArazzoError */.oP)
            throw new run/* InputError */.dz(run/* Inputs */.G0.Workflow, error.message);
        throw error;
    }
    return loaded;
}


/***/ })

};
