// An end-to-end test world: the three fakes on 127.0.0.1, seeded with a user pool, a Cloudflare
// account with an Access organization, and a GitHub repository; and `run`, which runs the bundled
// action against them the way the runner does, then checks that no secret leaked anywhere.
import { CognitoFake, type FakeClient, type FakePool } from './fakes/cognito.js'
import { CloudflareFake, type StoredIdp } from './fakes/cloudflare.js'
import { GitHubFake } from './fakes/github.js'
import { assertNoLeaks } from './leak-check.js'
import { ACCOUNT_ID, CALLBACK, GITHUB_READ_TOKEN, GITHUB_TOKEN, READ_TOKEN, REPO, TEAM, TEST_OWNER, TOKEN, ZONE_ID } from './constants.js'
import { runAction, type RunOptions, type RunResult } from './run-action.js'

export { ACCOUNT_ID, CALLBACK, GITHUB_READ_TOKEN, GITHUB_TOKEN, READ_TOKEN, REPO, TEAM, TOKEN, ZONE_ID } from './constants.js'

/** One write of an identity provider's secret to Cloudflare, and whether Cognito accepted that secret at that moment. */
export interface SecretWrite {
  idpId: string
  clientId: unknown
  /** Whether the secret written is one the token endpoint accepts for the client when Cloudflare stored it. */
  accepted: boolean
}

export interface WorldOptions {
  /** Pool seeding (default: a prefix domain `acme-login`). */
  pool?: Parameters<CognitoFake['createPool']>[0]
}

export class World {
  readonly cognito = new CognitoFake()
  readonly cloudflare = new CloudflareFake()
  readonly github = new GitHubFake()
  pool!: FakePool
  /** Every RunResult of this world, for assertions across runs. */
  readonly runs: RunResult[] = []
  /** Secrets a test adds (another token it gives the action), checked like the world's own. */
  readonly extraSecrets: Record<string, string> = {}
  /** Every identity provider Cloudflare stored, in order, with Cognito's view of its secret then. */
  readonly secretWrites: SecretWrite[] = []

  static async start(options: WorldOptions = {}): Promise<World> {
    const world = new World()
    await Promise.all([world.cognito.start(), world.cloudflare.start(), world.github.start()])
    world.pool = world.cognito.createPool({ id: 'eu-west-1_TestPool1', domain: 'acme-login', ...options.pool })
    world.cloudflare.addAccount(ACCOUNT_ID, { authDomain: `${TEAM}.cloudflareaccess.com` })
    world.cloudflare.addZone(ZONE_ID, { authDomain: `${TEAM}.cloudflareaccess.com` })
    world.cloudflare.addToken(TOKEN, 'write')
    world.cloudflare.addToken(READ_TOKEN, 'read')
    world.github.addRepo(TEST_OWNER, REPO)
    world.github.addToken(GITHUB_TOKEN, 'write')
    world.github.addToken(GITHUB_READ_TOKEN, 'read')
    world.cloudflare.onIdentityProviderWritten = idp => {
      const { client_id: clientId, client_secret: secret } = idp.config
      world.secretWrites.push({ idpId: idp.id, clientId, accepted: world.cognito.acceptsSecret(String(clientId), secret) })
    }
    return world
  }

  async stop(): Promise<void> {
    await Promise.all([this.cognito.stop(), this.cloudflare.stop(), this.github.stop()])
  }

