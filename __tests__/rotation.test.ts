// The rotation state machine (src/rotation.ts) on its own, against an in-memory Cognito and
// Cloudflare: the decision and the plan's entry, each step's failure, and, over every point a
// single failure can hit, that Cloudflare keeps a secret Cognito accepts and that the next run
// converges with never more than two secrets.
import { describeSecret, type ClientSecretInfo } from '../src/cognito/secrets.js'
import type { CheckResult } from '../src/model.js'
import {
  decideRotation,
  rotateClientSecret,
  RotationError,
  secretPlan,
  SecretWriteError,
  type HeldAfterFailure,
  type RotationSettings,
  type RotationSteps
} from '../src/rotation.js'

const DAY_MS = 24 * 60 * 60 * 1000
const NOW = Date.UTC(2025, 5, 1)
const REQUESTED: RotationSettings = { rotateSecret: true }

const secret = (epoch: number): ClientSecretInfo => ({ id: `client1--${epoch}`, created: new Date(epoch * 1000) })
const daysAgo = (days: number) => secret(Math.floor((NOW - days * DAY_MS) / 1000))

describe('decideRotation', () => {
  test('rotate-secret: rotate, because it was asked', () => {
    expect(decideRotation(REQUESTED, [daysAgo(1)], NOW)).toEqual({ finish: false, rotate: true, reason: 'requested (rotate-secret: true)' })
  })

  test('rotate-after-days: only a secret older than the limit', () => {
    const old = daysAgo(31)
    expect(decideRotation({ rotateSecret: false, rotateAfterDays: 30 }, [old], NOW)).toEqual({
      finish: false,
      rotate: true,
      reason: `the newest secret ${describeSecret(old)} is 31 days old, more than rotate-after-days (30)`
    })
    const young = daysAgo(29)
    expect(decideRotation({ rotateSecret: false, rotateAfterDays: 30 }, [young], NOW)).toEqual({
      finish: false,
      rotate: false,
      reason: `the secret ${describeSecret(young)} is 29 days old, and rotate-after-days is 30`
    })
  })

  test('two secrets: finish first (the older goes), which is the rotation rotate-secret asks for', () => {
    const decision = decideRotation(REQUESTED, [daysAgo(1), daysAgo(40)], NOW)
    expect(decision).toMatchObject({ finish: true, rotate: false })
    expect(decision.reason).toContain(
      `The older (${describeSecret(daysAgo(40))}) is deleted first, and Cloudflare gets the newer (${describeSecret(daysAgo(1))})`
    )
  })

  test('two old secrets and rotate-after-days: finish, then rotate the one left', () => {
    const decision = decideRotation({ rotateSecret: false, rotateAfterDays: 30 }, [daysAgo(50), daysAgo(40)], NOW)
    expect(decision).toMatchObject({ finish: true, rotate: true })
    expect(decision.reason).toContain('a new secret replaces it')
  })
})

describe('secretPlan', () => {
  const idp = { id: 'idp-1', name: 'Amazon Cognito', readOnly: false }

  test('no rotation input: no entry at all', () => {
    expect(secretPlan({ settings: { rotateSecret: false }, clientId: 'client1', secrets: [daysAgo(1)], now: NOW })).toBeUndefined()
  })

  test('a rotation: update, `secret: rotate` with the reason, ids and dates but no value', () => {
    const plan = secretPlan({ settings: REQUESTED, clientId: 'client1', secrets: [daysAgo(3)], identityProvider: idp, now: NOW })
    expect(plan).toEqual({
      kind: 'cognito-client-secret',
      title: 'Cognito app client secret',
      id: daysAgo(3).id,
      action: 'update',
      changes: [{ field: 'secret', before: [describeSecret(daysAgo(3))], after: 'rotate' }],
      notes: [
        'secret: rotate: requested (rotate-secret: true). A new secret is checked at the token endpoint, written to Cloudflare identity provider ' +
          '“Amazon Cognito” and read back, verified; only then is the old one deleted.'
      ]
    })
  })

  test('nothing due: no-change, saying why', () => {
    const plan = secretPlan({
      settings: { rotateSecret: false, rotateAfterDays: 90 },
      clientId: 'client1',
      secrets: [daysAgo(3)],
      now: NOW
    })
    expect(plan).toMatchObject({
      action: 'no-change',
      changes: [],
      notes: [expect.stringMatching(/^secret: kept: the secret .* is 3 days old, and rotate-after-days is 90\.$/)]
    })
  })

  test('a client created in this run has a new secret: nothing to rotate', () => {
    expect(secretPlan({ settings: REQUESTED, now: NOW })).toMatchObject({
      action: 'no-change',
      notes: [expect.stringContaining('created in this run')]
    })
  })

  test('a read-only identity provider using the client cannot get a new secret: refused before any write', () => {
    expect(() =>
      secretPlan({
        settings: REQUESTED,
        clientId: 'client1',
        secrets: [daysAgo(3)],
        identityProvider: { ...idp, readOnly: true },
        now: NOW
      })
    ).toThrow(/is read-only \(read_only: true\), so its client secret cannot be changed through the API/)
  })
})

