// Looks for secrets everywhere a workflow could show them: the log (stdout, stderr), outputs, the
// step summary, and whatever else a test collects (a PR comment body from the GitHub fake, ...).
// A secret counts as leaked in any form a reader could turn back into it: raw, JSON-escaped,
// URL-encoded, base64 at any byte offset (inside a longer base64 text, as in a Basic auth header)
// or escaped as a workflow command's data; and so does ANY piece of 16 characters of any of those
// forms, since a reader learns that much of the secret from it. The log is read as the runner
// reads it: an `::add-mask::` line it carries out is consumed and never shown, but one printed
// while `::stop-commands::` is in force is shown as plain text, masking nothing. Reports never
// contain the secret itself: it shows as <secret:label>.
import { processLines, type RunResult } from './run-action.js'

/** Shorter strings occur by chance, so a test that passes one has a bug. */
const MIN_SECRET_LENGTH = 8
/** A piece of a secret (in any form) this long is a leak. */
export const PIECE_LENGTH = 16

/** The runner's escaping of a workflow command's data (`::error::<data>`). */
function commandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** The runner's escaping of a workflow command's property (`::error title=<property>::`). */
function commandProperty(text: string): string {
  return commandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/**
 * Base64 of the secret as it appears inside a longer base64 text that has `offset` bytes (modulo
 * 3) before it: only the characters that depend on the secret's bytes alone.
 */
function embeddedBase64(secret: Buffer, offset: 0 | 1 | 2): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), secret]).toString('base64')
  const stableEnd = Math.floor((offset + secret.length) / 3) * 4
  return encoded.slice(offset === 0 ? 0 : offset + 1, stableEnd)
}

/** The forms a secret can take in text, by name. Forms equal to an earlier one are left out. */
export function secretForms(secret: string): Record<string, string> {
  const bytes = Buffer.from(secret, 'utf8')
  const candidates: Array<[string, string]> = [
    ['raw', secret],
    ['json-escaped', JSON.stringify(secret).slice(1, -1)],
    ['url-encoded', encodeURIComponent(secret)],
    ['form-encoded', new URLSearchParams({ s: secret }).toString().slice(2)],
    ['command-escaped', commandData(secret)],
    ['command-property-escaped', commandProperty(secret)],
    // Without the last, partial group (and padding), so base64 of the secret plus more is found too.
    ['base64', embeddedBase64(bytes, 0)],
    ['base64 (offset 1)', embeddedBase64(bytes, 1)],
    ['base64 (offset 2)', embeddedBase64(bytes, 2)]
  ]
  const forms: Record<string, string> = {}
  const seen = new Set<string>()
  for (const [name, value] of candidates) {
    if (!seen.has(value) && value.length > 0) forms[name] = value
    seen.add(value)
  }
  return forms
}

function checkSecrets(secrets: Record<string, string>): void {
  for (const [label, secret] of Object.entries(secrets)) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new Error(
        `leak check: secret "${label}" has ${secret.length} characters; use at least ` +
          `${MIN_SECRET_LENGTH} so it cannot match by chance (a test bug)`
      )
    }
  }
}

interface FormOf {
  label: string
  form: string
  value: string
}

/** What the check looks for: every PIECE_LENGTH-character piece of every form, and the forms too short for pieces. */
interface Wanted {
  pieces: Map<string, FormOf[]>
  shortForms: FormOf[]
  /** Every form, in the order of secretForms, to name what a leak is. */
  forms: FormOf[]
}

function wantedOf(secrets: Record<string, string>): Wanted {
  const wanted: Wanted = { pieces: new Map(), shortForms: [], forms: [] }
  for (const [label, secret] of Object.entries(secrets)) {
    for (const [form, value] of Object.entries(secretForms(secret))) {
      const of = { label, form, value }
      wanted.forms.push(of)
      if (value.length < PIECE_LENGTH) {
        wanted.shortForms.push(of)
        continue
      }
      for (let i = 0; i + PIECE_LENGTH <= value.length; i++) {
        const piece = value.slice(i, i + PIECE_LENGTH)
        wanted.pieces.set(piece, [...(wanted.pieces.get(piece) ?? []), of])
      }
    }
  }
  return wanted
}

interface Leak {
  start: number
  end: number
  /** The forms whose pieces (or whole value) make up this stretch of text. */
  matches: FormOf[]
}

