import fc from 'fast-check'
import {
  MAX_CHANGES,
  MAX_DATA_CHARS,
  MAX_TEXT_CHARS,
  changeText,
  planDataLine,
  planFingerprint,
  readPlanData,
  summarizePlan,
  summaryProblem,
  type PlannedResource
} from '../src/fingerprint.js'
import { buildPlan, resourcesOf } from '../src/plan.js'
import { SENSITIVE, clearSecretsForTest, registerSecret } from '../src/secrets.js'
import { PLANNED_CLIENT, convergedIdp, freshObserved, observed, plannedIdp, settingsWith } from './support/builders.js'

const MARKER = '<!-- cognito-cloudflare-access:plan:0123456789abcdef -->'

afterEach(() => clearSecretsForTest())

const CLIENT = PLANNED_CLIENT
const idp = plannedIdp

describe('planFingerprint', () => {
  test('64 hex digits, the same for the same plan, different for another', () => {
    const plan = buildPlan(settingsWith(), freshObserved())
    const fingerprint = planFingerprint(resourcesOf(plan))
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(planFingerprint(resourcesOf(buildPlan(settingsWith(), freshObserved())))).toBe(fingerprint)
    expect(planFingerprint(resourcesOf(buildPlan(settingsWith({ claims: 'sub' }), freshObserved())))).not.toBe(fingerprint)
    expect(planFingerprint(resourcesOf(buildPlan(settingsWith(), observed())))).not.toBe(fingerprint)
  })

  test('each part counts: the resource, its id, its action, a field, its before and its after', () => {
    const base = [CLIENT, idp([{ field: 'config.auth_url', before: 'https://a', after: 'https://b' }])]
    const variants: PlannedResource[][] = [
      [{ ...CLIENT, title: 'Cognito app client “Other”' }, base[1]],
      [{ ...CLIENT, id: 'client0002' }, base[1]],
      [CLIENT, { ...base[1], action: 'create' }],
      [CLIENT, idp([{ field: 'config.token_url', before: 'https://a', after: 'https://b' }])],
      [CLIENT, idp([{ field: 'config.auth_url', before: 'https://x', after: 'https://b' }])],
      [CLIENT, idp([{ field: 'config.auth_url', before: 'https://a', after: 'https://x' }])],
      [CLIENT, idp([{ field: 'config.auth_url', after: 'https://b' }])],
      [CLIENT]
    ]
    const fingerprints = new Set([base, ...variants].map(planFingerprint))
    expect(fingerprints.size).toBe(variants.length + 1)
  })

  test('the order of resources, of changes and of list items does not count (the plan compares lists as sets)', () => {
    const changes = [
      { field: 'config.claims', before: ['a', 'b'], after: ['a', 'b', 'c'] },
      { field: 'config.auth_url', before: 'https://a', after: 'https://b' }
    ]
    const one = planFingerprint([CLIENT, idp(changes)])
    const reordered = [{ ...changes[0], before: ['b', 'a'], after: ['c', 'a', 'b'] }, changes[1]].reverse()
    expect(planFingerprint([idp(reordered), CLIENT])).toBe(one)
  })

  test('a secret counts only as "changes": its value never enters the hash', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (before, after) => {
        const shown = planFingerprint([idp([{ field: 'config.client_secret', before: SENSITIVE, after: SENSITIVE }])])
        const leaked = planFingerprint([idp([{ field: 'config.client_secret', before, after }])])
        return shown === leaked
      })
    )
    const changes = planFingerprint([idp([{ field: 'config.client_secret', after: SENSITIVE }])])
    const doesNotChange = planFingerprint([idp([])])
    expect(changes).not.toBe(doesNotChange)
  })

  test('a registered secret inside another value is redacted before hashing', () => {
    const secret = 'Kq8Tz1Kw6Np4Rj9Hd2Mc7Sb5'
    const withSecret = (value: string) => planFingerprint([idp([{ field: 'name', before: 'old', after: `Login ${value}` }])])
    registerSecret(secret)
    expect(withSecret(secret)).toBe(withSecret('***'))
  })
})

