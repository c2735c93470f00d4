/**
 * Listening and closing for the simulator's servers, and binding a second loopback address with a
 * fallback: where 127.0.0.2 or 127.0.0.3 cannot be bound (macOS has no alias for them by default),
 * another port on the API host is still another origin.
 */
import type { Server } from 'node:http'

/** Listens on `host`, or on `fallbackHost` when `host` is not a local address. Returns the origin. */
export async function listenWithFallback(
  server: Server,
  host: string,
  fallbackHost: string,
  port: number
): Promise<string> {
  try {
    return origin(host, await listen(server, host, port))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw error
    return origin(fallbackHost, await listen(server, fallbackHost, port))
  }
}

export function origin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}

export function closeServer(server: Server): Promise<void> {
  return new Promise(resolve => {
    if (!server.listening) {
      resolve()
      return
    }
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
