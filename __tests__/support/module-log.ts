/**
 * Which of dist/'s files (the entry and its lazy chunks) and which Node built-ins a run of the
 * bundled action loads: a tiny `--import` hook writes every module URL Node loads to a file. Used by
 * the lazy-loading test and the start-up benchmark.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from './action-harness.js'
import { tempDir } from './temp.js'

export const distDir = join(repoRoot, 'dist')

// Logs every module URL as it is loaded (synchronous hooks: Node >= 22.15 / 23.5), and at exit the
// built-in modules Node loaded.
const LOAD_HOOK = `import { registerHooks } from 'node:module'
import { appendFileSync } from 'node:fs'
const out = process.env.DSAR_MODULE_LOG
registerHooks({
  load(url, context, nextLoad) {
    appendFileSync(out, url + '\\n')
    return nextLoad(url, context)
  }
})
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter(m => m.startsWith('NativeModule '))
  appendFileSync(out + '.builtins', builtins.map(m => m.slice(13)).join('\\n'))
})
`

/** The libraries kept out of dist/index.js, each recognised by text only its code contains. */
export const LAZY_LIBRARIES = [
  { label: 'yaml', marker: 'class Composer' },
  { label: 're2js', marker: 'RE2JS' },
  { label: 'jsonpath-rfc9535', marker: 'jsonpath-rfc9535/dist/esm/' },
  { label: 'export downloader', marker: 'downloadRequestOutputs' },
  { label: 'age-encryption', marker: 'class Encrypter' },
  { label: '@actions/artifact', marker: 'DefaultArtifactClient' },
  { label: '@actions/tool-cache', marker: 'node_modules/@actions/tool-cache/' }
] as const

export type LazyLibrary = (typeof LAZY_LIBRARIES)[number]['label']

export interface Chunk {
  file: string
  bytes: number
  holds: LazyLibrary[]
}

/** Every lazy chunk in dist/, with the libraries it holds. */
export function distChunks(): Chunk[] {
  return readdirSync(distDir)
    .filter(name => /^\d+\.index\.js$/.test(name))
    .sort()
    .map(file => {
      const text = readFileSync(join(distDir, file), 'utf8')
      return {
        file,
        bytes: statSync(join(distDir, file)).size,
        holds: LAZY_LIBRARIES.filter(l => text.includes(l.marker)).map(l => l.label)
      }
    })
}

export interface ModuleLog {
  /** `--import` arguments for the action's node process. */
  nodeArgs: string[]
  /** Environment the hook needs. */
  env: Record<string, string>
  /** What was loaded, once the process has exited. */
  read(): { distFiles: string[]; builtins: string[]; libraries: LazyLibrary[] }
}

export function moduleLog(): ModuleLog {
  const dir = tempDir('dsar-module-log-')
  const hook = join(dir, 'hook.mjs')
  const log = join(dir, 'modules.txt')
  writeFileSync(hook, LOAD_HOOK)
  writeFileSync(log, '')
  return {
    nodeArgs: ['--import', hook],
    env: { DSAR_MODULE_LOG: log },
    read() {
      const distFiles = [
        ...new Set(
          readFileSync(log, 'utf8')
            .split('\n')
            .filter(url => url.startsWith('file:'))
            .map(url => fileURLToPath(url))
            .filter(path => dirname(path) === distDir)
            .map(path => basename(path))
        )
      ]
      let builtins: string[] = []
      try {
        builtins = readFileSync(`${log}.builtins`, 'utf8').split('\n').filter(Boolean)
      } catch {
        // the process did not reach its exit handler
      }
      const chunks = distChunks().filter(c => distFiles.includes(c.file))
      const libraries = [...new Set(chunks.flatMap(c => c.holds))]
      return { distFiles, builtins, libraries }
    }
  }
}
