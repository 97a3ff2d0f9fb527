// secrets: every registered secret is masked for the runner at once, and redact scrubs it from
// any text in every form it can take there: raw, JSON-escaped, URL- and form-encoded, base64, and
// escaped as a workflow command's data.
import { jest } from '@jest/globals'
import { SENSITIVE, clearSecretsForTest, redact, registerSecret, secretForms } from '../src/secrets.js'

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

test.each(Object.entries({
  raw: SECRET,
  'JSON-escaped': JSON.stringify(SECRET).slice(1, -1),
  'JSON-escaped twice': JSON.stringify(JSON.stringify(SECRET).slice(1, -1)).slice(1, -1),
  'URL-encoded': encodeURIComponent(SECRET),
  'form-encoded': new URLSearchParams({ s: SECRET }).toString().slice(2),
  base64: Buffer.from(SECRET).toString('base64'),
  'command-escaped': SECRET.replace(/%/g, '%25').replace(/\n/g, '%0A')
}))('the %s form is scrubbed', (_form, text) => {
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
  expect(new Set(secretForms('plain-secret-value')).size).toBe(2) // itself and its base64
  expect(secretForms(SECRET)).toHaveLength(7)
})

test('SENSITIVE is what plans show instead of a secret, and it is not a secret itself', () => {
  registerSecret('client-secret-value-123')
  expect(redact(SENSITIVE)).toBe(SENSITIVE)
})
