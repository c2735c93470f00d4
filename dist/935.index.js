export const id = 935;
export const ids = [935];
export const modules = {

/***/ 73935:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   uploadExportArtifact: () => (/* binding */ uploadExportArtifact)
/* harmony export */ });
/* unused harmony exports ArtifactUploadError, workflowRunPage, safeDetail */
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
        const { DefaultArtifactClient } = await Promise.all(/* import() */[__webpack_require__.e(913), __webpack_require__.e(111)]).then(__webpack_require__.bind(__webpack_require__, 40111));
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
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
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
    text = text
        .replace(/\bBearer\s+[^\s,;"']+/gi, 'Bearer ***')
        .replace(/\b(https?:\/\/[^\s?#"'<>]+)\?[^\s"'<>]*/gi, '$1?***')
        .replace(/\bsig=[^&\s"'<>]+/gi, 'sig=***')
        .replace(/\s+/g, ' ')
        .trim();
    return text === '' ? 'unknown error' : text;
}


/***/ })

};
