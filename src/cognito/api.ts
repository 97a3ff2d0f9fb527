// The Cognito user pool calls the action makes, through the AWS SDK: its adaptive retry for
// throttling and transient failures (plus ConcurrentModificationException, which the SDK does not
// retry by itself), every retry logged, an overall budget per call, and SDK errors turned into
// one clear, redacted line naming the call. Creates go through a client that does not retry:
// createOnce looks for what a failed create made before it tries again.
import {
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
  CreateManagedLoginBrandingCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolDomainCommand,
  DescribeManagedLoginBrandingByClientCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
  type DomainDescriptionType,
  type UpdateUserPoolClientCommandInput,
  type UserPoolClientType,
  type UserPoolType
} from '@aws-sdk/client-cognito-identity-provider'
import { deadlineStop, workSignal } from '../deadline.js'
import { describeMalformed, ServiceError } from '../errors.js'
import { sdkProxyAgents } from '../proxy.js'
import { redact, registerSecret } from '../secrets.js'

export interface CognitoOptions {
  region: string
  endpoint?: string
  requestTimeoutMs: number
  maxAttempts: number
  /** Budget for one call, the SDK's retries and their waits included. */
  totalTimeoutMs: number
  /** Retries: shown in every run. */
  log: (message: string) => void
  /** One line per call (operation, status, attempts, duration): shown with debug logging on. */
  debug: (message: string) => void
}

const RETRYABLE_NAMES = new Set([
  'TooManyRequestsException',
  'ConcurrentModificationException',
  'InternalErrorException',
  'TimeoutError',
  'RequestTimeout',
  'ThrottlingException'
])
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'])

interface SdkError {
  name?: string
  code?: string
  message?: string
  $metadata?: { httpStatusCode?: number; attempts?: number }
  $retryable?: { throttling?: boolean }
}

/** Whether a Cognito call that failed so may succeed if made again: throttling, a 5xx, a dropped connection. */
function isRetryableCognitoError(error: SdkError): boolean {
  const status = error.$metadata?.httpStatusCode ?? 0
  return RETRYABLE_NAMES.has(error.name ?? '') || RETRYABLE_CODES.has(error.code ?? '') || status >= 500
}

type Answer = { $metadata?: { httpStatusCode?: number; attempts?: number } }
type Send<T> = (options: { abortSignal: AbortSignal }) => Promise<T>
const NOT_FOUND = 'ResourceNotFoundException'
/** 12,000 clients at 60 a page, with room for empty pages: far above Cognito's quota of clients per pool. */
export const MAX_CLIENT_PAGES = 200

export class CognitoApi {
  /** Retries idempotent calls. */
  private readonly sdk: CognitoIdentityProviderClient
  /** Made on the first create only; see sdkNoRetry. */
  private sdkNoRetryClient?: CognitoIdentityProviderClient

  constructor(private readonly options: CognitoOptions) {
    this.sdk = this.makeClient(options.maxAttempts, {
      requestTimeout: options.requestTimeoutMs,
      // Without this the SDK only warns when a request overruns its timeout.
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(options.requestTimeoutMs, 10_000),
      // HTTPS_PROXY / HTTP_PROXY / NO_PROXY, by the same rules as our other clients.
      ...sdkProxyAgents(options.endpoint ?? `https://cognito-idp.${options.region}.amazonaws.com`, process.env)
    })
  }

  /**
   * Creates are not retried by the SDK: createOnce looks before it retries (no duplicates). It
   * shares the other client's connections: a create reuses one the reads left open.
   */
  private get sdkNoRetry(): CognitoIdentityProviderClient {
    this.sdkNoRetryClient ??= this.makeClient(1, this.sdk.config.requestHandler)
    return this.sdkNoRetryClient
  }

  private makeClient(
    maxAttempts: number,
    requestHandler: CognitoIdentityProviderClientConfig['requestHandler']
  ): CognitoIdentityProviderClient {
    const client = new CognitoIdentityProviderClient({
      region: this.options.region,
      endpoint: this.options.endpoint,
      maxAttempts,
      retryMode: 'adaptive',
      requestHandler
    })
    client.middlewareStack.add(
      (next, context) => async args => {
        try {
          return await next(args)
        } catch (error) {
          this.beforeRetry(error as SdkError, operationName(context.commandName), args.request)
          throw error
        }
      },
      // In the deserialize step, so inside the SDK's retry loop (finalizeRequest) and after the
      // error is parsed: it sees each failed attempt.
      { step: 'deserialize', priority: 'high', name: 'logAndRetryConcurrentModification' }
    )
    return client
  }

  /**
   * Marks ConcurrentModificationException retryable (the SDK counts it a client error, but it only
   * says that another write to the same pool was in flight), and logs each failed attempt that the
   * SDK will retry: the operation and the error's name, never its message or the request.
   */
  private beforeRetry(error: SdkError, operation: string, request: unknown): void {
    if (error.name === 'ConcurrentModificationException') error.$retryable = { throttling: true }
    const header = (request as { headers?: Record<string, string> } | undefined)?.headers?.['amz-sdk-request'] ?? ''
    const attempt = /attempt=(\d+); max=(\d+)/.exec(header)
    if (attempt && isRetryableCognitoError(error) && Number(attempt[1]) < Number(attempt[2])) {
      const answer = [error.name, error.code].filter(Boolean).join(' ') || 'an error'
      this.options.log(`Cognito ${operation} answered ${answer}; the AWS SDK retries it (attempt ${attempt[1]} of ${attempt[2]} failed).`)
    }
  }

