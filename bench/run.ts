/**
 * `npm run bench`: every benchmark, side by side in one run on this machine; writes bench/RESULTS.md
 * (machine, Node version, date, then one section per benchmark) and prints each target as met / not met.
 * Set BENCH_ONLY=id[,id] to run some of them (ids: startup, poll-economy, fanout, download, respect,
 * lifecycle, burst, desk): their sections (and summary rows) in RESULTS.md are replaced, the others kept as they were.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os'
import { join } from 'node:path'
import { benchBurst } from './burst.js'
import { benchDesk } from './desk.js'
import { benchDownload } from './download.js'
import { benchFanout } from './fanout.js'
import { benchLifecycle } from './lifecycle.js'
import { benchPollEconomy } from './poll-economy.js'
import { renderSection } from './render.js'
import type { BenchSection } from './report.js'
import { benchRespect } from './respect.js'
import { benchStartup } from './startup.js'

const benchmarks: [string, () => Promise<BenchSection>][] = [
  ['startup', () => benchStartup()],
  ['poll-economy', () => benchPollEconomy()],
  ['fanout', () => benchFanout()],
  ['download', () => benchDownload()],
  ['respect', () => benchRespect()],
  ['lifecycle', () => benchLifecycle()],
  ['burst', () => benchBurst()],
  ['desk', () => benchDesk()]
]

const only = process.env.BENCH_ONLY?.split(',').map(s => s.trim())
const started = Date.now()
// The machine may be shared: its load says how much the timings can be trusted.
const load = () =>
  loadavg()
    .map(l => l.toFixed(2))
    .join(' / ')
const loadAtStart = load()
const sections: BenchSection[] = []
for (const [id, bench] of benchmarks) {
  if (only && !only.includes(id)) continue
  const t0 = Date.now()
  process.stdout.write(`running ${id}... `)
  const section = await bench()
  sections.push(section)
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`)
  for (const target of section.targets) {
    console.log(`  ${target.met ? 'met    ' : 'NOT MET'}  ${target.name}: ${target.detail}`)
  }
}

const cpu = cpus()[0]?.model ?? 'unknown CPU'
const header = [
  '# Benchmark results',
  '',
  'Written by `npm run bench` (bench/run.ts); do not edit by hand.',
  '',
  `- Date: ${new Date().toISOString()}`,
  `- Machine: ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${osType()} ${release()}`,
  `- Node: ${process.version}`,
  `- Whole run: ${((Date.now() - started) / 1000).toFixed(0)} s`,
  `- Load average (1 / 5 / 15 min) at the start: ${loadAtStart}; at the end: ${load()} ` +
    `(${cpus().length} cores: a load above that means other work shared the CPUs, and timings are slower and noisier)`,
  ''
]
const summary = ['| benchmark | target | result |', '| --- | --- | --- |']
for (const s of sections) {
  for (const t of s.targets)
    summary.push(`| ${s.title} | ${t.name} | ${t.met ? 'met' : '**not met**'} (${t.detail}) |`)
}
const results = join(import.meta.dirname, 'RESULTS.md')
const previous = existsSync(results) ? readFileSync(results, 'utf8') : ''
// `npm run mutation`'s section is written by hand from Stryker's report: a bench run keeps it.
const mutation = previous.split(/\n(?=## )/).find(body => body.startsWith('## Mutation testing'))
const markdown = only
  ? mergeInto(previous, sections)
  : [
      ...header,
      ...summary,
      '',
      ...sections.map(renderSection),
      ...(mutation ? [mutation.trimEnd() + '\n'] : [])
    ].join('\n')
writeFileSync(results, markdown)
console.log(`\nwrote bench/RESULTS.md in ${((Date.now() - started) / 1000).toFixed(0)} s`)

/**
 * A partial run: the sections it ran replace theirs in the existing RESULTS.md (or are added), with
 * their summary rows; every other section and row stays as the last run wrote it. The header says
 * which sections were updated, and when.
 */
function mergeInto(previous: string, fresh: BenchSection[]): string {
  const titles = new Set(fresh.map(s => s.title))
  const [head, ...bodies] = previous.split(/\n(?=## )/)
  const kept = bodies.filter(body => !titles.has(body.slice(3, body.indexOf('\n')).trim()))
  const headLines = head === '' ? [...header] : head.trimEnd().split('\n')
  const rows = headLines.filter(l => l.startsWith('| ') && !l.startsWith('| benchmark'))
  const keptRows = rows.filter(
    l => !l.startsWith('| ---') && !titles.has(l.split(' | ')[0].slice(2))
  )
  const freshRows = fresh.flatMap(s =>
    s.targets.map(
      t => `| ${s.title} | ${t.name} | ${t.met ? 'met' : '**not met**'} (${t.detail}) |`
    )
  )
  const intro = headLines
    .filter(l => !l.startsWith('|') && !l.startsWith('- Partial run'))
    .join('\n')
    .trimEnd()
  const note = `- Partial run ${new Date().toISOString()}: ${fresh.map(s => s.title).join(', ')} (BENCH_ONLY)`
  return [
    intro,
    note,
    '',
    '| benchmark | target | result |',
    '| --- | --- | --- |',
    ...keptRows,
    ...freshRows,
    '',
    ...kept.map(body => body.trimEnd() + '\n'),
    ...fresh.map(renderSection)
  ].join('\n')
}
