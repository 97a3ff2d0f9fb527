// The Cognito fake's client secrets, as the API documents them: up to two active per app client
// (AddUserPoolClientSecret answers LimitExceededException for a third), ids `<client-id>--<epoch>`,
// the value shown once (only for a secret Cognito generated), ListUserPoolClientSecrets without
// values, and DeleteUserPoolClientSecret refusing the last one. Functions of a pool's state.
import { ALNUM, randomString, type DescribedSecret, type FakeClient, type FakeClientSecret, type FakePool } from './state.js'
import { CognitoError, constraint, invalid, notFound, required, type Input } from './validation.js'

export const MAX_ACTIVE_SECRETS = 2
const CUSTOM_SECRET = /^[\w+]{24,64}$/

export function activeSecrets(pool: FakePool, clientId: string): FakeClientSecret[] {
  return (pool.clientSecrets.get(clientId) ?? []).filter(secret => !secret.deletedAt)
}

/** The secret DescribeUserPoolClient shows: the only one, or the oldest or newest of two. */
export function describedSecret(pool: FakePool, clientId: string, which: DescribedSecret): string | undefined {
  const active = activeSecrets(pool, clientId)
  return (which === 'oldest' ? active[0] : active.at(-1))?.ClientSecretValue
}

/**
 * Stores a new secret. Its date is whole seconds (its id carries them) and later than the client's
 * last secret, so that "newer" is always well defined, as two real adds are seconds apart.
 */
export function storeSecret(
  pool: FakePool,
  clientId: string,
  value: string,
  options: { created?: Date; pendingRejections?: number } = {}
): FakeClientSecret {
  const all = pool.clientSecrets.get(clientId) ?? []
  const last = all.at(-1)?.ClientSecretCreateDate.getTime() ?? 0
  let seconds = Math.floor((options.created ?? new Date()).getTime() / 1000)
  if (!options.created && seconds * 1000 <= last) seconds = last / 1000 + 1
  while (all.some(secret => secret.ClientSecretId === `${clientId}--${seconds}`)) seconds++
  const secret: FakeClientSecret = {
    ClientSecretId: `${clientId}--${seconds}`,
    ClientSecretValue: value,
    ClientSecretCreateDate: new Date(seconds * 1000),
    pendingRejections: options.pendingRejections ?? 0
  }
  all.push(secret)
  all.sort((a, b) => a.ClientSecretCreateDate.getTime() - b.ClientSecretCreateDate.getTime())
  pool.clientSecrets.set(clientId, all)
  return secret
}

export function addSecret(pool: FakePool, client: FakeClient, input: Input, pendingRejections: number): unknown {
  if (activeSecrets(pool, client.ClientId).length === 0) {
    throw invalid(`App client ${client.ClientId} is a public client (it has no secret); a secret cannot be added to it.`)
  }
  const custom = input.ClientSecret as string | undefined
  if (custom !== undefined && !CUSTOM_SECRET.test(custom)) {
    throw constraint('ClientSecret', '***', 'Member must have length between 24 and 64 and match [\\w+]+')
  }
  if (activeSecrets(pool, client.ClientId).length >= MAX_ACTIVE_SECRETS) {
    throw new CognitoError(
      'LimitExceededException',
      `App client ${client.ClientId} already has ${MAX_ACTIVE_SECRETS} client secrets, the most it can have.`
    )
  }
  const secret = storeSecret(pool, client.ClientId, custom ?? randomString(51, ALNUM), { pendingRejections })
  return {
    ClientSecretDescriptor: {
      ClientSecretId: secret.ClientSecretId,
      ClientSecretCreateDate: secret.ClientSecretCreateDate,
      // Only a secret Cognito generated is shown, and only now.
      ClientSecretValue: custom === undefined ? secret.ClientSecretValue : undefined
    }
  }
}

/** Ids and dates, never values; `pageSize` (a test switch) splits them over pages with a NextToken. */
export function listSecrets(pool: FakePool, client: FakeClient, input: Input, pageSize?: number): unknown {
  const active = activeSecrets(pool, client.ClientId)
  const offset = input.NextToken === undefined ? 0 : decodeToken(client, input.NextToken as string)
  const size = pageSize ?? active.length
  const page = active.slice(offset, offset + Math.max(1, size))
  const next = offset + page.length
  return {
    ClientSecrets: page.map(secret => ({ ClientSecretId: secret.ClientSecretId, ClientSecretCreateDate: secret.ClientSecretCreateDate })),
    NextToken: next < active.length ? Buffer.from(JSON.stringify({ c: client.ClientId, o: next })).toString('base64url') : undefined
  }
}

export function deleteSecret(pool: FakePool, client: FakeClient, input: Input): unknown {
  const id = required(input, 'ClientSecretId')
  const active = activeSecrets(pool, client.ClientId)
  const secret = active.find(candidate => candidate.ClientSecretId === id)
  if (!secret) throw notFound(`Client secret ${id} does not exist.`)
  if (active.length === 1) throw invalid('You cannot delete the last client secret of an app client.')
  secret.deletedAt = new Date()
  return {}
}

function decodeToken(client: FakeClient, token: string): number {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (state.c === client.ClientId && Number.isInteger(state.o) && state.o >= 0) return state.o
  } catch {
    // fall through: not one of ours
  }
  throw invalid('Invalid pagination token.')
}
