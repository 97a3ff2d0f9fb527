// Looks for secrets everywhere a workflow could show them: the log (stdout, stderr), outputs, the
// step summary, and whatever else a test collects (a PR comment body from the GitHub fake, ...).
// A secret counts as leaked in any form a reader could turn back into it: raw, JSON-escaped,
// URL-encoded, base64 (also inside a longer base64 text, as in a Basic auth header) or escaped as
// a workflow command's data. Reports never contain the secret itself: it shows as <secret:label>.
import type { RunResult } from './run-action.js'

/** Shorter strings occur by chance, so a test that passes one has a bug. */
const MIN_SECRET_LENGTH = 8

/** The runner's escaping of a workflow command's data (`::error::<data>`). */
function commandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** The runner's escaping of a workflow command's property (`::error title=<property>::`). */
function commandProperty(text: string): string {
  return commandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/**
 * Base64 of the secret as it appears inside a longer base64 text that starts 1 or 2 bytes before
 * it: only the characters that depend on the secret's bytes alone.
 */
function embeddedBase64(secret: Buffer, offset: 1 | 2): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), secret]).toString('base64')
  const stableEnd = Math.floor((offset + secret.length) / 3) * 4
  return encoded.slice(offset === 1 ? 2 : 3, stableEnd)
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
    ['base64', bytes.toString('base64').slice(0, Math.floor(bytes.length / 3) * 4)],
    ['base64 (offset 1)', embeddedBase64(bytes, 1)],
    ['base64 (offset 2)', embeddedBase64(bytes, 2)]
  ]
  const forms: Record<string, string> = {}
  const seen = new Set<string>()
  for (const [name, value] of candidates) {
    if (!seen.has(value)) forms[name] = value
    seen.add(value)
  }
  return forms
}

function checkSecrets(secrets: Record<string, string>): void {
  for (const [label, secret] of Object.entries(secrets)) {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`leak check: secret "${label}" has ${secret.length} characters; use at least ` +
        `${MIN_SECRET_LENGTH} so it cannot match by chance (a test bug)`)
    }
  }
}

/** `::add-mask::` lines are how the runner learns a mask: it consumes them, they never show. */
function withoutAddMaskLines(text: string): string {
  return text.split('\n').map(line => (line.trimStart().startsWith('::add-mask::') ? '' : line)).join('\n')
}

/** Replaces every form of every secret with <secret:label>, so a leak report can quote its context. */
function redact(text: string, secrets: Record<string, string>): string {
  const replacements = Object.entries(secrets)
    .flatMap(([label, secret]) => Object.values(secretForms(secret)).map(form => [form, `<secret:${label}>`] as const))
    .sort((a, b) => b[0].length - a[0].length) // longest first: a form may contain a shorter one
  return replacements.reduce((redacted, [form, marker]) => redacted.split(form).join(marker), text)
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
function excerpt(text: string, index: number, length: number, secrets: Record<string, string>): string {
  const start = text.lastIndexOf('\n', index) + 1
  const newline = text.indexOf('\n', index + length)
  const lines = redact(text.slice(start, newline < 0 ? undefined : newline), secrets).replace(/\r?\n/g, '\\n')
  const marker = Math.max(0, lines.indexOf('<secret:'))
  const from = Math.max(0, marker - 60)
  return `${from > 0 ? '...' : ''}${lines.slice(from, from + 160)}${lines.length > from + 160 ? '...' : ''}`
}

/**
 * Every leak of `secrets` (label -> value) in `texts` (where -> text), described as
 * "json-escaped client secret in summary, line 12: <excerpt>". Empty when there is none.
 */
export function findLeaks(texts: Record<string, string>, secrets: Record<string, string>,
  options: { allowAddMaskLines?: boolean } = {}): string[] {
  checkSecrets(secrets)
  const leaks: string[] = []
  for (const [where, original] of Object.entries(texts)) {
    const text = options.allowAddMaskLines ? withoutAddMaskLines(original) : original
    for (const [label, secret] of Object.entries(secrets)) {
      for (const [form, value] of Object.entries(secretForms(secret))) {
        for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + 1)) {
          leaks.push(`${form} ${label} in ${where}, line ${lineNumberAt(text, i)}: ${excerpt(text, i, value.length, secrets)}`)
        }
      }
    }
  }
  return leaks
}

/**
 * Throws, listing every leak, when any secret (label -> value) shows in the run's log, outputs or
 * step summary, or in the `extra` texts (where -> text).
 */
export function assertNoLeaks(result: RunResult, secrets: Record<string, string>, extra: Record<string, string> = {}): void {
  const log = findLeaks({ stdout: result.stdout, stderr: result.stderr }, secrets, { allowAddMaskLines: true })
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
