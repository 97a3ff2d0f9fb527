// Renders a plan (and, after apply, what was done) as Markdown in the style people know from
// Terraform pull-request bots: a verdict line, a table of resources, collapsible per-field
// details, the verification checks, and a footer naming the commit. Every value that comes from a
// user or a service is escaped, so it cannot break a table or inject Markdown or HTML. The same
// text goes to the job summary and the pull-request comment; `compact` shortens long lists so a
// big plan still fits a comment.
import { KNOWN_AFTER_APPLY, type Action, type CheckResult, type FieldChange, type ResourceKind, type ResourcePlan } from '../model.js'
import { countActions, entriesOf, hasChanges, type Plan } from '../plan.js'
import { SENSITIVE } from '../secrets.js'
import type { CloudflareScope, Mode } from '../settings.js'

/** What apply got done before it failed. */
export interface ReportProgress {
  /** What was written, in order, as apply logged it. */
  written: string[]
  /** The resources apply finished. */
  finished: ResourceKind[]
  /** The ids of what exists, as far as apply got. */
  ids: Partial<Record<ResourceKind, string>>
  /** A verification check stopped apply: the user fixes something before re-running. */
  fixFirst: boolean
}

export interface ReportContext {
  /** Which action instance this is; a matrix has several on one pull request. */
  instance: { scope: CloudflareScope; idpName: string }
  userPoolId: string
  mode: Mode
  /** The commit planned or applied. */
  sha: string
  commitUrl?: string
  runUrl?: string
  modeReason: string
  /** Apply mode, after success: what was written and the ids of what exists now. */
  applied?: { written: string[]; ids: Partial<Record<ResourceKind, string>> }
  /** The run failed: its (redacted) message, and in apply mode what was done before. */
  failure?: { message: string; progress?: ReportProgress }
  /** Hide the unchanged items of long lists, so that a big plan fits a comment. */
  compact?: boolean
  /** What the compact report must fit: a comment (default), or a job summary. */
  compactFor?: 'comment' | 'summary'
  /** The verification checks that ran (none: not run). */
  checks?: readonly CheckResult[]
  /** Sections other checks add after the verdict (the reviewed-plan check), already escaped. */
  sections?: string[]
}

const SYMBOL: Record<Action, string> = { create: '➕', update: '✏️', 'no-change': '✅' }
const PLANNED: Record<Action, string> = { create: 'create', update: 'update', 'no-change': 'no change' }
const DONE: Record<Action, string> = { create: 'created', update: 'updated', 'no-change': 'no change' }
const CHECK_SYMBOL: Record<CheckResult['status'], string> = { pass: '✅', fail: '❌', skip: '⏭️' }
const SCOPE_NAME: Record<CloudflareScope['kind'], string> = { accounts: 'account', zones: 'zone' }
/** In compact mode, lists longer than this show only this many of their changed items. */
const COMPACT_LIST_ITEMS = 10

