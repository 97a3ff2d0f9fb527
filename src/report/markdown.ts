// Renders a plan (and, after apply, what was done) as Markdown in the style people know from
// Terraform pull-request bots: a verdict line, a table of resources, collapsible per-field
// details, the verification checks, and a footer naming the commit. Every value that comes from a
// user or a service is escaped, so it cannot break a table or inject Markdown or HTML.
import type { Action, CheckResult, FieldChange, Plan, ResourcePlan } from '../plan.js'
import { countActions, hasChanges } from '../plan.js'

export interface ReportContext {
  /** Which instance this is: the Cloudflare scope and identity provider name. */
  instance: string
  userPoolId: string
  /** The commit planned or applied. */
  sha: string
  runUrl?: string
  modeReason: string
  /** Set after apply: what was written. */
  written?: string[]
  /** Set after apply: the ids of what exists now. */
  ids?: Partial<Record<ResourcePlan['kind'], string>>
  /** Set when the run failed. */
  error?: string
}

const SYMBOL: Record<Action, string> = { create: '➕', update: '✏️', 'no-change': '✅' }
const ACTION_TEXT: Record<Action, string> = { create: 'create', update: 'update', 'no-change': 'no change' }
const CHECK_SYMBOL: Record<CheckResult['status'], string> = { pass: '✅', fail: '❌', skip: '⏭️' }

// What could break out of a table cell or inject something: HTML, the cell separator, code spans,
// emphasis, links and images, mentions, math, and the backslash that would escape our escapes.
const ENTITIES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '|': '&#124;', '`': '&#96;', '\\': '&#92;', '*': '&#42;',
  '~': '&#126;', '[': '&#91;', ']': '&#93;', '@': '&#64;', '$': '&#36;'
}

/** Text safe inside a table cell or a line: every character that could inject Markdown or HTML is an entity. */
export function escapeMarkdown(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').replace(/[&<>|`\\*~[\]@$]/g, char => ENTITIES[char])
}

/** A value from a plan, as inline code: lists comma-separated, absent as an em dash. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—'
  if (Array.isArray(value)) return value.length === 0 ? '<i>empty</i>' : value.map(item => formatValue(item)).join(', ')
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return `<code>${escapeMarkdown(text)}</code>`
}

export function verdict(plan: Plan, applied: boolean): string {
  if (!hasChanges(plan)) return 'No changes. Cognito and Cloudflare Access match the configuration.'
  const counts = countActions(plan)
  const parts = [
    counts.create > 0 ? `${counts.create} to create` : '',
    counts.update > 0 ? `${counts.update} to change` : ''
  ].filter(Boolean)
  const text = parts.join(', ')
  return applied ? `Applied: ${text.replace(/ to create/, ' created').replace(/ to change/, ' changed')}.` : `Plan: ${text}.`
}

function resourceTable(resources: ResourcePlan[], ids: ReportContext['ids'] = {}): string[] {
  return [
    '| | Resource | Action | Id |',
    '| --- | --- | --- | --- |',
    ...resources.map(resource =>
      `| ${SYMBOL[resource.action]} | ${escapeMarkdown(resource.title)} | ${ACTION_TEXT[resource.action]} | ${formatValue(ids[resource.kind] ?? resource.id)} |`
    )
  ]
}

function changeDetails(resource: ResourcePlan): string[] {
  if (resource.changes.length === 0) return []
  const rows = resource.changes.map(
    (change: FieldChange) => `| ${escapeMarkdown(change.field)} | ${formatValue(change.before)} | ${formatValue(change.after)} |`
  )
  return [
    '<details>',
    `<summary>${SYMBOL[resource.action]} ${escapeMarkdown(resource.title)}: ${ACTION_TEXT[resource.action]}, ${resource.changes.length} field(s)</summary>`,
    '',
    '| Field | Before | After |',
    '| --- | --- | --- |',
    ...rows,
    '',
    '</details>',
    ''
  ]
}

function checkTable(checks: CheckResult[]): string[] {
  if (checks.length === 0) return ['#### Verification', '', 'Not run (`verify: false`).', '']
  return [
    '#### Verification',
    '',
    '| | Check | Result |',
    '| --- | --- | --- |',
    ...checks.map(check => `| ${CHECK_SYMBOL[check.status]} | ${escapeMarkdown(check.check)} | ${escapeMarkdown(check.detail)} |`),
    ''
  ]
}

export function renderReport(plan: Plan, context: ReportContext): string {
  const applied = context.written !== undefined
  const heading = `### ${applied ? 'Applied' : 'Plan'}: Amazon Cognito → Cloudflare Access (${escapeMarkdown(context.instance)})`
  const lines = [
    heading,
    '',
    context.error ? `❌ **The run failed.** ${escapeMarkdown(context.error)}` : `**${verdict(plan, applied)}**`,
    '',
    `User pool ${formatValue(context.userPoolId)} · callback ${formatValue(plan.endpoints.callbackUrl)}`,
    '',
    ...resourceTable(plan.resources, context.ids),
    '',
    ...plan.resources.flatMap(changeDetails),
    ...(context.written && context.written.length > 0
      ? ['#### Done', '', ...context.written.map(line => `- ${escapeMarkdown(line)}`), '']
      : []),
    ...checkTable(plan.checks),
    '---',
    `<sub>${applied ? 'Applied' : 'Planned'} for commit ${formatValue(context.sha.slice(0, 12))}` +
      `${context.runUrl ? ` by [this run](${encodeURI(context.runUrl)})` : ''} · ${escapeMarkdown(context.modeReason)}</sub>`
  ]
  return lines.join('\n') + '\n'
}
