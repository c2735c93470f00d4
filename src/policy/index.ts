/** The rules every part shares, pure: credentials, loopback, private addresses, text from outside. */
export * from './credentials.js'
export * from './json-text.js'
export * from './loopback.js'
export * from './private-address.js'
export * from './untrusted-text.js'