// What could break out of a table cell or inject something: HTML, the cell separator, code spans,
// emphasis, links and images, mentions and issue references, math, and the backslash that would
// escape our escapes. `_` is emphasis only at a word's edge; inside a word (pool ids) it is kept.
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '|': '&#124;',
  '`': '&#96;',
  '\\': '&#92;',
  '*': '&#42;',
  _: '&#95;',
  '~': '&#126;',
  '[': '&#91;',
  ']': '&#93;',
  '@': '&#64;',
  '#': '&#35;',
  $: '&#36;'
}
const SPECIAL = /[&<>|`\\*~[\]@#$]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu
// Control characters, and the bidirectional overrides that can make text read other than it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g

/** Text safe inside a table cell or a line: one line, every character that could inject Markdown or HTML an entity. */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(INVISIBLE, '\ufffd')
    .replace(SPECIAL, char => ENTITIES[char])
}

/** One value as inline code; our own placeholders (sensitive, known after apply) in italics. */
function formatItem(value: unknown): string {
  if (value === SENSITIVE || value === KNOWN_AFTER_APPLY) return `<i>${value}</i>`
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return `<code>${escapeMarkdown(text)}</code>`
}

/** A value from a plan: lists comma-separated, an empty list as “empty”, absent as an em dash. */
function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '—'
  return Array.isArray(value) ? formatList(value, { compact: false }) : formatItem(value)
}

/**
 * A list, with the items not in `other` (when given) marked by `tag`: <del> in the before column,
 * <ins> in the after column. Compact, a long list shows only its first few changed items and
 * counts the rest, so that a list of any length takes a bounded part of a comment.
 */
function formatList(list: unknown[], options: { other?: unknown[]; tag?: 'del' | 'ins'; compact: boolean }): string {
  if (list.length === 0) return '<i>empty</i>'
  const { other, tag, compact } = options
  const kept = new Set(other?.map(item => JSON.stringify(item)))
  const isChanged = (item: unknown) => other !== undefined && !kept.has(JSON.stringify(item))
  const mark = (item: unknown) => (isChanged(item) && tag ? `<${tag}>${formatItem(item)}</${tag}>` : formatItem(item))
  if (!compact || list.length <= COMPACT_LIST_ITEMS) return list.map(mark).join(', ')
  const changed = other === undefined ? list : list.filter(isChanged)
  const shown = changed.slice(0, COMPACT_LIST_ITEMS)
  const more = changed.length - shown.length
  const unchanged = list.length - changed.length
  const counts = [more > 0 ? `<i>and ${more} more</i>` : '', unchanged > 0 ? `<i>${unchanged} unchanged</i>` : ''].filter(Boolean)
  return [...shown.map(mark), ...counts].join(', ')
}

function changeRow(change: FieldChange, compact: boolean): string {
  const { before, after } = change
  let cells: string[]
  if (Array.isArray(before) && Array.isArray(after)) {
    cells = [formatList(before, { other: after, tag: 'del', compact }), formatList(after, { other: before, tag: 'ins', compact })]
  } else {
    cells = [before, after].map(value => (Array.isArray(value) ? formatList(value, { compact }) : formatValue(value)))
  }
  return `| ${escapeMarkdown(change.field)} | ${cells.join(' | ')} |`
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** "2 to change, 1 to create" (plan) or "2 changed, 1 created" (after apply). */
function countsText(plan: Plan, applied: boolean): string {
  const counts = countActions(plan)
  const parts: Array<[number, string, string]> = [
    [counts.update, 'to change', 'changed'],
    [counts.create, 'to create', 'created']
  ]
  return parts
    .filter(([count]) => count > 0)
    .map(([count, planned, done]) => `${count} ${applied ? done : planned}`)
    .join(', ')
}

/**
 * The run in one line, the last of its log, like Terraform's: what the plan or the apply came to,
 * and the verification checks counted.
 */
export function verdictLine(plan: Plan, mode: Mode, checks: readonly CheckResult[], failed: boolean): string {
  const counted = (['pass', 'fail', 'skip'] as const)
    .map(
      status =>
        [checks.filter(check => check.status === status).length, { pass: 'passed', fail: 'failed', skip: 'skipped' }[status]] as const
    )
    .filter(([count]) => count > 0)
    .map(([count, word]) => `${count} ${word}`)
  const verification = counted.length > 0 ? ` Verification: ${counted.join(', ')}.` : ''
  if (failed) return `${mode === 'plan' ? 'Plan' : 'Apply'} failed (see the error above and the job summary).${verification}`
  return `${verdict(plan, mode === 'apply')}${verification}`
}

function verdict(plan: Plan, applied: boolean): string {
  if (!hasChanges(plan)) return 'No changes. Cognito and Cloudflare Access match the configuration.'
  return applied ? `Applied: ${countsText(plan, true)}.` : `Plan: ${countsText(plan, false)}.`
}

/** The resource's action as the table shows it: planned, done, or not done (after a failure). */
function actionCell(resource: ResourcePlan, context: ReportContext): string {
  const progress = context.failure?.progress
  if (progress && resource.action !== 'no-change') {
    return progress.finished.includes(resource.kind) ? DONE[resource.action] : `not done (${PLANNED[resource.action]})`
  }
  return context.applied ? DONE[resource.action] : PLANNED[resource.action]
}

function resourceTable(plan: Plan, context: ReportContext): string[] {
  const ids = context.applied?.ids ?? context.failure?.progress?.ids ?? {}
  const header = context.applied || context.failure?.progress ? 'Result' : context.failure ? 'Planned' : 'Action'
  return [
    `| | Resource | ${header} | Id |`,
    '| --- | --- | --- | --- |',
    ...entriesOf(plan).map(
      resource =>
        `| ${SYMBOL[resource.action]} | ${escapeMarkdown(resource.title)} | ${actionCell(resource, context)} | ${formatValue(ids[resource.kind] ?? resource.id)} |`
    ),
    ''
  ]
}

function changeDetails(resource: ResourcePlan, context: ReportContext): string[] {
  if (resource.changes.length === 0) return []
  const verb = context.applied ? DONE[resource.action] : PLANNED[resource.action]
  // Drift of an existing resource is what a reviewer must see: open. A creation lists every field: closed.
  const open = resource.action === 'update' ? ' open' : ''
  return [
    `<details${open}>`,
    `<summary>${SYMBOL[resource.action]} ${escapeMarkdown(resource.title)}: ${verb}, ${plural(resource.changes.length, 'field')}</summary>`,
    '',
    '| Field | Before | After |',
    '| --- | --- | --- |',
    ...resource.changes.map(change => changeRow(change, context.compact ?? false)),
    '',
    '</details>',
    ''
  ]
}

function checkTable(checks: readonly CheckResult[], mode: Mode): string[] {
  if (checks.length === 0) {
    const why = mode === 'apply' ? 'Not run (`verify: false`, or apply stopped before them).' : 'Not run (`verify: false`).'
    return ['#### Verification', '', why, '']
  }
  return [
    '#### Verification',
    '',
    '| | Check | Result |',
    '| --- | --- | --- |',
    ...checks.map(check => `| ${CHECK_SYMBOL[check.status]} | ${escapeMarkdown(check.check)} | ${escapeMarkdown(check.detail)} |`),
    ''
  ]
}

function heading(context: ReportContext): string {
  const what = context.mode === 'plan' ? (context.failure ? 'plan failed' : 'plan') : context.failure ? 'apply failed' : 'applied'
  const symbol = context.failure ? '❌' : context.mode === 'plan' ? '📋' : '🚀'
  const name = escapeMarkdown(context.instance.idpName)
  return `### ${symbol} Cognito → Cloudflare Access ${what}: “${name}”`
}

