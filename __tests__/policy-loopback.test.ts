import { isLoopbackHost } from '../src/policy/loopback.js'

describe('the one loopback rule', () => {
  test.each([
    '127.0.0.1',
    '127.1.2.3',
    '127.255.255.255',
    '[::1]',
    '::1',
    '[0:0:0:0:0:0:0:1]',
    '[::ffff:7f00:1]',
    // Every spelling the rule names, as a bare address too (not only as the URL parser writes it).
    '[0000:0000:0000:0000:0000:0000:0000:0001]',
    '::ffff:127.0.0.1',
    '::ffff:127.10.20.30',
    '::ffff:7f00:101'
  ])('%s is a loopback literal', host => expect(isLoopbackHost(host)).toBe(true))

  test.each([
    'localhost',
    'a.localhost',
    'localhost.example.com',
    'example.com',
    '128.0.0.1',
    '10.0.0.1',
    '169.254.169.254',
    '127.0.0.256',
    '[::2]',
    '[::ffff:a00:1]',
    // Anchored at both ends: a loopback literal inside a longer host is not one.
    '127.0.0.1.5',
    '0127.0.0.1',
    '[0:0:0:0:0:0:0:10]',
    '[1:0:0:0:0:0:0:0:1]',
    '1::ffff:7f00:1',
    '::ffff:7f00:1:0',
    // Brackets are stripped only when they enclose the whole host.
    ':[:1]',
    '[:]:1'
  ])('%s is not', host => expect(isLoopbackHost(host)).toBe(false))

  test('hostnames as the URL parser gives them', () => {
    expect(isLoopbackHost(new URL('http://[::ffff:127.0.0.1]/').hostname)).toBe(true)
    expect(isLoopbackHost(new URL('http://0x7f.1/').hostname)).toBe(true) // parsed as 127.0.0.1
    expect(isLoopbackHost(new URL('http://localhost/').hostname)).toBe(false)
  })
})
