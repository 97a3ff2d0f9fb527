// The plan's fingerprint, and a compact summary of the plan that the pull-request comment carries
// in its hidden marker data, so that the apply after the merge can tell whether it is applying what
// was reviewed, and if not, show what differs. Pure.
//
// The fingerprint is a SHA-256 over each resource (kind, title, id), its action, and each field
// change with its before and after. A secret counts only as "changes" (a change of a sensitive
// field) or "does not change" (no such change): no value of a sensitive field enters the hash or
// the summary, and every other text is redacted before it does.
import { createHash } from 'node:crypto'
import type { Action, FieldChange, ResourcePlan } from './model.js'
import { SENSITIVE, redact } from './secrets.js'

/** What the fingerprint reads of a plan: its resources, and nothing else. */
export type PlannedResource = Pick<ResourcePlan, 'kind' | 'title' | 'id' | 'action' | 'changes'>

export const SUMMARY_VERSION = 1

/** One field change as the summary carries it: a digest of the change, and words for people. */
export interface SummaryChange {
  field: string
  /** The first 16 hex digits of the change's SHA-256: tells two changes apart whatever the words show. */
  digest: string
  /** A sensitive field: only that it changes, never a value. */
  secret?: true
  /** The change in words, e.g. `"a" → "b"`, `adds "x"; removes "y"`, `set to true` (absent when cut for size). */
  text?: string
}

export interface SummaryResource {
  kind: string
  title: string
  id?: string
  action: Action
  changes: SummaryChange[]
}

/** The plan as the comment carries it: bounded, redacted, secret-free. */
export interface PlanSummary {
  version: typeof SUMMARY_VERSION
  /** 64 hex digits. */
  fingerprint: string
  /** The commit that was planned (a pull request's head). */
  sha?: string
  resources: SummaryResource[]
  /** How many changes were left out to keep the summary small (their digests still count in the fingerprint). */
  omitted?: number
}

/** Field names whose values are secrets, whatever the plan shows for them. */
const SECRET_FIELD = /(^|\.)(client_?secret|secret)$/i
const ACTIONS: readonly Action[] = ['create', 'update', 'no-change']

export function isSecretChange(change: FieldChange): boolean {
  return SECRET_FIELD.test(change.field) || change.before === SENSITIVE || change.after === SENSITIVE
}

/**
 * A value as the fingerprint reads it: strings redacted, lists as sets (sorted: the services may
 * return them in another order, and the plan compares them as sets), objects with sorted keys.
 */
function canonicalValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map(canonicalValue).sort((a, b) => compareText(JSON.stringify(a) ?? '', JSON.stringify(b) ?? ''))
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined)
    return Object.fromEntries(entries.sort(([a], [b]) => compareText(a, b)).map(([key, item]) => [key, canonicalValue(item)]))
  }
  return value ?? null
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function canonicalChange(change: FieldChange): unknown {
  if (isSecretChange(change)) return { field: change.field, secret: 'changes' }
  const canonical: Record<string, unknown> = { field: change.field }
  if (change.before !== undefined) canonical.before = canonicalValue(change.before)
  if (change.after !== undefined) canonical.after = canonicalValue(change.after)
  return canonical
}

function canonicalResource(resource: PlannedResource): unknown {
  const changes = [...resource.changes].sort((a, b) => compareText(a.field, b.field)).map(canonicalChange)
  return {
    kind: resource.kind,
    title: redact(resource.title),
    id: resource.id === undefined ? null : redact(resource.id),
    action: resource.action,
    changes
  }
}

