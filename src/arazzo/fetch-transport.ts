/**
 * The default HttpTransport, on the global fetch. Redirects are NOT followed (`redirect:
 * 'manual'`): a 3xx is returned to the workflow as is, so credentials never travel to another
 * host behind the caller's back. JSON bodies are parsed when the content type says JSON.
 */

import type { HttpRequest, HttpResponse, HttpTransport } from './types.js'

export interface FetchTransportOptions {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch
  /** Larger response bodies are refused (the request fails). Default 10 MiB. */
  maxResponseBytes?: number
}

const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024

export function createFetchTransport(options: FetchTransportOptions = {}): HttpTransport {
  const doFetch = options.fetch ?? globalThis.fetch
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
  return async (request: HttpRequest, signal: AbortSignal): Promise<HttpResponse> => {
    const response = await doFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal
    })
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value
    })
    const text = await readLimited(response, maxBytes)
    return { status: response.status, headers, body: decodeBody(text, headers['content-type']) }
  }
}

/** The transport the runner uses when the caller does not inject one. */
export const fetchTransport: HttpTransport = createFetchTransport()

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return ''
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel()
    throw new Error(`response body of ${declared} bytes exceeds the ${maxBytes} byte limit`)
  }
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength
    if (total > maxBytes) {
      throw new Error(`response body exceeds the ${maxBytes} byte limit`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false
  const mediaType = contentType.split(';')[0].trim().toLowerCase()
  return mediaType === 'application/json' || mediaType.endsWith('+json')
}

/** Parsed JSON for JSON content types (the text if it does not parse), else the text. */
export function decodeBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined
  if (!isJsonContentType(contentType)) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}
