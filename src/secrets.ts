// Every secret the action handles (the Cloudflare API token, the GitHub token, the Cognito client
// secret) is registered here the moment it exists: masked for the runner's log, and scrubbed by
// `redact` from anything we send elsewhere (PR comments, summaries) or build from an error, since
// the runner's masking covers neither API calls nor text printed before the mask was set.
import * as core from '@actions/core'

export const SENSITIVE = '(sensitive)'
const REPLACEMENT = '***'
/** Shorter values are not secrets, and would scrub ordinary words. */
const MIN_SECRET_LENGTH = 4
const secrets = new Set<string>()
/** Every form of every secret, longest first (a form may contain a shorter one). */
let patterns: string[] = []

/** Masks a secret for the rest of the run. Values too short to be secrets are ignored. */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < MIN_SECRET_LENGTH || secrets.has(secret)) return
  secrets.add(secret)
  patterns = [...new Set([...patterns, ...secretForms(secret)])].sort((a, b) => b.length - a.length)
  core.setSecret(secret)
}

/**
 * The ways a secret can show up in text: as is, JSON-escaped once or twice (an error that quotes
 * a request body, itself in JSON), URL- and form-encoded (a query string), base64 (a Basic authorization header), and
 * escaped as a workflow command's data.
 */
export function secretForms(secret: string): string[] {
  const json = (text: string) => JSON.stringify(text).slice(1, -1)
  return [
    secret,
    json(secret),
    // JSON inside JSON: an echoed request body quoted in a JSON output such as `plan`.
    json(json(secret)),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
    secret.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  ]
}

/** Replaces every registered secret, in any of its forms, with `***`. */
export function redact(text: string): string {
  let result = text
  for (const form of patterns) result = result.split(form).join(REPLACEMENT)
  return result
}

/** Forgets all secrets (tests only: each run of the action is its own process). */
export function clearSecretsForTest(): void {
  secrets.clear()
  patterns = []
}
