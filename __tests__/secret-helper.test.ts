import { jest } from '@jest/globals'
import {
  credentialRedactor,
  credentialMaskForms,
  decodeBasicAuth,
  encodeBasicAuth,
  hasControlCharacter,
  maskCredentials,
  stripBasicPrefix
} from '../src/run/secret-helper.js'

// Chosen so that the Basic token holds '+', '/' and padding, and the keys hold characters that
// encodeURIComponent changes: every variant is a distinct string.
const API_KEY = 'a?~aaa'
const SECRET_KEY = 'se&cr/aaa~?a'
const TOKEN = 'YT9+YWFhOnNlJmNyL2FhYX4/YQ=='
const EVERY_FORM = [
  'a?~aaa',
  'a%3F~aaa',
  'se&cr/aaa~?a',
  'se%26cr%2Faaa~%3Fa',
  'a?~aaa:se&cr/aaa~?a',
  'a%3F~aaa%3Ase%26cr%2Faaa~%3Fa',
  'YT9+YWFhOnNlJmNyL2FhYX4/YQ==',
  'YT9%2BYWFhOnNlJmNyL2FhYX4%2FYQ%3D%3D',
  'YT9+YWFhOnNlJmNyL2FhYX4/YQ',
  'YT9%2BYWFhOnNlJmNyL2FhYX4%2FYQ',
  'YT9-YWFhOnNlJmNyL2FhYX4_YQ',
  'YT9-YWFhOnNlJmNyL2FhYX4_YQ==',
  'YT9-YWFhOnNlJmNyL2FhYX4_YQ%3D%3D'
]

const CREDENTIAL_INPUTS = [
  'INPUT_API-KEY',
  'INPUT_SECRET-KEY',
  'INPUT_BASIC-AUTH',
  'INPUT_ERASURE-API-KEY',
  'INPUT_ERASURE-SECRET-KEY',
  'INPUT_GITHUB-TOKEN'
]

/** Runs maskCredentials and returns the values it asked the runner to mask (::add-mask::). */
function capturedMasks(): string[] {
  const written: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk))
    return true
  })
  try {
    maskCredentials()
  } finally {
    spy.mockRestore()
  }
  return written
    .join('')
    .split(/\r?\n/)
    .filter(line => line.startsWith('::add-mask::'))
    .map(line =>
      line
        .slice('::add-mask::'.length)
        .replace(/%0D/g, '\r')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%')
    )
}

describe('maskCredentials', () => {
  const saved = new Map(CREDENTIAL_INPUTS.map(key => [key, process.env[key]]))
  beforeEach(() => CREDENTIAL_INPUTS.forEach(key => delete process.env[key]))
  afterAll(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })

  test('masks every form of an api-key/secret-key pair', () => {
    process.env['INPUT_API-KEY'] = API_KEY
    process.env['INPUT_SECRET-KEY'] = SECRET_KEY
    const masks = capturedMasks()
    expect(new Set(masks)).toEqual(new Set(EVERY_FORM))
    expect(masks).toHaveLength(new Set(masks).size) // each once
  })

  test('masks the basic-auth value, its token without the Basic prefix, and the decoded pair', () => {
    process.env['INPUT_BASIC-AUTH'] = `Basic ${TOKEN}`
    expect(new Set(capturedMasks())).toEqual(
      new Set([`Basic ${TOKEN}`, 'Basic%20YT9%2BYWFhOnNlJmNyL2FhYX4%2FYQ%3D%3D', ...EVERY_FORM])
    )
  })

  test('a URL-safe basic-auth is masked together with its standard spelling', () => {
    process.env['INPUT_BASIC-AUTH'] = 'YT9-YWFhOnNlJmNyL2FhYX4_YQ'
    expect(new Set(capturedMasks())).toEqual(new Set(EVERY_FORM))
  })

  test('masks nothing when no credential is given', () => {
    expect(capturedMasks()).toEqual([])
  })

  test('ignores empty and whitespace-only values', () => {
    process.env['INPUT_API-KEY'] = '   '
    process.env['INPUT_SECRET-KEY'] = 'only-secret'
    expect(capturedMasks()).toEqual(['only-secret'])
  })

  test('a lone key is still masked, though no pair can be formed', () => {
    process.env['INPUT_API-KEY'] = 'lonely key'
    expect(capturedMasks()).toEqual(['lonely key', 'lonely%20key'])
  })

  test('an undecodable basic-auth is still masked as given', () => {
    process.env['INPUT_BASIC-AUTH'] = 'not*base64'
    expect(capturedMasks()).toEqual(['not*base64'])
  })

  test('a multi-line value is masked whole and line by line', () => {
    process.env['INPUT_SECRET-KEY'] = 'first-line\nsecond-line'
    const masks = capturedMasks()
    expect(masks).toEqual(
      expect.arrayContaining(['first-line\nsecond-line', 'first-line', 'second-line'])
    )
  })

  test('each line of a multi-line value is masked trimmed; blank lines give nothing', () => {
    // The runner matches masks line by line: the whole value alone would hide no line of it.
    process.env['INPUT_SECRET-KEY'] = 'first-line\n  second-line  \r\n   \n\nthird'
    expect(new Set(capturedMasks())).toEqual(
      new Set([
        'first-line\n  second-line  \r\n   \n\nthird',
        encodeURIComponent('first-line\n  second-line  \r\n   \n\nthird'),
        'first-line',
        'second-line',
        'third'
      ])
    )
  })

  test('a basic-auth that does not decode is masked as given and without its Basic scheme', () => {
    process.env['INPUT_BASIC-AUTH'] = 'Basic not*base64'
    expect(new Set(capturedMasks())).toEqual(
      new Set(['Basic not*base64', 'Basic%20not*base64', 'not*base64'])
    )
  })
})