// ---------------------------------------------------------------------------------------------
// An in-memory Cognito (secrets, a token endpoint) and Cloudflare (the secret it holds).

type Operation = 'list' | 'add' | 'delete' | 'describe' | 'write' | 'check' | 'verify'

interface Failure {
  /** The n-th call of any operation (1-based) fails. */
  at: number
  /** How a failed write leaves Cloudflare. */
  held?: HeldAfterFailure
}

class Memory {
  active: Array<ClientSecretInfo & { value: string }> = []
  cloudflare = ''
  described: 'oldest' | 'newest' = 'oldest'
  clock = NOW
  calls: Operation[] = []
  failure?: Failure
  /** Every value written to Cloudflare, and whether Cognito accepted it then. */
  writes: Array<{ value: string; accepted: boolean }> = []
  maxActive = 0
  private serial = 0

  constructor(secrets = 1) {
    for (let i = 0; i < secrets; i++) this.make()
    this.cloudflare = this.active[0].value
  }

  make() {
    const epoch = Math.floor(this.clock / 1000) + this.serial++
    const made = { id: `client1--${epoch}`, created: new Date(epoch * 1000), value: `value-${epoch}` }
    this.active.push(made)
    this.maxActive = Math.max(this.maxActive, this.active.length)
    return made
  }

  accepts(value: string): boolean {
    return this.active.some(known => known.value === value)
  }

  private step(operation: Operation): Failure | undefined {
    this.clock += 10
    this.calls.push(operation)
    if (this.failure?.at !== this.calls.length) return undefined
    return this.failure
  }

  private fail(operation: Operation): void {
    if (this.step(operation)) throw new Error(`${operation} failed (injected)`)
  }

  check(value: string, check = "Token endpoint accepts the client's credentials"): CheckResult {
    return this.accepts(value) ? { check, status: 'pass', detail: 'ok' } : { check, status: 'fail', detail: 'invalid_client' }
  }

  steps(log: string[] = []): RotationSteps {
    return {
      listSecrets: async () => {
        this.fail('list')
        return this.active.map(({ id, created }) => ({ id, created }))
      },
      addSecret: async () => {
        this.fail('add')
        if (this.active.length >= 2) throw new Error('LimitExceededException')
        return this.make()
      },
      deleteSecret: async id => {
        this.fail('delete')
        if (this.active.length === 1) throw new Error('cannot delete the last secret')
        this.active = this.active.filter(known => known.id !== id)
      },
      describeSecret: async () => {
        this.fail('describe')
        return (this.described === 'oldest' ? this.active[0] : this.active.at(-1)!).value
      },
      writeToCloudflare: async value => {
        const failure = this.step('write')
        if (failure && failure.held !== 'new') {
          // `unknown`: the write may or may not have landed; here it did not.
          throw new SecretWriteError('Cloudflare: PUT failed (injected)', failure.held ?? 'unknown')
        }
        this.writes.push({ value, accepted: this.accepts(value) })
        this.cloudflare = value
        if (failure) throw new SecretWriteError('read-back differs (injected)', 'new')
      },
      // Like checkCredentials, a failed check is an answer, not an exception.
      checkSecret: async value => (this.step('check') ? { check: 'x', status: 'fail', detail: 'HTTP 503' } : this.check(value)),
      verify: async value => {
        const failure = this.step('verify')
        return [failure ? { check: 'JWKS has an RS256 signing key', status: 'fail', detail: 'HTTP 503' } : this.check(value)]
      },
      log: message => log.push(message),
      done: what => log.push(`✓ ${what}`),
      now: () => this.clock
    }
  }
}

