/**
 * The integrity check of the ledger's state line. People with write access can edit any comment
 * (the author stays the bot), so a state line is honoured only when it carries an HMAC-SHA256 the
 * action made: keyed from the Amplitude secret key (which a person editing comments does not
 * hold) and bound to the repository and issue number, so a line copied from another issue fails
 * too. A line that fails the check is never guessed at: `needs-attention`, nothing polled.
 *
 * Rotating the secret key changes the key: state lines written before the rotation then fail the
 * check and their issues go to `needs-attention` (docs/ledger.md says how to rotate safely).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** What the key is derived for: a change here is a change of every key. */
const PURPOSE = 'amplitude-dsar-ledger state line v2'

export interface Seal {
  key: Buffer
  /** `owner/repo#number`: the issue the state line belongs to. */
  scope: string
}

/** The ledger's key from the Amplitude credentials (the secret key, or the basic-auth value). */
export function ledgerKey(secret: string): Buffer {
  return createHmac('sha256', secret).update(PURPOSE).digest()
}

export function sealFor(key: Buffer, repository: string, issue: number): Seal {
  return { key, scope: `${repository}#${issue}` }
}

/** The check value of `json` (the state without its `mac`) for `seal`'s issue, hex. */
export function macOf(seal: Seal, json: string): string {
  return createHmac('sha256', seal.key).update(`${seal.scope}\n${json}`).digest('hex')
}

export function macMatches(seal: Seal, json: string, mac: unknown): boolean {
  if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) return false
  return timingSafeEqual(Buffer.from(macOf(seal, json), 'hex'), Buffer.from(mac, 'hex'))
}