  async describeUserPool(userPoolId: string): Promise<UserPoolType> {
    const command = new DescribeUserPoolCommand({ UserPoolId: userPoolId })
    const answer = await this.call('DescribeUserPool', options => this.sdk.send(command, options))
    if (!answer.UserPool) throw new ServiceError('Cognito', `DescribeUserPool returned no pool for ${userPoolId}.`)
    return answer.UserPool
  }

  /**
   * Ids of the pool's app clients with this name, across every page. The paging is bounded: a
   * NextToken seen before (a loop) or more than MAX_CLIENT_PAGES pages stop it with an error.
   */
  async findClientIdsByName(userPoolId: string, name: string): Promise<string[]> {
    const ids: string[] = []
    const seen = new Set<string>()
    let token: string | undefined
    for (let page = 1; ; page++) {
      const command = new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: token })
      const answer = await this.call('ListUserPoolClients', options => this.sdk.send(command, options))
      for (const client of checkedClients(answer.UserPoolClients, page)) {
        if (client.ClientName === name) ids.push(client.ClientId)
      }
      token = answer.NextToken
      if (!token) return ids
      if (seen.has(token)) {
        throw new ServiceError(
          'Cognito',
          `ListUserPoolClients answered page ${page} with a NextToken it had already given: the paging loops, so it was stopped.`
        )
      }
      if (page >= MAX_CLIENT_PAGES) {
        throw new ServiceError(
          'Cognito',
          `ListUserPoolClients still had more pages after ${MAX_CLIENT_PAGES}, so paging was stopped; set app-client-id to adopt a client by id.`
        )
      }
      seen.add(token)
    }
  }

  /** The client, with its secret masked the moment it is read; undefined when it does not exist. */
  async describeClient(userPoolId: string, clientId: string): Promise<UserPoolClientType | undefined> {
    const command = new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId })
    const answer = await this.call('DescribeUserPoolClient', options => this.sdk.send(command, options), NOT_FOUND)
    if (answer === undefined) return undefined
    // An answer without the client is not "no such client": reading it so would create a second one.
    if (!answer.UserPoolClient?.ClientId) throw new ServiceError('Cognito', `DescribeUserPoolClient returned no client for ${clientId}.`)
    registerSecret(answer.UserPoolClient.ClientSecret)
    return answer.UserPoolClient
  }

  async createClient(input: CreateUserPoolClientCommandInput): Promise<UserPoolClientType> {
    const command = new CreateUserPoolClientCommand(input)
    const answer = await this.call('CreateUserPoolClient', options => this.sdkNoRetry.send(command, options))
    registerSecret(answer.UserPoolClient?.ClientSecret)
    if (!answer.UserPoolClient?.ClientId) throw new ServiceError('Cognito', 'CreateUserPoolClient returned no client.')
    return answer.UserPoolClient
  }

  /** A whole-object write, so repeating it is safe: the SDK retries it. */
  async updateClient(input: UpdateUserPoolClientCommandInput): Promise<UserPoolClientType> {
    const command = new UpdateUserPoolClientCommand(input)
    const answer = await this.call('UpdateUserPoolClient', options => this.sdk.send(command, options))
    registerSecret(answer.UserPoolClient?.ClientSecret)
    if (!answer.UserPoolClient?.ClientId) throw new ServiceError('Cognito', 'UpdateUserPoolClient returned no client.')
    return answer.UserPoolClient
  }

  /** The domain's description; undefined when no pool has this domain (Cognito answers an empty one). */
  async describeDomain(domain: string): Promise<DomainDescriptionType | undefined> {
    const command = new DescribeUserPoolDomainCommand({ Domain: domain })
    const answer = await this.call('DescribeUserPoolDomain', options => this.sdk.send(command, options))
    const description = answer.DomainDescription
    return description?.UserPoolId ? description : undefined
  }

  async createDomain(userPoolId: string, domain: string): Promise<void> {
    const command = new CreateUserPoolDomainCommand({ UserPoolId: userPoolId, Domain: domain })
    await this.call('CreateUserPoolDomain', options => this.sdkNoRetry.send(command, options))
  }

  async hasBranding(userPoolId: string, clientId: string): Promise<boolean> {
    const command = new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: userPoolId, ClientId: clientId })
    const answer = await this.call('DescribeManagedLoginBrandingByClient', options => this.sdk.send(command, options), NOT_FOUND)
    return answer !== undefined
  }

  /**
   * Gives the client Cognito's default managed-login style. There is one style per client, so
   * repeating this cannot duplicate it: the SDK retries it, and an existing style counts as done.
   */
  async createDefaultBranding(userPoolId: string, clientId: string): Promise<void> {
    const command = new CreateManagedLoginBrandingCommand({ UserPoolId: userPoolId, ClientId: clientId, UseCognitoProvidedValues: true })
    await this.call('CreateManagedLoginBranding', options => this.sdk.send(command, options), 'ManagedLoginBrandingExistsException')
  }

  /**
   * One SDK call for the modules that keep their own operations (secrets.ts): with this client's
   * retries (`retry: false` for a write that is not safe to repeat), budget, logging and errors.
   */
  send<T extends Answer>(
    operation: string,
    retry: boolean,
    send: (sdk: CognitoIdentityProviderClient, options: { abortSignal: AbortSignal }) => Promise<T>
  ): Promise<T>
  send<T extends Answer>(
    operation: string,
    retry: boolean,
    send: (sdk: CognitoIdentityProviderClient, options: { abortSignal: AbortSignal }) => Promise<T>,
    expected: string
  ): Promise<T | undefined>
  send<T extends Answer>(
    operation: string,
    retry: boolean,
    send: (sdk: CognitoIdentityProviderClient, options: { abortSignal: AbortSignal }) => Promise<T>,
    expected?: string
  ): Promise<T | undefined> {
    const client = retry ? this.sdk : this.sdkNoRetry
    return expected === undefined
      ? this.call(operation, options => send(client, options))
      : this.call(operation, options => send(client, options), expected)
  }

  /** One SDK call within the overall budget, with a debug line, its errors made one clear line. */
  private call<T extends Answer>(operation: string, send: Send<T>): Promise<T>
  /** `expected`: the name of an error that is an answer here (not found, already exists): undefined then. */
  private call<T extends Answer>(operation: string, send: Send<T>, expected: string): Promise<T | undefined>
  private async call<T extends Answer>(operation: string, send: Send<T>, expected?: string): Promise<T | undefined> {
    const started = Date.now()
    const took = (attempts?: number) =>
      `in ${Date.now() - started} ms${attempts !== undefined && attempts > 1 ? ` (${attempts} attempts)` : ''}`
    const budget = AbortSignal.timeout(this.options.totalTimeoutMs)
    const abortSignal = AbortSignal.any([budget, workSignal()])
    try {
      const answer = await send({ abortSignal })
      this.options.debug(`Cognito ${operation} → HTTP ${answer.$metadata?.httpStatusCode ?? '?'} ${took(answer.$metadata?.attempts)}`)
      return answer
    } catch (error) {
      const sdkError = error as SdkError
      this.options.debug(`Cognito ${operation} → ${sdkError.name ?? 'error'} ${took(sdkError.$metadata?.attempts)}`)
      if (expected !== undefined && sdkError.name === expected) return undefined
      throw (
        deadlineStop(`Cognito ${operation}`) ??
        toServiceError(operation, sdkError, budget.aborted ? this.options.totalTimeoutMs : undefined)
      )
    }
  }

  destroy(): void {
    this.sdkNoRetryClient?.destroy()
    this.sdk.destroy()
  }
}