/** In a stable order, whatever order the plan lists them in. */
function sortedResources(resources: PlannedResource[]): PlannedResource[] {
  return [...resources].sort((a, b) => compareText(a.kind, b.kind) || compareText(a.title, b.title))
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The plan's fingerprint: 64 hex digits, the same for the same plan in any run. */
export function planFingerprint(resources: PlannedResource[]): string {
  return sha256(JSON.stringify({ version: SUMMARY_VERSION, resources: sortedResources(resources).map(canonicalResource) }))
}

function changeDigest(change: FieldChange): string {
  return sha256(JSON.stringify(canonicalChange(change))).slice(0, 16)
}

/** Longest field name, title, id and change text the summary keeps. */
export const MAX_FIELD_CHARS = 120
export const MAX_TITLE_CHARS = 200
export const MAX_TEXT_CHARS = 200
export const MAX_RESOURCES = 16
export const MAX_CHANGES = 200

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** One value in words: JSON, so that a string reads apart from a number or `true`. */
function valueText(value: unknown): string {
  if (value === undefined) return '—'
  if (Array.isArray(value)) return value.length === 0 ? 'empty' : value.map(item => JSON.stringify(item) ?? String(item)).join(', ')
  return JSON.stringify(value) ?? String(value)
}

/** A change in words. Lists say what they gain and lose, which is short and what a reviewer checks. */
export function changeText(change: FieldChange): string {
  if (isSecretChange(change)) return 'changes (sensitive)'
  const { before, after } = change
  if (Array.isArray(before) && Array.isArray(after)) {
    const [beforeKeys, afterKeys] = [before, after].map(list => new Set(list.map(item => JSON.stringify(item))))
    const added = after.filter(item => !beforeKeys.has(JSON.stringify(item)))
    const removed = before.filter(item => !afterKeys.has(JSON.stringify(item)))
    const parts = [added.length > 0 ? `adds ${valueText(added)}` : '', removed.length > 0 ? `removes ${valueText(removed)}` : ''].filter(
      Boolean
    )
    return parts.length > 0 ? parts.join('; ') : 'reorders'
  }
  if (before === undefined) return `set to ${valueText(after)}`
  return `${valueText(before)} → ${valueText(after)}`
}

/**
 * The summary of a plan. Each change keeps its digest and, when `textChars` allows, its words
 * (redacted, then cut); past `maxChanges` in all, changes are left out and counted.
 */
export function summarizePlan(
  resources: PlannedResource[],
  sha?: string,
  options: { textChars?: number; maxChanges?: number } = {}
): PlanSummary {
  const textChars = options.textChars ?? MAX_TEXT_CHARS
  let budget = options.maxChanges ?? MAX_CHANGES
  let omitted = 0
  const summarized = sortedResources(resources)
    .slice(0, MAX_RESOURCES)
    .map(resource => {
      const changes = [...resource.changes].sort((a, b) => compareText(a.field, b.field))
      const kept = changes.slice(0, Math.max(budget, 0))
      budget -= kept.length
      omitted += changes.length - kept.length
      return {
        kind: cut(resource.kind, MAX_FIELD_CHARS),
        title: cut(redact(resource.title), MAX_TITLE_CHARS),
        ...(resource.id === undefined ? {} : { id: cut(redact(resource.id), MAX_TITLE_CHARS) }),
        action: resource.action,
        changes: kept.map(change => summarizeChange(change, textChars))
      }
    })
  return {
    version: SUMMARY_VERSION,
    fingerprint: planFingerprint(resources),
    ...(sha && /^[0-9a-f]{40}$/.test(sha) ? { sha } : {}),
    resources: summarized,
    ...(omitted > 0 ? { omitted } : {})
  }
}

function summarizeChange(change: FieldChange, textChars: number): SummaryChange {
  const summary: SummaryChange = { field: cut(redact(change.field), MAX_FIELD_CHARS), digest: changeDigest(change) }
  if (isSecretChange(change)) summary.secret = true
  // Redacted before it is cut, so that a cut cannot leave a piece of a secret redaction misses.
  if (textChars > 0) summary.text = cut(redact(changeText(change)), textChars)
  return summary
}

// ---- the hidden marker data -------------------------------------------------------------------

const DATA_PREFIX = '<!-- cognito-cloudflare-access:plan-data:'
const DATA_SUFFIX = ' -->'
/** The most base64 a comment carries (and that is read back): about 12 KB of JSON. */
export const MAX_DATA_CHARS = 16_000

function encode(summary: PlanSummary): string {
  return Buffer.from(JSON.stringify(summary), 'utf8').toString('base64')
}

/**
 * The summary as one hidden HTML comment line, within MAX_DATA_CHARS: with words, then shorter
 * words, then none, then fewer changes. Base64 cannot hold `--` or `>`, so it cannot end the comment.
 */
export function planDataLine(resources: PlannedResource[], sha?: string): string {
  const attempts = [{}, { textChars: 60 }, { textChars: 0 }, { textChars: 0, maxChanges: 40 }, { textChars: 0, maxChanges: 0 }]
  let encoded = ''
  for (const options of attempts) {
    encoded = encode(summarizePlan(resources, sha, options))
    if (encoded.length <= MAX_DATA_CHARS) break
  }
  return `${DATA_PREFIX}${encoded}${DATA_SUFFIX}`
}

export type ReadSummary = { summary: PlanSummary } | { problem: string }

/**
 * The summary a comment's body carries on the line after `marker`. The body is hostile (anyone
 * with access to the repository may have edited it): only a capped prefix is read, and what it
 * decodes to must match the summary's schema exactly in types and bounds.
 */
export function readPlanData(body: string, marker: string): ReadSummary {
  const head = body.trimStart().slice(0, marker.length + 2 + DATA_PREFIX.length + MAX_DATA_CHARS + DATA_SUFFIX.length)
  if (!head.startsWith(marker)) return { problem: 'it does not start with the plan marker' }
  const rest = head.slice(marker.length).replace(/^\r?\n/, '')
  if (!rest.startsWith(DATA_PREFIX)) return { problem: 'it carries no plan data (a failed plan, or a comment of an older version)' }
  const end = rest.indexOf(DATA_SUFFIX, DATA_PREFIX.length)
  if (end < 0 || end - DATA_PREFIX.length > MAX_DATA_CHARS)
    return { problem: `its plan data is longer than ${MAX_DATA_CHARS} characters, or not closed` }
  const encoded = rest.slice(DATA_PREFIX.length, end)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return { problem: 'its plan data is not base64' }
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))
  } catch {
    return { problem: 'its plan data is not JSON' }
  }
  const problem = summaryProblem(value)
  return problem ? { problem: `its plan data is malformed (${problem})` } : { summary: value as PlanSummary }
}

