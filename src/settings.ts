// Turns the action's raw inputs (and the few environment variables it honours) into one typed
// settings object. Pure apart from the `onSecret` hook: every problem is collected, so a user
// sees all bad inputs at once, and nothing touches the network before this has succeeded.
import * as core from '@actions/core'
import * as log from './log.js'

export type Mode = 'plan' | 'apply'
export type ReviewedPlan = 'off' | 'warn' | 'require'
export type CloudflareScope = { kind: 'accounts' | 'zones'; id: string }

export interface Settings {
  mode: Mode
  /** Why this mode: the input, or `auto` resolved from the event name. */
  modeReason: string
  userPoolId: string
  region: string
  appClientName: string
  appClientId?: string
  /** Hosted UI domain wanted: a prefix (no dots) or a custom domain (FQDN). */
  cognitoDomain?: string
  identityProviders: string[]
  scopes: string[]
  teamName?: string
  cloudflare: { scope: CloudflareScope; apiToken: string; baseUrl: string }
  idpName: string
  idpId?: string
  claims: string[]
  emailClaimName: string
  pkce: boolean
  verify: boolean
  /** Write the client secret to Cloudflare even when nothing says it changed (it cannot be read back). */
  syncSecret: boolean
  /** Remove other Zero Trust teams' Access callbacks from the client (off: they get a warning). */
  pruneCallbacks: boolean
  /** Rotate the client secret in this run (rotate-secret). */
  rotateSecret: boolean
  /** Rotate when the newest client secret is older than this many days (rotate-after-days); undefined: never by age. */
  rotateAfterDays?: number
  comment: boolean
  githubToken: string
  /** On a push apply: compare the plan with the one reviewed in the merged pull request's comment. */
  reviewedPlan: ReviewedPlan
  /** On a scheduled plan: keep one issue open while there is drift. */
  driftIssue: boolean
  /** Plan mode: fail the step when the plan has changes. */
  failOnChanges: boolean
  /** The whole run's deadline (input timeout-minutes). */
  timeoutMinutes: number
  timing: Timing
  endpoints: {
    /** The Cognito API endpoint override (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER / AWS_ENDPOINT_URL). */
    cognito?: string
    /** Where requests meant for the hosted UI domain go instead (COGNITO_HOSTED_UI_ENDPOINT). */
    hostedUi?: string
  }
}

/** Tuning knobs, from environment variables (documented in docs/development.md); tests shorten them. */
export interface Timing {
  /** Per HTTP attempt (Cognito, Cloudflare, OIDC). COGNITO_ACCESS_REQUEST_TIMEOUT_MS, default 30 s. */
  requestTimeoutMs: number
  /** First retry backoff, doubled per retry. COGNITO_ACCESS_RETRY_BASE_MS, default 500 ms. */
  retryBaseMs: number
  /** Between polls of a new domain's status. COGNITO_ACCESS_DOMAIN_POLL_MS, default 5 s. */
  domainPollMs: number
  /** Longest wait for a new domain to be ACTIVE. COGNITO_ACCESS_DOMAIN_WAIT_MS, default 3 min. */
  domainWaitMs: number
}

const TIMING_DEFAULTS: Record<keyof Timing, [string, number]> = {
  requestTimeoutMs: ['COGNITO_ACCESS_REQUEST_TIMEOUT_MS', 30_000],
  retryBaseMs: ['COGNITO_ACCESS_RETRY_BASE_MS', 500],
  domainPollMs: ['COGNITO_ACCESS_DOMAIN_POLL_MS', 5_000],
  domainWaitMs: ['COGNITO_ACCESS_DOMAIN_WAIT_MS', 180_000]
}

export interface InputProblem {
  /** The input (or environment variable) at fault, as the user spells it. */
  input: string
  message: string
}

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; problems: InputProblem[] }

