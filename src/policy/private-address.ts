/**
 * The one rule on where an export or a remote source description may be fetched from besides the
 * origins trusted with the credentials: never from a link-local, private or otherwise internal
 * address. A presigned link or
 * a redirect is chosen by the server, and on a self-hosted runner `http(s)://169.254.169.254/`
 * (cloud metadata: instance credentials), `10.x`, `192.168.x` or `fd00::/8` reach machines the
 * server could never reach itself; what they answer would land in the export folder, and maybe in
 * a workflow artifact.
 *
 * Checked twice: the URL's host when it is an IP literal, and every address a host name resolves to
 * (`refusingLookup`, used as the connection's DNS lookup, so a name cannot resolve one way for the
 * check and another for the connection). Loopback stays allowed: it is the runner itself, which the
 * loopback rule (loopback.ts) already limits to IP literals for plain http.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { isIP } from 'node:net'

/** Why an address is refused ('link-local', 'private', ...), or undefined when it may be fetched. */
export function internalAddressKind(address: string): string | undefined {
  const host = address.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  const version = isIP(host)
  if (version === 4) return ipv4Kind(host.split('.').map(Number))
  if (version === 6) return ipv6Kind(host)
  return undefined
}

export const INTERNAL_ADDRESS_RULE =
  'downloads and remote source descriptions never go to link-local, private or other internal addresses (cloud metadata, the local network)'

/** The one wording of a refusal, for the URL check and the DNS check alike. */
export function internalAddressRefusal(kind: string): string {
  return `refusing a ${kind} address: ${INTERNAL_ADDRESS_RULE}`
}

function ipv4Kind([a, b]: number[]): string | undefined {
  if (a === 169 && b === 254) return 'link-local (cloud metadata)'
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private'
  if (a === 100 && b >= 64 && b <= 127) return 'shared (carrier-grade NAT)'
  if (a === 0) return 'unspecified'
  if (a >= 224) return 'multicast or reserved'
  return undefined
}

function ipv6Kind(host: string): string | undefined {
  const words = expandIpv6(host)
  if (!words) return 'unreadable'
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms: the IPv4 rule decides.
  if (words.slice(0, 5).every(w => w === 0) && (words[5] === 0xffff || words[5] === 0)) {
    if (words[5] === 0 && words[6] === 0 && words[7] <= 1) {
      return words[7] === 0 ? 'unspecified' : undefined // :: or ::1 (loopback)
    }
    return ipv4Kind([words[6] >> 8, words[6] & 0xff, words[7] >> 8, words[7] & 0xff])
  }
  // NAT64 (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16, RFC 3056) carry an IPv4 address that a
  // gateway on the runner's network connects to: the IPv4 rule decides, and an embedded loopback
  // address is not the runner itself.
  const embedded = embeddedIpv4(words)
  if (embedded) {
    const kind = embedded.ipv4[0] === 127 ? 'loopback' : ipv4Kind(embedded.ipv4)
    return kind && `${kind}, embedded in ${embedded.form}`
  }
  if ((words[0] & 0xffc0) === 0xfe80) return 'link-local'
  if ((words[0] & 0xfe00) === 0xfc00) return 'unique local (private)'
  if ((words[0] & 0xff00) === 0xff00) return 'multicast'
  if (words[0] === 0xfec0) return 'site-local (private)'
  return undefined
}

/** The IPv4 address a NAT64 or 6to4 address embeds, if it is one. */
function embeddedIpv4(words: number[]): { ipv4: number[]; form: string } | undefined {
  const bytes = (high: number, low: number): number[] => [
    high >> 8,
    high & 0xff,
    low >> 8,
    low & 0xff
  ]
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every(w => w === 0)) {
    return { ipv4: bytes(words[6], words[7]), form: 'NAT64 64:ff9b::/96' }
  }
  if (words[0] === 0x2002) return { ipv4: bytes(words[1], words[2]), form: '6to4 2002::/16' }
  return undefined
}

/** Eight 16-bit words, or undefined. Accepts `::` and a trailing dotted IPv4 part. */
function expandIpv6(host: string): number[] | undefined {
  let text = host.split('%')[0]
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number)
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const missing = 8 - left.length - right.length
  if (text.includes('::') ? missing < 1 : missing !== 0) return undefined
  const words = [...left, ...Array<string>(text.includes('::') ? missing : 0).fill('0'), ...right]
  const values = words.map(w => (/^[0-9a-f]{1,4}$/.test(w) ? parseInt(w, 16) : NaN))
  return values.some(Number.isNaN) ? undefined : values
}

/** The refusal of a connection to an internal address (a permanent failure: retrying cannot help). */
export class InternalAddressError extends Error {
  readonly code = 'EINTERNALADDRESS'
  constructor(kind: string) {
    super(internalAddressRefusal(kind))
    this.name = 'InternalAddressError'
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number
) => void

/**
 * A DNS lookup for http(s).request's `lookup` option that fails when any address of the name is
 * internal. `resolve` is the lookup it checks (dns.lookup by default; tests inject their own).
 */
export function refusingLookup(
  resolve: typeof dnsLookup = dnsLookup
): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '')
      const list = addresses
      const refused = list.map(entry => internalAddressKind(entry.address)).find(Boolean)
      if (refused) return callback(new InternalAddressError(refused), '')
      if (list.length === 0)
        return callback(
          Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
          ''
        )
      if (options.all) return callback(null, list)
      callback(null, list[0].address, list[0].family)
    })
  }
}