/** Where this instance lives, so a matrix's reports can be told apart. */
function scopeLine(context: ReportContext, plan?: Plan): string {
  const { kind, id } = context.instance.scope
  const parts = [`Cloudflare ${SCOPE_NAME[kind]} ${formatValue(id)}`, `user pool ${formatValue(context.userPoolId)}`]
  if (plan) parts.push(`callback ${formatValue(plan.endpoints.callbackUrl)}`)
  return parts.join(' · ')
}

/** The bold verdict, and what failed, before anything else. */
function verdictLines(plan: Plan, context: ReportContext): string[] {
  if (context.failure) {
    const progress = context.failure.progress
    const next = progress?.fixFirst
      ? 'Fix what the check reports, then re-run; nothing is created twice.'
      : 'Re-running the workflow finishes the job; nothing is created twice.'
    const rerun = progress ? [next, ''] : []
    return [`**❌ ${context.mode === 'plan' ? 'Plan' : 'Apply'} failed.** ${escapeMarkdown(context.failure.message)}`, '', ...rerun]
  }
  const lines = [`**${verdict(plan, context.applied !== undefined)}**`, '']
  const failed = (context.checks ?? []).filter(check => check.status === 'fail').length
  if (failed > 0 && context.mode === 'plan') {
    lines.push(
      `❌ ${plural(failed, 'verification check')} failed, so apply would stop before writing to Cloudflare; see Verification below.`,
      ''
    )
  }
  return lines
}

