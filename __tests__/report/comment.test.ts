import { COMMENT_LIMIT, CUT_NOTE, commentBody, commentMarker, fitComment, isOurComment } from '../../src/report/comment.js'
import { clearSecretsForTest, registerSecret } from '../../src/secrets.js'

afterEach(() => clearSecretsForTest())

const MARKER = commentMarker('accounts/a “x”')
const rows = (count: number, width = 40) => Array.from({ length: count }, (_, i) => `| row ${i} | ${'y'.repeat(width)} |`).join('\n')

test('the marker is stable per instance, distinct across instances, and holds no user text', () => {
  expect(commentMarker('accounts/a “x”')).toBe(MARKER)
  expect(commentMarker('accounts/a “x”')).not.toBe(commentMarker('accounts/b “x”'))
  expect(commentMarker('accounts/a “x”')).not.toBe(commentMarker('zones/a “x”'))
  expect(commentMarker('--> <script>')).toMatch(/^<!-- cognito-cloudflare-access:plan:[0-9a-f]{16} -->$/)
})

test('only a comment that starts with our marker is ours, not one that quotes it', () => {
  expect(isOurComment(`${MARKER}\n### Plan`, MARKER)).toBe(true)
  expect(isOurComment(`\n${MARKER}\n### Plan`, MARKER)).toBe(true)
  expect(isOurComment(`> ${MARKER} why does the bot say this?`, MARKER)).toBe(false)
  expect(isOurComment(undefined, MARKER)).toBe(false)
  expect(isOurComment(`${commentMarker('zones/a “x”')}\n### Plan`, MARKER)).toBe(false)
})

test('a body under the limit is left alone', () => {
  expect(fitComment('short')).toBe('short')
})

test('a body over the limit is cut at a line, open details (also open ones) are closed, and a note says so', () => {
  const body = `<details open>\n<summary>s</summary>\n\n${rows(2000)}`
  const fitted = fitComment(body)
  expect(body.length).toBeGreaterThan(COMMENT_LIMIT)
  expect(fitted.length).toBeLessThanOrEqual(COMMENT_LIMIT)
  expect(fitted.endsWith(CUT_NOTE)).toBe(true)
  expect(fitted).toContain('\n\n</details>')
  // The last row kept is whole.
  const kept = fitted.slice(0, fitted.indexOf('\n\n</details>')).split('\n').pop()
  expect(kept).toMatch(/^\| row \d+ \| y{40} \|$/)
})

test('commentBody: the marker first, then the most detailed version that fits', () => {
  const long = `full\n${rows(2000)}`
  expect(commentBody(MARKER, ['full', 'compact'])).toBe(`${MARKER}\nfull`)
  expect(commentBody(MARKER, [long, 'compact'])).toBe(`${MARKER}\ncompact`)
  const cut = commentBody(MARKER, [long, `compact\n${rows(1900)}`])
  expect(cut.startsWith(`${MARKER}\ncompact\n`)).toBe(true)
  expect(cut.length).toBeLessThan(65_536)
  expect(cut).toContain('it was cut here')
})

test('commentBody redacts every secret, also in a body that has to be cut', () => {
  const secret = 'S3cr3tValue-0123456789'
  registerSecret(secret)
  const lines = Array.from({ length: 3000 }, (_, i) => `| ${i} | ${secret} |`).join('\n')
  for (const body of [commentBody(MARKER, [`short ${secret}`]), commentBody(MARKER, [lines])]) {
    expect(body).not.toContain(secret)
    expect(body).not.toContain(secret.slice(0, 8))
    expect(body).toContain('***')
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
  }
})

test('the drift issue of an instance has its own marker, which is not the plan comment’s', () => {
  const drift = commentMarker('accounts/a “x”', 'drift')
  expect(drift).toMatch(/^<!-- cognito-cloudflare-access:drift:[0-9a-f]{16} -->$/)
  expect(drift).not.toBe(MARKER)
  expect(isOurComment(`${drift}\n### Plan`, MARKER)).toBe(false)
  expect(isOurComment(`${MARKER}\n### Plan`, drift)).toBe(false)
})

test('a hidden line after the marker is never cut, and the body stays within the limit', () => {
  const hidden = `<!-- cognito-cloudflare-access:plan-data:${'A'.repeat(16_000)} -->`
  const body = commentBody(`${MARKER}\n${hidden}`, [`full\n${rows(2000)}`, `compact\n${rows(1900)}`])
  expect(body.startsWith(`${MARKER}\n${hidden}\ncompact\n`)).toBe(true)
  expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
})