type Check = (value: unknown) => boolean

const isString =
  (max: number): Check =>
  value =>
    typeof value === 'string' && value.length <= max
const isHex =
  (length: number): Check =>
  value =>
    typeof value === 'string' && new RegExp(`^[0-9a-f]{${length}}$`).test(value)
const optional =
  (check: Check): Check =>
  value =>
    value === undefined || check(value)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The first field that breaks the schema, named; undefined when `value` is a summary. */
function fieldProblem(value: unknown, schema: Record<string, Check>, where: string): string | undefined {
  if (!isRecord(value)) return `${where} is not an object`
  for (const [name, check] of Object.entries(schema)) if (!check(value[name])) return `${where}.${name}`
  return undefined
}

const CHANGE_SCHEMA: Record<string, Check> = {
  field: isString(MAX_FIELD_CHARS),
  digest: isHex(16),
  secret: optional(value => value === true),
  text: optional(isString(MAX_TEXT_CHARS))
}

const RESOURCE_SCHEMA: Record<string, Check> = {
  kind: isString(MAX_FIELD_CHARS),
  title: isString(MAX_TITLE_CHARS),
  id: optional(isString(MAX_TITLE_CHARS)),
  action: value => ACTIONS.includes(value as Action),
  changes: value => Array.isArray(value) && value.length <= MAX_CHANGES
}

const SUMMARY_SCHEMA: Record<string, Check> = {
  version: value => value === SUMMARY_VERSION,
  fingerprint: isHex(64),
  sha: optional(isHex(40)),
  resources: value => Array.isArray(value) && value.length <= MAX_RESOURCES,
  omitted: optional(value => Number.isSafeInteger(value) && (value as number) > 0)
}

export function summaryProblem(value: unknown): string | undefined {
  const problem = fieldProblem(value, SUMMARY_SCHEMA, 'summary')
  if (problem) return problem
  const resources = (value as { resources: unknown[] }).resources
  let changes = 0
  for (const [i, resource] of resources.entries()) {
    const resourceProblem = fieldProblem(resource, RESOURCE_SCHEMA, `resources[${i}]`)
    if (resourceProblem) return resourceProblem
    const list = (resource as { changes: unknown[] }).changes
    changes += list.length
    if (changes > MAX_CHANGES) return `more than ${MAX_CHANGES} changes`
    for (const [j, change] of list.entries()) {
      const changeProblem = fieldProblem(change, CHANGE_SCHEMA, `resources[${i}].changes[${j}]`)
      if (changeProblem) return changeProblem
    }
  }
  return undefined
}
