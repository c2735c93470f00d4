import type { LookupAddress } from 'node:dns'
import {
  InternalAddressError,
  internalAddressKind,
  refusingLookup
} from '../src/policy/private-address.js'

describe('internalAddressKind', () => {
  test.each([
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast or reserved'],
    ['[fe80::1]', 'link-local'],
    ['fd00:ec2::254', 'unique local (private)'],
    ['::ffff:169.254.169.254', 'link-local (cloud metadata)'],
    ['[::ffff:a9fe:a9fe]', 'link-local (cloud metadata)'],
    ['::ffff:10.1.2.3', 'private'],
    ['::', 'unspecified'],
    // NAT64 and 6to4 embed an IPv4 address that a gateway on the runner's network reaches.
    ['64:ff9b::a9fe:a9fe', 'link-local (cloud metadata), embedded in NAT64 64:ff9b::/96'],
    ['[64:ff9b::10.1.2.3]', 'private, embedded in NAT64 64:ff9b::/96'],
    ['64:ff9b::7f00:1', 'loopback, embedded in NAT64 64:ff9b::/96'],
    ['2002:a9fe:a9fe::1', 'link-local (cloud metadata), embedded in 6to4 2002::/16'],
    ['2002:c0a8:0101::', 'private, embedded in 6to4 2002::/16'],
    ['2002:7f00:1::', 'loopback, embedded in 6to4 2002::/16'],
    // The edges of each range, and the IPv4-compatible forms.
    ['100.127.255.255', 'shared (carrier-grade NAT)'],
    ['::ffff:0.0.0.1', 'unspecified'],
    ['::10.0.0.1', 'private'],
    ['::0.0.0.5', 'unspecified'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'site-local (private)']
  ])('%s is %s', (address, kind) => {
    expect(internalAddressKind(address)).toBe(kind)
  })

  test.each([
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '127.0.0.1',
    '127.0.0.2',
    '::1',
    '2600:1f18::1',
    '64:ff9b::808:808',
    '2002:808:808::1',
    // Near misses: one half of a range's test alone does not make an address internal.
    '169.1.2.3',
    '1.254.0.1',
    '172.15.0.1',
    '1.20.0.1',
    '192.1.0.1',
    '1.168.0.1',
    '100.1.0.1',
    '1.64.0.1',
    '::2:a00:1',
    '65:ff9b::a00:1',
    '64:ff9a::a00:1',
    '64:ff9b:1::a00:1',
    // Brackets only around the whole host: these are not addresses at all.
    '1[0.0.0.1]',
    '[10.0.0.1]0',
    'amplitude.com',
    's3.amazonaws.com'
  ])('%s may be fetched', address => {
    expect(internalAddressKind(address)).toBeUndefined()
  })
})

describe('refusingLookup', () => {
  // Answers like dns.lookup: the whole list only when asked for all addresses.
  const resolver =
    (addresses: LookupAddress[], failure: Error | null = null) =>
    (
      _host: string,
      options: { all?: boolean },
      callback: (e: Error | null, a: LookupAddress[] | string, f?: number) => void
    ) =>
      failure
        ? callback(failure, [])
        : options.all
          ? callback(null, addresses)
          : callback(null, addresses[0]?.address ?? '', addresses[0]?.family)

  const lookup = (addresses: LookupAddress[], all: boolean, failure: Error | null = null) =>
    new Promise<{ error: Error | null; address: unknown; family?: number }>(resolve =>
      refusingLookup(resolver(addresses, failure) as never)(
        'bucket.example',
        { all },
        (error, address, family) => resolve({ error, address, family })
      )
    )

  test('a name that resolves to an internal address is refused, even among public ones', async () => {
    const { error } = await lookup(
      [
        { address: '52.1.2.3', family: 4 },
        { address: '169.254.169.254', family: 4 }
      ],
      true
    )
    expect(error).toBeInstanceOf(InternalAddressError)
    expect(error?.message).toBe(
      'refusing a link-local (cloud metadata) address: downloads and remote source descriptions never go to link-local, private or other internal addresses (cloud metadata, the local network)'
    )
  })

  test('the refusal is a permanent error of its own, with no address', async () => {
    const result = await lookup([{ address: '10.0.0.1', family: 4 }], false)
    expect(result.address).toBe('')
    expect(result.error).toMatchObject({ name: 'InternalAddressError', code: 'EINTERNALADDRESS' })
  })

  test("the resolver's own failure is passed on as it is", async () => {
    const failure = Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' })
    expect(await lookup([], true, failure)).toEqual({
      error: failure,
      address: '',
      family: undefined
    })
  })

  test('a name with no address at all is not found', async () => {
    const { error, address } = await lookup([], false)
    expect(address).toBe('')
    expect(error).toMatchObject({ message: 'no address for bucket.example', code: 'ENOTFOUND' })
  })

  test('public addresses pass, in the form the caller asked for', async () => {
    const addresses = [{ address: '52.1.2.3', family: 4 }]
    expect(await lookup(addresses, true)).toEqual({
      error: null,
      address: addresses,
      family: undefined
    })
    expect(await lookup(addresses, false)).toEqual({ error: null, address: '52.1.2.3', family: 4 })
  })
})
