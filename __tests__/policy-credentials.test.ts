import {
  AMPLITUDE_ORIGINS,
  createCredentialPolicy,
  mayCarryCredentials,
  parseOrigin,
  type CredentialPolicy
} from '../src/policy/credentials.js'

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
