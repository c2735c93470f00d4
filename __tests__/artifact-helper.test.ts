import { jest } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  ArtifactUploadError,
  safeDetail,
  uploadExportArtifact,
  workflowRunPage
} from '../src/run/artifact-helper.js'
import {
  readZipEntries,
  sha256Hex,
  startArtifactService,
  type ArtifactService
} from './support/artifact-service.js'
import { tempDir } from './support/temp.js'

const DAY_MS = 86_400_000

let service: ArtifactService
let savedEnv: NodeJS.ProcessEnv
let exportDir: string
let files: Record<string, Buffer>

beforeAll(async () => {
  service = await startArtifactService()
  exportDir = tempDir('dsar-export-')
  // What a download leaves behind: one summary and a gzip-like binary per request.
  files = {
    'summary.json': Buffer.from(JSON.stringify({ requests: ['r-1', 'r-2'] }, null, 2)),
    'r-1/export-0.json.gz': Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37) % 256)),
    'r-2/export-0.json.gz': Buffer.from('{"user_id":"subject@example.com"}\n'.repeat(200))
  }
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(dirname(join(exportDir, relative)), { recursive: true })
    writeFileSync(join(exportDir, relative), content)
  }
})

afterAll(async () => {
  await service.close()
  rmSync(exportDir, { recursive: true, force: true })
})

beforeEach(() => {
  savedEnv = { ...process.env }
  Object.assign(process.env, service.env)
  // @actions/artifact logs workflow commands on stdout; the runner would read them, a test need not.
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})

afterEach(() => {
  jest.restoreAllMocks()
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
})

const exportFiles = () => Object.keys(files).map(relative => join(exportDir, relative))

function callsSince(start: number) {
  return service.calls.slice(start)
}

async function uploadFailure(name: string, options: { files?: string[] } = {}): Promise<Error> {
  try {
    await uploadExportArtifact({
      name,
      files: options.files ?? exportFiles(),
      rootDirectory: exportDir,
      retentionDays: 1
    })
  } catch (error) {
    return error as Error
  }
  throw new Error('the upload was expected to fail')
}