export interface SettingsSources {
  /** Raw input by kebab-case name: undefined when absent (no runner set it), '' when given empty. */
  getInput: (name: string) => string | undefined
  env: NodeJS.ProcessEnv
  eventName: string
  /** Called with each secret the moment it is read, before any validation can echo it. */
  onSecret?: (secret: string) => void
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/
const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d{1,2})_[0-9A-Za-z]{1,50}$/
const CLIENT_ID = /^[\w+]{1,128}$/
// Cognito's pattern is [\w\s+=,.@-]+; of the whitespace, only the space: a line break in a name
// would reach the log and the report.
const CLIENT_NAME = /^[\w +=,.@-]{1,128}$/
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const FQDN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/
const CLOUDFLARE_ID = /^[0-9a-f]{32}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
// Cognito's own patterns: scopes are printable ASCII without space, quote or backslash; identity
// provider names are 1–32 characters without whitespace.
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/
const IDENTITY_PROVIDER = /^[^\s,\p{Cc}\p{Cf}]{1,32}$/u
const CLAIM = /^[^\s,\p{Cc}\p{Cf}]{1,256}$/u
/** Control characters, the invisible ones that reorder or hide text (bidi controls, zero widths), and line separators. */
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u
/** What an HTTP header can carry: API tokens are printable ASCII without spaces. */
const TOKEN = /^[\x21-\x7e]+$/
/** The longest name we send Cloudflare (it documents none; its dashboard shows short names). */
const MAX_IDP_NAME_LENGTH = 200
/** GitHub stops a job after 6 hours anyway. */
const MAX_TIMEOUT_MINUTES = 360
/** Ten years: a longer limit is a typo. */
const MAX_ROTATE_AFTER_DAYS = 3650
const RESERVED_PREFIX_WORDS = ['aws', 'amazon', 'cognito']
const TRUE_VALUES = ['true', 'True', 'TRUE']
const FALSE_VALUES = ['false', 'False', 'FALSE']

export const DEFAULT_CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4'

/**
 * Every input's default, exactly as action.yml declares it (a test compares the two). The runner
 * fills in action.yml's defaults itself; these serve a run without it (`@github/local-action`, a
 * test), which would otherwise get no claims, say. An input given empty takes its default too,
 * except those in EMPTY_MEANS_NONE. `github-token`'s default, `${{ github.token }}`, is an
 * expression only the runner can evaluate, so it has no entry: without the runner there is no
 * token, as when a workflow passes an empty one, and the run makes no GitHub call (no comment, no
 * reviewed-plan check, no drift issue; each says so).
 */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  mode: 'auto',
  'app-client-name': 'Cloudflare Access',
  'identity-providers': 'COGNITO',
  scopes: 'openid email profile',
  'idp-name': 'Amazon Cognito',
  claims: 'sub, cognito:username, name, cognito:groups',
  'email-claim-name': 'email',
  pkce: 'true',
  verify: 'true',
  'sync-secret': 'false',
  'prune-callbacks': 'false',
  comment: 'true',
  'reviewed-plan': 'warn',
  'drift-issue': 'true',
  'fail-on-changes': 'false',
  'timeout-minutes': '10',
  'rotate-secret': 'false'
}

/** Inputs whose empty value asks for none rather than the default: `claims: ''` keeps no extra claim. */
const EMPTY_MEANS_NONE = ['claims']

/** An input, trimmed; its default when absent, or empty and not one of EMPTY_MEANS_NONE. */
function readInput(getInput: SettingsSources['getInput'], name: string): string {
  const given = getInput(name)?.trim()
  if (given === undefined || (given === '' && !EMPTY_MEANS_NONE.includes(name))) return INPUT_DEFAULTS[name] ?? ''
  return given
}

/** Splits a list input on commas and newlines (and spaces, when `spaces`), dropping empties and repeats. */
export function splitList(raw: string, spaces: boolean): string[] {
  const separator = spaces ? /[\s,]+/ : /[,\r\n]+/
  return [
    ...new Set(
      raw
        .split(separator)
        .map(item => item.trim())
        .filter(Boolean)
    )
  ]
}

