/**
 * The one loopback rule of the action. Plain http is allowed only to a loopback host (the simulator,
 * test servers, a local proxy), because Basic credentials and presigned URLs are bearer secrets.
 *
 * Only IP literals count: `localhost` and `*.localhost` are names, and a name is resolved by whatever
 * the runner's resolver (or DNS) says, so it proves nothing about where the bytes go.
 *
 * Accepted: 127.0.0.0/8, ::1 (any spelling), and IPv4-mapped ::ffff:127.0.0.0/104. The argument is a
 * URL's `hostname` (IPv6 in brackets, as the WHATWG URL parser gives it) or a bare address.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (/^127(\.\d{1,3}){3}$/.test(host)) return host.split('.').every(part => Number(part) <= 255)
  if (host === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(host)) return true
  // The WHATWG parser rewrites ::ffff:127.0.0.1 as ::ffff:7f00:1.
  return /^::ffff:(127(\.\d{1,3}){3}|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(host)
}

/** Why plain http was refused, for messages that name the rule once. */
export const LOOPBACK_RULE = 'http is allowed only for loopback IP literals (127.0.0.0/8, ::1)'