describe('uploadExportArtifact against the results-service stand-in', () => {
  test('uploads the files as a zip with the requested retention, and returns the id and run URL', async () => {
    const start = service.calls.length
    const before = Date.now()
    const uploaded = await uploadExportArtifact({
      name: 'dsar-export',
      files: exportFiles(),
      rootDirectory: exportDir,
      retentionDays: 7
    })
    const after = Date.now()

    const artifact = service.artifacts.find(a => a.name === 'dsar-export')
    const upload = service.uploads.find(u => u.artifactName === 'dsar-export')
    expect(artifact?.finalized).toBe(true)
    expect(upload).toBeDefined()
    if (!artifact || !upload) return

    // What the adapter returned is what the service stored.
    expect(uploaded).toEqual({
      id: artifact.id,
      url: `https://github.com/octo-org/privacy-ops/actions/runs/4242/artifacts/${artifact.id}`,
      size: upload.bytes.length,
      digest: sha256Hex(upload.bytes)
    })

    // The zip holds every file under its path relative to the root, byte for byte.
    const entries = readZipEntries(upload.bytes)
    expect([...entries.keys()].sort()).toEqual(Object.keys(files).sort())
    for (const [relative, content] of Object.entries(files)) {
      expect(entries.get(relative)?.equals(content)).toBe(true)
    }

    // Create, blob blocks, commit, finalize: in that order, Twirp calls with the runtime token.
    const calls = callsSince(start)
    const rpcs = calls.filter(c => c.rpc)
    expect(rpcs.map(c => c.rpc)).toEqual(['CreateArtifact', 'FinalizeArtifact'])
    expect(rpcs.every(c => c.authorized && c.status === 200)).toBe(true)
    const blobCalls = calls.filter(c => c.path.startsWith('/blob/'))
    expect(blobCalls.length).toBeGreaterThanOrEqual(2)
    expect(blobCalls.every(c => c.method === 'PUT' && c.status === 201)).toBe(true)
    expect(blobCalls.at(-1)?.query.comp).toBe('blocklist')
    expect(blobCalls.slice(0, -1).every(c => c.query.comp === 'block')).toBe(true)
    expect(calls.indexOf(rpcs[0])).toBeLessThan(calls.indexOf(blobCalls[0]))
    expect(calls.indexOf(blobCalls.at(-1)!)).toBeLessThan(calls.indexOf(rpcs[1]))

    const create = rpcs[0].body as Record<string, unknown>
    expect(create).toMatchObject({
      name: 'dsar-export',
      version: 7,
      mime_type: 'application/zip',
      workflow_run_backend_id: service.workflowRunBackendId,
      workflow_job_run_backend_id: service.workflowJobRunBackendId
    })
    // The client adds the days on the local calendar: allow an hour either way for DST.
    const expiresAt = Date.parse(String(create.expires_at))
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7 * DAY_MS - 3_600_000)
    expect(expiresAt).toBeLessThanOrEqual(after + 7 * DAY_MS + 3_600_000)

    expect(rpcs[1].body).toMatchObject({
      name: 'dsar-export',
      size: String(upload.bytes.length),
      hash: `sha256:${sha256Hex(upload.bytes)}`
    })
  })

  test("the repository's maximum retention caps the requested one", async () => {
    process.env.GITHUB_RETENTION_DAYS = '3'
    const before = Date.now()
    await uploadExportArtifact({
      name: 'dsar-export-capped',
      files: exportFiles(),
      rootDirectory: exportDir,
      retentionDays: 30
    })
    const artifact = service.artifacts.find(a => a.name === 'dsar-export-capped')
    const expiresAt = Date.parse(String(artifact?.expiresAt))
    expect(expiresAt).toBeGreaterThan(before + 2 * DAY_MS)
    expect(expiresAt).toBeLessThan(before + 4 * DAY_MS)
  })

  test('a CreateArtifact failure gives one clear line and uploads nothing', async () => {
    service.failNext('CreateArtifact', {
      status: 403,
      code: 'permission_denied',
      msg: 'artifact storage quota has been hit'
    })
    const start = service.calls.length
    const error = await uploadFailure('dsar-export-refused')

    expect(error).toBeInstanceOf(ArtifactUploadError)
    expect(error.message).toMatch(/^artifact upload failed: .*CreateArtifact/)
    expect(error.message).toContain('artifact storage quota has been hit')
    expect(error.message).not.toMatch(/[\r\n]/)
    expect(error.message).not.toContain(service.token)
    expect(error.message).not.toMatch(/\bat .+:\d+:\d+/)
    const calls = callsSince(start)
    expect(calls.map(c => c.rpc ?? c.path)).toEqual(['CreateArtifact'])
    expect(service.uploads.some(u => u.artifactName === 'dsar-export-refused')).toBe(false)
  })

  test('a service error that echoes the runtime token does not leak it', async () => {
    service.failNext('FinalizeArtifact', {
      status: 400,
      code: 'invalid_argument',
      msg: `rejected request with Authorization: Bearer ${service.token}`
    })
    const error = await uploadFailure('dsar-export-echo')

    expect(error.message).toMatch(/^artifact upload failed: .*FinalizeArtifact/)
    expect(error.message).toContain('rejected request')
    expect(error.message).not.toContain(service.token)
  })

  test('a blob storage refusal is reported without the signed upload URL', async () => {
    service.failNext('blob', {
      status: 403,
      code: 'AuthorizationPermissionMismatch',
      msg: 'This request is not authorized to perform this operation using this permission.'
    })
    const error = await uploadFailure('dsar-export-blob')

    expect(error.message).toMatch(/^artifact upload failed: /)
    expect(error.message).toContain('not authorized to perform this operation')
    const signedUrl = service.calls.find(c => c.path.includes('dsar-export-blob.zip'))
    expect(signedUrl?.query.sig).toBeTruthy()
    expect(error.message).not.toContain(signedUrl?.query.sig ?? '')
    expect(error.message).not.toContain(service.token)
    expect(service.artifacts.find(a => a.name === 'dsar-export-blob')?.finalized).toBe(false)
  })

  test('a second artifact with the same name is refused clearly', async () => {
    const request = {
      name: 'dsar-export-twice',
      files: exportFiles(),
      rootDirectory: exportDir,
      retentionDays: 1
    }
    await uploadExportArtifact(request)
    const error = await uploadFailure(request.name)
    expect(error.message).toMatch(/^artifact upload failed: .*already exists/)
  })

  test('a name with spaces and non-ASCII letters reaches the service unchanged', async () => {
    const name = 'DSAR export – Zoë 2026'
    const uploaded = await uploadExportArtifact({
      name,
      files: exportFiles(),
      rootDirectory: exportDir,
      retentionDays: 1
    })
    const artifact = service.artifacts.find(a => a.name === name)
    expect(artifact?.id).toBe(uploaded.id)
    expect(service.uploads.find(u => u.artifactName === name)?.bytes.length).toBe(uploaded.size)
  })

  test('a missing file fails before anything reaches the service', async () => {
    const start = service.calls.length
    const error = await uploadFailure('dsar-export-missing', {
      files: [join(exportDir, 'not-downloaded.json.gz')]
    })
    expect(error.message).toMatch(/^artifact upload failed: .*not-downloaded\.json\.gz/)
    expect(callsSince(start)).toEqual([])
  })

  test('outside a workflow run (no GITHUB_RUN_ID) it fails before uploading', async () => {
    delete process.env.GITHUB_RUN_ID
    const start = service.calls.length
    const error = await uploadFailure('dsar-export-no-run')
    expect(error.message).toMatch(/^artifact upload failed: .*GITHUB_RUN_ID/)
    expect(callsSince(start)).toEqual([])
  })
})

