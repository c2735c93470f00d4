import {
  AMPLITUDE_ORIGINS,
  createCredentialPolicy,
  isCredentialOrigin,
  isDeletionApiPath,
  isOutputLinkPath,
  mayCarryCredentials,
  parseOrigin,
  type CredentialPolicy
} from '../src/policy/credentials.js'
import { LOOPBACK_RULE } from '../src/policy/loopback.js'

const link = (path = '/api/2/dsar/requests/53367/outputs/0') => path

function outputLink(policy: CredentialPolicy, url: string, chainOrigin?: string): boolean {
  const parsed = new URL(url)
  return mayCarryCredentials(policy, {
    kind: 'outputLink',
    method: 'GET',
    url: parsed,
    chainOrigin: chainOrigin ?? parsed.origin
  })
}

function apiCall(policy: CredentialPolicy, url: string): boolean {
  return mayCarryCredentials(policy, { kind: 'apiCall', url: new URL(url) })
}

describe('who receives the credentials', () => {
  const us = createCredentialPolicy({ apiOrigin: 'https://amplitude.com', region: 'us' })
  const eu = createCredentialPolicy({
    apiOrigin: 'https://analytics.eu.amplitude.com',
    region: 'eu'
  })

  test("the region's Amplitude origins, as Amplitude's documentation lists them", () => {
    expect(AMPLITUDE_ORIGINS.us.outputLinks).toEqual([
      'https://amplitude.com',
      'https://analytics.amplitude.com'
    ])
    expect(AMPLITUDE_ORIGINS.eu.outputLinks).toEqual(['https://analytics.eu.amplitude.com'])
    expect(us.outputLinkOrigins).toEqual([
      'https://amplitude.com',
      'https://analytics.amplitude.com'
    ])
  })

  test("output links on the docs' web-app host carry them (US), not another region's", () => {
    expect(outputLink(us, `https://analytics.amplitude.com${link()}`)).toBe(true)
    expect(outputLink(us, `https://amplitude.com${link()}`)).toBe(true)
    expect(outputLink(us, `https://analytics.eu.amplitude.com${link()}`)).toBe(false)
    expect(outputLink(eu, `https://analytics.eu.amplitude.com${link()}`)).toBe(true)
    expect(outputLink(eu, `https://analytics.amplitude.com${link()}`)).toBe(false)
  })

  test('only GETs of the output link path', () => {
    const url = new URL(`https://analytics.amplitude.com${link()}`)
    const hop = { kind: 'outputLink' as const, url, chainOrigin: url.origin }
    expect(mayCarryCredentials(us, { ...hop, method: 'get' })).toBe(true)
    expect(mayCarryCredentials(us, { ...hop, method: 'POST' })).toBe(false)
    for (const path of [
      '/api/2/dsar/requests/53367',
      '/api/2/dsar/requests/53367/outputs/x',
      '/api/2/dsar/requests/53367/outputs/0/more',
      '/bucket/file.json.gz',
      '/',
      '/api/2/dsar/requests//outputs/0'
    ]) {
      expect({ path, carries: outputLink(us, `https://analytics.amplitude.com${path}`) }).toEqual({
        path,
        carries: false
      })
    }
  })

  test('never across a redirect to another origin, even back to a trusted one', () => {
    const web = `https://analytics.amplitude.com${link()}`
    expect(outputLink(us, web, 'https://analytics.amplitude.com')).toBe(true)
    expect(outputLink(us, web, 'https://bucket.s3.amazonaws.com')).toBe(false)
    expect(outputLink(us, web, 'https://amplitude.com')).toBe(false)
  })

  test('exact origins: scheme, host and port', () => {
    for (const url of [
      `http://analytics.amplitude.com${link()}`,
      `https://analytics.amplitude.com:8443${link()}`,
      `https://evil.analytics.amplitude.com${link()}`,
      `https://analytics.amplitude.com.evil.example${link()}`,
      `https://user:pw@analytics.amplitude.com${link()}`
    ]) {
      expect({ url, carries: outputLink(us, url) }).toEqual({ url, carries: false })
    }
  })

  test('credential-origins adds origins; plain http only for loopback literals', () => {
    const policy = createCredentialPolicy({
      apiOrigin: 'http://127.0.0.1:8080',
      region: 'us',
      extraOrigins: ['http://127.0.0.3:9000', 'https://dsar-proxy.example.com']
    })
    expect(outputLink(policy, `http://127.0.0.3:9000${link()}`)).toBe(true)
    expect(outputLink(policy, `https://dsar-proxy.example.com${link()}`)).toBe(true)
    expect(outputLink(policy, `http://127.0.0.1:8080${link()}`)).toBe(true)
    expect(outputLink(policy, `https://analytics.amplitude.com${link()}`)).toBe(true)
    expect(outputLink(policy, `http://127.0.0.3:9001${link()}`)).toBe(false)
    // A policy built around a non-loopback http origin still refuses it.
    const unsafe = createCredentialPolicy({
      apiOrigin: 'https://amplitude.com',
      extraOrigins: ['http://proxy.example.com']
    })
    expect(outputLink(unsafe, `http://proxy.example.com${link()}`)).toBe(false)
  })

  test('API calls go to the API origin only (any path, any method)', () => {
    expect(apiCall(us, 'https://amplitude.com/api/2/dsar/requests')).toBe(true)
    expect(apiCall(us, 'https://amplitude.com/anything')).toBe(true)
    expect(apiCall(us, 'https://analytics.amplitude.com/api/2/dsar/requests')).toBe(false)
    expect(apiCall(us, 'http://amplitude.com/api/2/dsar/requests')).toBe(false)
    expect(apiCall(us, 'https://amplitude.com:444/api/2/dsar/requests')).toBe(false)
  })
})