describe('maskCredentials: the erasure keys and the GitHub token', () => {
  const saved = new Map(CREDENTIAL_INPUTS.map(key => [key, process.env[key]]))
  beforeEach(() => CREDENTIAL_INPUTS.forEach(key => delete process.env[key]))
  afterAll(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })

  test("a project's erasure key pair is masked in every form, like the org's keys", () => {
    process.env['INPUT_ERASURE-API-KEY'] = API_KEY
    process.env['INPUT_ERASURE-SECRET-KEY'] = SECRET_KEY
    const masks = capturedMasks()
    expect(new Set(masks)).toEqual(new Set(EVERY_FORM))
  })

  test('the org keys and the erasure keys are both masked', () => {
    process.env['INPUT_API-KEY'] = 'org-key-1234'
    process.env['INPUT_SECRET-KEY'] = 'org-secret-5678'
    process.env['INPUT_ERASURE-API-KEY'] = 'project-key-1234'
    process.env['INPUT_ERASURE-SECRET-KEY'] = 'project-secret-5678'
    const masks = capturedMasks()
    expect(masks).toEqual(
      expect.arrayContaining([
        'org-key-1234',
        'org-secret-5678',
        Buffer.from('org-key-1234:org-secret-5678').toString('base64'),
        'project-key-1234',
        'project-secret-5678',
        Buffer.from('project-key-1234:project-secret-5678').toString('base64')
      ])
    )
  })

  test('the GitHub token is masked, trimmed, from eight characters on', () => {
    process.env['INPUT_GITHUB-TOKEN'] = '  ghs_1234  '
    expect(capturedMasks()).toEqual(['ghs_1234'])
    process.env['INPUT_GITHUB-TOKEN'] = 'ghs_123'
    // Seven characters would mask ordinary words in the log; real tokens are 40 and more.
    expect(capturedMasks()).toEqual([])
  })
})

describe('credentialMaskForms', () => {
  test('pairs from both forms are merged without duplicates', () => {
    const forms = credentialMaskForms({ apiKey: API_KEY, secretKey: SECRET_KEY, basicAuth: TOKEN })
    expect(new Set(forms)).toEqual(new Set(EVERY_FORM))
    expect(forms).toHaveLength(EVERY_FORM.length)
  })

  test('a base64url token with one padding character is masked padded and unpadded', () => {
    // 'ab:cdefg' is 8 bytes: its base64 ends in a single '='.
    const forms = credentialMaskForms({ apiKey: 'ab', secretKey: 'cdefg', basicAuth: '' })
    expect(Buffer.from('ab:cdefg').toString('base64')).toBe('YWI6Y2RlZmc=')
    expect(forms).toEqual(expect.arrayContaining(['YWI6Y2RlZmc=', 'YWI6Y2RlZmc']))
    expect(forms.filter(form => form.startsWith('YWI6Y2RlZmc'))).toHaveLength(3) // '=' as %3D
  })

  test('a value that cannot be percent-encoded (a lone surrogate) is masked as it is', () => {
    const forms = credentialMaskForms({ apiKey: 'key\ud800', secretKey: '', basicAuth: '' })
    expect(forms).toStrictEqual(['key\ud800'])
  })
})

