import {
  checkServerValues,
  linkSecrets,
  sharedRequestIds,
  withoutRefused
} from '../src/run/server-values.js'
import { LOOPBACK_RULE } from '../src/policy/loopback.js'

describe('checkServerValues', () => {
  test('accepts the documented answer, ids as numbers or text', () => {
    const { accepted, refused } = checkServerValues(
      {
        requestId: 53367,
        status: 'done',
        failReason: 'User has more than 100k events per month, which is not supported',
        expires: '2024-01-03T10:00:00.000Z',
        urls: ['https://analytics.amplitude.com/api/2/dsar/requests/53367/outputs/0']
      },
      'digits'
    )
    expect(refused).toEqual([])
    expect(accepted).toEqual({
      requestId: '53367',
      status: 'done',
      failReason: 'User has more than 100k events per month, which is not supported',
      expires: '2024-01-03T10:00:00.000Z',
      urls: ['https://analytics.amplitude.com/api/2/dsar/requests/53367/outputs/0']
    })
  })

  test.each([
    ['digits', '1"; touch /tmp/x; echo "'],
    ['digits', 'abc'],
    ['digits', 1.5],
    ['digits', 1e21],
    ['token', '$(id)'],
    ['token', 'a'.repeat(129)],
    ['token', '</code></pre><h1>x</h1>'],
    ['token', ['500123']]
  ] as const)('refuses the %s request id %j', (shape, requestId) => {
    const { accepted, refused } = checkServerValues({ requestId }, shape)
    expect(accepted.requestId).toBeUndefined()
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatch(/^the server's requestId ".*" is not a request id/)
  })

  test.each(['done\n::error::x', '::add-mask::x', 'a'.repeat(33), '', 'done done', 7])(
    'refuses the status %j',
    status => {
      const { accepted, refused } = checkServerValues({ status }, 'digits')
      expect(accepted.status).toBeUndefined()
      // An empty value is absent, not refused.
      expect(refused).toHaveLength(status === '' ? 0 : 1)
    }
  )

  test.each([
    'x\n\n[link](https://evil.example)',
    'say "hi"',
    "it's",
    'costs $5',
    'back`tick`',
    'a\\b',
    'x'.repeat(501)
  ])('refuses the failReason %j', failReason => {
    expect(checkServerValues({ failReason }, 'digits').refused).toHaveLength(1)
  })

  test.each(['$(id)', '2024-13-45', 'tomorrow', '2024-01-01T10:00:00Z; rm', 12])(
    'refuses expires %j',
    expires => {
      expect(checkServerValues({ expires }, 'digits').refused).toHaveLength(1)
    }
  )

  test('accepts expires as a date or a date-time', () => {
    for (const expires of ['2024-01-03', '2024-01-03T10:00Z', '2024-01-03T10:00:00+01:00']) {
      expect(checkServerValues({ expires }, 'digits').refused).toEqual([])
    }
  })

  test.each([
    'https://evil.example/$(touch /tmp/x)',
    'https://evil.example/x\n::stop-commands::x',
    "https://evil.example/a'b",
    'http://evil.example/export.gz',
    'http://localhost:8080/export.gz',
    'https://user:pass@evil.example/export.gz',
    'ftp://evil.example/export.gz',
    'not a url',
    `https://e.example/${'a'.repeat(8200)}`
  ])('refuses the link %j', link => {
    const { accepted, refused } = checkServerValues({ urls: [link] }, 'digits')
    expect(accepted.urls).toBeUndefined()
    expect(refused[0]).toMatch(/^the server's urls\[0\] ".*" is not/)
  })

  test('accepts presigned links and loopback http, refuses nested or too many links', () => {
    const presigned =
      'https://bucket.s3.amazonaws.com/dsar/x.json.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abcdef0123456789'
    expect(checkServerValues({ downloadUrl: presigned }, 'token').accepted.urls).toEqual([
      presigned
    ])
    expect(checkServerValues({ urls: ['http://127.0.0.2:9/x'] }, 'digits').refused).toEqual([])
    expect(checkServerValues({ urls: [['https://a.example/']] }, 'digits').refused).toHaveLength(1)
    const many = Array.from({ length: 1001 }, (_, i) => `https://a.example/${i}`)
    expect(checkServerValues({ urls: many }, 'digits').refused[0]).toMatch(
      /1001 links, more than 1000/
    )
  })

  test('messages bound and escape the value', () => {
    const [message] = checkServerValues({ status: `x\n${'y'.repeat(200)}` }, 'digits').refused
    expect(message).not.toContain('\n')
    expect(message.length).toBeLessThan(200)
  })
})

describe('withoutRefused', () => {
  test('replaces only the refused reported values by null', () => {
    const outputs = { requestId: '$(id)', status: 'done', custom: '$(kept, not ours)' }
    expect(withoutRefused(outputs, 'token')).toEqual({
      requestId: null,
      status: 'done',
      custom: '$(kept, not ours)'
    })
  })
})

describe('linkSecrets', () => {
  test('the query and every signature-like parameter of a presigned link', () => {
    const secrets = linkSecrets(
      'https://s.example/o?X-Amz-Credential=AKIA%2Fscope&X-Amz-Signature=0123456789abcdef&X-Amz-Expires=3600'
    )
    expect(secrets).toContain(
      'X-Amz-Credential=AKIA%2Fscope&X-Amz-Signature=0123456789abcdef&X-Amz-Expires=3600'
    )
    expect(secrets).toContain('0123456789abcdef')
    expect(secrets).toContain('AKIA/scope')
    expect(secrets).not.toContain('3600')
  })

  test('nothing for a link without a query', () => {
    expect(linkSecrets('https://analytics.amplitude.com/api/2/dsar/requests/1/outputs/0')).toEqual(
      []
    )
  })
})

describe('sharedRequestIds', () => {
  test('ids held by more than one request', () => {
    expect(
      sharedRequestIds([
        { requestId: '1', label: 'a' },
        { requestId: '2', label: 'b' },
        { requestId: '1', label: 'c' },
        { label: 'd' }
      ])
    ).toEqual([{ requestId: '1', labels: ['a', 'c'] }])
  })
})

describe('the edges of each shape', () => {
  const check = (outputs: Record<string, unknown>, shape: 'digits' | 'token' = 'digits') =>
    checkServerValues(outputs, shape)

  test('request ids: up to 20 digits, up to 128 token characters, each bound included', () => {
    expect(check({ requestId: '9'.repeat(20) }).accepted.requestId).toBe('9'.repeat(20))
    expect(check({ requestId: '9'.repeat(21) }).refused).toEqual([
      `the server's requestId "${'9'.repeat(21)}" is not a request id (digits)`
    ])
    expect(check({ requestId: 'x1' }).refused).toHaveLength(1)
    expect(check({ requestId: '1x' }).refused).toHaveLength(1)
    const token = `A-z_9${'a'.repeat(123)}`
    expect(check({ requestId: token }, 'token').accepted.requestId).toBe(token)
    expect(check({ requestId: 'a.b' }, 'token').refused).toEqual([
      `the server's requestId "a.b" is not a request id (1 to 128 of A-Z a-z 0-9 _ -)`
    ])
    // A number is taken only as a non-negative safe integer.
    expect(check({ requestId: 0 }).accepted.requestId).toBe('0')
    expect(check({ requestId: -1 }).refused).toHaveLength(1)
    // In either shape: `-1` as text would pass the token pattern.
    expect(check({ requestId: -1 }, 'token').refused).toHaveLength(1)
    expect(check({ requestId: true }).refused).toEqual([
      `the server's requestId "true" is not a request id (digits)`
    ])
  })

  test('absent values (undefined, null, empty) are neither accepted nor refused', () => {
    expect(
      check({ requestId: null, status: '', failReason: null, expires: '', urls: null })
    ).toEqual({ accepted: {}, refused: [] })
  })

  test('status: a letter first, then up to 31 more; finalStatus wins over status', () => {
    expect(check({ status: `a${'b'.repeat(31)}` }).accepted.status).toBe(`a${'b'.repeat(31)}`)
    expect(check({ status: 'Done_2-x' }).accepted.status).toBe('Done_2-x')
    expect(check({ status: '2done' }).refused).toEqual([
      `the server's status "2done" is not a status (a word of up to 32 letters, digits, _ or -)`
    ])
    expect(check({ status: 'x!' }).refused).toHaveLength(1)
    expect(check({ status: 'staging', finalStatus: 'done' }).accepted.status).toBe('done')
  })

  test('failReason: 500 characters pass, 501 do not; every unsafe character refuses it', () => {
    expect(check({ failReason: 'x'.repeat(500) }).accepted.failReason).toBe('x'.repeat(500))
    const [message] = check({ failReason: 'x'.repeat(501) }).refused
    expect(message).toBe(
      `the server's failReason "${'x'.repeat(60)}…" is not one line of at most 500 characters without quotes, backslashes or $`
    )
    for (const c of ['\u0000', '\u001f', '\u007f', '\u009f', '\u2028', '\u2029', '\r']) {
      expect({ c, refused: check({ failReason: `a${c}b` }).refused.length }).toEqual({
        c,
        refused: 1
      })
    }
    expect(check({ failReason: 42 }).refused).toHaveLength(1)
    expect(check({ failReason: 'Too many events (100k+), see #docs: 50% ok' }).refused).toEqual([])
  })

  test('expires: the whole value must be a date or date-time that exists', () => {
    for (const expires of [
      '2024-01-03T10:00:00.123456789Z',
      '2024-01-03T10:00:00-0500',
      '2024-01-03T10:00:00.5+05:30'
    ]) {
      expect({ expires, refused: check({ expires }).refused }).toEqual({ expires, refused: [] })
    }
    for (const expires of [
      'x2024-01-03',
      '2024-01-03x',
      '2024-01-03T10Z',
      '2024-01-03T10:00:00.1234567890Z',
      // The shape, but no such month, or no such day (Date.parse rolls it over to March).
      '2024-13-03T10:00Z',
      '2024-02-30',
      '2023-02-29T10:00:00Z',
      '24-01-03'
    ]) {
      expect({ expires, refused: check({ expires }).refused }).toEqual({
        expires,
        refused: [`the server's expires ${JSON.stringify(expires)} is not an ISO 8601 date`]
      })
    }
  })

  test('links: exactly 1,000 pass; 8,192 characters pass; the messages name the field and index', () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => `https://a.example/${i}`)
    expect(check({ urls: thousand }).accepted.urls).toHaveLength(1000)
    const long = `https://e.example/${'a'.repeat(8192 - 18)}`
    expect(long).toHaveLength(8192)
    expect(check({ urls: [long] }).refused).toEqual([])
    expect(check({ urls: [`${long}a`] }).refused[0]).toMatch(
      /^the server's urls\[0\] ".{60}…" is not a URL of at most 8192 characters$/
    )
    expect(check({ urls: ['https://a.example/ok', 'http://evil.example/'] }).refused).toEqual([
      `the server's urls[1] "http://evil.example/" is not an https URL (${LOOPBACK_RULE})`
    ])
    expect(check({ downloadUrl: 'https://user@evil.example/' }).refused).toEqual([
      `the server's downloadUrl "https://user@evil.example/" is not a URL without credentials`
    ])
    expect(check({ downloadUrl: 'https://:pw@evil.example/' }).refused).toHaveLength(1)
    expect(check({ urls: [7] }).refused).toEqual([
      `the server's urls[0] "7" is not a URL (not text)`
    ])
    expect(check({ urls: ['https://[x/'] }).refused).toEqual([
      `the server's urls[0] "https://[x/" is not a URL`
    ])
    expect(check({ urls: ['https://a.example/ b'] }).refused).toEqual([
      `the server's urls[0] "https://a.example/ b" is not a URL (characters outside URL syntax)`
    ])
    expect(check({ urls: 'https://a.example/one' }).accepted.urls).toEqual([
      'https://a.example/one'
    ])
  })

  test('values shown in messages: JSON of non-text values, text cut at 60 characters', () => {
    expect(check({ status: { a: 1 } }).refused).toEqual([
      `the server's status "{\\"a\\":1}" is not a status (a word of up to 32 letters, digits, _ or -)`
    ])
    expect(check({ status: 'x'.repeat(60) + '!' }).refused[0]).toContain(`"${'x'.repeat(60)}…"`)
    expect(check({ status: 'y'.repeat(59) + '!' }).refused[0]).toContain(`"${'y'.repeat(59)}!"`)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(check({ status: cyclic }).refused[0]).toContain('"[object Object]"')
    expect(check({ status: 10n }).refused[0]).toContain('"10"')
  })
})