describe('workflowRunPage', () => {
  test('joins server, repository and run id, tolerating a trailing slash', () => {
    expect(
      workflowRunPage({
        GITHUB_SERVER_URL: 'https://octo.ghe.com/',
        GITHUB_REPOSITORY: 'acme/privacy',
        GITHUB_RUN_ID: '99'
      })
    ).toBe('https://octo.ghe.com/acme/privacy/actions/runs/99')
    expect(workflowRunPage({ GITHUB_REPOSITORY: 'acme/privacy', GITHUB_RUN_ID: '1' })).toBe(
      'https://github.com/acme/privacy/actions/runs/1'
    )
  })
})

describe('safeDetail', () => {
  test('removes signed URL queries, SAS signatures, bearer credentials and the runtime token', () => {
    const token = 'eyJhbGciOi.runtime-token-value.c2ln'
    const detail = safeDetail(
      new Error(
        `PUT https://results.blob.core.windows.net/c/a.zip?sv=2025&sig=abc%2Fdef&se=x failed\n` +
          `    with sig=loose123 and Authorization: Bearer other-secret; token ${token}`
      ),
      token
    )
    expect(detail).toBe(
      'PUT https://results.blob.core.windows.net/c/a.zip?*** failed with sig=*** and ' +
        'Authorization: Bearer ***; token ***'
    )
  })

  test('describes non-Error throwables and empty messages', () => {
    expect(safeDetail('plain text')).toBe('plain text')
    expect(safeDetail(new Error(''))).toBe('unknown error')
  })
})

describe('loading', () => {
  // A child Node process (Node strips the types of src/*.ts itself) records every module resolution.
  test('@actions/artifact is loaded by the first upload, not by importing the adapter', async () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
    const adapterUrl = pathToFileURL(join(root, 'src', 'run', 'artifact-helper.ts')).href
    const script = `
      import { registerHooks } from 'node:module'
      const resolved = new Set()
      // Our own modules are imported as .js (the bundle's names): read their .ts sources here.
      registerHooks({ resolve(specifier, context, next) {
        resolved.add(specifier)
        const source = specifier.startsWith('.') && specifier.endsWith('.js') ? specifier.slice(0, -3) + '.ts' : specifier
        return next(source, context)
      } })
      const { uploadExportArtifact } = await import(process.env.ADAPTER_URL)
      const afterImport = resolved.has('@actions/artifact')
      const failure = await uploadExportArtifact({ name: 'x', files: [], rootDirectory: '/', retentionDays: 1 })
        .then(() => 'none', error => error.message)
      console.log(JSON.stringify({ afterImport, afterUpload: resolved.has('@actions/artifact'), failure }))
    `
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ADAPTER_URL: adapterUrl,
      GITHUB_REPOSITORY: 'octo-org/privacy-ops',
      GITHUB_RUN_ID: '1',
      NODE_NO_WARNINGS: '1'
    }
    const stdout = await new Promise<string>((done, fail) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { cwd: root, env, timeout: 15_000 },
        (error, out, err) => (error ? fail(new Error(`${error.message}\n${err}`)) : done(out))
      )
    })
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')
    expect(report).toEqual({
      afterImport: false,
      afterUpload: true,
      failure: expect.stringMatching(/^artifact upload failed: /)
    })
  })
})
