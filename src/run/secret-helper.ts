/**
 * Masks the Amplitude credentials in every form a log line could show them, and holds the one
 * codec for `basic-auth` (base64 of `api_key:secret_key`) that input validation shares.
 *
 * `maskCredentials()` must run first in the action, before anything reads or logs other inputs:
 * the runner only hides what it was told about, and only from then on.
 */
import * as core from '@actions/core'
import { Inputs } from './input-names.js'
import { withoutTrailing } from './linear-text.js'

export interface RawCredentials {
  apiKey: string
  secretKey: string
  basicAuth: string
}

export type DecodedBasicAuth =
  { ok: true; apiKey: string; secretKey: string } | { ok: false; reason: string }

export function maskCredentials(): void {
  const raw: RawCredentials = {
    apiKey: core.getInput(Inputs.ApiKey),
    secretKey: core.getInput(Inputs.SecretKey),
    basicAuth: core.getInput(Inputs.BasicAuth)
  }
  for (const form of credentialMaskForms(raw)) core.setSecret(form)
  // A project's erasure keys: their own pair, masked in the same forms.
  const erasure: RawCredentials = {
    apiKey: core.getInput(Inputs.ErasureApiKey),
    secretKey: core.getInput(Inputs.ErasureSecretKey),
    basicAuth: ''
  }
  for (const form of credentialMaskForms(erasure)) core.setSecret(form)
  // The ledger's GitHub token: the runner masks ${{ github.token }} and secrets, not every source.
  const githubToken = core.getInput(Inputs.GithubToken).trim()
  if (githubToken.length >= 8) core.setSecret(githubToken)
}

/**
 * Every string that could reveal a credential: raw values, the Basic token in its base64 and
 * base64url spellings (padded or not), the decoded halves, and their percent-encoded forms (as
 * a URL or a form body would carry them). Empty values give nothing.
 */
export function credentialMaskForms(raw: RawCredentials): string[] {
  const forms = new Set<string>()
  const add = (value: string): void => {
    if (value === '') return
    forms.add(value)
    const encoded = percentEncoded(value)
    if (encoded !== undefined && encoded !== value) forms.add(encoded)
    // The runner matches masks line by line, so a multi-line value is hidden line by line too.
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r?\n|\r/)) if (line.trim() !== '') forms.add(line.trim())
    }
  }
  const addPair = (apiKey: string, secretKey: string): void => {
    add(apiKey)
    add(secretKey)
    const pair = `${apiKey}:${secretKey}`
    add(pair)
    const standard = Buffer.from(pair, 'utf8').toString('base64')
    add(standard)
    add(withoutTrailing(standard, '='))
    const urlSafe = Buffer.from(pair, 'utf8').toString('base64url')
    add(urlSafe)
    add(urlSafe + '='.repeat((4 - (urlSafe.length % 4)) % 4))
  }

  add(raw.apiKey)
  add(raw.secretKey)
  if (raw.apiKey !== '' && raw.secretKey !== '') addPair(raw.apiKey, raw.secretKey)
  if (raw.basicAuth !== '') {
    add(raw.basicAuth)
    add(stripBasicPrefix(raw.basicAuth))
    const decoded = decodeBasicAuth(raw.basicAuth)
    if (decoded.ok) addPair(decoded.apiKey, decoded.secretKey)
  }
  return [...forms]
}

/** The `Authorization: Basic` token for a key pair (standard base64, padded). */
export function encodeBasicAuth(apiKey: string, secretKey: string): string {
  return Buffer.from(`${apiKey}:${secretKey}`, 'utf8').toString('base64')
}

/**
 * A leading `Basic ` (any case) is dropped: people paste whole header values, and the workflows
 * add the scheme themselves (`"Basic $inputs.basicAuth"`), which would otherwise double it.
 */
export function stripBasicPrefix(value: string): string {
  return value.trim().replace(/^basic(?:\s+|$)/i, '')
}

/**
 * Decodes `basic-auth` into its key pair. Accepts standard or URL-safe base64, with or without
 * padding, but refuses anything that does not round-trip (stray characters, bad padding, bits
 * past the end) and bytes that are not UTF-8. The reasons never quote the value.
 */
export function decodeBasicAuth(value: string): DecodedBasicAuth {
  const token = stripBasicPrefix(value)
  if (token === '') return { ok: false, reason: 'it is empty' }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) {
    return { ok: false, reason: 'it is not base64 (expected base64 of `api_key:secret_key`)' }
  }
  const unpadded = withoutTrailing(token, '=').replace(/-/g, '+').replace(/_/g, '/')
  if (unpadded.length % 4 === 1) return { ok: false, reason: 'it is not valid base64 (bad length)' }
  const padded = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4)
  if (token.includes('=') && token.length !== padded.length) {
    return { ok: false, reason: 'it is not valid base64 (bad padding)' }
  }
  const bytes = Buffer.from(padded, 'base64')
  if (bytes.toString('base64') !== padded) {
    return { ok: false, reason: 'it is not valid base64 (trailing bits)' }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return { ok: false, reason: 'it does not decode to UTF-8 text' }
  }
  const colon = text.indexOf(':')
  if (colon < 0) return { ok: false, reason: 'it does not decode to `api_key:secret_key`' }
  const apiKey = text.slice(0, colon)
  const secretKey = text.slice(colon + 1)
  if (apiKey === '') return { ok: false, reason: 'its decoded api key (before the colon) is empty' }
  if (secretKey === '') {
    return { ok: false, reason: 'its decoded secret key (after the colon) is empty' }
  }
  if (hasControlCharacter(text)) {
    return { ok: false, reason: 'its decoded value contains control characters' }
  }
  return { ok: true, apiKey, secretKey }
}

function percentEncoded(value: string): string | undefined {
  try {
    return encodeURIComponent(value)
  } catch {
    return undefined // a lone surrogate cannot be percent-encoded, so no log can show that form
  }
}

export function hasControlCharacter(text: string): boolean {
  // C0, DEL and C1: none belongs in an identifier or key, and some split log or header lines.
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(text)
}

/**
 * Replaces every form of the credentials (raw, base64, base64url, URL-encoded) with '***'. The runner
 * masks them in the log, but not in step outputs, and a workflow document can copy
 * `$inputs.basicAuth` into an output or a path.
 */
export function credentialRedactor(credentials: RawCredentials): (text: string) => string {
  const forms = credentialMaskForms(credentials)
    // Shorter than this would match ordinary text (real keys are 32 characters).
    .filter(form => form.length >= 6)
    .sort((a, b) => b.length - a.length)
  return text => forms.reduce((result, form) => result.split(form).join('***'), text)
}
