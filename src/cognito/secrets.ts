// An app client's secrets, for rotation without downtime: Cognito lets a client hold two at once.
// AddUserPoolClientSecret answers the new value once (masked here the moment it arrives), and is
// not safe to repeat: it goes through the client that does not retry. ListUserPoolClientSecrets
// answers ids (`<client-id>--<epoch>`) and creation dates, never values. DeleteUserPoolClientSecret
// refuses the last secret; deleting one already gone counts as done, so the SDK may retry it.
import {
  AddUserPoolClientSecretCommand,
  DeleteUserPoolClientSecretCommand,
  ListUserPoolClientSecretsCommand
} from '@aws-sdk/client-cognito-identity-provider'
import { describeMalformed, ServiceError } from '../errors.js'
import { registerSecret } from '../secrets.js'
import type { CognitoApi } from './api.js'

/** What Cognito shows of a secret: its id and when it was made. */
export interface ClientSecretInfo {
  id: string
  created: Date
}

/** A secret just added: the only time its value is known. */
export interface NewClientSecret extends ClientSecretInfo {
  value: string
}

/** Cognito answers every secret on one page today; the bound only stops a paging loop. */
export const MAX_SECRET_PAGES = 10
/** `<client-id>--<epoch>`: what a secret's id looks like (it reaches logs and reports, so nothing else is taken). */
const SECRET_ID = /^[\w+]{1,128}--\d{1,13}$/

export class ClientSecrets {
  constructor(
    private readonly cognito: CognitoApi,
    private readonly userPoolId: string,
    readonly clientId: string
  ) {}

  /** Every secret of the client, oldest first; bounded paging (a NextToken seen before is a loop). */
  async list(): Promise<ClientSecretInfo[]> {
    const secrets: ClientSecretInfo[] = []
    const seen = new Set<string>()
    let token: string | undefined
    for (let page = 1; ; page++) {
      const command = new ListUserPoolClientSecretsCommand({ UserPoolId: this.userPoolId, ClientId: this.clientId, NextToken: token })
      const answer = await this.cognito.send('ListUserPoolClientSecrets', true, (sdk, options) => sdk.send(command, options))
      secrets.push(...checkedSecrets('ListUserPoolClientSecrets', answer.ClientSecrets, page))
      token = answer.NextToken
      if (!token) return oldestFirst(secrets)
      if (seen.has(token) || page >= MAX_SECRET_PAGES) {
        throw new ServiceError(
          'Cognito',
          `ListUserPoolClientSecrets still had more pages after page ${page} (or gave a NextToken twice), so paging was stopped.`
        )
      }
      seen.add(token)
    }
  }

  /** Adds a secret Cognito generates; its value is masked before anything else sees it. */
  async add(): Promise<NewClientSecret> {
    const command = new AddUserPoolClientSecretCommand({ UserPoolId: this.userPoolId, ClientId: this.clientId })
    const answer = await this.cognito.send('AddUserPoolClientSecret', false, (sdk, options) => sdk.send(command, options))
    const descriptor = answer.ClientSecretDescriptor
    registerSecret(descriptor?.ClientSecretValue)
    const value = descriptor?.ClientSecretValue
    const [info] = checkedSecrets('AddUserPoolClientSecret', descriptor ? [descriptor] : [], 1)
    if (!info || !value) throw new ServiceError('Cognito', 'AddUserPoolClientSecret answered no secret id, date or value.')
    return { ...info, value }
  }

  /** Deletes one secret; one that is already gone (a retried delete whose answer was lost) counts as deleted. */
  async delete(id: string): Promise<void> {
    const command = new DeleteUserPoolClientSecretCommand({ UserPoolId: this.userPoolId, ClientId: this.clientId, ClientSecretId: id })
    await this.cognito.send('DeleteUserPoolClientSecret', true, (sdk, options) => sdk.send(command, options), 'ResourceNotFoundException')
  }
}

/** A page of secrets, each checked: an id of the documented form and a creation date. */
function checkedSecrets(operation: string, items: unknown, page: number): ClientSecretInfo[] {
  if (items === undefined) return []
  if (!Array.isArray(items)) throw new ServiceError('Cognito', `${operation} answered page ${page} with ClientSecrets that is not a list.`)
  return items.map((item: unknown, index) => {
    const secret = item as { ClientSecretId?: unknown; ClientSecretCreateDate?: unknown } | null
    const created = secret?.ClientSecretCreateDate
    if (
      typeof secret?.ClientSecretId !== 'string' ||
      !SECRET_ID.test(secret.ClientSecretId) ||
      !(created instanceof Date) ||
      Number.isNaN(created.getTime())
    ) {
      throw new ServiceError(
        'Cognito',
        `${operation} answered a client secret (page ${page}, item ${index + 1}) without an id of the form <client-id>--<epoch> or a date (${describeMalformed(item)}).`
      )
    }
    return { id: secret.ClientSecretId, created }
  })
}

export function oldestFirst<T extends ClientSecretInfo>(secrets: T[]): T[] {
  return [...secrets].sort((a, b) => a.created.getTime() - b.created.getTime() || a.id.localeCompare(b.id))
}

/** `<id> (created 2025-01-31T10:00:00Z)`: how reports name a secret. Never its value. */
export function describeSecret(secret: ClientSecretInfo): string {
  return `${secret.id} (created ${secret.created.toISOString().replace(/\.000Z$/, 'Z')})`
}
