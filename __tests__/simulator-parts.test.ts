import { Readable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import { SlidingWindowBudget } from '../src/simulator/budget.js'
import {
  envName,
  formatBanner,
  formatLogEntry,
  parseCliConfig
} from '../src/simulator/cli-config.js'
import { FaultList } from '../src/simulator/faults.js'
import { EventLinesStream, createGzipFileStream, measureFile } from '../src/simulator/gzip-lines.js'
import { resolvePlan } from '../src/simulator/jobs.js'
import { hugeJsonBody } from '../src/simulator/reply.js'
import { startSimulator } from '../src/simulator/index.js'
import { sha256 } from './simulator-helpers.js'

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks)
}

describe('SlidingWindowBudget', () => {
  test('admits while the last hour fits, and says when the next request would', () => {
    const budget = new SlidingWindowBudget(10, 1000)
    expect(budget.tryConsume(8, 0)).toEqual({ admitted: true })
    expect(budget.tryConsume(1, 100)).toEqual({ admitted: true })
    expect(budget.tryConsume(2, 200)).toEqual({ admitted: false, retryAfterMs: 800 })
    expect(budget.tryConsume(1, 200)).toEqual({ admitted: true })
    expect(budget.used(200)).toBe(10)
    // Freeing 8 at t=1000 is enough for 8 more, not the 1 at t=100.
    expect(budget.tryConsume(8, 500)).toEqual({ admitted: false, retryAfterMs: 500 })
    expect(budget.tryConsume(8, 1000)).toEqual({ admitted: true })
    expect(budget.remaining(1000)).toBe(0)
    expect(budget.tryConsume(11, 1000)).toEqual({ admitted: false, retryAfterMs: 1000 })
  })
})

describe('FaultList', () => {
  test('skip and times count matching requests only', () => {
    const faults = new FaultList()
    faults.add({ path: '/a', skip: 1, times: 2, action: { type: 'reset' } })
    const picks = ['/a', '/b', '/a', '/a', '/a'].map(
      path => faults.pick({ method: 'GET', path, host: 'api' })?.type ?? null
    )
    expect(picks).toEqual([null, null, 'reset', 'reset', null])
  })

  test('a global RegExp is matched afresh every time', () => {
    const faults = new FaultList()
    faults.add({ path: /a/g, action: { type: 'malformedJson' } })
    for (let i = 0; i < 3; i++) {
      expect(faults.pick({ method: 'GET', path: '/a', host: 'storage' })).toBeDefined()
    }
  })
})

describe('generated files', () => {
  const spec = {
    seed: 'r/0',
    userIds: ['u"1'],
    fromMs: Date.UTC(2024, 0, 1),
    toMs: Date.UTC(2024, 1, 1),
    lines: 40
  }

  test('lines are JSON events in range, escaped, deterministic; measureFile agrees', async () => {
    const gzip = await collect(createGzipFileStream(spec))
    const again = await collect(createGzipFileStream(spec))
    expect(gzip.equals(again)).toBe(true)
    const text = gunzipSync(gzip).toString()
    const lines = text.trimEnd().split('\n')
    expect(lines).toHaveLength(40)
    for (const line of lines) {
      const event = JSON.parse(line) as Record<string, unknown>
      expect(event.user_id).toBe('u"1')
      expect(String(event.event_time) >= '2024-01-01').toBe(true)
      expect(String(event.event_time) < '2024-02-01').toBe(true)
      expect(Number.isInteger(event.amplitude_id)).toBe(true)
    }
    expect(await measureFile(spec)).toEqual({
      bytes: gzip.length,
      sha256: sha256(gzip),
      lines: 40,
      uncompressedBytes: Buffer.byteLength(text)
    })
    const other = await measureFile({ ...spec, seed: 'r/1' })
    expect(other.sha256).not.toBe(sha256(gzip))
  })

  test('bytes mode stops at the first line reaching the size', async () => {
    const stream = new EventLinesStream({ ...spec, bytes: 100_000 })
    const text = (await collect(stream)).toString()
    const lastLine = text.trimEnd().split('\n').pop() ?? ''
    expect(text.length).toBeGreaterThanOrEqual(100_000)
    expect(text.length - lastLine.length - 1).toBeLessThan(100_000)
    expect(stream.linesEmitted).toBe(text.trimEnd().split('\n').length)
  })

  test('hugeJsonBody gives exactly the bytes asked, even tiny ones', async () => {
    for (const bytes of [0, 1, 5, 47, 48, 49, 70_000]) {
      const body = await collect(hugeJsonBody(bytes).open())
      expect(body.length).toBe(bytes)
    }
    const whole = await collect(hugeJsonBody(200).open())
    expect(JSON.parse(whole.toString())).toMatchObject({ requestId: 0 })
  })
})