  /** The endpoint overrides that point the action at the fakes, and short timings. */
  env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: this.cognito.url,
      COGNITO_HOSTED_UI_ENDPOINT: this.cognito.url,
      CLOUDFLARE_API_BASE_URL: `${this.cloudflare.url}/client/v4`,
      COGNITO_ACCESS_REQUEST_TIMEOUT_MS: '2000',
      COGNITO_ACCESS_RETRY_BASE_MS: '50',
      COGNITO_ACCESS_DOMAIN_POLL_MS: '50',
      COGNITO_ACCESS_DOMAIN_WAIT_MS: '5000'
    }
  }

  /** The inputs of a minimal workflow step. */
  inputs(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'user-pool-id': this.pool.Id,
      'cloudflare-account-id': ACCOUNT_ID,
      'cloudflare-api-token': TOKEN,
      ...extra
    }
  }

  /** Every secret that exists in the world now: tokens, and every app client secret. */
  secrets(): Record<string, string> {
    const secrets: Record<string, string> = {
      'cloudflare token': TOKEN,
      'cloudflare read token': READ_TOKEN,
      'github token': GITHUB_TOKEN,
      ...this.extraSecrets
    }
    for (const client of this.pool.clients.values()) {
      // Every secret the client ever had: a deleted one must not leak either.
      for (const secret of this.cognito.clientSecrets(this.pool.Id, client.ClientId, { deleted: true })) {
        secrets[`client secret ${secret.ClientSecretId}`] = secret.ClientSecretValue
      }
    }
    return secrets
  }

  /** Runs the bundled action; fails the test if any secret shows up anywhere it must not. */
  async run(options: Omit<RunOptions, 'inputs'> & { inputs?: Record<string, string> } = {}): Promise<RunResult> {
    const result = await runAction({
      githubApiUrl: this.github.url,
      githubToken: GITHUB_TOKEN,
      ...options,
      inputs: options.inputs ?? this.inputs(),
      env: { ...this.env(), ...options.env }
    })
    this.runs.push(result)
    const comments = Object.fromEntries(this.allComments().map(comment => [`comment ${comment.id}`, comment.body]))
    const issues = Object.fromEntries(
      this.github.issues(TEST_OWNER, REPO).map(issue => [`issue #${issue.number}`, `${issue.title}\n${issue.body ?? ''}`])
    )
    assertNoLeaks(result, this.secrets(), { ...comments, ...issues })
    return result
  }

  /** A pull_request event for pull request `number` (from a fork when `fork`). */
  pullRequestEvent(number = 7, fork = false): RunOptions['event'] {
    const base = { repo: { full_name: `${TEST_OWNER}/${REPO}` }, ref: 'main', sha: 'b'.repeat(40) }
    const head = { repo: { full_name: fork ? `stranger/${REPO}` : `${TEST_OWNER}/${REPO}` }, ref: 'feature', sha: 'c'.repeat(40) }
    return { name: 'pull_request', payload: { action: 'synchronize', number, pull_request: { number, head, base } } }
  }

  /** Every comment on the test repository's issues and pull requests. */
  allComments() {
    return this.github.allComments(TEST_OWNER, REPO)
  }

  idps(): StoredIdp[] {
    return this.cloudflare.identityProviders({ accountId: ACCOUNT_ID })
  }

  clients() {
    return [...this.pool.clients.values()]
  }

  /** An app client that already has everything the integration needs (on managed login, still no branding style). */
  seedReadyClient(options: { secretCreated?: Date } = {}) {
    return this.cognito.addClient(this.pool.Id, {
      ClientName: 'Cloudflare Access',
      GenerateSecret: true,
      secretCreated: options.secretCreated,
      CallbackURLs: [CALLBACK],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      AllowedOAuthFlowsUserPoolClient: true
    })
  }

  /**
   * A client and an identity provider that already match the configuration (the pool's prefix
   * domain `acme-login`), Cloudflare holding the client's secret: a converged setup.
   */
  seedConverged(options: { secretCreated?: Date } = {}): FakeClient {
    const client = this.seedReadyClient(options)
    const host = `${this.pool.prefixDomain?.Domain}.auth.${this.pool.region}.amazoncognito.com`
    this.cloudflare.addIdentityProvider(
      { accountId: ACCOUNT_ID },
      {
        name: 'Amazon Cognito',
        type: 'oidc',
        config: {
          client_id: client.ClientId,
          client_secret: client.ClientSecret,
          auth_url: `https://${host}/oauth2/authorize`,
          token_url: `https://${host}/oauth2/token`,
          certs_url: `${this.cognito.url}/${this.pool.Id}/.well-known/jwks.json`,
          scopes: ['openid', 'email', 'profile'],
          claims: ['sub', 'cognito:username', 'name', 'cognito:groups'],
          email_claim_name: 'email',
          pkce_enabled: true
        }
      }
    )
    return client
  }

  /** Write calls that reached a fake, whatever their answer. */
  writeAttempts() {
    return [...this.cognito.writeAttempts(), ...this.cloudflare.writeAttempts(), ...this.github.writeAttempts()]
  }
}

/** Runs `use` in a world of its own, stopped afterwards whatever happens (for tests that run concurrently). */
export async function inWorld(use: (world: World) => Promise<void>, options?: WorldOptions): Promise<void> {
  const world = await World.start(options)
  try {
    await use(world)
  } finally {
    await world.stop()
  }
}

/** Output `plan` as an object (of a run of the bundle, or of an in-process run). */
export function planOf(result: Pick<RunResult, 'outputs'>): {
  changed: boolean
  fingerprint: string
  resources: Array<{ kind: string; action: string; id?: string; changes: Array<{ field: string }> }>
  checks: Array<{ check: string; status: string; detail: string }>
} {
  return JSON.parse(result.outputs.plan)
}

/** A readable failure: the action's log when it did not succeed. */
export function expectSuccess(result: RunResult): void {
  if (result.exitCode !== 0) throw new Error(`action failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`)
}
