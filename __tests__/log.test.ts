// log: whatever a message holds (a name from an input or a service, a URL from a document, an
// error), what reaches the runner is one line that starts no workflow command, in either of the
// runner's syntaxes, shows no control or bidi character, and holds no secret.
import { jest } from '@jest/globals'
import * as log from '../src/log.js'
import { clearSecretsForTest, registerSecret } from '../src/secrets.js'
import { parseCommands } from './support/run-action.js'

let written: string
beforeEach(() => {
  written = ''
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    written += String(chunk)
    return true
  })
})
afterEach(() => {
  jest.restoreAllMocks()
  clearSecretsForTest()
})

const HOSTILE = [
  'Amazon Cognito\n::stop-commands::pwned',
  'Amazon Cognito\r::error::forged',
  'Amazon Cognito\r\n  ::warning title=x::forged',
  '::add-mask::not a secret',
  '   ::notice::leading spaces',
  '\u00a0\u2003::debug::unicode spaces',
  'name\u2028::error::line separator',
  'name\u0085::error::next line',
  'name ##[error]legacy syntax, anywhere in a line',
  'name ###[stop-commands]three hashes'
]

test.each(HOSTILE)('info(%j) prints one line that the runner takes for no command', message => {
  log.info(message)
  expect(written.endsWith('\n')).toBe(true)
  expect(written.slice(0, -1)).not.toMatch(/[\r\n]/)
  expect(parseCommands(written)).toEqual([])
})

test.each(HOSTILE)('warning, error, notice, debug and setFailed(%j) each give exactly their own command', message => {
  const before = process.exitCode
  for (const write of [log.warning, log.error, log.notice, log.debug, log.setFailed]) write(message)
  process.exitCode = before
  expect(parseCommands(written).map(command => command.command)).toEqual(['warning', 'error', 'notice', 'debug', 'error'])
})

test('the text stays readable: the command is shown, escaped, where it was', () => {
  expect(log.safeLogText('Amazon Cognito\n::stop-commands::pwned')).toBe('Amazon Cognito ::stop-commands::pwned')
  expect(log.safeLogText('::stop-commands::pwned')).toBe('\\::stop-commands::pwned')
  expect(log.safeLogText('a ##[error]b')).toBe('a ##\\[error]b')
  expect(log.safeLogText('  indented plan line')).toBe('  indented plan line')
})

test('control characters (terminal escapes) and bidi or zero-width characters are replaced', () => {
  expect(log.safeLogText('red \u001b[31mtext\u001b[0m')).toBe('red \ufffd[31mtext\ufffd[0m')
  expect(log.safeLogText('admin\u202eTXT.exe\u200b')).toBe('admin\ufffdTXT.exe\ufffd')
  expect(log.safeLogText('tab\tkept')).toBe('tab\tkept')
})

test('secrets are redacted, also when a line break splits them', () => {
  const secret = 'Zq4Xw8Rt2Lk6Jp0Vn3Hb7Md5Fs9Gc1Ya'
  registerSecret(secret)
  written = ''
  log.info(`quoted ${secret.slice(0, 12)}\n${secret.slice(12)} here`)
  expect(written).toBe('quoted *** here\n')
})

test('an error title is made safe too', () => {
  log.error('message', 'Invalid input: idp-name\n::stop-commands::x')
  expect(parseCommands(written)).toEqual([
    { command: 'error', properties: { title: 'Invalid input: idp-name ::stop-commands::x' }, message: 'message' }
  ])
  process.exitCode = undefined
})