describe('a rotation', () => {
  test('adds, checks, writes, verifies, then deletes: one new secret, and Cloudflare holds it', async () => {
    const memory = new Memory()
    const [old] = memory.active
    const log: string[] = []
    const result = await rotateClientSecret(REQUESTED, memory.steps(log))
    expect(memory.calls).toEqual(['list', 'describe', 'add', 'check', 'write', 'verify', 'delete', 'check'])
    expect(memory.active).toHaveLength(1)
    expect(memory.active[0].id).not.toBe(old.id)
    expect(memory.cloudflare).toBe(memory.active[0].value)
    expect(result).toMatchObject({
      secret: { id: memory.active[0].id, value: memory.active[0].value },
      wroteCloudflare: true,
      outage: undefined
    })
    expect(memory.writes.every(write => write.accepted)).toBe(true)
    expect(log.filter(line => line.startsWith('✓'))).toEqual([
      `✓ added client secret ${describeSecret(memory.active[0])}`,
      `✓ wrote client secret ${memory.active[0].id} to the Cloudflare identity provider, and read the provider back`,
      `✓ deleted client secret ${describeSecret(old)}`
    ])
    // Ids and dates only: no value reaches the log.
    expect(log.join('\n')).not.toMatch(/value-/)
  })

  test('with no Cloudflare provider using the client yet: add, check, delete; the identity provider step gets the new secret', async () => {
    const memory = new Memory()
    const result = await rotateClientSecret(REQUESTED, { ...memory.steps(), writeToCloudflare: undefined })
    expect(memory.calls).toEqual(['list', 'describe', 'add', 'check', 'delete'])
    expect(result.secret.value).toBe(memory.active[0].value)
    expect(result.wroteCloudflare).toBe(false)
  })

  test.each<[string, Failure, RegExp, number]>([
    ['the add', { at: 3 }, /add failed/, 1],
    ["the new secret's check", { at: 4 }, /is not accepted at the token endpoint.*It was deleted again/, 1],
    ['a write Cloudflare refused', { at: 5, held: 'previous' }, /It was deleted again \(rolled back\)/, 1],
    [
      'a write with no clear answer (the old secret is written back)',
      { at: 5, held: 'unknown' },
      /It was deleted again \(rolled back\)/,
      1
    ],
    ['the read-back after a write', { at: 5, held: 'new' }, /Cloudflare holds the newer, which Cognito accepts/, 2],
    ['the verification', { at: 6 }, /Verification failed after Cloudflare got the new client secret/, 2],
    ['the delete', { at: 7 }, /Cloudflare holds the newer \(client1--\d+\), which Cognito accepts/, 2]
  ])('a failure of %s stops with Cloudflare holding a secret Cognito accepts', async (_, failure, message, left) => {
    const memory = new Memory()
    memory.failure = failure
    await expect(rotateClientSecret(REQUESTED, memory.steps())).rejects.toThrow(message)
    expect(memory.active).toHaveLength(left)
    expect(memory.accepts(memory.cloudflare)).toBe(true)
    // When two remain, Cloudflare holds the newer: the next run deletes the older first.
    if (left === 2) expect(memory.cloudflare).toBe(memory.active[1].value)
  })

  test('a write with no clear answer, and the write-back failing too: both secrets stay, both accepted', async () => {
    const memory = new Memory()
    memory.failure = { at: 5, held: 'unknown' }
    const steps = memory.steps()
    let writes = 0
    const write = steps.writeToCloudflare!
    steps.writeToCloudflare = async value => {
      if (++writes === 2) throw new SecretWriteError('PUT failed again', 'unknown')
      return write(value)
    }
    await expect(rotateClientSecret(REQUESTED, steps)).rejects.toThrow(
      /and so did writing back .* accepts both, so Cloudflare's secret works whichever it holds/
    )
    expect(memory.active).toHaveLength(2)
    expect(memory.accepts(memory.cloudflare)).toBe(true)
  })
})