describe('summarizePlan', () => {
  test('each change in words, with a digest; a secret as “changes (sensitive)” only', () => {
    const plan = [
      CLIENT,
      idp([
        { field: 'config.auth_url', before: 'https://a', after: 'https://b' },
        { field: 'config.client_secret', before: SENSITIVE, after: SENSITIVE },
        { field: 'config.claims', before: ['sub', 'name'], after: ['sub', 'email'] },
        { field: 'config.pkce_enabled', after: true }
      ])
    ]
    const summary = summarizePlan(plan, 'c'.repeat(40))
    expect(summary.sha).toBe('c'.repeat(40))
    expect(summary.fingerprint).toBe(planFingerprint(plan))
    const changes = summary.resources.find(resource => resource.kind === 'cloudflare-identity-provider')!.changes
    expect(changes.map(change => [change.field, change.text, change.secret])).toEqual([
      ['config.auth_url', '"https://a" → "https://b"', undefined],
      ['config.claims', 'adds "email"; removes "name"', undefined],
      ['config.client_secret', 'changes (sensitive)', true],
      ['config.pkce_enabled', 'set to true', undefined]
    ])
    for (const change of changes) expect(change.digest).toMatch(/^[0-9a-f]{16}$/)
    expect(summaryProblem(summary)).toBeUndefined()
  })

  test('long texts are cut, texts hold no registered secret, and past the cap changes are left out and counted', () => {
    const secret = 'Zt5Mw1Qk8Xr3Lp7Jd2Vn6Hb9'
    registerSecret(secret)
    const many = Array.from({ length: MAX_CHANGES + 5 }, (_, i) => ({
      field: `f${String(i).padStart(3, '0')}`,
      before: `${secret} ${'x'.repeat(500)}`,
      after: i
    }))
    const summary = summarizePlan([idp(many)])
    expect(summary.omitted).toBe(5)
    const text = JSON.stringify(summary)
    expect(text).not.toContain(secret)
    expect(text).not.toContain(secret.slice(0, 16))
    for (const change of summary.resources[0].changes) expect(change.text!.length).toBeLessThanOrEqual(MAX_TEXT_CHARS)
    expect(summaryProblem(summary)).toBeUndefined()
  })

  test('an unchanged list that is only reordered, a removed value', () => {
    expect(changeText({ field: 'scopes', before: ['a', 'b'], after: ['b', 'a'] })).toBe('reorders')
    expect(changeText({ field: 'x', before: 'a', after: undefined })).toBe('"a" → —')
    expect(changeText({ field: 'ClientSecret', before: 'raw', after: 'value' })).toBe('changes (sensitive)')
    expect(changeText({ field: 'GenerateSecret', after: true })).toBe('set to true')
  })
})