describe('origins given by the user', () => {
  test.each([
    ['https://proxy.example.com', 'https://proxy.example.com'],
    ['https://proxy.example.com:8443/', 'https://proxy.example.com:8443'],
    ['HTTPS://Analytics.Amplitude.COM', 'https://analytics.amplitude.com'],
    ['http://127.0.0.3:9000', 'http://127.0.0.3:9000'],
    ['http://[::1]:3000', 'http://[::1]:3000']
  ])('%s is %s', (text, origin) => {
    expect(parseOrigin(text)).toMatchObject({ ok: true, origin })
  })

  test.each([
    ['http://proxy.example.com', /loopback/],
    ['http://localhost:3000', /loopback/],
    ['https://proxy.example.com/path', /without a path/],
    ['https://proxy.example.com/?q', /no query/],
    ['https://u:p@proxy.example.com', /credentials/],
    ['https://*.amplitude.com', /no wildcards/],
    ['ftp://proxy.example.com', /must use https/],
    ['proxy.example.com', /absolute URL/]
  ])('%s is refused', (text, reason) => {
    const parsed = parseOrigin(text)
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringMatching(reason) })
    expect(JSON.stringify(parsed)).not.toContain('p@')
  })
})

describe('which key pair goes where (erasure and DSAR scopes)', () => {
  const policy = createCredentialPolicy({ apiOrigin: 'https://amplitude.com', region: 'us' })
  const call = (path: string, scope?: 'dsar' | 'erasure', origin = 'https://amplitude.com') =>
    mayCarryCredentials(policy, { kind: 'apiCall', url: new URL(`${origin}${path}`), scope })

  test.each([
    '/api/2/deletions/users',
    '/api/2/deletions/users/',
    '/api/2/deletions/users/12345/2026-01-01',
    '/api/2/deletions/users/12345/2026-01-01/'
  ])('erasure keys go to the deletion API %s, DSAR keys do not', path => {
    expect(isDeletionApiPath(path)).toBe(true)
    expect(call(path, 'erasure')).toBe(true)
    expect(call(path, 'dsar')).toBe(false)
    expect(call(path)).toBe(false)
    expect(call(path, 'erasure', 'https://analytics.amplitude.com')).toBe(false)
  })

  test.each([
    '/api/2/dsar/requests',
    '/api/2/deletions/users/12345',
    '/api/2/deletions/users/1/2/3',
    '/api/2/deletions/usersX',
    '/x/api/2/deletions/users',
    '/api/2/deletions/users//2026-01-01'
  ])('%s is not the deletion API: erasure keys never go there', path => {
    expect(isDeletionApiPath(path)).toBe(false)
    expect(call(path, 'erasure')).toBe(false)
    expect(call(path, 'dsar')).toBe(true)
  })

  test('output link paths: the documented shape, whole', () => {
    expect(isOutputLinkPath('/api/2/dsar/requests/53367/outputs/12')).toBe(true)
    expect(isOutputLinkPath('/x/api/2/dsar/requests/53367/outputs/0')).toBe(false)
    expect(isOutputLinkPath('/api/2/dsar/requests/53367/outputs/')).toBe(false)
    expect(isOutputLinkPath('/api/2/dsar/requests/5/3/outputs/0')).toBe(false)
  })

  test('isCredentialOrigin: the trusted origins, exactly', () => {
    expect(isCredentialOrigin(policy, new URL('https://analytics.amplitude.com/x'))).toBe(true)
    expect(isCredentialOrigin(policy, new URL('https://amplitude.com/'))).toBe(true)
    expect(isCredentialOrigin(policy, new URL('https://amplitude.com:8443/'))).toBe(false)
    expect(isCredentialOrigin(policy, new URL('https://eu.amplitude.com/'))).toBe(false)
  })

  test('plain http API calls only to a loopback literal; never with credentials in the URL', () => {
    const local = createCredentialPolicy({ apiOrigin: 'http://127.0.0.1:8080' })
    const url = (text: string) =>
      mayCarryCredentials(local, { kind: 'apiCall', url: new URL(text) })
    expect(url('http://127.0.0.1:8080/api/2/dsar/requests')).toBe(true)
    expect(url('http://user@127.0.0.1:8080/api/2/dsar/requests')).toBe(false)
    expect(url('http://:pw@127.0.0.1:8080/api/2/dsar/requests')).toBe(false)
    const named = createCredentialPolicy({ apiOrigin: 'http://localhost:8080' })
    expect(
      mayCarryCredentials(named, { kind: 'apiCall', url: new URL('http://localhost:8080/x') })
    ).toBe(false)
    // Without a region only the API origin and the added ones serve output links.
    expect(local.outputLinkOrigins).toEqual(['http://127.0.0.1:8080'])
  })
})

