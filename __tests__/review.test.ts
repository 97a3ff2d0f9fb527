import { summarizePlan, type PlannedResource } from '../src/fingerprint.js'
import { MAX_DIFFERENCE_ROWS, differenceLines, differenceTable, judgeReview, planDifferences, type Lookup } from '../src/review.js'
import { SENSITIVE } from '../src/secrets.js'
import { PLANNED_CLIENT, PLANNED_IDP_TITLE, plannedIdp } from './support/builders.js'

const CLIENT = PLANNED_CLIENT
const IDP_TITLE = PLANNED_IDP_TITLE
const idp = plannedIdp

const CLAIMS = { field: 'config.claims', before: ['sub'], after: ['sub', 'email'] }
const AUTH = { field: 'config.auth_url', before: 'https://old', after: 'https://new' }
const PR = { number: 7, url: 'https://github.com/acme/infra/pull/7#issuecomment-1', headSha: 'c'.repeat(40) }

describe('planDifferences', () => {
  test('equal plans have none', () => {
    const plan = [CLIENT, idp([CLAIMS])]
    expect(planDifferences(summarizePlan(plan), summarizePlan(plan))).toEqual([])
  })

  test('a field changed since the review: reviewed “no change”, now its change', () => {
    const reviewed = summarizePlan([CLIENT, idp([CLAIMS])])
    const now = summarizePlan([CLIENT, idp([CLAIMS, AUTH])])
    expect(planDifferences(reviewed, now)).toEqual([
      { resource: IDP_TITLE, field: 'config.auth_url', reviewed: 'no change', now: '"https://old" → "https://new"' }
    ])
  })

  test('the same field with another value, a change gone, another action, a resource new or gone', () => {
    const reviewed = summarizePlan([CLIENT, idp([CLAIMS, AUTH])])
    const now = summarizePlan([
      { ...CLIENT, action: 'update', changes: [{ field: 'CallbackURLs', before: [], after: ['https://x'] }] },
      idp([{ ...AUTH, before: 'https://other' }]),
      { kind: 'managed-login-branding', title: 'Branding', action: 'create', changes: [] }
    ])
    // In the summary's stable order (by kind).
    expect(planDifferences(reviewed, now)).toEqual([
      { resource: IDP_TITLE, field: 'config.auth_url', reviewed: '"https://old" → "https://new"', now: '"https://other" → "https://new"' },
      { resource: IDP_TITLE, field: 'config.claims', reviewed: 'adds "email"', now: 'no change' },
      { resource: CLIENT.title, field: '(action)', reviewed: 'no change', now: 'update' },
      { resource: CLIENT.title, field: 'CallbackURLs', reviewed: 'no change', now: 'adds "https://x"' },
      { resource: 'Branding', field: '(resource)', reviewed: 'not in the plan', now: 'create' }
    ])
  })

  test('a secret shows only as “changes (sensitive)” on either side', () => {
    const reviewed = summarizePlan([idp([])])
    const now = summarizePlan([idp([{ field: 'config.client_secret', before: SENSITIVE, after: SENSITIVE }])])
    expect(planDifferences(reviewed, now)).toEqual([
      { resource: IDP_TITLE, field: 'config.client_secret', reviewed: 'no change', now: 'changes (sensitive)' }
    ])
  })

  test('what the reviewed comment left out for size is said to be left out, and a difference only there still shows', () => {
    const changes = Array.from({ length: 5 }, (_, i) => ({ field: `f${i}`, before: i, after: i + 1 }))
    const reviewed = summarizePlan([idp(changes)], undefined, { maxChanges: 2 })
    const now = summarizePlan([idp(changes.map((change, i) => (i === 4 ? { ...change, after: 99 } : change)))], undefined, {
      maxChanges: 2
    })
    expect(planDifferences(reviewed, now)).toEqual([
      { resource: 'the plan', field: 'fingerprint', reviewed: reviewed.fingerprint.slice(0, 12), now: now.fingerprint.slice(0, 12) }
    ])
    const changedAndFull = summarizePlan([idp(changes.map((change, i) => (i === 4 ? { ...change, after: 99 } : change)))])
    expect(planDifferences(reviewed, changedAndFull)).toEqual([
      ...[2, 3].map(i => ({
        resource: IDP_TITLE,
        field: `f${i}`,
        reviewed: 'not in the comment (left out for size)',
        now: `${i} → ${i + 1}`
      })),
      { resource: IDP_TITLE, field: 'f4', reviewed: 'not in the comment (left out for size)', now: '4 → 99' }
    ])
  })
})

describe('the side-by-side', () => {
  const rows = [{ resource: '| <b>x</b>', field: '@org/admins', reviewed: '[a](https://evil)', now: '`code`' }]

  test('every cell of the table is escaped', () => {
    const table = differenceTable(rows, 7).join('\n')
    expect(table).toContain('| Resource | Field | Reviewed in #7 | Now |')
    for (const bad of ['<b>', '| <b', '@org', '](https://evil', '`code`']) expect(table).not.toContain(bad)
  })

  test('the log shows each row on its lines; past the cap, the rest is counted', () => {
    expect(differenceLines(rows, 7)).toEqual([
      'What differs from the plan reviewed in #7:',
      '  | <b>x</b>: @org/admins',
      '      reviewed in #7: [a](https://evil)',
      '      now: `code`'
    ])
    const many = Array.from({ length: MAX_DIFFERENCE_ROWS + 3 }, (_, i) => ({ resource: 'r', field: `f${i}`, reviewed: 'a', now: 'b' }))
    expect(differenceLines(many, 7).at(-1)).toBe('  … and 3 more differences.')
    expect(differenceTable(many, 7).filter(line => line.startsWith('| r |'))).toHaveLength(MAX_DIFFERENCE_ROWS)
  })
})

