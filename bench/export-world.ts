/**
 * Where the desk benchmark (bench/desk.ts) delivers exports, so the ledger's delivery runs the one
 * delivery pipeline (src/run/delivery.ts) for real: download -> verify -> encrypt -> receipt ->
 * artifact. Three loopback servers, each closing its connections once answered (virtual time stands
 * still while a connection is open: bench/event-clock.ts):
 * - the API host of the output links (`api-url` of the sweeps: the status answers' links point
 *   here), which checks the DSAR keys' Basic auth, pays each GET from the AmplitudeModel's budget
 *   (429 past it, as Amplitude's) and redirects to a presigned storage link;
 * - the storage host (127.0.0.2, another origin: the credentials must not follow the redirect;
 *   the simulator's S3 checks refuse them), serving a small gzip export naming the subject;
 * - the artifact-service stand-in (src/simulator/artifact-service.ts) @actions/artifact uploads to.
 * Only the Amplitude API calls themselves stay in process (the AmplitudeModel behind `sendToApi`).
 */
import * as http from 'node:http'
import { gzipSync } from 'node:zlib'
import { generateIdentity, identityToRecipient } from 'age-encryption'
import { listenWithFallback, origin as originOf, listen } from '../src/simulator/listen.js'
import { ObjectStore } from '../src/simulator/storage.js'
import { startArtifactService, type ArtifactService } from '../src/simulator/artifact-service.js'
import type { Clock } from '../src/arazzo/types.js'
import type { AmplitudeModel } from './lifecycle-world.js'

const OUTPUT_PATH = /^\/api\/2\/dsar\/requests\/(\d{1,12})\/outputs\/0$/
const LINK_TTL_MS = 2 * 24 * 3_600_000
/** Events in each export: a small file (the benchmark measures the desk, not the bytes). */
const EVENTS = 40
/** Real time without a call to these hosts after which a delivery is taken to have stopped. */
const QUIET_DELIVERY_MS = 10_000

export interface ExportWorld {
  /** The sweeps' `api-url`: the output links' origin. */
  apiUrl: string
  /** The age recipient the sweeps encrypt to (`encrypt-to`). */
  recipient: string
  artifacts: ArtifactService
  /** Downloads served (storage GETs answered 200), and output-link GETs refused with 429. */
  served: { files: number; bytes: number; refused: number }
  /**
   * Whether a delivery is under way: from a status answer `done` (the AmplitudeModel tells
   * `expectDelivery`) to the next artifact finalized, or QUIET_DELIVERY_MS of real time without a
   * call to these hosts. Meanwhile the action prepares the age encrypter, downloads, verifies,
   * encrypts, writes the receipt and zips, partly on the threadpool (WebCrypto, zlib), where the
   * event clock cannot see it: the clock holds still (`EventClock.hold`), so a delivery costs no
   * virtual time beyond its calls, and the run's deadline cannot fire in the middle of it.
   */
  delivering(): boolean
  /** A status answer said `done`: a delivery follows. */
  expectDelivery(): void
  /** Holds given up after QUIET_DELIVERY_MS of real time without a call (a delivery that stopped). */
  readonly stalls: number
  close(): Promise<void>
}

export async function startExportWorld(o: {
  clock: Clock
  amplitude: AmplitudeModel
  /** The DSAR keys' Basic credentials, as the sweeps send them. */
  basicAuth: string
  repository: string
}): Promise<ExportWorld> {
  const store = new ObjectStore()
  const served = { files: 0, bytes: 0, refused: 0 }
  const subjects = new Map<string, string>()
  let storageUrl = ''
  /** Real time of the last call to any of the hosts, and the artifact calls seen then. */
  let lastCall = 0
  let artifactCalls = 0
  /** Deliveries expected and not yet finalized; holds given up after QUIET_DELIVERY_MS. */
  let awaited = 0
  let stalls = 0
  const api = http.createServer((req, res) => {
    res.shouldKeepAlive = false
    lastCall = Date.now()
    const match = OUTPUT_PATH.exec(new URL(req.url ?? '/', 'http://api').pathname)
    if (req.method !== 'GET' || !match) return end(res, 404)
    if (req.headers.authorization !== `Basic ${o.basicAuth}`) return end(res, 401)
    const refusal = o.amplitude.pay('GET')
    if (refusal) {
      served.refused++
      return end(res, 429, refusal.headers)
    }
    const subject = o.amplitude.doneSubjectOf(Number(match[1]))
    if (subject === undefined) return end(res, 404)
    const path = store.objectPath(match[1], 0)
    subjects.set(path, subject)
    const now = o.clock.now()
    end(res, 302, { location: store.presign(storageUrl, path, now, now + LINK_TTL_MS) })
  })
  const storage = http.createServer((req, res) => {
    res.shouldKeepAlive = false
    lastCall = Date.now()
    const url = new URL(req.url ?? '/', storageUrl)
    const check = store.check(
      url.pathname,
      url.searchParams,
      req.headers.authorization !== undefined,
      o.clock.now()
    )
    if (!check.ok) return end(res, check.reply.status, check.reply.headers)
    const body = exportOf(subjects.get(url.pathname) ?? '', o.clock.now())
    served.files++
    served.bytes += body.length
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length })
    res.end(body)
  })
  const apiUrl = originOf('127.0.0.1', await listen(api, '127.0.0.1', 0))
  storageUrl = await listenWithFallback(storage, '127.0.0.2', '127.0.0.1', 0)
  const artifacts = await startArtifactService({
    repository: o.repository,
    closeConnections: true,
    maxRetentionDays: 90
  })
  const recipient = await identityToRecipient(await generateIdentity())
  return {
    apiUrl,
    recipient,
    artifacts,
    served,
    delivering() {
      const calls = artifacts.calls
      for (; artifactCalls < calls.length; artifactCalls++) {
        lastCall = Date.now()
        if (calls[artifactCalls].rpc === 'FinalizeArtifact') awaited = Math.max(0, awaited - 1)
      }
      if (awaited > 0 && Date.now() - lastCall > QUIET_DELIVERY_MS) {
        stalls++
        awaited = 0
      }
      return awaited > 0
    },
    expectDelivery() {
      awaited++
      lastCall = Date.now()
    },
    get stalls() {
      return stalls
    },
    async close() {
      for (const server of [api, storage]) {
        server.closeAllConnections()
        await new Promise<void>(resolve => server.close(() => resolve()))
      }
      await artifacts.close()
    }
  }
}

function end(res: http.ServerResponse, status: number, headers: Record<string, string> = {}) {
  res.writeHead(status, headers)
  res.end()
}

/** The subject's export: gzip, one JSON event per line, dated before `now`. */
function exportOf(subject: string, now: number): Buffer {
  const lines = Array.from({ length: EVENTS }, (_, i) =>
    JSON.stringify({
      user_id: subject,
      event_type: i % 2 ? 'page_view' : 'button_click',
      event_time: new Date(now - (i + 1) * 3_600_000).toISOString()
    })
  )
  return gzipSync(`${lines.join('\n')}\n`)
}
