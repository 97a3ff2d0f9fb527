// Attacks, in process: reconcile() against fakes that serve hostile answers. Every run goes
// through runInProcess, whose leak check looks for every secret (the API tokens, the GitHub token,
// every client secret) raw, escaped, base64 at any offset, and as any piece of 16 characters, in
// the log (read as the runner reads it), the outputs, the report, the error line and the outcome.
//
// - error pages that echo the request (HTML, base64) or quote the token; 200 kB of `<`;
// - endless paging (Cognito NextToken);
// - a hostile `auth_domain`, `null` list items.
// (Injected workflow commands, the sticky comment, GitHub's paging and silence, the run deadline,
// refused tokens and a summary over 1 MiB: __tests__/e2e/attacks.test.ts.)
import type { RawAnswer } from '../support/fakes/http-fake.js'
import { runInProcess, type InProcessResult } from '../support/in-process.js'
import { INJECTIONS } from '../support/constants.js'
import { ACCOUNT_ID, TOKEN, inWorld } from '../support/world.js'

/** No command in the log but the action's own (masks, its annotations), and an error line that is one line. */
function expectNoInjectedCommand(result: InProcessResult): void {
  const names = result.commands.map(command => command.command)
  expect(names).not.toContain('stop-commands')
  expect(result.commands.filter(command => command.properties.title === 'Forged')).toEqual([])
  expect(result.warnings.join('\n')).not.toMatch(/^forged/m)
  for (const command of result.commands) expect(command.message).not.toMatch(/[\r\n]/)
  expect(result.error ?? '').not.toMatch(/[\r\n]/)
}