/** A page of ListUserPoolClients, each item checked: a `null` or an item without an id is an error naming it. */
function checkedClients(items: unknown, page: number): Array<{ ClientId: string; ClientName?: string }> {
  if (items === undefined) return []
  if (!Array.isArray(items))
    throw new ServiceError('Cognito', `ListUserPoolClients answered page ${page} with UserPoolClients that is not a list.`)
  return items.map((item: unknown, index) => {
    const client = item as { ClientId?: unknown; ClientName?: unknown } | null
    if (
      typeof client !== 'object' ||
      client === null ||
      typeof client.ClientId !== 'string' ||
      (client.ClientName !== undefined && typeof client.ClientName !== 'string')
    ) {
      throw new ServiceError(
        'Cognito',
        `ListUserPoolClients answered page ${page} with item ${index + 1} that is not an app client (${describeMalformed(item)}).`
      )
    }
    return client as { ClientId: string; ClientName?: string }
  })
}

/** `DescribeUserPoolCommand` → `DescribeUserPool`. */
function operationName(commandName: string | undefined): string {
  return (commandName ?? 'call').replace(/Command$/, '')
}

/** One line naming the call and the error (`TimeoutError ECONNRESET: socket hang up`); `budgetMs` when it ran out. */
function toServiceError(operation: string, error: SdkError, budgetMs?: number): ServiceError {
  const name = error.name ?? error.code ?? 'Error'
  const code = error.code && error.code !== name ? ` ${error.code}` : ''
  let message =
    budgetMs !== undefined
      ? `${operation} got no answer within ${budgetMs} ms, retries included.`
      : `${operation} failed: ${name}${code}: ${error.message ?? ''}`.trim()
  if (name === 'AccessDeniedException' || name === 'NotAuthorizedException' || name === 'UnrecognizedClientException') {
    message += ` The AWS credentials need cognito-idp:${operation} on the user pool (see the README's IAM policy).`
  }
  const transient = budgetMs !== undefined || isRetryableCognitoError(error)
  return new ServiceError('Cognito', redact(message), error.$metadata?.httpStatusCode, transient)
}
