// The action's outputs. None carries a secret: the runner would drop an output holding a masked
// value, and we redact them anyway.
import * as core from '@actions/core'
import { ApplyError } from './apply.js'
import { planFingerprint } from './fingerprint.js'
import { hasChanges, planJson, resourcesOf } from './plan.js'
import type { Outcome } from './reconcile.js'
import { redact } from './secrets.js'

/**
 * `changed`: apply mode, whether anything was written (also by an apply that failed half-way);
 * plan mode, whether apply would write anything.
 */
function changed(outcome: Outcome): boolean {
  if (outcome.applied) return outcome.applied.written.length > 0
  if (outcome.error !== undefined) return outcome.error instanceof ApplyError && outcome.error.progress.written.length > 0
  return hasChanges(outcome.plan)
}

export function outputValues(outcome: Outcome): Record<string, string> {
  const { plan, observed, applied, error, checks } = outcome
  // After a failed apply, the ids of what it got to (a client it created, say).
  const ids = applied?.ids ?? (error instanceof ApplyError ? error.progress.ids : {})
  return {
    'identity-provider-id': ids['cloudflare-identity-provider'] ?? observed.identityProvider?.id ?? '',
    'client-id': ids['cognito-app-client'] ?? observed.client?.ClientId ?? '',
    'callback-url': plan.endpoints.callbackUrl,
    'auth-url': plan.endpoints.authUrl,
    'token-url': plan.endpoints.tokenUrl,
    'certs-url': plan.endpoints.certsUrl,
    changed: String(changed(outcome)),
    // With the plan's fingerprint: the one the reviewed-plan check compares.
    plan: planJson(plan, checks, { fingerprint: planFingerprint(resourcesOf(plan)) })
  }
}

export function setOutputs(outcome: Outcome): void {
  for (const [name, value] of Object.entries(outputValues(outcome))) core.setOutput(name, redact(value))
}