describe('job plans', () => {
  test('defaults and validation', () => {
    expect(resolvePlan()).toEqual({
      pollsInStaging: 1,
      pollsInSubmitted: 1,
      outcome: 'done',
      files: 2,
      linesPerFile: 10
    })
    expect(() => resolvePlan({ files: -1 })).toThrow(RangeError)
    expect(() => resolvePlan({ pollsInStaging: 1.5 })).toThrow(RangeError)
  })

  test('a bad fixed plan fails startSimulator', async () => {
    await expect(startSimulator({ job: { linesPerFile: -3 } })).rejects.toThrow(/linesPerFile/)
  })
})

describe('CLI configuration', () => {
  test('argv wins over env; plan, budget and Retry-After settings', () => {
    const config = parseCliConfig(
      ['--port', '8080', '--outcome', 'failed', '--retry-after', 'none', '--quiet'],
      { [envName('port')]: '9999', [envName('files')]: '3', DSAR_SIM_STORAGE_HOST: '127.0.0.3' }
    )
    expect(config).toEqual({
      options: {
        port: 8080,
        storageHost: '127.0.0.3',
        job: { files: 3, outcome: 'failed' },
        retryAfterSeconds: null
      },
      quiet: true,
      help: false
    })
    expect(parseCliConfig(['--retry-after', '30'], {}).options.retryAfterSeconds).toBe(30)
    expect(parseCliConfig(['--retry-after', 'window'], {}).options.retryAfterSeconds).toBe('window')
    expect(
      parseCliConfig(['--output-links', 'web', '--web-host', '127.0.0.4'], {}).options
    ).toEqual({ outputLinksOn: 'web', webHost: '127.0.0.4' })
    expect(() => parseCliConfig(['--output-links', 'cdn'], {})).toThrow(/--output-links/)
    expect(parseCliConfig([], {}).options).toEqual({})
    expect(() => parseCliConfig(['--port', 'x'], {})).toThrow(/--port/)
    expect(() => parseCliConfig(['--nope'], {})).toThrow()
  })

  test('the banner names the URLs, credentials and action inputs', async () => {
    const simulator = await startSimulator()
    try {
      const banner = formatBanner(simulator, {})
      expect(banner).toContain(`API URL      ${simulator.url}`)
      expect(banner).toContain(`Storage URL  ${simulator.storageUrl}`)
      expect(banner).toContain(`INPUT_API-URL=${simulator.url}\n`)
      expect(banner).toContain(`INPUT_API-KEY=${simulator.apiKey}\n`)
      expect(banner).toContain(`INPUT_SECRET-KEY=${simulator.secretKey}\n`)
      expect(banner).toContain(simulator.basicAuth)
      expect(banner).toContain(`INPUT_ERASURE-API-KEY=${simulator.erasureApiKey}\n`)
      expect(banner).toContain(`INPUT_ERASURE-SECRET-KEY=${simulator.erasureSecretKey}`)
      const line = formatLogEntry({
        method: 'GET',
        path: '/x',
        host: 'api',
        authorization: true,
        status: 0,
        at: 0,
        fault: 'reset'
      })
      expect(line).toBe('1970-01-01T00:00:00.000Z api     GET /x -> reset [fault: reset]')
    } finally {
      await simulator.close()
    }
  })
})