/** Every stretch of `text` made of pieces of secrets (overlapping pieces merged), and every short form. */
function leaksIn(text: string, wanted: Wanted): Leak[] {
  const leaks: Leak[] = []
  let current: Leak | undefined
  for (let i = 0; i + PIECE_LENGTH <= text.length; i++) {
    const matches = wanted.pieces.get(text.slice(i, i + PIECE_LENGTH))
    if (!matches) continue
    if (current && i <= current.end) {
      current.end = i + PIECE_LENGTH
      current.matches.push(...matches)
    } else {
      current = { start: i, end: i + PIECE_LENGTH, matches: [...matches] }
      leaks.push(current)
    }
  }
  for (const of of wanted.shortForms) {
    for (let i = text.indexOf(of.value); i >= 0; i = text.indexOf(of.value, i + 1)) {
      leaks.push({ start: i, end: i + of.value.length, matches: [of] })
    }
  }
  return leaks.sort((a, b) => a.start - b.start)
}

/** "json-escaped client secret", or "16-character piece of the raw client secret" when no whole form shows. */
function describeLeak(text: string, leak: Leak, wanted: Wanted): string {
  const stretch = text.slice(leak.start, leak.end)
  const whole = wanted.forms.find(of => leak.matches.includes(of) && stretch.includes(of.value))
  if (whole) return `${whole.form} ${whole.label}`
  const [first] = leak.matches
  return `${leak.end - leak.start}-character piece of the ${first.form} ${first.label}`
}

/** Replaces every leak with <secret:label>, so a leak report can quote its context. */
function redact(text: string, wanted: Wanted): string {
  let result = ''
  let copied = 0
  for (const leak of leaksIn(text, wanted)) {
    if (leak.start < copied) continue
    result += `${text.slice(copied, leak.start)}<secret:${leak.matches[0].label}>`
    copied = leak.end
  }
  return result + text.slice(copied)
}

function lineNumberAt(text: string, index: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++
  return line
}

/**
 * A short excerpt around a leak, with all secrets redacted. It is cut from whole lines, redacted,
 * and only then shortened, so no part of a secret (which may span lines) survives the redaction.
 */
function excerpt(text: string, leak: Leak, wanted: Wanted): string {
  const start = text.lastIndexOf('\n', leak.start) + 1
  const newline = text.indexOf('\n', leak.end)
  const lines = redact(text.slice(start, newline < 0 ? undefined : newline), wanted).replace(/\r?\n/g, '\\n')
  const marker = Math.max(0, lines.indexOf('<secret:'))
  const from = Math.max(0, marker - 60)
  return `${from > 0 ? '...' : ''}${lines.slice(from, from + 160)}${lines.length > from + 160 ? '...' : ''}`
}

/** The log as the runner shows it: the `::add-mask::` lines it carries out are consumed, the others stay. */
function withoutConsumedMasks(text: string): string {
  return processLines(text)
    .map(({ line, command }) => (command?.command === 'add-mask' ? '' : line))
    .join('\n')
}

/**
 * Every leak of `secrets` (label -> value) in `texts` (where -> text), described as
 * "json-escaped client secret in summary, line 12: <excerpt>". Empty when there is none.
 * `log: true` reads the texts as the runner reads a step's output (see withoutConsumedMasks).
 */
export function findLeaks(texts: Record<string, string>, secrets: Record<string, string>, options: { log?: boolean } = {}): string[] {
  checkSecrets(secrets)
  const wanted = wantedOf(secrets)
  const found: string[] = []
  for (const [where, original] of Object.entries(texts)) {
    const text = options.log ? withoutConsumedMasks(original) : original
    for (const leak of leaksIn(text, wanted)) {
      found.push(`${describeLeak(text, leak, wanted)} in ${where}, line ${lineNumberAt(text, leak.start)}: ${excerpt(text, leak, wanted)}`)
    }
  }
  return found
}

/**
 * Throws, listing every leak, when any secret (label -> value) shows in the run's log, outputs or
 * step summary, or in the `extra` texts (where -> text).
 */
export function assertNoLeaks(result: RunResult, secrets: Record<string, string>, extra: Record<string, string> = {}): void {
  const log = findLeaks({ stdout: result.stdout, stderr: result.stderr }, secrets, { log: true })
  const outputs = Object.fromEntries(Object.entries(result.outputs).map(([name, value]) => [`output "${name}"`, value]))
  const rest = findLeaks({ ...outputs, summary: result.summary, ...extra }, secrets)
  const leaks = [...log, ...rest]
  if (leaks.length > 0) throw new Error(`${leaks.length} secret leak(s):\n${leaks.map(l => `  - ${l}`).join('\n')}`)
}

/** Throws unless the action passed `secret` to `::add-mask::`, so the runner masks it in the log. */
export function assertMasked(result: RunResult, secret: string, label = 'secret'): void {
  if (!result.masked.includes(secret)) {
    throw new Error(`<secret:${label}> was never passed to ::add-mask:: (${result.masked.length} value(s) were)`)
  }
}
