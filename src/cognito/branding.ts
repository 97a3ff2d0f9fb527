// Managed login (domain version 2) shows no login page to an app client without a branding
// style; the classic hosted UI (version 1) needs none. The plan entry for the client's style.
import type { ResourcePlan } from '../model.js'

export interface BrandingEntry extends ResourcePlan {
  kind: 'managed-login-branding'
  action: 'create' | 'no-change'
}

/**
 * On a managed-login domain, the client gets Cognito's default style when it has none (a client
 * created in this run has none); undefined on the classic hosted UI, where there is nothing to plan.
 */
export function planBranding(
  managedLoginVersion: number | undefined,
  clientCreated: boolean,
  hasBranding: boolean | undefined
): BrandingEntry | undefined {
  if (managedLoginVersion !== 2) return undefined
  const create = clientCreated || hasBranding === false
  return {
    kind: 'managed-login-branding',
    title: 'Managed login branding style of the app client',
    action: create ? 'create' : 'no-change',
    changes: create ? [{ field: 'UseCognitoProvidedValues', after: true }] : []
  }
}
