/**
 * An HTTPS server on 127.0.0.1 that serves Arazzo and OpenAPI documents for the remote source
 * description tests, with the throwaway certificate of the reliability suites (trust it with
 * NODE_EXTRA_CA_CERTS in a child process, or tls.setDefaultCACertificates in this one). Besides
 * plain documents it can misbehave: an endless body, a huge declared length, a stall. It records
 * every request and how many body bytes each answer got out before it ended or was cut off.
 */
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import { testCertificate } from '../reliability/support.js'

export type Route =
  | { kind: 'document'; body: string; status?: number; contentType?: string }
  /** Streams `chunk` forever (chunked, no Content-Length) until the client goes away. */
  | { kind: 'endless'; chunk: string }
  /** Declares this Content-Length, then streams until the client goes away. */
  | { kind: 'declares'; length: number }
  /** Sends the headers and nothing more. */
  | { kind: 'stall' }
  /** Answers a redirect (302 by default) to `location`. */
  | { kind: 'redirect'; location: string; status?: number }

export interface ServedRequest {
  path: string
  /** Body bytes written before the answer ended or the client left. */
  bytesSent: number
  /** True when the client closed the connection before the answer was complete. */
  cutOff: boolean
}

export interface DescriptionServer {
  origin: string
  url(path: string): string
  routes: Map<string, Route>
  requests: ServedRequest[]
  /** PEM file to trust (NODE_EXTRA_CA_CERTS). */
  certPath: string
  cert: string
  close(): Promise<void>
}

export async function startDescriptionServer(
  routes: Record<string, Route> = {}
): Promise<DescriptionServer> {
  const tls = testCertificate()
  const table = new Map(Object.entries(routes))
  const requests: ServedRequest[] = []
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname
    const record: ServedRequest = { path, bytesSent: 0, cutOff: false }
    requests.push(record)
    const write = (chunk: string): boolean => {
      record.bytesSent += Buffer.byteLength(chunk)
      return res.write(chunk)
    }
    res.on('close', () => {
      if (!res.writableFinished) record.cutOff = true
    })
    const route = table.get(path)
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    switch (route.kind) {
      case 'document':
        res.writeHead(route.status ?? 200, {
          'content-type': route.contentType ?? 'application/yaml'
        })
        write(route.body)
        res.end()
        return
      case 'redirect':
        res.writeHead(route.status ?? 302, { location: route.location }).end()
        return
      case 'stall':
        res.writeHead(200, { 'content-type': 'application/yaml' })
        res.flushHeaders()
        return
      case 'declares':
      case 'endless': {
        const headers: Record<string, string | number> = { 'content-type': 'application/yaml' }
        if (route.kind === 'declares') headers['content-length'] = route.length
        res.writeHead(200, headers)
        const chunk = route.kind === 'endless' ? route.chunk : '#'.repeat(64 * 1024)
        const pump = (): void => {
          while (!res.destroyed && write(chunk)) {
            if (record.bytesSent > 1024 * 1024 * 1024) return // a test gone wrong: stop at 1 GiB
          }
          if (!res.destroyed) res.once('drain', pump)
        }
        pump()
        return
      }
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    url: path => `${origin}${path}`,
    routes: table,
    requests,
    certPath: tls.certPath,
    cert: tls.cert,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