describe('the hidden data line', () => {
  test('round trip: what planDataLine writes after the marker, readPlanData reads back', () => {
    const plan = buildPlan(settingsWith(), observed({ identityProvider: convergedIdp({ auth_url: 'https://old.example.com/a' }) }))
    const body = `${MARKER}\n${planDataLine(resourcesOf(plan), 'a'.repeat(40))}\n### plan`
    const read = readPlanData(body, MARKER)
    expect(read).toEqual({ summary: summarizePlan(resourcesOf(plan), 'a'.repeat(40)) })
    // GitHub may hand a body back with CRLF line ends.
    expect(readPlanData(body.replace(/\n/g, '\r\n'), MARKER)).toEqual(read)
  })

  test('a huge plan still fits the bound: shorter words, then none, then fewer changes', () => {
    const huge = Array.from({ length: 150 }, (_, i) => ({
      field: `config.field_${i}`,
      before: 'y'.repeat(1000),
      after: ['z'.repeat(1000)]
    }))
    const line = planDataLine([idp(huge), { ...CLIENT, changes: huge }])
    expect(line.length).toBeLessThanOrEqual(MAX_DATA_CHARS + 100)
    const read = readPlanData(`${MARKER}\n${line}`, MARKER)
    expect('summary' in read && read.summary.fingerprint).toBe(planFingerprint([idp(huge), { ...CLIENT, changes: huge }]))
    // Base64 holds no `-` or `>`, so the data cannot end the HTML comment early.
    expect(line).toMatch(/^<!-- cognito-cloudflare-access:plan-data:[A-Za-z0-9+/]+={0,2} -->$/)
  })

  const data = (value: unknown) =>
    `${MARKER}\n<!-- cognito-cloudflare-access:plan-data:${Buffer.from(JSON.stringify(value) ?? 'null').toString('base64')} -->`
  const valid = () => summarizePlan([CLIENT, idp([{ field: 'a', before: 1, after: 2 }])])

  test.each<[string, string, RegExp]>([
    ['another marker', `<!-- cognito-cloudflare-access:plan:ffffffffffffffff -->\n`, /does not start with the plan marker/],
    ['no data (a failed plan)', `${MARKER}\n### ❌ plan failed`, /carries no plan data/],
    ['data not closed', `${MARKER}\n<!-- cognito-cloudflare-access:plan-data:AAAA`, /not closed/],
    ['data too long', `${MARKER}\n<!-- cognito-cloudflare-access:plan-data:${'A'.repeat(MAX_DATA_CHARS + 1)} -->`, /longer than/],
    ['not base64', `${MARKER}\n<!-- cognito-cloudflare-access:plan-data:<b>hi</b> -->`, /not base64/],
    ['not JSON', `${MARKER}\n<!-- cognito-cloudflare-access:plan-data:${Buffer.from('nope').toString('base64')} -->`, /not JSON/],
    ['JSON null', data(null), /summary is not an object/],
    ['another version', data({ ...valid(), version: 2 }), /summary\.version/],
    ['a fingerprint that is not hex', data({ ...valid(), fingerprint: 'z'.repeat(64) }), /summary\.fingerprint/],
    ['a sha with a script', data({ ...valid(), sha: '<script>' }), /summary\.sha/],
    ['too many resources', data({ ...valid(), resources: Array.from({ length: 17 }, () => valid().resources[0]) }), /summary\.resources/],
    ['an unknown action', data({ ...valid(), resources: [{ ...valid().resources[0], action: 'destroy' }] }), /resources\[0\]\.action/],
    ['a title too long', data({ ...valid(), resources: [{ ...valid().resources[0], title: 'x'.repeat(5000) }] }), /resources\[0\]\.title/],
    ['changes that are not a list', data({ ...valid(), resources: [{ ...valid().resources[0], changes: {} }] }), /resources\[0\]\.changes/],
    [
      'a change without digest',
      data({ ...valid(), resources: [{ ...valid().resources[1], changes: [{ field: 'a' }] }] }),
      /changes\[0\]\.digest/
    ],
    [
      'a secret flag that is not true',
      data({ ...valid(), resources: [{ ...valid().resources[1], changes: [{ field: 'a', digest: '0'.repeat(16), secret: 'yes' }] }] }),
      /changes\[0\]\.secret/
    ],
    [
      'too many changes in all',
      data({
        ...valid(),
        resources: Array.from({ length: 3 }, () => ({
          ...valid().resources[1],
          changes: Array.from({ length: 80 }, () => ({ field: 'a', digest: '0'.repeat(16) }))
        }))
      }),
      /more than 200 changes/
    ],
    ['an omitted count that is not a count', data({ ...valid(), omitted: -1 }), /summary\.omitted/]
  ])('refuses %s, saying why', (_what, body, problem) => {
    const read = readPlanData(body, MARKER)
    expect('problem' in read && read.problem).toMatch(problem)
  })

  test('only a capped prefix of a huge body is looked at', () => {
    const body = `${MARKER}\n<!-- cognito-cloudflare-access:plan-data:${'A'.repeat(10_000_000)}`
    const started = Date.now()
    expect(readPlanData(body, MARKER)).toEqual({ problem: expect.stringMatching(/longer than/) })
    expect(Date.now() - started).toBeLessThan(500)
  })

  test('any JSON is either refused with a reason or a summary the comparison can use; nothing throws', () => {
    fc.assert(
      fc.property(fc.anything(), value => {
        const read = readPlanData(data(value), MARKER)
        return 'problem' in read || (Array.isArray(read.summary.resources) && /^[0-9a-f]{64}$/.test(read.summary.fingerprint))
      })
    )
  })
})
