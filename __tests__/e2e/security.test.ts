// Secrets, end to end. Every run here goes through World.run, whose leak check looks for every
// secret of the world (the API tokens, the GitHub token, every client secret) in the log, the
// outputs, the step summary and the PR comments, raw, JSON-escaped, URL-encoded, base64 and
// escaped as workflow commands. On top of that: debug logging prints a line per request and still
// no secret; secrets are masked before anything could print them; an error from Cloudflare that
// echoes the request has the secret scrubbed, yet still says what went wrong.
import type { RunResult } from '../support/run-action.js'
import { ACCOUNT_ID, READ_TOKEN, TOKEN, World, expectSuccess, planOf } from '../support/world.js'

async function inWorld(use: (world: World) => Promise<void>): Promise<void> {
  const world = await World.start()
  try {
    await use(world)
  } finally {
    await world.stop()
  }
}

function seedStaleIdp(world: World) {
  return world.cloudflare.addIdentityProvider(
    { accountId: ACCOUNT_ID },
    {
      name: 'Amazon Cognito',
      type: 'oidc',
      config: {
        client_id: 'old-client',
        client_secret: 'old-secret-value',
        auth_url: 'https://old.example.com/a',
        token_url: 'https://old.example.com/t',
        certs_url: 'https://old.example.com/c'
      }
    }
  )
}

const lines = (result: RunResult) => result.stdout.split('\n')
function lineIndex(result: RunResult, match: RegExp | ((line: string) => boolean)): number {
  return lines(result).findIndex(line => (match instanceof RegExp ? match.test(line) : match(line)))
}

/** The world's client secret, which must be among the secrets the leak check looked for. */
function clientSecret(world: World): string {
  const [client] = world.clients()
  expect(client.ClientSecret).toBeTruthy()
  expect(Object.values(world.secrets())).toContain(client.ClientSecret)
  return client.ClientSecret!
}

test.concurrent('a debug run prints one line per request (method, path, status, time) and no secret', async () => {
  await inWorld(async world => {
    const result = await world.run({ debug: true })
    expectSuccess(result)
    clientSecret(world)
    const debug = result.commands.filter(command => command.command === 'debug').map(command => command.message)
    for (const expected of [
      /^Cognito DescribeUserPool → HTTP 200 in \d+ ms$/,
      /^Cognito CreateUserPoolClient → HTTP 200 in \d+ ms$/,
      /^Cloudflare: GET \/client\/v4\/accounts\/\w+\/access\/organizations → HTTP 200 in \d+ ms$/,
      /^Cloudflare: POST \/client\/v4\/accounts\/\w+\/access\/identity_providers → HTTP 201 in \d+ ms$/,
      /^OIDC: GET \/[\w-]+\/\.well-known\/jwks\.json → HTTP 200 in \d+ ms$/,
      /^OIDC: GET \/oauth2\/authorize → HTTP 302 in \d+ ms$/
    ]) {
      expect(debug).toContainEqual(expect.stringMatching(expected))
    }
  })
})

test.concurrent('a debug run through retries, a lost answer and an adopted client still prints no secret', async () => {
  await inWorld(async world => {
    seedStaleIdp(world)
    world.cognito.failNext('CreateUserPoolClient', 'lost-response')
    world.cloudflare.failNext('updateIdentityProvider', 'lost-response')
    world.cloudflare.failNext('getIdentityProvider', 'http500')
    const result = await world.run({ debug: true })
    expectSuccess(result)
    expect(result.stdout).toMatch(/app client “Cloudflare Access” was created after all; adopting it/)
    expect(result.stdout).toMatch(/PUT \S+ answered \S+; retry 1 of 5/)
    expect(world.cloudflare.identityProviders({ accountId: ACCOUNT_ID })[0].config.client_secret).toBe(clientSecret(world))
  })
})

test.concurrent('the API token is masked before anything else is printed, and a client secret as soon as it is read', async () => {
  await inWorld(async world => {
    const created = await world.run()
    expectSuccess(created)
    expect(lines(created)[0]).toBe(`::add-mask::${TOKEN}`)
    const secret = clientSecret(world)
    const mask = lineIndex(created, line => line === `::add-mask::${secret}`)
    expect(mask).toBeGreaterThan(0)
    expect(mask).toBeLessThan(lineIndex(created, /^✓ created Cognito app client/))

    // An existing client: its secret is read at observe, and masked before the plan is printed.
    const again = await world.run()
    expectSuccess(again)
    expect(again.masked).toContain(secret)
    expect(lineIndex(again, line => line === `::add-mask::${secret}`)).toBeLessThan(lineIndex(again, /^Verification/))
  })
})

test.concurrent.each(['createIdentityProvider', 'updateIdentityProvider'])(
  'an error of %s that echoes the request (secret included) is scrubbed, says what failed, and a re-run finishes',
  async operation => {
    await inWorld(async world => {
      world.seedReadyClient()
      if (operation === 'updateIdentityProvider') seedStaleIdp(world)
      world.cloudflare.failNext(operation, 'echo-secret')
      const failed = await world.run({ debug: true })
      expect(failed.exitCode).toBe(1)
      expect(world.cloudflare.pendingFaults()).toEqual([])
      const secret = clientSecret(world)
      const echoed = world.cloudflare.calls.find(call => call.fault === 'echo-secret')
      expect(JSON.stringify(echoed?.body)).toContain(secret) // the fake really had the secret to echo
      const [error] = failed.errors
      expect(error).toMatch(
        /HTTP 400\): \[12130\] access\.api\.error\.invalid_request: could not process request \{.*"client_secret":"\*\*\*"/
      )
      expect(error).toMatch(/Not done: (create|update) Cloudflare identity provider “Amazon Cognito”/)
      expect(failed.summary).toContain('could not process request')

      expectSuccess(await world.run())
      expect(world.idps()).toHaveLength(1)
      expect(world.idps()[0].config.client_secret).toBe(secret)
    })
  }
)

test.concurrent('plan mode on a pull request: the comment and the plan output show the secret as (sensitive), never itself', async () => {
  await inWorld(async world => {
    world.seedReadyClient()
    seedStaleIdp(world)
    const result = await world.run({ event: world.pullRequestEvent(7), debug: true })
    expectSuccess(result)
    const [comment] = world.allComments()
    expect(comment.body).toContain('config.client_secret')
    expect(planOf(result).resources[2].changes).toContainEqual(
      expect.objectContaining({ field: 'config.client_secret', after: '(sensitive)' })
    )
    expect(result.outputs.plan).toContain('(sensitive)')
    expect(result.masked).toContain(clientSecret(world))
  })
})

test.concurrent('a token without write permission fails with the permission named, and the token never shows', async () => {
  await inWorld(async world => {
    const result = await world.run({ inputs: world.inputs({ 'cloudflare-api-token': READ_TOKEN }) })
    expect(result.exitCode).toBe(1)
    expect(result.errors[0]).toMatch(
      /HTTP 403\): \[10000\] Authentication error\. The API token needs the permission "Access: Organizations, Identity Providers, and Groups": Read to plan, Write to apply\./
    )
    expect(result.masked).toContain(READ_TOKEN)
  })
})