describe('judgeReview', () => {
  const plan = [CLIENT, idp([CLAIMS])]
  const current = summarizePlan(plan)
  const found = (resources: PlannedResource[], sha = PR.headSha): Lookup => ({
    kind: 'found',
    pr: PR,
    summary: summarizePlan(resources, sha)
  })

  test.each(['warn', 'require'] as const)('a match (%s): applies, says so with a link', mode => {
    const verdict = judgeReview(mode, found(plan), current, true)
    expect(verdict).toMatchObject({ status: 'match', fail: false, level: 'info' })
    expect(verdict.message).toBe(`This apply applies the plan reviewed in #7 (plan ${current.fingerprint.slice(0, 12)}).`)
    expect(verdict.markdown).toContain(
      `✅ This apply applies the plan reviewed in [#7](${PR.url}) (plan <code>${current.fingerprint.slice(0, 12)}</code>).`
    )
  })

  test('a difference: warn warns and applies; require fails, and says how to go on', () => {
    const reviewed = found([CLIENT, idp([])])
    const warned = judgeReview('warn', reviewed, current, true)
    expect(warned).toMatchObject({ status: 'differs', fail: false, level: 'warning' })
    expect(warned.message).toBe(
      `This plan differs from the one reviewed in #7 (config.claims of ${IDP_TITLE}). Applying it anyway (reviewed-plan: warn).`
    )
    expect(warned.details[0]).toBe('What differs from the plan reviewed in #7:')
    expect(warned.markdown).toContain('> [!WARNING]')

    const required = judgeReview('require', reviewed, current, true)
    expect(required).toMatchObject({ status: 'differs', fail: true })
    expect(required.message).toMatch(
      /^reviewed-plan: require, and this plan differs from the one reviewed in #7 \(config\.claims of .*\)\. Nothing was written\. Re-run the plan of pull request #7 .* or apply it deliberately with a workflow_dispatch run\.$/
    )
    expect(required.markdown).toContain(`> Stopped before any write: this plan differs from the one reviewed in [#7](${PR.url}).`)
    expect(required.markdown).toContain('| Resource | Field | Reviewed in #7 | Now |')
  })

  test('a reviewed plan of an older commit of the pull request is named as such', () => {
    const verdict = judgeReview('warn', found([CLIENT, idp([])], 'a'.repeat(40)), current, true)
    expect(verdict.message).toContain(
      `The reviewed plan was made for commit ${'a'.repeat(12)}, not the pull request's last commit ${'c'.repeat(12)}.`
    )
  })

  test('no reviewed plan: warn notes it; require fails, unless nothing would be written', () => {
    const missing: Lookup = { kind: 'missing', reason: 'commit abc was not merged into main from a pull request' }
    expect(judgeReview('warn', missing, current, true)).toMatchObject({
      fail: false,
      level: 'notice',
      message:
        'No reviewed plan to compare with: commit abc was not merged into main from a pull request. Applying anyway (reviewed-plan: warn).'
    })
    expect(judgeReview('require', missing, current, true)).toMatchObject({
      fail: true,
      message: expect.stringMatching(
        /^reviewed-plan: require, but there is no reviewed plan to compare with: commit abc .*Nothing was written\./
      )
    })
    expect(judgeReview('require', missing, current, false)).toMatchObject({
      fail: false,
      message: expect.stringContaining('The plan has no changes, so nothing unreviewed is applied.')
    })
    expect(judgeReview('require', found([CLIENT, idp([])]), current, false)).toMatchObject({
      status: 'differs',
      fail: false,
      level: 'notice'
    })
  })

  test('a check that cannot run: warn warns; require fails, even with nothing to write (a setup problem)', () => {
    const unavailable: Lookup = { kind: 'unavailable', reason: 'GitHub answered HTTP 403: Resource not accessible by integration' }
    expect(judgeReview('warn', unavailable, current, true)).toMatchObject({
      fail: false,
      level: 'warning',
      message: expect.stringContaining('Give the job `permissions: pull-requests: read`.')
    })
    for (const writes of [true, false]) {
      expect(judgeReview('require', unavailable, current, writes)).toMatchObject({
        fail: true,
        message: expect.stringMatching(/^reviewed-plan: require, but the reviewed plan could not be read \(GitHub answered HTTP 403/)
      })
    }
  })

  test('the summary section escapes the reason, which may quote GitHub', () => {
    const verdict = judgeReview('warn', { kind: 'missing', reason: 'pull request #7 <img src=x> has no plan comment' }, current, true)
    expect(verdict.markdown.join('\n')).not.toContain('<img')
  })
})
