// secrets: every registered secret is masked for the runner at once, and redact scrubs it from
// any text in every form it can take there: raw, JSON-escaped, URL- and form-encoded, HTML-escaped,
// base64 at every byte offset, escaped as a workflow command's data; split by a line break; and
// any piece of 16 characters. An excerpt is redacted before it is cut.
import { jest } from '@jest/globals'
import { PIECE_LENGTH, SENSITIVE, clearSecretsForTest, redact, redactedExcerpt, registerSecret, secretForms } from '../src/secrets.js'

let written: string[]
beforeEach(() => {
  clearSecretsForTest()
  written = []
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    written.push(String(chunk))
    return true
  })
})
afterEach(() => {
  jest.restoreAllMocks()
  clearSecretsForTest()
})

const SECRET = 'p@ss "word"/+=%\n&ü'

test('registering masks the secret for the runner, once', () => {
  registerSecret('client-secret-value-123')
  registerSecret('client-secret-value-123')
  expect(written.filter(line => line.startsWith('::add-mask::'))).toEqual(['::add-mask::client-secret-value-123\n'])
})

test('values too short to be secrets are neither masked nor scrubbed', () => {
  registerSecret('abc')
  registerSecret('')
  registerSecret(undefined)
  expect(written).toEqual([])
  expect(redact('abc')).toBe('abc')
})

test.each(
  Object.entries({
    raw: SECRET,
    'JSON-escaped': JSON.stringify(SECRET).slice(1, -1),
    'JSON-escaped twice': JSON.stringify(JSON.stringify(SECRET).slice(1, -1)).slice(1, -1),
    'URL-encoded': encodeURIComponent(SECRET),
    'form-encoded': new URLSearchParams({ s: SECRET }).toString().slice(2),
    base64: Buffer.from(SECRET).toString('base64'),
    'command-escaped': SECRET.replace(/%/g, '%25').replace(/\n/g, '%0A')
  })
)('the %s form is scrubbed', (_form, text) => {
  registerSecret(SECRET)
  expect(redact(`before ${text} after`)).toBe('before *** after')
})

test('a JSON body that quotes the secret, as an error echoing a request does, is scrubbed', () => {
  registerSecret(SECRET)
  const echoed = `could not process request ${JSON.stringify({ config: { client_secret: SECRET } })}`
  expect(redact(echoed)).toBe('could not process request {"config":{"client_secret":"***"}}')
  expect(redact(JSON.stringify({ message: echoed }))).not.toContain('word')
})

test('every registered secret is scrubbed, a longer one first when one contains the other', () => {
  registerSecret('token-abcdefgh')
  registerSecret('token-abcdefgh-and-more')
  expect(redact('a token-abcdefgh-and-more b token-abcdefgh c')).toBe('a *** b *** c')
})

test('forms are distinct strings that each contain the secret’s content', () => {
  // Itself, and its base64 at each of the three alignments (base64url is the same for this one).
  expect(new Set(secretForms('plain-secret-value')).size).toBe(4)
  expect(secretForms(SECRET).length).toBeGreaterThan(10)
})

const TOKEN = 'Zq4Xw8Rt2Lk6Jp0Vn3Hb7Md5Fs9Gc1Ya+/Ue'

test.each([0, 1, 2, 3, 4, 5])('base64 of a longer text with the secret %i bytes in is scrubbed, standard and url-safe', offset => {
  registerSecret(TOKEN)
  const text = `${'x'.repeat(offset)}${TOKEN}:and more`
  for (const encoding of ['base64', 'base64url'] as const) {
    const encoded = Buffer.from(text).toString(encoding)
    const redacted = redact(`Authorization: Basic ${encoded}`)
    expect(redacted).toContain('***')
    // What is left of the encoding holds at most the bytes next to the secret, no piece of it.
    const leftover = redacted.replace('Authorization: Basic ', '').split('***').join('')
    expect(leftover.length).toBeLessThan(encoded.length - Math.floor((TOKEN.length * 4) / 3) + 6)
  }
})

test.each([
  ['LF', '\n'],
  ['CRLF', '\r\n'],
  ['CR', '\r'],
  ['LF and indentation', '\n        ']
])('a secret split by a line break (%s) is scrubbed', (_name, lineBreak) => {
  registerSecret(TOKEN)
  for (const at of [1, 10, TOKEN.length - 1]) {
    expect(redact(`<p>token ${TOKEN.slice(0, at)}${lineBreak}${TOKEN.slice(at)} end</p>`)).toBe('<p>token *** end</p>')
  }
  const wrapped = Buffer.from(`user:${TOKEN}`)
    .toString('base64')
    .replace(/(.{20})/g, `$1${lineBreak}`)
  expect(redact(wrapped)).toContain('***')
})

test('HTML-escaped, as an error page quoting the request shows it', () => {
  registerSecret(SECRET)
  const escaped = SECRET.replace(/&/g, '&amp;').replace(/"/g, '&quot;')
  expect(redact(`<pre>${escaped}</pre>`)).toBe('<pre>***</pre>')
})

test(`any piece of ${PIECE_LENGTH} characters or more is scrubbed, shorter ones are not`, () => {
  registerSecret(TOKEN)
  expect(redact(`Bearer ${TOKEN.slice(0, PIECE_LENGTH)}… (truncated)`)).toBe('Bearer ***… (truncated)')
  expect(redact(`middle ${TOKEN.slice(7, 30)} end`)).toBe('middle *** end')
  expect(redact(`short ${TOKEN.slice(0, PIECE_LENGTH - 1)}`)).toBe(`short ${TOKEN.slice(0, PIECE_LENGTH - 1)}`)
  expect(redact(`two ${TOKEN.slice(0, 20)} and ${TOKEN.slice(10, 30)}.`)).toBe('two *** and ***.')
})

test('an excerpt is redacted before it is cut, so no piece of a secret survives the cut', () => {
  registerSecret(TOKEN)
  const page = `<html>${'x'.repeat(140)} ${TOKEN} and more</html>`
  const excerpt = redactedExcerpt(page, 160)
  expect(excerpt).not.toContain(TOKEN.slice(0, 10))
  expect(excerpt.endsWith('…')).toBe(true)
  expect(redactedExcerpt('short', 160)).toBe('short')
})

test('redaction is linear: 1 MB of near-misses takes well under a second', () => {
  registerSecret(TOKEN)
  const nearMisses = `${TOKEN.slice(0, PIECE_LENGTH - 1)}\n`.repeat(1_000_000 / PIECE_LENGTH)
  const started = Date.now()
  redact(nearMisses)
  expect(Date.now() - started).toBeLessThan(1000)
})

test('SENSITIVE is what plans show instead of a secret, and it is not a secret itself', () => {
  registerSecret('client-secret-value-123')
  expect(redact(SENSITIVE)).toBe(SENSITIVE)
})
