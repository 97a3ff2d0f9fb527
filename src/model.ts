// The vocabulary every layer shares: what a plan says about a resource, and what a verification
// check found. The bottom layer: it imports nothing of ours, so resource modules, the plan and the
// report can all depend on it without a circle.

/** What a plan does with a resource. */
export type Action = 'create' | 'update' | 'no-change'

/** The resources the action manages, in the order apply makes them. */
export type ResourceKind =
  'cognito-domain' | 'cognito-app-client' | 'managed-login-branding' | 'cognito-client-secret' | 'cloudflare-identity-provider'

/** One field of a resource as it is (`before`) and as the plan makes it (`after`). */
export interface FieldChange {
  field: string
  /** Absent for a field that is new. */
  before?: unknown
  after?: unknown
}

/** What a plan says about one resource, for people and for the fingerprint; each kind's entry adds what apply sends. */
export interface ResourcePlan {
  kind: ResourceKind
  /** What it is, for people: "Cognito app client “Cloudflare Access”". */
  title: string
  /** The resource's id, when it exists. */
  id?: string
  action: Action
  changes: FieldChange[]
  /** What a reviewer should know about this resource's plan (why the secret is or is not written, what is kept). */
  notes?: string[]
}

/** A value the plan cannot know before apply (the id of a client apply creates). */
export const KNOWN_AFTER_APPLY = '(known after apply)'

export type CheckStatus = 'pass' | 'fail' | 'skip'

/** One verification check (see verify.ts). A failure also says what was expected, what was found, and the fix. */
export interface CheckResult {
  check: string
  status: CheckStatus
  /** One sentence for people; for a failure, "expected …; found …. Fix: …". */
  detail: string
  expected?: string
  found?: string
  fix?: string
}

/** What a failed check says: what it expected, what it found, and how to fix it. */
export interface Failure {
  expected: string
  found: string
  fix: string
}

export const pass = (check: string, detail: string): CheckResult => ({ check, status: 'pass', detail })
export const skip = (check: string, detail: string): CheckResult => ({ check, status: 'skip', detail })
export function fail(check: string, failure: Failure): CheckResult {
  const detail = `expected ${failure.expected}; found ${failure.found}. Fix: ${failure.fix}`
  return { check, status: 'fail', detail, ...failure }
}
