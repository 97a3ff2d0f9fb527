// The user pool's hosted UI domain and issuer: which domain the integration uses, its hostname,
// and the OIDC URLs that follow from them. Pure, apart from `waitForActiveDomain`.
import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider'
import { sleep } from '../deadline.js'
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

/** The hostnames of the pool's domains as DescribeUserPool names them: its custom domain and its prefix domain. */
export function poolHostnames(pool: Pick<UserPoolType, 'Domain' | 'CustomDomain'>, region: string): string[] {
  return [pool.CustomDomain, pool.Domain && prefixHostname(pool.Domain, region)].filter((host): host is string => Boolean(host))
}

/**
 * Which domain to use: the one asked for (a custom domain must already be the pool's; a prefix is
 * created when the pool has none), else the pool's custom domain, else its prefix domain.
 */
export function chooseDomain(
  pool: Pick<UserPoolType, 'Id' | 'Domain' | 'CustomDomain'>,
  wanted: string | undefined,
  region: string
): DomainChoice {
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

/**
 * The pool's OIDC issuer, as the pool says (IssuerConfiguration), or under a test/partition
 * endpoint override. Both issuer forms live in the pool's primary region, the prefix of its id
 * (the region the API is called in could be a replica's).
 */
export function issuerUrl(pool: Pick<UserPoolType, 'Id' | 'IssuerConfiguration'>, region: string, endpointOverride?: string): string {
  if (endpointOverride) return `${endpointOverride}/${pool.Id}`
  const host = pool.IssuerConfiguration?.Type === 'UPDATED' ? 'issuer-cognito-idp' : 'cognito-idp'
  const home = pool.Id?.split('_')[0] || region
  return `https://${host}.${home}.amazonaws.com/${pool.Id}`
}

/** The name of the verification check that the domain's status answers (see verify.ts). */
export const DOMAIN_CHECK = 'Hosted domain is ACTIVE'

/** How to get a domain out of a status that waiting does not fix; undefined when waiting may. */
export function deadEndFix(status: string | undefined): string | undefined {
  if (status === 'FAILED') {
    return (
      'a custom domain fails when its ACM certificate (in us-east-1) or its DNS record is wrong: fix them, ' +
      'or delete the domain in the Cognito console, then re-run.'
    )
  }
  if (status === 'DELETING') {
    return 'the domain is being deleted: wait until it is gone, then re-run with cognito-domain set to a prefix, and the action creates one.'
  }
  return undefined
}

export interface WaitOptions {
  describeStatus: () => Promise<string | undefined>
  pollMs: number
  maxWaitMs: number
  log: (message: string) => void
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1)

/**
 * Polls until the domain is ACTIVE (a new domain takes up to a minute), within a bounded wait and
 * with a progress line per poll, so a slow run explains itself. A FAILED or DELETING domain stops
 * at once: no wait makes it ACTIVE.
 */
export async function waitForActiveDomain(hostname: string, options: WaitOptions): Promise<void> {
  const started = Date.now()
  for (let poll = 1; ; poll++) {
    const status = await options.describeStatus()
    const waited = Date.now() - started
    if (status === 'ACTIVE') return
    const fix = deadEndFix(status)
    if (fix) throw domainFailure(hostname, String(status), fix)
    if (waited + options.pollMs > options.maxWaitMs) {
      throw domainFailure(
        hostname,
        `${status ?? 'no status'}, not ACTIVE, after ${seconds(waited)} s`,
        'a new domain can take a few minutes: re-run the workflow (the domain is kept), or raise COGNITO_ACCESS_DOMAIN_WAIT_MS.',
        ` within ${seconds(options.maxWaitMs)} s`
      )
    }
    options.log(
      `Waiting for hosted domain ${hostname} to be ACTIVE: it is ${status ?? 'not visible yet'} after ${seconds(waited)} s ` +
        `(poll ${poll}; next in ${options.pollMs} ms, giving up after ${seconds(options.maxWaitMs)} s).`
    )
    await sleep(options.pollMs, `the wait for hosted domain ${hostname} to be ACTIVE`)
  }
}

function domainFailure(hostname: string, found: string, fix: string, within = ''): VerificationError {
  return new VerificationError(
    `Verification failed: ${DOMAIN_CHECK}: expected ${hostname} to be ACTIVE${within}; found ${found}. Fix: ${fix} ` +
      'Nothing was written to Cloudflare.'
  )
}