export function readSettings(sources: SettingsSources): SettingsResult {
  const problems: InputProblem[] = []
  const problem = (input: string, message: string): void => {
    problems.push({ input, message })
  }
  const input = (name: string): string => readInput(sources.getInput, name)
  const env = (name: string): string => (sources.env[name] ?? '').trim()

  // Secrets first: masked before anything below could print them.
  const apiToken = input('cloudflare-api-token') || env('CLOUDFLARE_API_TOKEN')
  const githubToken = input('github-token')
  for (const secret of [apiToken, githubToken]) if (secret) sources.onSecret?.(secret)

  const mode = readMode(input('mode'), sources.eventName, problem)
  const userPoolId = input('user-pool-id')
  const poolRegion = USER_POOL_ID.exec(userPoolId)?.[1]
  if (!userPoolId) problem('user-pool-id', 'is required, for example `eu-west-1_AbC123xyZ`.')
  else if (!poolRegion) {
    problem('user-pool-id', `\`${userPoolId}\` is not a user pool id; expected \`<region>_<id>\`, for example \`eu-west-1_AbC123xyZ\`.`)
  }

  const region = input('aws-region') || poolRegion || ''
  if (input('aws-region') && !REGION.test(region)) {
    problem('aws-region', `\`${region}\` is not an AWS region, for example \`eu-west-1\`.`)
  } else if (input('aws-region') && poolRegion && region !== poolRegion) {
    problem('aws-region', `\`${region}\` does not match the region of user-pool-id (\`${poolRegion}\`).`)
  }

  const appClientName = input('app-client-name')
  if (UNSAFE_CHARACTERS.test(appClientName)) {
    problem('app-client-name', 'contains a control, line-break or invisible (bidi, zero-width) character.')
  } else if (!CLIENT_NAME.test(appClientName)) {
    problem('app-client-name', 'must be 1–128 letters, digits, spaces or `+=,.@-_`.')
  }
  const appClientId = input('app-client-id') || undefined
  if (appClientId && !CLIENT_ID.test(appClientId)) {
    problem('app-client-id', 'must be a Cognito app client id (1–128 letters, digits, `_` or `+`).')
  }

  const cognitoDomain = input('cognito-domain').toLowerCase() || undefined
  if (cognitoDomain) checkDomain(cognitoDomain, problem)

  const identityProviders = readList(
    'identity-providers',
    input('identity-providers'),
    false,
    IDENTITY_PROVIDER,
    'identity provider names have 1–32 characters and no spaces',
    problem
  )
  const scopes = readList('scopes', input('scopes'), true, SCOPE, 'scopes are printable ASCII without quotes or backslashes', problem)
  if (scopes.length > 0 && !scopes.includes('openid')) {
    problem('scopes', 'must include `openid`: Cloudflare signs people in with OpenID Connect.')
  }
  const claims = readList('claims', input('claims'), true, CLAIM, 'claim names have no spaces or commas', problem)

  const teamName = parseTeamName(input('team-name'), problem)
  const scope = readCloudflareScope(input('cloudflare-account-id'), input('cloudflare-zone-id'), env('CLOUDFLARE_ACCOUNT_ID'), problem)
  if (!apiToken) {
    problem('cloudflare-api-token', 'is required: set the input or the CLOUDFLARE_API_TOKEN environment variable.')
  } else if (!TOKEN.test(apiToken)) {
    problem('cloudflare-api-token', 'must be printable ASCII without spaces; paste the token alone.')
  }
  if (githubToken && !TOKEN.test(githubToken)) {
    problem('github-token', 'must be printable ASCII without spaces; paste the token alone.')
  }

  const idpName = input('idp-name')
  if (UNSAFE_CHARACTERS.test(idpName)) {
    problem('idp-name', 'contains a control, line-break or invisible (bidi, zero-width) character.')
  } else if ([...idpName].length > MAX_IDP_NAME_LENGTH) {
    problem('idp-name', `is longer than ${MAX_IDP_NAME_LENGTH} characters.`)
  }
  const idpId = input('idp-id').toLowerCase() || undefined
  if (idpId && !UUID.test(idpId)) problem('idp-id', 'must be a Cloudflare identity provider id (a UUID).')

  const emailClaimName = input('email-claim-name')
  if (!CLAIM.test(emailClaimName)) problem('email-claim-name', 'must be one claim name without spaces or commas.')

  const pkce = readBoolean('pkce', input('pkce'), problem)
  const verify = readBoolean('verify', input('verify'), problem)
  const comment = readBoolean('comment', input('comment'), problem)
  const syncSecret = readBoolean('sync-secret', input('sync-secret'), problem)
  const pruneCallbacks = readBoolean('prune-callbacks', input('prune-callbacks'), problem)
  const rotateSecret = readBoolean('rotate-secret', input('rotate-secret'), problem)
  const rotateAfterDays = readRotateAfterDays(input('rotate-after-days'), problem)
  const timeoutMinutes = readTimeoutMinutes(input('timeout-minutes'), problem)
  const reviewedPlan = readReviewedPlan(input('reviewed-plan'), problem)
  const driftIssue = readBoolean('drift-issue', input('drift-issue'), problem)
  const failOnChanges = readBoolean('fail-on-changes', input('fail-on-changes'), problem)

  const baseUrl = readUrl('CLOUDFLARE_API_BASE_URL', env('CLOUDFLARE_API_BASE_URL') || DEFAULT_CLOUDFLARE_API, problem)
  const cognitoEndpoint =
    env('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS') === 'true'
      ? ''
      : env('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER') || env('AWS_ENDPOINT_URL')
  const hostedUi = env('COGNITO_HOSTED_UI_ENDPOINT')
  if (cognitoEndpoint) readUrl('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', cognitoEndpoint, problem)
  if (hostedUi) readUrl('COGNITO_HOSTED_UI_ENDPOINT', hostedUi, problem)

  const timing = readTiming(env, problem)

  if (problems.length > 0 || !mode || !scope) return { ok: false, problems }
  return {
    ok: true,
    settings: {
      ...mode,
      userPoolId,
      region,
      appClientName,
      appClientId,
      cognitoDomain,
      identityProviders,
      scopes,
      teamName,
      cloudflare: { scope, apiToken, baseUrl: baseUrl.replace(/\/+$/, '') },
      idpName,
      idpId,
      claims,
      emailClaimName,
      pkce,
      verify,
      syncSecret,
      pruneCallbacks,
      rotateSecret,
      rotateAfterDays,
      comment,
      githubToken,
      reviewedPlan,
      driftIssue,
      failOnChanges,
      timeoutMinutes,
      timing,
      endpoints: {
        cognito: cognitoEndpoint ? cognitoEndpoint.replace(/\/+$/, '') : undefined,
        hostedUi: hostedUi ? hostedUi.replace(/\/+$/, '') : undefined
      }
    }
  }
}

