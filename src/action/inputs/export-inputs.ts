/**
 * What the run does with the exports once downloaded: the artifact name (checked against what
 * @actions/artifact accepts) and the age recipients to encrypt to.
 */
import { hasControlCharacter, InputError, Inputs, quote } from '../../run/index.js'

// The characters @actions/artifact refuses in names, plus path separators.
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\\/\r\n]/
const ARTIFACT_NAME_FORBIDDEN_LIST = `" : < > | * ? \\ / CR LF`

export function parseArtifactName(text: string): string | undefined {
  if (text === '') return undefined
  if (ARTIFACT_NAME_FORBIDDEN.test(text) || hasControlCharacter(text)) {
    throw new InputError(
      Inputs.ArtifactName,
      `${quote(text)} contains a character artifact names refuse (${ARTIFACT_NAME_FORBIDDEN_LIST} or control characters)`
    )
  }
  return text
}

/** `encrypt-to: none`: the explicit choice to leave exports in plaintext (no recipient). */
export const PLAINTEXT_CHOICE = 'none'

export function isPlaintextChoice(text: string): boolean {
  return text.trim().toLowerCase() === PLAINTEXT_CHOICE
}

/**
 * One age recipient per line; blank lines and '#' comments ignored; duplicates dropped. `none`
 * alone gives no recipient, on purpose (see checkEncryption in input-helper.ts).
 */
export async function parseRecipients(text: string): Promise<string[]> {
  if (isPlaintextChoice(text)) return []
  const lines = text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
  if (lines.length === 0) return []
  // Loaded only when needed: the library is sizeable and most runs do not encrypt.
  const { Encrypter } = await import('age-encryption')
  for (const { line, number } of lines) {
    if (/^age-secret-key-/i.test(line)) {
      throw new InputError(
        Inputs.EncryptTo,
        `line ${number} is an age identity (a private key), not a recipient: give its public ` +
          'key (age1...) instead, and treat this private key as exposed'
      )
    }
    try {
      new Encrypter().addRecipient(line)
    } catch (error) {
      throw new InputError(
        Inputs.EncryptTo,
        `line ${number} is not a valid age recipient (${(error as Error).message}); expected age1...`
      )
    }
  }
  return [...new Set(lines.map(({ line }) => line))]
}
