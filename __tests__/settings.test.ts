import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { parse } from 'yaml'
import { INPUT_DEFAULTS, loadSettings, readSettings, splitList, type SettingsSources } from '../src/settings.js'
import { ACCOUNT_ID as ACCOUNT } from './support/constants.js'
import { REPO_ROOT } from './support/run-action.js'

/** action.yml's inputs, as declared there (defaults unexpanded). */
const DECLARED = (parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: unknown }> }).inputs
const INPUT_NAMES = Object.keys(DECLARED)
/** A default the runner evaluates (`${{ github.token }}`): the code cannot, so it has none for it. */
const isExpression = (value: unknown): boolean => typeof value === 'string' && value.includes('${{')

const VALID: Record<string, string> = {
  'user-pool-id': 'eu-west-1_AbC123xyZ',
  'cloudflare-account-id': ACCOUNT,
  'cloudflare-api-token': 'cf-token-0123456789abcdef'
}

function sources(inputs: Record<string, string>, env: Record<string, string> = {}, eventName = 'push'): SettingsSources {
  return { getInput: name => inputs[name], env, eventName }
}

function problemsFor(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const result = readSettings(sources({ ...VALID, ...inputs }, env))
  return result.ok ? [] : result.problems
}

describe('readSettings', () => {
  test('defaults for a minimal valid configuration', () => {
    const result = readSettings(sources(VALID))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const s = result.settings
    expect(s).toMatchObject({
      mode: 'apply',
      region: 'eu-west-1',
      appClientName: 'Cloudflare Access',
      identityProviders: ['COGNITO'],
      scopes: ['openid', 'email', 'profile'],
      idpName: 'Amazon Cognito',
      emailClaimName: 'email',
      pkce: true,
      verify: true,
      syncSecret: false,
      pruneCallbacks: false,
      comment: true,
      reviewedPlan: 'warn',
      driftIssue: true,
      failOnChanges: false,
      cloudflare: { scope: { kind: 'accounts', id: ACCOUNT }, baseUrl: 'https://api.cloudflare.com/client/v4' }
    })
    expect(s.teamName).toBeUndefined()
    expect(s.endpoints).toEqual({ cognito: undefined, hostedUi: undefined })
  })

  test('auto mode plans on pull requests (their reviews and the merge queue too) and schedules, and applies otherwise', () => {
    const events = [
      ['pull_request', 'plan'],
      ['pull_request_target', 'plan'],
      ['schedule', 'plan'],
      ['pull_request_review', 'plan'],
      ['pull_request_review_comment', 'plan'],
      ['merge_group', 'plan'],
      ['push', 'apply'],
      ['workflow_dispatch', 'apply'],
      ['release', 'apply'],
      ['repository_dispatch', 'apply']
    ]
    for (const [event, mode] of events) {
      const result = readSettings(sources(VALID, {}, event))
      expect(result.ok && result.settings.mode).toBe(mode)
      expect(result.ok && result.settings.modeReason).toBe(`mode: auto on a ${event} event`)
    }
    const explicit = readSettings(sources({ ...VALID, mode: 'plan' }, {}, 'push'))
    expect(explicit.ok && explicit.settings.mode).toBe('plan')
  })

  test('reviewed-plan, drift-issue and fail-on-changes', () => {
    const result = readSettings(sources({ ...VALID, 'reviewed-plan': 'Require', 'drift-issue': 'false', 'fail-on-changes': 'true' }))
    expect(result.ok && [result.settings.reviewedPlan, result.settings.driftIssue, result.settings.failOnChanges]).toEqual([
      'require',
      false,
      true
    ])
    expect(problemsFor({ 'reviewed-plan': 'strict' })).toEqual([
      { input: 'reviewed-plan', message: '`strict` is not one of `off`, `warn`, `require`.' }
    ])
    expect(problemsFor({ 'drift-issue': 'yes', 'fail-on-changes': '1' }).map(problem => problem.input)).toEqual([
      'drift-issue',
      'fail-on-changes'
    ])
  })

  test('lists split on commas, newlines and (for scopes and claims) spaces', () => {
    expect(splitList('a, b\nc,,a', false)).toEqual(['a', 'b', 'c'])
    expect(splitList(' openid  email,profile\n', true)).toEqual(['openid', 'email', 'profile'])
    const result = readSettings(sources({ ...VALID, 'identity-providers': 'COGNITO\nGoogle', claims: 'sub cognito:groups,name' }))
    expect(result.ok && result.settings.identityProviders).toEqual(['COGNITO', 'Google'])
    expect(result.ok && result.settings.claims).toEqual(['sub', 'cognito:groups', 'name'])
  })

  test('the token and account come from the environment when the inputs are empty', () => {
    const result = readSettings(
      sources({ 'user-pool-id': VALID['user-pool-id'] }, { CLOUDFLARE_API_TOKEN: 'env-token-123456', CLOUDFLARE_ACCOUNT_ID: ACCOUNT })
    )
    expect(result.ok && result.settings.cloudflare.apiToken).toBe('env-token-123456')
    expect(result.ok && result.settings.cloudflare.scope).toEqual({ kind: 'accounts', id: ACCOUNT })
  })

  test('an explicit zone wins over an account id from the environment', () => {
    const zone = 'fedcba9876543210fedcba9876543210'
    const result = readSettings(
      sources(
        { 'user-pool-id': VALID['user-pool-id'], 'cloudflare-zone-id': zone, 'cloudflare-api-token': 'tok-123456' },
        { CLOUDFLARE_ACCOUNT_ID: ACCOUNT }
      )
    )
    expect(result.ok && result.settings.cloudflare.scope).toEqual({ kind: 'zones', id: zone })
  })

  test('team name accepts the whole team domain', () => {
    const result = readSettings(sources({ ...VALID, 'team-name': 'https://Acme.cloudflareaccess.com' }))
    expect(result.ok && result.settings.teamName).toBe('acme')
  })

  test('secrets reach onSecret before validation', () => {
    const seen: string[] = []
    readSettings({
      ...sources({ ...VALID, 'user-pool-id': 'bad', 'github-token': 'ghs_abcdef123456' }),
      onSecret: secret => seen.push(secret)
    })
    expect(seen).toEqual([VALID['cloudflare-api-token'], 'ghs_abcdef123456'])
  })

  test.each([
    ['mode', { mode: 'destroy' }],
    ['user-pool-id', { 'user-pool-id': 'not-a-pool' }],
    ['user-pool-id', { 'user-pool-id': '' }],
    ['aws-region', { 'aws-region': 'moon-1' }],
    ['aws-region', { 'aws-region': 'us-east-1' }],
    ['app-client-name', { 'app-client-name': 'bad|name' }],
    ['app-client-id', { 'app-client-id': 'has spaces in it' }],
    ['cognito-domain', { 'cognito-domain': '-bad-' }],
    ['cognito-domain', { 'cognito-domain': 'my-cognito-login' }],
    ['cognito-domain', { 'cognito-domain': 'login..example.com' }],
    ['identity-providers', { 'identity-providers': 'Google Workspace' }],
    ['scopes', { scopes: 'email profile' }],
    ['scopes', { scopes: 'openid "quoted"' }],
    ['team-name', { 'team-name': 'not_a_label' }],
    ['cloudflare-account-id', { 'cloudflare-account-id': 'xyz' }],
    ['cloudflare-zone-id', { 'cloudflare-zone-id': 'fedcba9876543210fedcba9876543210' }],
    ['cloudflare-api-token', { 'cloudflare-api-token': '' }],
    ['idp-id', { 'idp-id': '42' }],
    ['email-claim-name', { 'email-claim-name': 'e mail' }],
    ['pkce', { pkce: 'yes' }],
    ['verify', { verify: 'on' }],
    ['comment', { comment: '1' }],
    ['sync-secret', { 'sync-secret': 'always' }],
    ['prune-callbacks', { 'prune-callbacks': 'yes' }],
    ['rotate-secret', { 'rotate-secret': 'now' }],
    ['rotate-after-days', { 'rotate-after-days': '0' }],
    ['rotate-after-days', { 'rotate-after-days': '30.5' }],
    ['rotate-after-days', { 'rotate-after-days': 'monthly' }],
    ['rotate-after-days', { 'rotate-after-days': '3651' }],
    ['idp-name', { 'idp-name': 'Amazon Cognito\n::stop-commands::x' }],
    ['idp-name', { 'idp-name': 'Amazon \u202eotingoC' }],
    ['idp-name', { 'idp-name': 'Amazon\u200bCognito' }],
    ['idp-name', { 'idp-name': 'x'.repeat(201) }],
    ['app-client-name', { 'app-client-name': 'Cloudflare\tAccess' }],
    ['app-client-name', { 'app-client-name': 'Cloudflare Access\r\n::error::x' }],
    ['app-client-name', { 'app-client-name': 'Cloudflare\u2028Access' }],
    ['claims', { claims: 'sub \u202egroups' }],
    ['identity-providers', { 'identity-providers': 'COGNITO,Go\u0007ogle' }],
    ['cloudflare-api-token', { 'cloudflare-api-token': 'cf-token with space' }],
    ['cloudflare-api-token', { 'cloudflare-api-token': 'cf-tökén-0123456789' }],
    ['github-token', { 'github-token': 'ghs_\u001b[31mred' }],
    ['timeout-minutes', { 'timeout-minutes': '0' }],
    ['timeout-minutes', { 'timeout-minutes': '-5' }],
    ['timeout-minutes', { 'timeout-minutes': '361' }],
    ['timeout-minutes', { 'timeout-minutes': 'ten' }],
    ['timeout-minutes', { 'timeout-minutes': '1e3' }]
  ])('a bad %s is named', (input, inputs) => {
    const problems = problemsFor(inputs)
    expect(problems.map(problem => problem.input)).toContain(input)
  })

  test('sync-secret and prune-callbacks are off unless set to true', () => {
    const on = readSettings(sources({ ...VALID, 'sync-secret': 'true', 'prune-callbacks': 'True' }))
    expect(on.ok && [on.settings.syncSecret, on.settings.pruneCallbacks]).toEqual([true, true])
    const off = readSettings(sources({ ...VALID, 'sync-secret': 'false', 'prune-callbacks': 'FALSE' }))
    expect(off.ok && [off.settings.syncSecret, off.settings.pruneCallbacks]).toEqual([false, false])
  })

  test('rotation: off by default; rotate-secret a boolean, rotate-after-days whole days', () => {
    const byDefault = readSettings(sources(VALID))
    expect(byDefault.ok && [byDefault.settings.rotateSecret, byDefault.settings.rotateAfterDays]).toEqual([false, undefined])
    const set = readSettings(sources({ ...VALID, 'rotate-secret': 'true', 'rotate-after-days': ' 90 ' }))
    expect(set.ok && [set.settings.rotateSecret, set.settings.rotateAfterDays]).toEqual([true, 90])
  })

  test('timeout-minutes: 10 by default, fractions allowed', () => {
    const byDefault = readSettings(sources(VALID))
    expect(byDefault.ok && byDefault.settings.timeoutMinutes).toBe(10)
    const short = readSettings(sources({ ...VALID, 'timeout-minutes': '0.5' }))
    expect(short.ok && short.settings.timeoutMinutes).toBe(0.5)
  })

  test('names may hold letters of any script, just no control or invisible character', () => {
    const result = readSettings(sources({ ...VALID, 'idp-name': 'Connexion Amazon Cognito — équipe 東京' }))
    expect(result.ok && result.settings.idpName).toBe('Connexion Amazon Cognito — équipe 東京')
  })

  test('every problem is reported at once', () => {
    const problems = problemsFor({ mode: 'x', pkce: 'x', 'idp-id': 'x', scopes: 'email' })
    expect(problems.map(problem => problem.input).sort()).toEqual(['idp-id', 'mode', 'pkce', 'scopes'])
  })

  test('bad endpoint overrides and timing knobs are named', () => {
    const problems = problemsFor(
      {},
      { CLOUDFLARE_API_BASE_URL: 'ftp://x', COGNITO_HOSTED_UI_ENDPOINT: 'not a url', COGNITO_ACCESS_DOMAIN_POLL_MS: '-1' }
    )
    expect(problems.map(problem => problem.input).sort()).toEqual([
      'CLOUDFLARE_API_BASE_URL',
      'COGNITO_ACCESS_DOMAIN_POLL_MS',
      'COGNITO_HOSTED_UI_ENDPOINT'
    ])
  })

  test('property: any string for any input gives settings or named problems, never a crash', () => {
    const inputValue = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', ' ', 'true', 'plan', ',', '\n', 'openid'))
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...INPUT_NAMES), inputValue),
        fc.constantFrom('push', 'pull_request', ''),
        (inputs, event) => {
          const result = readSettings(sources({ ...VALID, ...inputs }, {}, event))
          if (result.ok) {
            expect(['plan', 'apply']).toContain(result.settings.mode)
            expect(result.settings.scopes).toContain('openid')
            for (const name of [result.settings.idpName, result.settings.appClientName])
              expect(name).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u)
          } else {
            expect(result.problems.length).toBeGreaterThan(0)
            for (const problem of result.problems) {
              expect(INPUT_NAMES).toContain(problem.input)
              expect(problem.message.length).toBeGreaterThan(0)
            }
          }
        }
      ),
      { numRuns: 3000 }
    )
  })

  test('property: a single bad value names exactly that input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'mode',
          'pkce',
          'verify',
          'comment',
          'idp-id',
          'cloudflare-account-id',
          'reviewed-plan',
          'drift-issue',
          'fail-on-changes'
        ),
        fc
          .string({ minLength: 1 })
          .filter(s => !/^(true|false|True|False|TRUE|FALSE|plan|apply|auto|off|warn|require)$/i.test(s.trim()) && s.trim() !== ''),
        (input, value) => {
          const result = readSettings(sources({ ...VALID, [input]: value }))
          expect(result.ok).toBe(false)
          if (!result.ok) expect(result.problems.map(problem => problem.input)).toEqual([input])
        }
      ),
      { numRuns: 2000 }
    )
  })
})

