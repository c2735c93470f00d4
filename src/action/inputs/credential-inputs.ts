/**
 * Credentials and where they may go: api-key/secret-key or basic-auth, region, api-url and
 * credential-origins. The origin rule itself lives in src/policy/credentials.ts; this module only
 * turns the inputs into checked values, never quoting a credential in a message.
 */
import {
  decodeBasicAuth,
  encodeBasicAuth,
  hasControlCharacter,
  InputError,
  Inputs,
  quote,
  splitList
} from '../../run/index.js'
import { read } from './input-reading.js'
import { AMPLITUDE_ORIGINS, parseOrigin, type Region } from '../../policy/index.js'

export function parseCredentials(): { apiKey: string; secretKey: string; basicAuth: string } {
  const apiKey = read(Inputs.ApiKey)
  const secretKey = read(Inputs.SecretKey)
  const basicAuth = read(Inputs.BasicAuth)
  if (basicAuth !== '') {
    if (apiKey !== '' || secretKey !== '') {
      throw new InputError(
        Inputs.BasicAuth,
        'ambiguous credentials: give either basic-auth or api-key and secret-key, not both'
      )
    }
    const decoded = decodeBasicAuth(basicAuth)
    if (!decoded.ok) throw new InputError(Inputs.BasicAuth, decoded.reason)
    return {
      apiKey: decoded.apiKey,
      secretKey: decoded.secretKey,
      basicAuth: encodeBasicAuth(decoded.apiKey, decoded.secretKey)
    }
  }
  return checkKeyPair(
    { key: Inputs.ApiKey, secret: Inputs.SecretKey },
    apiKey,
    secretKey,
    'no credentials: set api-key and secret-key (organization-level keys), or basic-auth'
  )
}

/**
 * One API key and secret key pair (the org's DSAR keys, or a project's erasure keys): both given,
 * no colon in the key (HTTP Basic's separator), no control characters; `none` when neither is set.
 */
export function checkKeyPair(
  names: { key: Inputs; secret: Inputs },
  apiKey: string,
  secretKey: string,
  none: string
): { apiKey: string; secretKey: string; basicAuth: string } {
  if (apiKey === '' && secretKey === '') throw new InputError(names.key, none)
  if (apiKey === '') {
    throw new InputError(names.key, `missing (${names.secret} is set; both are needed)`)
  }
  if (secretKey === '') {
    throw new InputError(names.secret, `missing (${names.key} is set; both are needed)`)
  }
  if (apiKey.includes(':')) {
    throw new InputError(names.key, 'must not contain a colon (HTTP Basic uses it as separator)')
  }
  if (hasControlCharacter(apiKey)) throw new InputError(names.key, 'contains control characters')
  if (hasControlCharacter(secretKey)) {
    throw new InputError(names.secret, 'contains control characters')
  }
  return { apiKey, secretKey, basicAuth: encodeBasicAuth(apiKey, secretKey) }
}

export function parseRegion(text: string): Region {
  const region = (text || 'us').toLowerCase()
  if (region !== 'us' && region !== 'eu') {
    throw new InputError(Inputs.Region, `${quote(text)} is not a region (expected 'us' or 'eu')`)
  }
  return region
}

/** The API origin, and whether it is a loopback host (which permits http and fast polling). */
export function parseApiUrl(text: string, region: Region): { origin: string; loopback: boolean } {
  if (text === '') return { origin: AMPLITUDE_ORIGINS[region].api, loopback: false }
  const parsed = parseOrigin(text)
  if (!parsed.ok) throw new InputError(Inputs.ApiUrl, parsed.reason)
  return { origin: parsed.origin, loopback: parsed.loopback }
}

/** Origins separated by newlines and/or commas; each checked like api-url. */
export function parseCredentialOrigins(text: string): string[] {
  const origins = splitList(text).map(({ entry, number }) => {
    const parsed = parseOrigin(entry)
    if (!parsed.ok)
      throw new InputError(Inputs.CredentialOrigins, `entry ${number} ${parsed.reason}`)
    return parsed.origin
  })
  return [...new Set(origins)]
}
