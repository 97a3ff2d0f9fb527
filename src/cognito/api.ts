// The Cognito user pool calls the action makes, through the AWS SDK: its adaptive retry for
// throttling and transient failures (plus ConcurrentModificationException, which the SDK does not
// retry by itself), every retry logged, and SDK errors turned into one clear line naming the call.
import {
  CognitoIdentityProviderClient,
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
import { ServiceError } from '../errors.js'
import { registerSecret } from '../secrets.js'

export interface CognitoOptions {
  region: string
  endpoint?: string
  requestTimeoutMs: number
  maxAttempts: number
  log: (message: string) => void
}

const RETRYABLE_NAMES = new Set([
  'TooManyRequestsException', 'ConcurrentModificationException', 'InternalErrorException',
  'TimeoutError', 'RequestTimeout', 'ThrottlingException'
])
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'])

interface SdkError {
  name?: string
  code?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
  $retryable?: { throttling?: boolean }
}

function isTransient(error: SdkError): boolean {
  const status = error.$metadata?.httpStatusCode ?? 0
  return RETRYABLE_NAMES.has(error.name ?? '') || RETRYABLE_CODES.has(error.code ?? '') || status >= 500
}

export class CognitoApi {
  /** Retries idempotent calls. */
  private readonly sdk: CognitoIdentityProviderClient
  /** Creates are not retried by the SDK: createOnce looks before it retries (no duplicates). */
  private readonly sdkNoRetry: CognitoIdentityProviderClient

  constructor(private readonly options: CognitoOptions) {
    this.sdk = this.makeClient(options.maxAttempts)
    this.sdkNoRetry = this.makeClient(1)
  }

  private makeClient(maxAttempts: number): CognitoIdentityProviderClient {
    const client = new CognitoIdentityProviderClient({
      region: this.options.region,
      endpoint: this.options.endpoint,
      maxAttempts,
      retryMode: 'adaptive',
      requestHandler: {
        requestTimeout: this.options.requestTimeoutMs,
        // Without this the SDK only warns when a request overruns its timeout.
        throwOnRequestTimeout: true,
        connectionTimeout: Math.min(this.options.requestTimeoutMs, 10_000)
      }
    })
    // Inside the SDK's retry loop: mark ConcurrentModificationException retryable (the SDK treats
    // it as a client error) and log each failed attempt that will be retried.
    client.middlewareStack.add(
      next => async args => {
        try {
          return await next(args)
        } catch (error) {
          const sdkError = error as SdkError
          if (sdkError.name === 'ConcurrentModificationException') sdkError.$retryable = { throttling: true }
          const attempt = /attempt=(\d+); max=(\d+)/.exec(
            String((args.request as { headers?: Record<string, string> }).headers?.['amz-sdk-request'] ?? '')
          )
          if (attempt && isTransient(sdkError) && Number(attempt[1]) < Number(attempt[2])) {
            this.options.log(`Cognito answered ${sdkError.name ?? sdkError.code}; the AWS SDK retries (attempt ${attempt[1]} of ${attempt[2]}).`)
          }
          throw error
        }
      },
      { step: 'deserialize', priority: 'high', name: 'logAndRetryConcurrentModification' }
    )
    return client
  }

  async describeUserPool(userPoolId: string): Promise<UserPoolType> {
    const answer = await this.call('DescribeUserPool', () => this.sdk.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })))
    if (!answer.UserPool) throw new ServiceError('Cognito', `DescribeUserPool returned no pool for ${userPoolId}.`)
    return answer.UserPool
  }

  /** Ids of the pool's app clients with this name, across every page. */
  async findClientIdsByName(userPoolId: string, name: string): Promise<string[]> {
    const ids: string[] = []
    let token: string | undefined
    do {
      const page = await this.call('ListUserPoolClients', () =>
        this.sdk.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: token }))
      )
      for (const client of page.UserPoolClients ?? []) {
        if (client.ClientName === name && client.ClientId) ids.push(client.ClientId)
      }
      token = page.NextToken
    } while (token)
    return ids
  }

  /** The client, with its secret masked the moment it is read; undefined when it does not exist. */
  async describeClient(userPoolId: string, clientId: string): Promise<UserPoolClientType | undefined> {
    try {
      const answer = await this.call('DescribeUserPoolClient', () =>
        this.sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))
      )
      registerSecret(answer.UserPoolClient?.ClientSecret)
      return answer.UserPoolClient
    } catch (error) {
      if (error instanceof ServiceError && /ResourceNotFoundException/.test(error.message)) return undefined
      throw error
    }
  }

  async createClient(input: CreateUserPoolClientCommandInput): Promise<UserPoolClientType> {
    const answer = await this.call('CreateUserPoolClient', () => this.sdkNoRetry.send(new CreateUserPoolClientCommand(input)))
    registerSecret(answer.UserPoolClient?.ClientSecret)
    if (!answer.UserPoolClient?.ClientId) throw new ServiceError('Cognito', 'CreateUserPoolClient returned no client.')
    return answer.UserPoolClient
  }

  async updateClient(input: UpdateUserPoolClientCommandInput): Promise<UserPoolClientType> {
    const answer = await this.call('UpdateUserPoolClient', () => this.sdk.send(new UpdateUserPoolClientCommand(input)))
    registerSecret(answer.UserPoolClient?.ClientSecret)
    return answer.UserPoolClient ?? {}
  }

  /** The domain's description; undefined when no pool has this domain (Cognito answers an empty one). */
  async describeDomain(domain: string): Promise<DomainDescriptionType | undefined> {
    const answer = await this.call('DescribeUserPoolDomain', () => this.sdk.send(new DescribeUserPoolDomainCommand({ Domain: domain })))
    const description = answer.DomainDescription
    return description?.UserPoolId ? description : undefined
  }

  async createDomain(userPoolId: string, domain: string): Promise<void> {
    await this.call('CreateUserPoolDomain', () =>
      this.sdkNoRetry.send(new CreateUserPoolDomainCommand({ UserPoolId: userPoolId, Domain: domain }))
    )
  }

  async hasBranding(userPoolId: string, clientId: string): Promise<boolean> {
    try {
      await this.call('DescribeManagedLoginBrandingByClient', () =>
        this.sdk.send(new DescribeManagedLoginBrandingByClientCommand({ UserPoolId: userPoolId, ClientId: clientId }))
      )
      return true
    } catch (error) {
      if (error instanceof ServiceError && /ResourceNotFoundException/.test(error.message)) return false
      throw error
    }
  }

  /** Gives the client Cognito's default managed-login style; an existing style counts as done. */
  async createDefaultBranding(userPoolId: string, clientId: string): Promise<void> {
    try {
      await this.call('CreateManagedLoginBranding', () =>
        this.sdk.send(new CreateManagedLoginBrandingCommand({ UserPoolId: userPoolId, ClientId: clientId, UseCognitoProvidedValues: true }))
      )
    } catch (error) {
      if (!(error instanceof ServiceError && /ManagedLoginBrandingExistsException/.test(error.message))) throw error
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      throw toServiceError(operation, error as SdkError)
    }
  }

  destroy(): void {
    this.sdk.destroy()
    this.sdkNoRetry.destroy()
  }
}

function toServiceError(operation: string, error: SdkError): ServiceError {
  const name = error.name ?? error.code ?? 'Error'
  let message = `${operation} failed: ${name}: ${error.message ?? ''}`.trim()
  if (name === 'AccessDeniedException' || name === 'NotAuthorizedException' || name === 'UnrecognizedClientException') {
    message += ` The AWS credentials need cognito-idp:${operation} on the user pool (see the README's IAM policy).`
  }
  return new ServiceError('Cognito', message, error.$metadata?.httpStatusCode, isTransient(error))
}