describe('defaults', () => {
  /** What the runner fills in for an input the workflow leaves out: action.yml's default, as a string. */
  const RUNNER_DEFAULTS = Object.fromEntries(
    Object.entries(DECLARED)
      .filter(([, spec]) => spec.default !== undefined && spec.default !== null && !isExpression(spec.default))
      .map(([name, spec]) => [name, String(spec.default)])
  )

  test("the code's default of every input is action.yml's; only the token's expression has none", () => {
    expect(INPUT_DEFAULTS).toEqual(RUNNER_DEFAULTS)
    // The one expression: without the runner there is no token, and the run makes no GitHub call.
    expect(INPUT_NAMES.filter(name => isExpression(DECLARED[name].default))).toEqual(['github-token'])
  })

  test("a run without the runner's defaults gets the settings of one with them", () => {
    const withDefaults = readSettings(sources({ ...RUNNER_DEFAULTS, ...VALID }))
    const without = readSettings(sources(VALID))
    expect(without).toEqual(withDefaults)
    expect(without.ok && without.settings.claims).toEqual(['sub', 'cognito:username', 'name', 'cognito:groups'])
  })

  test.each(Object.keys(INPUT_DEFAULTS).filter(name => name !== 'claims'))('%s given empty takes its default', name => {
    expect(readSettings(sources({ ...VALID, [name]: ' ' }))).toEqual(readSettings(sources(VALID)))
  })

  test('loadSettings tells an input the runner left unset from one given empty: INPUT_CLAIMS', async () => {
    const variables = [...Object.keys(VALID), 'claims'].map(name => `INPUT_${name.toUpperCase()}`)
    const claims = async (): Promise<string[] | undefined> => (await loadSettings('push', undefined, () => undefined))?.claims
    try {
      for (const [name, value] of Object.entries(VALID)) process.env[`INPUT_${name.toUpperCase()}`] = value
      expect(await claims()).toEqual(['sub', 'cognito:username', 'name', 'cognito:groups'])
      process.env.INPUT_CLAIMS = ''
      expect(await claims()).toEqual([])
    } finally {
      for (const variable of variables) delete process.env[variable]
    }
  })

  test('claims given empty keeps none', () => {
    for (const empty of ['', ' \n']) {
      const result = readSettings(sources({ ...VALID, claims: empty }))
      expect(result.ok && result.settings.claims).toEqual([])
    }
  })
})