type Report = (input: string, message: string) => void

/**
 * The events on which `mode: auto` plans: pull requests (their reviews too, and a merge queue's
 * check, which runs before the merge) and schedules. Anything else applies: a push, a
 * workflow_dispatch, and the events people trigger on purpose (release, repository_dispatch).
 */
export const PLAN_EVENTS = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'merge_group',
  'schedule'
]

function readMode(raw: string, eventName: string, problem: Report): Pick<Settings, 'mode' | 'modeReason'> | undefined {
  const value = raw.toLowerCase()
  if (value === 'plan' || value === 'apply') return { mode: value, modeReason: `mode: ${value}` }
  if (value === 'auto') {
    return { mode: PLAN_EVENTS.includes(eventName) ? 'plan' : 'apply', modeReason: `mode: auto on a ${eventName || 'unknown'} event` }
  }
  problem('mode', `\`${raw}\` is not one of \`plan\`, \`apply\`, \`auto\`.`)
  return undefined
}

function readReviewedPlan(raw: string, problem: Report): ReviewedPlan {
  const value = raw.toLowerCase()
  if (value === 'off' || value === 'warn' || value === 'require') return value
  problem('reviewed-plan', `\`${raw}\` is not one of \`off\`, \`warn\`, \`require\`.`)
  return 'warn'
}

function readList(name: string, raw: string, spaces: boolean, pattern: RegExp, rule: string, problem: Report): string[] {
  const items = splitList(raw, spaces)
  const bad = items.filter(item => !pattern.test(item))
  if (bad.length > 0) problem(name, `${bad.map(item => `\`${item}\``).join(', ')} not allowed: ${rule}.`)
  if (items.length === 0 && raw.trim() !== '') problem(name, 'holds no item.')
  return items
}

function readBoolean(name: string, raw: string, problem: Report): boolean {
  if (TRUE_VALUES.includes(raw)) return true
  if (FALSE_VALUES.includes(raw)) return false
  problem(name, `\`${raw}\` is not a boolean; use \`true\` or \`false\`.`)
  return false
}

function readTimeoutMinutes(raw: string, problem: Report): number {
  const value = Number(raw)
  if (!/^\d+(\.\d+)?$/.test(raw) || !(value > 0 && value <= MAX_TIMEOUT_MINUTES)) {
    problem('timeout-minutes', `\`${raw}\` is not a number of minutes above 0 and at most ${MAX_TIMEOUT_MINUTES}.`)
  }
  return value
}

/** A whole number of days, at least 1; empty: never rotate by age. */
function readRotateAfterDays(raw: string, problem: Report): number | undefined {
  if (raw === '') return undefined
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_ROTATE_AFTER_DAYS) {
    problem(
      'rotate-after-days',
      `\`${raw}\` is not a whole number of days from 1 to ${MAX_ROTATE_AFTER_DAYS}; leave it empty to rotate only when asked.`
    )
    return undefined
  }
  return value
}

