import {
  checkServerValues,
  linkSecrets,
  sharedRequestIds,
  withoutRefused
} from '../src/run/server-values.js'

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
