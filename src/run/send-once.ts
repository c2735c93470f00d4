/**
 * One HTTP attempt over node:http(s) for the API transport (src/run/http-transport.ts): a whole-attempt
 * timeout, a body size cap, JSON parsed without quoting the text, and whether the connection was up
 * when it failed (a failure before that cannot have created anything, even for a POST).
 */
import * as http from 'node:http'
import * as https from 'node:https'
import { type HttpRequest, type HttpResponse, messageOf } from '../arazzo/index.js'
import { parseJsonText } from '../policy/index.js'
import { TransportError } from './transport-error.js'

export interface SendLimits {
  timeoutMs: number
  maxBodyBytes: number
}

/** One attempt over node:http(s), with a whole-attempt timeout and a body size cap. */
export function sendOnce(
  request: HttpRequest,
  signal: AbortSignal,
  limits: SendLimits
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(request.url)
    const client = url.protocol === 'https:' ? https : http
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
    if (request.body !== undefined)
      headers['content-length'] = String(Buffer.byteLength(request.body))
    const req = client.request(url, { method: request.method, headers, signal })
    // Until the connection is up (TLS included), no byte of the request can have reached the
    // server: a failure before that cannot have created anything, even for a POST.
    let connected = false
    req.on('socket', socket => {
      if (!socket.connecting)
        connected = true // a kept-alive socket, already up
      else
        socket.once(
          url.protocol === 'https:' ? 'secureConnect' : 'connect',
          () => (connected = true)
        )
    })
    const fail = (error: Error): void => {
      clearTimeout(timer)
      req.destroy()
      reject(error)
    }
    const timer = setTimeout(() => {
      const message = connected
        ? `no complete answer within ${limits.timeoutMs} ms`
        : `no connection within ${limits.timeoutMs} ms`
      fail(new TransportError('network', message, undefined, !connected))
    }, limits.timeoutMs)
    req.on('error', error =>
      fail(signal.aborted ? (signal.reason as Error) : networkError(error, !connected))
    )
    req.on('response', res => {
      const declared = Number(res.headers['content-length'] ?? 0)
      if (declared > limits.maxBodyBytes) {
        res.destroy()
        return fail(tooLarge(request, limits))
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > limits.maxBodyBytes) {
          res.destroy()
          return fail(tooLarge(request, limits))
        }
        chunks.push(chunk)
      })
      res.on('error', error => fail(networkError(error)))
      res.on('end', () => {
        clearTimeout(timer)
        if (!res.complete) return reject(networkError(new Error('the answer was cut short')))
        try {
          resolve({
            status: res.statusCode ?? 0,
            headers: flattenHeaders(res.headers),
            body: parseBody(Buffer.concat(chunks).toString('utf8'), res.headers['content-type'])
          })
        } catch (error) {
          const what = `${request.method} ${url.pathname}`
          reject(
            new TransportError(
              'malformed',
              `HTTP ${res.statusCode} from ${what} had a malformed JSON body (${messageOf(error)})`,
              res.statusCode
            )
          )
        }
      })
    })
    req.end(request.body)
  })
}

function tooLarge(request: HttpRequest, limits: SendLimits): TransportError {
  const path = new URL(request.url).pathname
  return new TransportError(
    'tooLarge',
    `the answer to ${request.method} ${path} is larger than ${limits.maxBodyBytes} bytes: refused`
  )
}

function networkError(error: Error & { code?: string }, neverSent = false): TransportError {
  return new TransportError(
    'network',
    error.code ? `${error.code}: ${error.message}` : error.message,
    undefined,
    neverSent
  )
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

/**
 * JSON when the server says so; throws on malformed JSON (saying where, never quoting the text) and
 * on JSON nested too deep to walk.
 */
export function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined
  const declaredJson = /\bjson\b/i.test(contentType ?? '')
  if (declaredJson) return parseJsonText(text)
  return text
}
