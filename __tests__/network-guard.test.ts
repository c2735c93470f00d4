/**
 * The connect guard itself (support/network-guard.ts): it must fire, or the tests that name
 * cloud-metadata and private addresses would only be as safe as the build under test.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './support/action-harness.js'
import {
  guardAttempts,
  installConnectGuard,
  isLoopbackAddress,
  uninstallConnectGuard
} from './support/network-guard.js'

const GUARD = join(repoRoot, '__tests__', 'support', 'network-guard.ts')

test('loopback is 127.0.0.0/8 and ::1 only', () => {
  for (const address of ['127.0.0.1', '127.9.9.9', '::1', '[::1]', '::ffff:127.0.0.1']) {
    expect(isLoopbackAddress(address)).toBe(true)
  }
  for (const address of ['169.254.169.254', '10.255.255.1', '::', 'fe80::1', '::ffff:10.0.0.1']) {
    expect(isLoopbackAddress(address)).toBe(false)
  }
})

describe('in a test process', () => {
  beforeAll(() => installConnectGuard())
  afterAll(() => uninstallConnectGuard())

  const attempt = (options: net.NetConnectOpts) =>
    new Promise<string>(resolve => {
      const socket = net.connect(options)
      socket.once('connect', () => {
        socket.destroy()
        resolve('connected')
      })
      socket.once('error', error => resolve((error as NodeJS.ErrnoException).code ?? 'error'))
    })

  test('a socket to a non-loopback address or name never connects, and is recorded', async () => {
    const before = guardAttempts().length
    expect(await attempt({ host: '10.255.255.1', port: 443 })).toBe('ENOTFOUND')
    expect(await attempt({ host: '169.254.169.254', port: 80 })).toBe('ENOTFOUND')
    expect(await attempt({ host: 'metadata.google.internal', port: 80 })).toBe('ENOTFOUND')
    expect(guardAttempts().slice(before)).toEqual([
      { kind: 'address', target: '10.255.255.1' },
      { kind: 'address', target: '169.254.169.254' },
      { kind: 'name', target: 'metadata.google.internal' }
    ])
  })

  test('loopback still works, by address and as localhost', async () => {
    const server = http.createServer((_req, res) => res.end('ok'))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      expect(await attempt({ host: '127.0.0.1', port })).toBe('connected')
      expect(await attempt({ host: 'localhost', port, family: 4 })).toBe('connected')
    } finally {
      server.close()
    }
  })
})

test('preloaded into a child, it refuses and logs what the child tried', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsar-guard-'))
  try {
    const log = join(dir, 'guard.log')
    writeFileSync(log, '')
    // fetch (undici) and https.request (which passes its request path along with the port).
    const script = `
      const tries = [['169.254.169.254', 80], ['example.com', 443]]
      let left = tries.length + 1
      require('node:https')
        .request('https://10.255.255.1/latest/', { agent: false }, () => console.log('reached 10.255.255.1'))
        .on('error', error => {
          console.log('refused 10.255.255.1 ' + error.code)
          if (--left === 0) process.exit(0)
        })
        .end()
      for (const [host, port] of tries) {
        fetch('http://' + host + ':' + port + '/latest/meta-data/').then(
          () => console.log('reached ' + host),
          error => { console.log('refused ' + host + ' ' + (error.cause?.code ?? error.code)) }
        ).finally(() => { if (--left === 0) process.exit(0) })
      }`
    const run = spawnSync(process.execPath, ['--import', GUARD, '-e', script], {
      env: { PATH: process.env.PATH ?? '', DSAR_CONNECT_GUARD_LOG: log },
      encoding: 'utf8',
      timeout: 30_000
    })
    expect(run.stdout).toContain('refused 169.254.169.254 ENOTFOUND')
    expect(run.stdout).toContain('refused example.com ENOTFOUND')
    expect(run.stdout).toContain('refused 10.255.255.1 ENOTFOUND')
    expect(run.stdout).not.toContain('reached')
    const logged = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line))
    expect(logged).toEqual(
      expect.arrayContaining([
        { kind: 'address', target: '169.254.169.254' },
        { kind: 'name', target: 'example.com' },
        { kind: 'address', target: '10.255.255.1' }
      ])
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