function parseTeamName(raw: string, problem: Report): string | undefined {
  // People paste the whole team domain; take its first label.
  const value = raw
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\.cloudflareaccess\.com\/?$/, '')
  if (!value) return undefined
  if (!DNS_LABEL.test(value)) {
    problem('team-name', `\`${raw}\` is not a team name; expected the \`<team>\` of \`<team>.cloudflareaccess.com\` (a DNS label).`)
    return undefined
  }
  return value
}

function readCloudflareScope(account: string, zone: string, envAccount: string, problem: Report): CloudflareScope | undefined {
  if (account && zone) {
    problem('cloudflare-zone-id', 'set either cloudflare-account-id or cloudflare-zone-id, not both.')
    return undefined
  }
  // An explicit zone wins over an account id that only comes from the environment.
  const [kind, id, name] = zone
    ? (['zones', zone, 'cloudflare-zone-id'] as const)
    : (['accounts', account || envAccount, account ? 'cloudflare-account-id' : 'CLOUDFLARE_ACCOUNT_ID'] as const)
  if (!id) {
    problem('cloudflare-account-id', 'is required (or cloudflare-zone-id, or the CLOUDFLARE_ACCOUNT_ID environment variable).')
    return undefined
  }
  if (!CLOUDFLARE_ID.test(id.toLowerCase())) {
    problem(name, `\`${id}\` is not a Cloudflare id (32 hexadecimal characters).`)
    return undefined
  }
  return { kind, id: id.toLowerCase() }
}

function readTiming(env: (name: string) => string, problem: Report): Timing {
  const timing = {} as Timing
  for (const [key, [name, fallback]] of Object.entries(TIMING_DEFAULTS) as Array<[keyof Timing, [string, number]]>) {
    const raw = env(name)
    const value = raw === '' ? fallback : Number(raw)
    if (!Number.isInteger(value) || value < 0 || value > 3_600_000) {
      problem(name, `\`${raw}\` is not a number of milliseconds (0 to 3600000).`)
    }
    timing[key] = value
  }
  return timing
}

function checkDomain(domain: string, problem: Report): void {
  if (domain.includes('.')) {
    if (!FQDN.test(domain)) problem('cognito-domain', `\`${domain}\` is not a valid custom domain name.`)
    return
  }
  if (!DNS_LABEL.test(domain)) {
    problem('cognito-domain', `\`${domain}\` is not a valid domain prefix: lowercase letters, digits and inner hyphens, at most 63.`)
  } else if (RESERVED_PREFIX_WORDS.some(word => domain.includes(word))) {
    problem('cognito-domain', `\`${domain}\` contains a word Cognito reserves (${RESERVED_PREFIX_WORDS.join(', ')}).`)
  }
}

function readUrl(name: string, raw: string, problem: Report): string {
  try {
    const url = new URL(raw)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol')
  } catch {
    problem(name, `\`${raw}\` is not an http(s) URL.`)
  }
  return raw
}

/** The runner's variable for an input, as @actions/core reads it: upper case, spaces to `_`. */
function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * Reads the settings from the runner's inputs and environment. Reports every problem as an error
 * naming its input and fails the step; returns undefined then. A pull request from a fork (or
 * Dependabot's) gets no secrets: `secretless` says why, and missing secrets are then a warning
 * and a summary note, not a failure.
 */
export async function loadSettings(
  eventName: string,
  secretless: string | undefined,
  onSecret: (secret: string) => void
): Promise<Settings | undefined> {
  const getInput = (name: string): string | undefined => (process.env[inputVariable(name)] === undefined ? undefined : core.getInput(name))
  const result = readSettings({ getInput, env: process.env, eventName, onSecret })
  if (result.ok) return result.settings
  const onlySecretsMissing = result.problems.every(
    problem => problem.input === 'cloudflare-api-token' || problem.input === 'cloudflare-account-id'
  )
  if (secretless && onlySecretsMissing) {
    const message = `This pull request ${secretless}, which gets no secrets, so no plan could be made. A maintainer can run the workflow on a branch of this repository to see the plan.`
    log.warning(message)
    await core.summary.addRaw(`### ⚠️ Cognito → Cloudflare Access: no plan\n\n${message}\n`).write()
    return undefined
  }
  for (const { input, message } of result.problems) log.error(`${input}: ${message}`, `Invalid input: ${input}`)
  log.setFailed(`${result.problems.length} invalid input(s); nothing was read or written. Fix the input(s) named above.`)
  return undefined
}
