import { COMMENT_LIMIT, commentMarker, fitComment } from '../../src/report/comment.js'

test('the marker is stable per instance, distinct across instances, and holds no user text', () => {
  expect(commentMarker('accounts/a “x”')).toBe(commentMarker('accounts/a “x”'))
  expect(commentMarker('accounts/a “x”')).not.toBe(commentMarker('accounts/b “x”'))
  expect(commentMarker('--> <script>')).toMatch(/^<!-- cognito-cloudflare-access:plan:[0-9a-f]{16} -->$/)
})

test('a body under the limit is left alone', () => {
  expect(fitComment('short')).toBe('short')
})

test('a body over the limit is cut at a line, open details are closed, and a note says so', () => {
  const body = '<details>\n' + 'x'.repeat(100) + '\n' + Array.from({ length: 2000 }, (_, i) => `| row ${i} | ${'y'.repeat(40)} |`).join('\n')
  const fitted = fitComment(body)
  expect(body.length).toBeGreaterThan(COMMENT_LIMIT)
  expect(fitted.length).toBeLessThanOrEqual(COMMENT_LIMIT)
  expect(fitted).toContain('it was cut here')
  expect(fitted).toContain('</details>')
  expect(fitted).not.toMatch(/\| row \d+ \| y*\n*$/m.source ? /\| row \d+ \| y{1,39}\n/ : /$^/)
})
