// Tests of the test harness itself, with small fixture scripts instead of the real bundle.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { assertMasked, assertNoLeaks, findLeaks, secretForms } from './leak-check.js'
import {
  actionDefaults,
  inputVariable,
  parseCommands,
  parseFileCommand,
  REPO_ROOT,
  runAction,
  TEST_SHA,
  type RunOptions
} from './run-action.js'

const fixture = (name: string) => join(REPO_ROOT, '__tests__/support/fixtures/harness', name)
const run = (name: string, options: RunOptions = {}) => runAction({ entry: fixture(name), timeoutMs: 15_000, ...options })

const SECRET = 'cf-token-"quoted"/+= &value'

describe('action.yml', () => {
  test('defaults are read from action.yml', () => {
    const defaults = actionDefaults()
    expect(defaults).toMatchObject({ mode: 'auto', scopes: 'openid email profile', pkce: 'true' })
    expect(defaults['github-token']).toBe('${{ github.token }}')
    expect(defaults).not.toHaveProperty('user-pool-id')
  })

  test('input variables keep hyphens, as the runner does', () => {
    expect(inputVariable('user-pool-id')).toBe('INPUT_USER-POOL-ID')
    expect(inputVariable('a b')).toBe('INPUT_A_B')
  })

  test('an input action.yml does not declare is rejected', async () => {
    await expect(run('env-dump.mjs', { inputs: { 'user-pool': 'x' } })).rejects.toThrow(/no input "user-pool"/)
  })
})

