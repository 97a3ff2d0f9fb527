// Every secret the action handles (the Cloudflare API token, the GitHub token, the Cognito client
// secret) is registered here the moment it exists: masked for the runner's log, and scrubbed by
// `redact` from anything we send elsewhere (PR comments, summaries) or build from an error, since
// the runner's masking covers neither API calls nor text printed before the mask was set.
//
// What `redact` covers, for each secret (the README's Security section lists the same):
// - the secret raw, JSON-escaped (once and twice), URL- and form-encoded, HTML-escaped, escaped as
//   a workflow command's data, and in base64 and base64url at each of the three byte alignments it
//   can have inside a longer encoded text (a Basic authorization header, an encoded request);
// - each of those forms split by one line break (CR, LF or CRLF, with up to 16 spaces or tabs
//   around it) between any two of its characters, as a wrapped page or MIME base64 shows it;
// - any piece of 16 characters or more of the secret, raw or in base64 at any alignment, as a
//   service that quotes a truncated request shows it.
// Every pattern is linear in the text's length: literal characters and bounded optional groups.
import * as core from '@actions/core'

export const SENSITIVE = '(sensitive)'
const REPLACEMENT = '***'
/** Shorter values are not secrets, and would scrub ordinary words. */
const MIN_SECRET_LENGTH = 4
/** A piece of a secret this long is a leak: it is scrubbed wherever it shows. */
export const PIECE_LENGTH = 16
/** Base64 fragments shorter than this are left alone: they would match ordinary words. */
const MIN_ENCODED_LENGTH = 12
/** The one line break a form may be split by, with the indentation a wrapped text puts around it. */
const LINE_BREAK = '(?:[ \\t]{0,16}(?:\\r\\n|\\r|\\n)[ \\t]{0,16})?'

const secrets = new Set<string>()
/** Every form of every secret, longest first (a form may contain a shorter one). */
let forms: string[] = []
/** The same forms as patterns that also match them split by a line break, in the same order. */
let patterns: RegExp[] = []
/** Every PIECE_LENGTH-character piece of every secret, raw and base64-encoded. */
const pieces = new Set<string>()

/** Masks a secret for the rest of the run. Values too short to be secrets are ignored. */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < MIN_SECRET_LENGTH || secrets.has(secret)) return
  secrets.add(secret)
  forms = [...new Set([...forms, ...secretForms(secret)])].sort((a, b) => b.length - a.length)
  patterns = forms.map(form => new RegExp([...form].map(escapeRegExp).join(LINE_BREAK), 'gu'))
  for (const source of pieceSources(secret)) {
    for (let i = 0; i + PIECE_LENGTH <= source.length; i++) pieces.add(source.slice(i, i + PIECE_LENGTH))
  }
  core.setSecret(secret)
}

/**
 * The ways a secret can show up in text: as is, JSON-escaped once or twice (an error that quotes
 * a request body, itself in JSON), URL- and form-encoded (a query string), HTML-escaped (an error
 * page), base64 and base64url at each byte alignment (a Basic authorization header), and escaped
 * as a workflow command's data.
 */
export function secretForms(secret: string): string[] {
  const json = (text: string) => JSON.stringify(text).slice(1, -1)
  const bytes = Buffer.from(secret, 'utf8')
  const encoded = alignedBase64(bytes)
  const all = [
    secret,
    json(secret),
    // JSON inside JSON: an echoed request body quoted in a JSON output such as `plan`.
    json(json(secret)),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    htmlEscaped(secret),
    bytes.toString('base64'),
    ...encoded.filter(form => form.length >= MIN_ENCODED_LENGTH),
    secret.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  ]
  return [...new Set(all)]
}

/**
 * The characters of base64 that depend on the secret's bytes alone, when the encoded text has
 * `offset` bytes (0–2, modulo 3) before the secret: the same whatever comes before or after it.
 */
function embeddedBase64(bytes: Buffer, offset: number, encoding: 'base64' | 'base64url'): string {
  const text = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding)
  const skip = offset === 0 ? 0 : offset + 1
  return text.slice(skip, Math.floor((offset + bytes.length) / 3) * 4)
}

/** The secret's base64 and base64url, at each of the three alignments it can have inside a longer encoded text. */
function alignedBase64(bytes: Buffer): string[] {
  return [0, 1, 2].flatMap(offset => [embeddedBase64(bytes, offset, 'base64'), embeddedBase64(bytes, offset, 'base64url')])
}

function htmlEscaped(text: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
  return text.replace(/[&<>"']/g, char => entities[char])
}

/** The texts whose pieces are scrubbed: the secret, and its base64 at each alignment. */
function pieceSources(secret: string): string[] {
  return [secret, ...alignedBase64(Buffer.from(secret, 'utf8'))]
}

function escapeRegExp(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** Replaces every registered secret, in any of its forms and any piece of it, with `***`. */
export function redact(text: string): string {
  let result = text
  for (const pattern of patterns) result = result.replace(pattern, REPLACEMENT)
  return redactPieces(result)
}

/** Replaces every run of text that is covered by pieces of a secret. Linear: one lookup per position. */
function redactPieces(text: string): string {
  if (pieces.size === 0 || text.length < PIECE_LENGTH) return text
  const parts: string[] = []
  let copied = 0
  let runStart = -1
  let runEnd = -1
  const flush = () => {
    parts.push(text.slice(copied, runStart), REPLACEMENT)
    copied = runEnd
  }
  for (let i = 0; i + PIECE_LENGTH <= text.length; i++) {
    if (!pieces.has(text.slice(i, i + PIECE_LENGTH))) continue
    if (runStart >= 0 && i > runEnd) {
      flush()
      runStart = -1
    }
    if (runStart < 0) runStart = i
    runEnd = i + PIECE_LENGTH
  }
  if (runStart < 0) return text
  flush()
  parts.push(text.slice(copied))
  return parts.join('')
}

/** How much of a remote body is redacted to make an excerpt (the rest is never shown). */
export const EXCERPT_SOURCE_LIMIT = 64 * 1024

/**
 * A redacted excerpt of text that may quote a secret (a response body, a service's message):
 * redacted first, then cut to `maxChars`, so that the cut cannot leave a piece of a secret that
 * redaction would no longer recognise. Only a capped prefix is looked at.
 */
export function redactedExcerpt(text: string, maxChars: number): string {
  const redacted = redact(text.slice(0, EXCERPT_SOURCE_LIMIT))
  return redacted.length > maxChars ? `${redacted.slice(0, maxChars)}…` : redacted
}

/** Forgets all secrets (tests only: each run of the action is its own process). */
export function clearSecretsForTest(): void {
  secrets.clear()
  forms = []
  patterns = []
  pieces.clear()
}
