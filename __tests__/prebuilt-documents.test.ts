/**
 * The built-in documents ship twice: as YAML (readable, and the fallback for the seed's source
 * description) and parsed at build time into dist/workflows/documents.json, which the action reads
 * instead of parsing YAML at start-up. Both must give the same loaded document.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ArazzoLoadError } from '../src/arazzo/errors.js'
import { loadArazzoFile } from '../src/arazzo/loader.js'
import {
  PREBUILT_DOCUMENTS_FILE,
  prebuiltDocuments
} from '../src/action/documents/document-loading.js'
import { BUILTIN_WORKFLOWS } from '../src/run/builtin-workflows.js'
import { repoRoot } from './support/action-harness.js'
import { tempDir } from './support/temp.js'

const srcWorkflows = join(repoRoot, 'src', 'workflows')
const distWorkflows = join(repoRoot, 'dist', 'workflows')

describe('prebuilt documents (dist/workflows/documents.json)', () => {
  test('dist has one for every shipped YAML document', () => {
    const prebuilt = JSON.parse(
      readFileSync(join(distWorkflows, PREBUILT_DOCUMENTS_FILE), 'utf8')
    ) as Record<string, unknown>
    for (const builtin of Object.values(BUILTIN_WORKFLOWS)) {
      expect(Object.keys(prebuilt)).toContain(builtin.file)
      expect(existsSync(join(srcWorkflows, builtin.file))).toBe(true)
    }
  })

  test.each(Object.keys(BUILTIN_WORKFLOWS))(
    "the built-in '%s' document loads the same from the prebuilt JSON as from its YAML",
    async name => {
      const file = BUILTIN_WORKFLOWS[name as keyof typeof BUILTIN_WORKFLOWS].file
      const fromYaml = await loadArazzoFile(join(srcWorkflows, file), {
        allowedRoots: [srcWorkflows]
      })
      const prebuilt = await prebuiltDocuments(distWorkflows)
      const fromJson = await loadArazzoFile(join(distWorkflows, file), {
        allowedRoots: [distWorkflows],
        prebuilt
      })
      expect(fromJson.document).toEqual(fromYaml.document)
      expect(fromJson.warnings).toEqual(fromYaml.warnings)
      for (const workflow of fromYaml.document.workflows) {
        for (const [i, step] of workflow.steps.entries()) {
          if (step.operationId === undefined && step.operationPath === undefined) continue
          const twin = fromJson.workflow(workflow.workflowId).steps[i]
          expect(fromJson.operation(twin)).toEqual(fromYaml.operation(step))
        }
      }
    }
  )

  test('a prebuilt document is used instead of the file, and each load gets its own copy', async () => {
    const dir = tempDir('prebuilt-')
    const source = await loadArazzoFile(join(srcWorkflows, BUILTIN_WORKFLOWS.amplitude.file), {
      allowedRoots: [srcWorkflows]
    })
    const parsed = JSON.parse(readFileSync(join(distWorkflows, PREBUILT_DOCUMENTS_FILE), 'utf8'))
    // Neither file exists in `dir`: only the map can supply them.
    const prebuilt = new Map<string, unknown>(
      Object.entries(parsed as Record<string, unknown>).map(([n, v]) => [join(dir, n), v])
    )
    const options = { allowedRoots: [dir], prebuilt }
    const first = await loadArazzoFile(join(dir, BUILTIN_WORKFLOWS.amplitude.file), options)
    const second = await loadArazzoFile(join(dir, BUILTIN_WORKFLOWS.amplitude.file), options)
    expect(first.document).toEqual(source.document)
    expect(first.document).not.toBe(second.document)
    expect(prebuilt.get(join(dir, BUILTIN_WORKFLOWS.amplitude.file))).not.toBe(first.document)
  })

  test('allowedRoots still apply to a prebuilt document', async () => {
    const prebuilt = await prebuiltDocuments(distWorkflows)
    const elsewhere = tempDir('prebuilt-root-')
    await expect(
      loadArazzoFile(join(distWorkflows, BUILTIN_WORKFLOWS.amplitude.file), {
        allowedRoots: [elsewhere],
        prebuilt
      })
    ).rejects.toThrow(ArazzoLoadError)
  })

  test('without a documents.json (running from src/) there is simply nothing prebuilt', async () => {
    expect((await prebuiltDocuments(srcWorkflows)).size).toBe(0)
  })
})