describe('a run', () => {
  test('gets a clean runner environment with every input set', async () => {
    process.env.HARNESS_PARENT_ONLY = '1'
    try {
      const result = await run('env-dump.mjs', {
        inputs: { 'user-pool-id': 'eu-west-1_AbC123xyZ' },
        githubToken: 'ghs_faketoken',
        env: { EXTRA: 'yes', AWS_EC2_METADATA_DISABLED: undefined },
        debug: true
      })
      expect(result.exitCode).toBe(0)
      const { env, cwd, event } = JSON.parse(result.stdout)
      expect(env.HARNESS_PARENT_ONLY).toBeUndefined()
      expect(env).toMatchObject({
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        RUNNER_OS: 'Linux',
        GITHUB_SHA: TEST_SHA,
        GITHUB_REPOSITORY: 'acme/infra',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_API_URL: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: 'AKIDTESTFAKE',
        RUNNER_DEBUG: '1',
        ACTIONS_STEP_DEBUG: 'true',
        EXTRA: 'yes',
        'INPUT_USER-POOL-ID': 'eu-west-1_AbC123xyZ',
        INPUT_MODE: 'auto',
        INPUT_SCOPES: 'openid email profile',
        'INPUT_GITHUB-TOKEN': 'ghs_faketoken',
        'INPUT_APP-CLIENT-ID': ''
      })
      expect(env.AWS_EC2_METADATA_DISABLED).toBeUndefined()
      expect(env.NODE_OPTIONS).toMatch(/^--import=file:.*loopback-only\.mjs$/)
      expect(cwd).toBe(env.GITHUB_WORKSPACE)
      expect(event.after).toBe(TEST_SHA)
    } finally {
      delete process.env.HARNESS_PARENT_ONLY
    }
  })

  test('derives the pull request refs from the event', async () => {
    const payload = { pull_request: { number: 7, head: { ref: 'feature' }, base: { ref: 'main' } } }
    const result = await run('env-dump.mjs', { event: { name: 'pull_request', payload } })
    const { env, event } = JSON.parse(result.stdout)
    expect(env).toMatchObject({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge', GITHUB_HEAD_REF: 'feature' })
    expect(event).toEqual(payload)
  })

  test('reads outputs, the summary and workflow commands', async () => {
    const result = await run('core-io.mjs', {
      inputs: { 'user-pool-id': 'eu-west-1_AbC123xyZ', 'cloudflare-api-token': SECRET }
    })
    expect(result.exitCode).toBe(0)
    expect(result.outputs['client-id']).toBe('eu-west-1_AbC123xyZ')
    expect(result.outputs.changed).toBe('true')
    expect(JSON.parse(result.outputs.plan)).toEqual({ mode: 'auto', scopes: 'openid email profile' })
    expect(result.outputs['callback-url']).toBe('github-token=') // no githubToken given
    expect(result.summary).toContain('no changes for pool eu-west-1_AbC123xyZ')
    expect(result.errors).toEqual(['100% broken\nsecond line'])
    expect(result.warnings).toEqual(['careful'])
    expect(result.notices).toEqual(['fyi'])
    expect(result.masked).toEqual([SECRET])
    expect(result.commands.find(c => c.command === 'error')?.properties).toEqual({ title: 'Title: a, b', file: 'action.yml', line: '3' })
    expect(result.commands.map(c => c.command)).toEqual(['add-mask', 'debug', 'group', 'endgroup', 'error', 'warning', 'notice'])
    assertMasked(result, SECRET, 'token')
    assertNoLeaks(result, { token: SECRET })
  })

  test('reports the exit code of a failed step', async () => {
    const result = await run('exit-code.mjs')
    expect(result.exitCode).toBe(1)
    expect(result.errors).toEqual(['it broke'])
  })

  test('kills a run that does not finish', async () => {
    await expect(run('hang.mjs', { timeoutMs: 500 })).rejects.toThrow(/did not finish within 500 ms[\s\S]*started/)
  })
})

describe('parsers', () => {
  test('file commands: name=value and heredoc forms', () => {
    const text = 'a=1\nb=x=y\nplan<<ghadelimiter_1\n{\n  "k": "v"\n}\nghadelimiter_1\nempty<<EOF\nEOF\n'
    expect(parseFileCommand(text)).toEqual({ a: '1', b: 'x=y', plan: '{\n  "k": "v"\n}', empty: '' })
    expect(() => parseFileCommand('x<<EOF\nnever closed\n')).toThrow(/no closing delimiter/)
  })

  test('commands: decoding as the runner does, and stop-commands', () => {
    const commands = parseCommands(
      [
        '::error title=a%3A b%2C c,line=2::50%25 done%0Anext',
        '  ::warning::indented',
        '::not-a-command::x',
        '::stop-commands::tok',
        '::error::ignored',
        '::tok::',
        '::notice::%250A stays'
      ].join('\n')
    )
    expect(commands).toEqual([
      { command: 'error', properties: { title: 'a: b, c', line: '2' }, message: '50% done\nnext' },
      { command: 'warning', properties: {}, message: 'indented' },
      { command: 'stop-commands', properties: {}, message: 'tok' },
      { command: 'notice', properties: {}, message: '%0A stays' }
    ])
  })
})

test('commands: the older ##[name] syntax anywhere in a line, names in any case, as the runner parses them', () => {
  const commands = parseCommands(
    [
      'log text ##[error]forged%5D here',
      '::WARNING::upper',
      '::Stop-Commands::Tok',
      '##[error]ignored while stopped',
      'text ##[tok]',
      '::notice::resumed'
    ].join('\n')
  )
  expect(commands).toEqual([
    { command: 'error', properties: {}, message: 'forged] here' },
    { command: 'warning', properties: {}, message: 'upper' },
    { command: 'stop-commands', properties: {}, message: 'Tok' },
    { command: 'notice', properties: {}, message: 'resumed' }
  ])
})

describe('leak check', () => {
  const secrets = { 'client secret': 'abc"def/ghi jkl%mno\nxyz' }
  const forms = secretForms(secrets['client secret'])

  test('names each form', () => {
    expect(Object.keys(forms)).toEqual(expect.arrayContaining(['raw', 'json-escaped', 'url-encoded', 'base64', 'command-escaped']))
    expect(forms['json-escaped']).toBe('abc\\"def/ghi jkl%mno\\nxyz')
  })

  test.each(['raw', 'json-escaped', 'url-encoded', 'base64', 'command-escaped'])('finds the %s form without printing it', form => {
    const leaks = findLeaks({ summary: `line one\nvalue: ${forms[form]} end` }, secrets)
    expect(leaks[0]).toMatch(new RegExp(`^${form} client secret in summary, line 2: value: <secret:client secret> end`))
    expect(leaks.join('\n')).not.toContain(forms[form])
  })

  test('finds base64 inside a longer base64 text, at any alignment', () => {
    for (const prefix of ['', 'x', 'xy', 'xyz', 'wxyz']) {
      const header = Buffer.from(`${prefix}${secrets['client secret']}:more`).toString('base64')
      expect(findLeaks({ stderr: `Authorization: Basic ${header}` }, secrets)).toHaveLength(1)
    }
  })

  test('ignores add-mask lines only where asked', () => {
    const stdout = `::add-mask::${forms['command-escaped']}\nclean`
    expect(findLeaks({ stdout }, secrets, { log: true })).toEqual([])
    expect(findLeaks({ stdout }, secrets)).toHaveLength(1)
  })

  test('an add-mask line printed while stop-commands is in force masks nothing: it is a leak', () => {
    const mask = `::add-mask::${forms['command-escaped']}`
    for (const stop of ['::stop-commands::pwned', '::STOP-COMMANDS::pwned', 'text ##[stop-commands]pwned']) {
      expect(findLeaks({ stdout: `${stop}\n${mask}\n::pwned::\nclean` }, secrets, { log: true })).toHaveLength(1)
    }
    // Once resumed, the runner consumes mask lines again.
    expect(findLeaks({ stdout: `::stop-commands::pwned\n::pwned::\n${mask}` }, secrets, { log: true })).toEqual([])
  })

  test('any 16-character piece of a secret, in any form, is a leak', () => {
    const token = { token: 'Zq4Xw8Rt2Lk6Jp0Vn3Hb7Md5Fs9Gc1Ya' }
    expect(findLeaks({ summary: `page quotes ${token.token.slice(5, 21)} only` }, token)[0]).toMatch(
      /^16-character piece of the raw token in summary, line 1: page quotes <secret:token> only$/
    )
    expect(findLeaks({ summary: `cut ${token.token.slice(0, 15)}…` }, token)).toEqual([])
    const encodedPiece = Buffer.from(`xy${token.token.slice(3, 20)}`).toString('base64')
    expect(findLeaks({ stderr: encodedPiece }, token)).toHaveLength(1)
  })

  test('rejects secrets too short to check', () => {
    expect(() => findLeaks({ x: '' }, { pin: '1234' })).toThrow(/test bug/)
  })

  test.each([
    ['raw', /raw token in stdout, line 2/],
    ['json', /json-escaped token in stdout/],
    ['basic', /base64 \(offset 1\) token in stdout/],
    ['output', /json-escaped token in output "plan"/]
  ])('assertNoLeaks catches a %s leak in a run', async (form, message) => {
    const result = await run('leaky.mjs', { env: { LEAK_SECRET: SECRET, LEAK_FORM: form } })
    expect(() => assertNoLeaks(result, { token: SECRET })).toThrow(message)
  })

  test('assertNoLeaks checks extra texts, and passes a clean run', async () => {
    const result = await run('leaky.mjs', { env: { LEAK_SECRET: SECRET, LEAK_FORM: 'none' } })
    expect(() => assertNoLeaks(result, { token: SECRET })).not.toThrow()
    expect(() => assertNoLeaks(result, { token: SECRET }, { 'PR comment': `see ${SECRET}` })).toThrow(/raw token in PR comment/)
    expect(() => assertMasked(result, 'another-secret', 'other')).toThrow(/<secret:other> was never passed/)
  })
})

describe('loopback-only guard', () => {
  let server: Server
  let localUrl: string

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('local ok'))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    localUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(() => new Promise<void>(resolve => server.close(() => resolve())))

  test('allows loopback and Unix sockets, blocks everything else loudly', async () => {
    const result = await run('network.mjs', { env: { LOCAL_URL: localUrl } })
    expect(result.exitCode).toBe(0)
    const outcomes = JSON.parse(result.stdout)
    expect(outcomes.localFetch).toEqual({ ok: true, value: 'local ok' })
    expect(outcomes.localHttp).toEqual({ ok: true, value: 200 })
    expect(outcomes.unixSocket).toEqual({ ok: true, value: 'pong' })
    expect(outcomes.remoteFetch.error).toMatch(/loopback-only guard: blocked connection to example\.com:80/)
    expect(outcomes.remoteHttp.error).toMatch(/loopback-only guard: blocked connection to 1\.1\.1\.1:80/)
    expect(outcomes.remoteHttps.error).toMatch(/loopback-only guard: blocked connection to github\.com:443/)
    expect(outcomes.remoteLookup.error).toMatch(/loopback-only guard: blocked DNS lookup of example\.com/)
    expect(outcomes.remoteLookupCallback.error).toMatch(/loopback-only guard: blocked DNS lookup of example\.com/)
    expect(result.errors).toEqual(
      expect.arrayContaining([
        'loopback-only guard blocked connection to example.com:80',
        'loopback-only guard blocked connection to 1.1.1.1:80'
      ])
    )
  })
})