describe('two secrets (a rotation that stopped)', () => {
  test.each<['oldest' | 'newest', 'older' | 'newer']>([
    ['oldest', 'older'],
    ['oldest', 'newer'],
    ['newest', 'older'],
    ['newest', 'newer']
  ])(
    'describe shows the %s, Cloudflare holds the %s: the older is deleted, the newer written; no third secret',
    async (described, held) => {
      const memory = new Memory(2)
      memory.described = described
      const [older, newer] = memory.active
      memory.cloudflare = (held === 'older' ? older : newer).value
      const log: string[] = []
      const result = await rotateClientSecret(REQUESTED, memory.steps(log))
      expect(memory.calls).toEqual(['list', 'delete', 'describe', 'check', 'write', 'check'])
      expect(memory.active).toEqual([newer])
      expect(memory.cloudflare).toBe(newer.value)
      expect(memory.maxActive).toBe(2)
      expect(memory.writes.every(write => write.accepted)).toBe(true)
      expect(result.outage).toEqual({ ms: expect.any(Number), certain: false })
      expect(log.join('\n')).toMatch(/logins failed for at most \d+ ms, from the delete to this write/)
    }
  )

  test('the secret left is rejected (a stale describe): repaired at once with a new secret, and the window reported', async () => {
    const memory = new Memory(2)
    const steps = memory.steps()
    steps.describeSecret = async () => 'a-stale-value'
    const log: string[] = []
    const result = await rotateClientSecret(REQUESTED, { ...steps, log: line => log.push(line), done: what => log.push(`✓ ${what}`) })
    expect(memory.active).toHaveLength(1)
    expect(memory.cloudflare).toBe(memory.active[0].value)
    expect(result.outage).toEqual({ ms: expect.any(Number), certain: true })
    expect(
      log.some(line => /^✓ repaired: Cloudflare held a secret Cognito rejects for \d+ ms, until it got client secret client1--/.test(line))
    ).toBe(true)
  })
})

describe('after a risky step, the secret Cloudflare holds is checked', () => {
  test('rejected after the delete: repaired at once (add, write, check), then the others deleted', async () => {
    const memory = new Memory()
    const steps = memory.steps()
    let checks = 0
    const check = steps.checkSecret
    steps.checkSecret = async (value, fresh) =>
      ++checks === 2 ? { check: 'x', status: 'fail', detail: 'invalid_client' } : check(value, fresh)
    const log: string[] = []
    const result = await rotateClientSecret(REQUESTED, { ...steps, done: what => log.push(what) })
    expect(memory.calls).toEqual([
      'list',
      'describe',
      'add',
      'check',
      'write',
      'verify',
      'delete',
      'add',
      'check',
      'write',
      'check',
      'delete',
      'check'
    ])
    expect(memory.active).toHaveLength(1)
    expect(memory.cloudflare).toBe(memory.active[0].value)
    expect(memory.maxActive).toBe(2)
    expect(result.outage?.certain).toBe(true)
    expect(log).toContainEqual(expect.stringMatching(/^repaired: Cloudflare held a secret Cognito rejects for \d+ ms/))
  })

  test('a second rejection after the repair stops the run, saying logins may fail', async () => {
    const memory = new Memory()
    const steps = memory.steps()
    let checks = 0
    const check = steps.checkSecret
    steps.checkSecret = async (value, fresh) =>
      ++checks === 2 || checks === 5 ? { check: 'x', status: 'fail', detail: 'invalid_client' } : check(value, fresh)
    await expect(rotateClientSecret(REQUESTED, steps)).rejects.toThrow(RotationError)
  })
})

describe('every single failure, then a clean re-run', () => {
  // One rotation makes 8 calls; a failed write has three ways to leave Cloudflare.
  const cases: Array<[number, HeldAfterFailure | undefined, 'oldest' | 'newest']> = []
  for (const described of ['oldest', 'newest'] as const) {
    for (let at = 1; at <= 8; at++) {
      for (const held of [undefined, 'previous', 'unknown', 'new'] as const) cases.push([at, held, described])
    }
  }

  test.each(cases)('failure at call %i (write: %s), describe shows the %s', async (at, held, described) => {
    const memory = new Memory()
    memory.described = described
    memory.failure = { at, held }
    await rotateClientSecret(REQUESTED, memory.steps()).catch(() => undefined)
    expect(memory.accepts(memory.cloudflare)).toBe(true)
    expect(memory.active.length).toBeLessThanOrEqual(2)

    memory.failure = undefined
    await rotateClientSecret(REQUESTED, memory.steps())
    expect(memory.active).toHaveLength(1)
    expect(memory.cloudflare).toBe(memory.active[0].value)
    expect(memory.maxActive).toBeLessThanOrEqual(2)
    expect(memory.writes.filter(write => !write.accepted)).toEqual([])
  })
})
