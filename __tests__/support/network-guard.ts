/**
 * The connect guard: nothing a test runs may reach beyond loopback, even a regressed build that
 * tries to. Preloaded into every run of dist/index.js by action-harness.ts (`node --import` of this
 * file; Node strips its types), and installable in a test's own process (`installConnectGuard`):
 * - a socket to an IP literal outside loopback is destroyed before it connects;
 * - a host name other than `localhost` is never sent to DNS (the query itself would leave the
 *   machine): it fails as ENOTFOUND; `localhost` resolving beyond loopback is refused too;
 * - any lookup a caller brings (the action's refusingLookup) runs only after the guard's.
 * Every attempt is recorded (and, in a child, appended as a JSON line to DSAR_CONNECT_GUARD_LOG),
 * so the harness fails the test that made it. Imports node built-ins only, so it loads as is.
 */
import dns from 'node:dns'
import { appendFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'

export interface GuardAttempt {
  kind: 'address' | 'name'
  target: string
}

type Callback = (error: Error | null, address?: unknown, family?: number) => void
type Lookup = (hostname: string, options: unknown, callback: Callback) => void

const attempts: GuardAttempt[] = []
const originals = {
  lookup: dns.lookup,
  promisesLookup: dns.promises.lookup,
  connect: net.Socket.prototype.connect
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (net.isIPv4(host)) return host.startsWith('127.')
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true
  return host.startsWith('::ffff:127.')
}

/** What this process's guard refused so far. */
export function guardAttempts(): readonly GuardAttempt[] {
  return attempts
}

function record(kind: GuardAttempt['kind'], target: string): Error {
  attempts.push({ kind, target })
  const log = process.env.DSAR_CONNECT_GUARD_LOG
  if (log) appendFileSync(log, `${JSON.stringify({ kind, target })}\n`)
  return Object.assign(new Error(`connect guard: ${target} is not loopback`), {
    code: 'ENOTFOUND'
  })
}

const guardedLookup: Lookup = (hostname, options, callback) => {
  const opts = (
    typeof options === 'number' ? { family: options } : (options ?? {})
  ) as dns.LookupOptions
  if (net.isIP(hostname) && !isLoopbackAddress(hostname)) {
    const error = record('address', hostname)
    process.nextTick(callback, error)
    return
  }
  if (!net.isIP(hostname) && hostname.toLowerCase() !== 'localhost') {
    const error = record('name', hostname)
    process.nextTick(callback, error)
    return
  }
  originals.lookup(hostname, { ...opts, all: true }, (error, list) => {
    if (error) return callback(error)
    const outside = list.find(entry => !isLoopbackAddress(entry.address))
    if (outside) return callback(record('address', outside.address))
    if (opts.all) return callback(null, list)
    callback(null, list[0].address, list[0].family)
  })
}

export function installConnectGuard(): void {
  if (net.Socket.prototype.connect !== originals.connect) return
  ;(dns as { lookup: unknown }).lookup = (
    hostname: string,
    options: unknown,
    callback?: Callback
  ) =>
    typeof options === 'function'
      ? guardedLookup(hostname, {}, options as Callback)
      : guardedLookup(hostname, options, callback!)
  ;(dns.promises as { lookup: unknown }).lookup = (hostname: string, options?: unknown) =>
    new Promise((resolve, reject) =>
      guardedLookup(hostname, options ?? {}, (error, address, family) =>
        error ? reject(error) : resolve(Array.isArray(address) ? address : { address, family })
      )
    )
  syncBuiltinESMExports()
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const first = args[0]
    const options = (
      Array.isArray(first)
        ? first[0]
        : typeof first === 'object' && first !== null
          ? first
          : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined }
    ) as { host?: string; port?: unknown; path?: string; lookup?: Lookup }
    // An IPC socket has a path and no port; http(s) passes its request path along with a port.
    const ipc = options && options.port === undefined && typeof options.path === 'string'
    if (options && !ipc) {
      const host = options.host ?? 'localhost'
      if (net.isIP(host)) {
        if (!isLoopbackAddress(host)) {
          const error = record('address', host)
          process.nextTick(() => this.destroy(error))
          return this
        }
      } else {
        const inner = options.lookup
        options.lookup = (hostname, lookupOptions, callback) =>
          guardedLookup(hostname, lookupOptions, (error, address, family) => {
            if (error || !inner) return callback(error, address, family)
            inner(hostname, lookupOptions, callback)
          })
      }
    }
    return (originals.connect as (...a: unknown[]) => net.Socket).apply(this, args)
  }
}

export function uninstallConnectGuard(): void {
  ;(dns as { lookup: unknown }).lookup = originals.lookup
  ;(dns.promises as { lookup: unknown }).lookup = originals.promisesLookup
  syncBuiltinESMExports()
  net.Socket.prototype.connect = originals.connect
}

/**
 * For a Jest suite that opens sockets in its own process: the guard is on for the whole file, and
 * each test fails if anything it ran tried to reach beyond loopback.
 */
export function guardThisSuite(): void {
  let seen = 0
  beforeAll(() => installConnectGuard())
  beforeEach(() => {
    seen = attempts.length
  })
  afterEach(() => {
    expect(attempts.slice(seen)).toEqual([])
  })
  afterAll(() => uninstallConnectGuard())
}

// Preloaded into the action's process: guard it from its first line.
if (process.env.DSAR_CONNECT_GUARD_LOG) installConnectGuard()