/** Risks the plan found and left alone (another team's callback, say), as GitHub alerts. */
function warningLines(plan: Plan): string[] {
  return plan.warnings.flatMap(warning => ['> [!WARNING]', `> ${escapeMarkdown(warning)}`, ''])
}

/** What a reviewer should know about each resource's plan: why the secret is or is not written, what an update keeps. */
function notesSection(plan: Plan): string[] {
  const notes = entriesOf(plan).flatMap(resource =>
    (resource.notes ?? []).map(note => `- ${escapeMarkdown(resource.title)}: ${escapeMarkdown(note)}`)
  )
  return notes.length > 0 ? ['#### Notes', '', ...notes, ''] : []
}

function doneSection(context: ReportContext): string[] {
  const written = context.applied?.written ?? context.failure?.progress?.written ?? []
  if (written.length === 0) return []
  const title = context.failure ? '#### Done before the failure' : '#### Done'
  return [title, '', ...written.map(line => `- ${escapeMarkdown(line)}`), '']
}

function compactNote(context: ReportContext): string[] {
  if (!context.compact) return []
  if (context.compactFor === 'summary') {
    return [
      '> [!NOTE]',
      '> Long lists show only their first changes, so that this summary fits (GitHub drops summaries over 1 MiB). The whole plan is in the `plan` output.',
      ''
    ]
  }
  const where = context.runUrl ? `the [job summary](${safeUrl(context.runUrl)})` : 'the job summary'
  return [
    '> [!NOTE]',
    `> Long lists show only their first changes, so that this comment fits. The whole plan is in ${where} and in the \`plan\` output.`,
    ''
  ]
}

/** A URL from the runner's context for a Markdown link target: no space or parenthesis can end it early. */
export function safeUrl(url: string): string {
  return encodeURI(url).replace(/\(/g, '%28').replace(/\)/g, '%29')
}

function footer(context: ReportContext): string[] {
  const verb = context.mode === 'plan' ? 'Planned' : 'Applied'
  const sha = /^[0-9a-f]{7,64}$/i.test(context.sha) ? context.sha.slice(0, 12) : ''
  const commit = sha
    ? context.commitUrl
      ? `[<code>${sha}</code>](${safeUrl(context.commitUrl)})`
      : `<code>${sha}</code>`
    : 'an unknown commit'
  const run = context.runUrl ? ` by [this run](${safeUrl(context.runUrl)})` : ''
  return ['---', `<sub>${verb} for commit ${commit}${run} · ${escapeMarkdown(context.modeReason)}</sub>`]
}

export function renderReport(plan: Plan, context: ReportContext): string {
  const lines = [
    heading(context),
    '',
    ...verdictLines(plan, context),
    ...warningLines(plan),
    ...(context.sections ?? []),
    scopeLine(context, plan),
    '',
    ...resourceTable(plan, context),
    ...compactNote(context),
    ...entriesOf(plan).flatMap(resource => changeDetails(resource, context)),
    ...notesSection(plan),
    ...doneSection(context),
    ...checkTable(context.checks ?? [], context.mode),
    ...footer(context)
  ]
  return lines.join('\n') + '\n'
}

/** A run that failed before there was a plan (bad answer from a service, an ambiguous name, ...). */
export function renderFailure(context: ReportContext & { failure: { message: string } }): string {
  const lines = [
    heading(context),
    '',
    `**❌ No plan could be made, and nothing was written.** ${escapeMarkdown(context.failure.message)}`,
    '',
    scopeLine(context),
    '',
    ...footer(context)
  ]
  return lines.join('\n') + '\n'
}