describe('basic-auth codec', () => {
  test('encodes a pair as padded standard base64', () => {
    expect(encodeBasicAuth(API_KEY, SECRET_KEY)).toBe(TOKEN)
  })

  test('strips a Basic prefix in any case', () => {
    expect(stripBasicPrefix(`basic   ${TOKEN}`)).toBe(TOKEN)
    expect(stripBasicPrefix(`BASIC ${TOKEN}`)).toBe(TOKEN)
    expect(stripBasicPrefix(`  Basic\t${TOKEN}  `)).toBe(TOKEN)
    expect(stripBasicPrefix(TOKEN)).toBe(TOKEN)
    expect(stripBasicPrefix('Basic')).toBe('')
  })

  test('keeps a token that only starts with the letters of Basic, or holds it later', () => {
    // base64 may well begin with "Basic": only the scheme followed by blanks (or nothing) is one.
    expect(stripBasicPrefix('BasicYWJj')).toBe('BasicYWJj')
    expect(stripBasicPrefix('YWJj Basic ')).toBe('YWJj Basic')
  })

  test.each([
    [TOKEN, true],
    [`Basic ${TOKEN}`, true],
    ['YT9+YWFhOnNlJmNyL2FhYX4/YQ', true],
    ['YT9-YWFhOnNlJmNyL2FhYX4_YQ==', true]
  ])('decodes %j to the pair', (value, ok) => {
    expect(decodeBasicAuth(value)).toEqual({ ok, apiKey: API_KEY, secretKey: SECRET_KEY })
  })

  test('splits at the first colon: the secret may contain colons', () => {
    expect(decodeBasicAuth(encodeBasicAuth('k', 's:t:u'))).toEqual({
      ok: true,
      apiKey: 'k',
      secretKey: 's:t:u'
    })
  })

  test.each([
    ['', /empty/],
    ['Basic ', /empty/],
    ['not base64!', /not base64/],
    ['key:c2VjcmV0', /not base64/],
    ['YT9+YWFhOnNlJmNyL2FhYX4/YQ=', /bad padding/],
    ['YWJj=', /bad padding/],
    ['YWJjZ', /bad length/],
    ['YR==', /trailing bits/],
    [Buffer.from([0x6b, 0x3a, 0xff]).toString('base64'), /UTF-8/],
    [Buffer.from('no-colon-here').toString('base64'), /api_key:secret_key/],
    [Buffer.from(':secret').toString('base64'), /api key .*empty/],
    [Buffer.from('key:').toString('base64'), /secret key .*empty/],
    [Buffer.from('key:sec\nret').toString('base64'), /control characters/]
  ])('refuses %j', (value, reason) => {
    const decoded = decodeBasicAuth(value)
    expect(decoded).toMatchObject({ ok: false, reason: expect.stringMatching(reason) })
  })
})

describe('hasControlCharacter', () => {
  test.each([
    ['\u0000', true],
    ['a\u001fb', true],
    ['\u007f', true],
    ['x\u0080', true],
    ['\u009f', true],
    ['\r', true],
    [' ', false],
    ['~', false],
    ['\u00a0', false],
    ['é-key', false],
    ['', false]
  ])('%j: %s', (text, control) => {
    expect(hasControlCharacter(text)).toBe(control)
  })
})

describe('credentialRedactor', () => {
  test('replaces every form of the credentials, longest first, and leaves other text alone', () => {
    const redact = credentialRedactor({
      apiKey: 'key-123456',
      secretKey: 'secret-abcdef',
      basicAuth: ''
    })
    const basic = Buffer.from('key-123456:secret-abcdef').toString('base64')
    expect(redact(`Basic ${basic}`)).toBe('Basic ***')
    expect(redact('user key-123456 pass secret-abcdef')).toBe('user *** pass ***')
    expect(redact(encodeURIComponent('key-123456:secret-abcdef'))).toBe('***')
    expect(redact('request 53367 is done')).toBe('request 53367 is done')
  })

  test('forms shorter than six characters are left alone: they would match ordinary text', () => {
    const redact = credentialRedactor({
      apiKey: 'abcde',
      secretKey: 'secret-abcdef',
      basicAuth: ''
    })
    expect(redact('abcde and secret-abcdef')).toBe('abcde and ***')
    expect(credentialRedactor({ apiKey: 'abcdef', secretKey: '', basicAuth: '' })('abcdef')).toBe(
      '***'
    )
  })
})