describe('withoutRefused and linkSecrets, exactly', () => {
  test('every reported name is checked; accepted values and other names stay', () => {
    const outputs = {
      requestId: '7',
      status: 'bad status',
      finalStatus: 'done',
      failReason: 'a"b',
      expires: 'soon',
      urls: ['http://evil.example/'],
      downloadUrl: 'https://ok.example/x',
      other: '$(x)'
    }
    expect(withoutRefused(outputs, 'digits')).toEqual({
      requestId: '7',
      status: null,
      finalStatus: 'done',
      failReason: null,
      expires: null,
      urls: null,
      downloadUrl: 'https://ok.example/x',
      other: '$(x)'
    })
    expect(withoutRefused({}, 'digits')).toEqual({})
  })

  test('each kind of signing parameter, of at least 8 characters, raw and URL-encoded', () => {
    const value = 'abc/def+ghi'
    for (const name of [
      'X-Amz-Signature',
      'sig',
      'X-Goog-Credential',
      'token',
      'key',
      'Policy',
      'se',
      'sv'
    ]) {
      const secrets = linkSecrets(`https://s.example/o?${name}=${encodeURIComponent(value)}`)
      expect({ name, secrets }).toEqual({
        name,
        secrets: [`${name}=${encodeURIComponent(value)}`, value, encodeURIComponent(value)]
      })
    }
    // Names that only contain a short one, and values shorter than 8, are not secrets of their own.
    expect(linkSecrets('https://s.example/o?keys=abcdefghij&sigma=abcdefghij&se=1234567')).toEqual([
      'keys=abcdefghij&sigma=abcdefghij&se=1234567'
    ])
    expect(linkSecrets('https://s.example/o?sig=12345678')).toEqual(['sig=12345678', '12345678'])
    expect(linkSecrets('https://s.example/o?')).toEqual([])
    expect(linkSecrets('not a link')).toEqual([])
  })

  test('sharedRequestIds: one request per id is no conflict', () => {
    expect(
      sharedRequestIds([{ requestId: '1', label: 'a' }, { label: 'b' }, { label: 'c' }])
    ).toEqual([])
  })
})
