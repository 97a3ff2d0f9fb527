// Every secret the action handles (the Cloudflare API token, the GitHub token, the Cognito client
// secret) is registered here the moment it exists: masked for the runner's log, and scrubbed by
// `redact` from anything we send elsewhere (PR comments, summaries) or build from an error, since
// the runner's masking covers neither API calls nor text printed before the mask was set.
import * as core from '@actions/core'

export const SENSITIVE = '(sensitive)'
const REPLACEMENT = '***'
const secrets = new Set<string>()

/** Masks a secret for the rest of the run. Values too short to be secrets are ignored. */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 4 || secrets.has(secret)) return
  secrets.add(secret)
  core.setSecret(secret)
}

/** The ways a secret can show up in text: as is, JSON-escaped, URL-encoded, base64. */
function forms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64')
  ]
}

/** Replaces every registered secret, in any of its forms, with `***`. */
export function redact(text: string): string {
  let result = text
  for (const secret of secrets) {
    for (const form of forms(secret)) result = result.split(form).join(REPLACEMENT)
  }
  return result
}

/** Forgets all secrets (tests only: each run of the action is its own process). */
export function clearSecretsForTest(): void {
  secrets.clear()
}