function html(status: number, body: string): RawAnswer {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Base64 wrapped as MIME does, at 76 characters a line. */
function mimeBase64(text: string): string {
  return Buffer.from(text)
    .toString('base64')
    .replace(/(.{76})/g, '$1\n')
}

describe('error pages that echo the request leave no piece of a secret anywhere', () => {
  test.concurrent(
    'an HTML 400 page quoting the create request: the secret split by a line break, then the request HTML-escaped and wrapped',
    async () => {
      await inWorld(async world => {
        world.cloudflare.answerNext('createIdentityProvider', call => {
          const secret = (call.body as { config: { client_secret: string } }).config.client_secret
          const echoed = escapeHtml(JSON.stringify(call.body)).replace(/(.{60})/g, '$1\n    ')
          return html(
            400,
            `<html><body><h1>400 Bad Request</h1><p>${'Invalid request. '.repeat(5)}client_secret “${secret.slice(0, 25)}\n` +
              `${secret.slice(25)}” is not accepted.</p><p>Request:</p><pre>\n    ${echoed}\n</pre></body></html>`
          )
        })
        const result = await runInProcess(world)
        const [client] = world.clients()
        const echoedCall = world.cloudflare.calls.find(call => call.operation === 'createIdentityProvider')
        expect(JSON.stringify(echoedCall?.body)).toContain(client.ClientSecret) // the page really had it to echo
        expect(result.error).toMatch(
          /answered HTTP 400 with a body that is not Cloudflare's JSON envelope: “400 Bad Request (Invalid request\. ){5}client_secret “\*\*\*” is not accepted\. Request: \{&quot;name&q…”/
        )
        expect(result.report).toContain('400 Bad Request')
      })
    }
  )

  test.concurrent('a page with the request in base64 at each byte offset, MIME-wrapped', async () => {
    await inWorld(async world => {
      world.cloudflare.answerNext(
        'createIdentityProvider',
        call => {
          const secret = (call.body as { config: { client_secret: string } }).config.client_secret
          const request = JSON.stringify(call.body)
          return html(
            502,
            `<pre>${['', 'x', 'xy'].map(prefix => mimeBase64(`${prefix}client_secret=${secret}&request=${request}`)).join('\n')}</pre>`
          )
        },
        10
      ) // a 502 may have created it: the action looks, and tries again (4 times in all)
      const result = await runInProcess(world)
      expect(result.error).toMatch(/answered HTTP 502 with a body that is not Cloudflare's JSON envelope/)
    })
  })

  // The filler puts the token across the 160th character of the excerpt, where a cut before redaction would split it.
  test.concurrent.each([
    ['the whole Authorization header', (authorization: string) => `Authorization: ${authorization}`],
    ['a truncated Authorization header', (authorization: string) => `Authorization: ${authorization.slice(0, 30)}…`],
    ['the token in base64', (authorization: string) => `X-Debug: ${Buffer.from(`t=${authorization}`).toString('base64')}`]
  ])('a 403 page quoting %s', async (_what, quote) => {
    await inWorld(async world => {
      const filler = 'Access denied. '.repeat(7)
      world.cloudflare.answerNext('getOrganization', call =>
        html(403, `<html><h1>403 Forbidden</h1><p>${filler}</p><p>${quote(String(call.headers.authorization))}</p></html>`)
      )
      const result = await runInProcess(world)
      expect(String(world.cloudflare.calls[0].headers.authorization)).toBe(`Bearer ${TOKEN}`)
      expect(result.error).toMatch(/answered HTTP 403 with a body that is not Cloudflare's JSON envelope: “403 Forbidden .*\*\*\*/)
      expect(world.writeAttempts()).toEqual([])
    })
  })

  test.concurrent('200 kB of `<` in an error body is handled in milliseconds', async () => {
    await inWorld(async world => {
      // Twice: a 400 on the list first reads as a refused page size, and the list is asked again.
      world.cloudflare.answerNext('listIdentityProviders', html(400, '<'.repeat(200_000)), 2)
      const started = Date.now()
      const result = await runInProcess(world)
      expect(result.error).toMatch(/answered HTTP 400 with a body that is not Cloudflare's JSON envelope: “<{160}…”/)
      // A whole run; the quadratic pattern took 52 s of CPU here.
      expect(Date.now() - started).toBeLessThan(10_000)
    })
  })
})

describe('bounded paging', () => {
  const amzJson = (body: unknown): RawAnswer => ({
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify(body)
  })

  test.concurrent.each([
    [
      'a NextToken that repeats',
      () => 'the-same-token',
      /ListUserPoolClients answered page 2 with a NextToken it had already given: the paging loops/
    ],
    [
      'a NextToken that never ends',
      (page: number) => `page-${page}`,
      /ListUserPoolClients still had more pages after 200, so paging was stopped/
    ]
  ])('Cognito: %s ends with a clear error', async (_what, token, message) => {
    await inWorld(async world => {
      let page = 0
      world.cognito.answerNext('ListUserPoolClients', () => amzJson({ UserPoolClients: [], NextToken: token(++page) }), 1000)
      const started = Date.now()
      const result = await runInProcess(world)
      expect(result.error).toMatch(message)
      expect(Date.now() - started).toBeLessThan(30_000)
      expect(world.writeAttempts()).toEqual([])
    })
  })
})

describe('what the services answer is checked', () => {
  test.concurrent.each([
    '2130706433:9/.cloudflareaccess.com',
    'evil.example/x.cloudflareaccess.com',
    'a.b.cloudflareaccess.com',
    `acme${INJECTIONS}.cloudflareaccess.com`,
    'acme.cloudflareaccess.com.evil.example',
    '-acme.cloudflareaccess.com'
  ])('a hostile auth_domain %j is refused before any write', async authDomain => {
    await inWorld(async world => {
      world.cloudflare.addAccount(ACCOUNT_ID, { authDomain })
      const result = await runInProcess(world)
      expect(result.error).toMatch(
        /^team-name: Cloudflare accounts\/\w+'s Access organization has no team domain of the form <team>\.cloudflareaccess\.com with a DNS label as <team> \(auth_domain: ".*"\); set team-name\./
      )
      expect(world.writeAttempts()).toEqual([])
      expect(world.clients()).toEqual([])
      expectNoInjectedCommand(result)
    })
  })

  test.concurrent('an auth_domain that is not text is refused, naming Cloudflare', async () => {
    await inWorld(async world => {
      world.cloudflare.answerNext('getOrganization', {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ success: true, errors: [], result: { auth_domain: 2130706433 } })
      })
      const result = await runInProcess(world)
      expect(result.error).toMatch(/^Cloudflare: the Access organization of accounts\/\w+ is not an object with a text auth_domain\./)
      expect(world.writeAttempts()).toEqual([])
    })
  })

  test.concurrent('a `null` app client in ListUserPoolClients is an error naming Cognito', async () => {
    await inWorld(async world => {
      world.cognito.answerNext('ListUserPoolClients', {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ UserPoolClients: [null, { ClientName: 'x' }] })
      })
      const result = await runInProcess(world)
      expect(result.error).toMatch(
        /^Cognito: ListUserPoolClients answered page 1 with item \d that is not an app client \((null|an object without the expected fields)\)\./
      )
      expect(world.writeAttempts()).toEqual([])
    })
  })

  test.concurrent('a `null` identity provider in Cloudflare’s list is an error naming Cloudflare', async () => {
    await inWorld(async world => {
      world.cloudflare.answerNext('listIdentityProviders', {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          success: true,
          errors: [],
          result: [null],
          result_info: { page: 1, per_page: 50, count: 1, total_count: 1 }
        })
      })
      const result = await runInProcess(world)
      expect(result.error).toMatch(/^Cloudflare: item 1 of page 1 of the list is not an identity provider \(null\)\./)
      expect(world.writeAttempts()).toEqual([])
    })
  })
})