describe('parseOrigin, exactly', () => {
  test('the origin and whether it is loopback', () => {
    expect(parseOrigin('http://127.0.0.1:9')).toEqual({
      ok: true,
      origin: 'http://127.0.0.1:9',
      loopback: true
    })
    expect(parseOrigin('https://[2001:db8::1]:8443')).toEqual({
      ok: true,
      origin: 'https://[2001:db8::1]:8443',
      loopback: false
    })
    expect(parseOrigin('https://amplitude.com')).toEqual({
      ok: true,
      origin: 'https://amplitude.com',
      loopback: false
    })
  })

  test.each([
    ['https://amplitude.com#x', 'must be an origin only (no query or fragment)'],
    ['https://amplitude.com?', 'must be an origin only (no query or fragment)'],
    ['nope', 'is not an absolute URL (expected e.g. https://amplitude.com)'],
    ['ws://amplitude.com', "must use https (got 'ws:')"],
    [
      'https://@amplitude.com',
      'must not contain credentials (use api-key/secret-key or basic-auth)'
    ],
    [
      'https://:pw@amplitude.com',
      'must not contain credentials (use api-key/secret-key or basic-auth)'
    ],
    [
      'https://amplitude.com/x',
      'must be an origin only, without a path (e.g. https://amplitude.com)'
    ],
    [
      'https://ampli*tude.com',
      'has a host that is neither a DNS name nor an IP address (no wildcards)'
    ],
    [
      'https://amplitude.com*',
      'has a host that is neither a DNS name nor an IP address (no wildcards)'
    ],
    ['http://10.0.0.1', `${LOOPBACK_RULE}; use https`]
  ])('%s: %s', (text, reason) => {
    expect(parseOrigin(text)).toEqual({ ok: false, reason })
  })
})
