// The user pool's hosted UI domain and issuer: which domain the integration uses, its hostname,
// and the OIDC URLs that follow from them. Pure, apart from `waitForActiveDomain`.
import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider'
import { ActionError, VerificationError } from '../errors.js'

export interface DomainChoice {
  /** The domain as Cognito names it: a prefix, or the custom domain's FQDN. */
  name: string
  kind: 'prefix' | 'custom'
  /** The hostname people's browsers go to. */
  hostname: string
  /** False when the action must create it (prefix domains only). */
  exists: boolean
}

export function prefixHostname(prefix: string, region: string): string {
  return `${prefix}.auth.${region}.amazoncognito.com`
}

/**
 * Which domain to use: the one asked for (a custom domain must already be the pool's; a prefix is
 * created when the pool has none), else the pool's custom domain, else its prefix domain.
 */
export function chooseDomain(pool: Pick<UserPoolType, 'Id' | 'Domain' | 'CustomDomain'>, wanted: string | undefined, region: string): DomainChoice {
  const prefix = pool.Domain || undefined
  const custom = pool.CustomDomain || undefined
  if (wanted?.includes('.')) {
    if (wanted !== custom) {
      throw new ActionError(
        `cognito-domain: \`${wanted}\` is not a custom domain of user pool ${pool.Id} (its custom domain: ${custom ?? 'none'}). ` +
          'Add the custom domain to the pool first, or give a prefix to create a prefix domain.'
      )
    }
    return { name: wanted, kind: 'custom', hostname: wanted, exists: true }
  }
  if (wanted) {
    if (prefix && prefix !== wanted) {
      throw new ActionError(
        `cognito-domain: user pool ${pool.Id} already has the prefix domain \`${prefix}\`, and a pool has only one. ` +
          `Use cognito-domain: ${prefix}, or leave it empty.`
      )
    }
    return { name: wanted, kind: 'prefix', hostname: prefixHostname(wanted, region), exists: prefix === wanted }
  }
  if (custom) return { name: custom, kind: 'custom', hostname: custom, exists: true }
  if (prefix) return { name: prefix, kind: 'prefix', hostname: prefixHostname(prefix, region), exists: true }
  throw new ActionError(
    `cognito-domain: user pool ${pool.Id} has no domain, and the hosted UI needs one. ` +
      'Set cognito-domain to a prefix (for example your company name) and the action creates it.'
  )
}

/** The pool's OIDC issuer, as the pool says (IssuerConfiguration), or under a test/partition endpoint override. */
export function issuerUrl(pool: Pick<UserPoolType, 'Id' | 'IssuerConfiguration'>, region: string, endpointOverride?: string): string {
  if (endpointOverride) return `${endpointOverride}/${pool.Id}`
  const host = pool.IssuerConfiguration?.Type === 'UPDATED' ? 'issuer-cognito-idp' : 'cognito-idp'
  return `https://${host}.${region}.amazonaws.com/${pool.Id}`
}

export interface WaitOptions {
  describeStatus: () => Promise<string | undefined>
  pollMs: number
  maxWaitMs: number
  log: (message: string) => void
}

/** Polls until the domain is ACTIVE (a new domain takes up to a minute), within a bounded wait. */
export async function waitForActiveDomain(hostname: string, options: WaitOptions): Promise<void> {
  const started = Date.now()
  for (let poll = 1; ; poll++) {
    const status = await options.describeStatus()
    if (status === 'ACTIVE') return
    const waited = Date.now() - started
    if (waited + options.pollMs > options.maxWaitMs) {
      throw new VerificationError(
        `domain: ${hostname} is ${status ?? 'missing'}, not ACTIVE, after ${(waited / 1000).toFixed(1)} s. ` +
          'A new domain can take a few minutes; re-run the workflow to finish (nothing was written to Cloudflare).'
      )
    }
    options.log(`Hosted domain ${hostname} is ${status ?? 'missing'} (poll ${poll}); waiting ${options.pollMs} ms for ACTIVE.`)
    await new Promise(resolve => setTimeout(resolve, options.pollMs))
  }
}
