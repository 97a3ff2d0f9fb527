// The one way the action writes to the runner's log. Text from inputs, services and documents
// (names, ids, URLs, check details, error messages) is hostile: a line break followed by `::` or
// a `##[` anywhere would make the runner execute a workflow command, such as `::stop-commands::`,
// after which it shows the next `::add-mask::<secret>` line as plain text. So every message is
// redacted, made one line, stripped of control and bidi characters, and kept from starting (or,
// in the runner's older syntax, containing) a command. No call site can forget: nothing else in
// src/ calls core's logging functions.
import * as core from '@actions/core'
import { redact } from './secrets.js'

/** Line terminators the runner, or a reader's terminal, would break a line at. */
const LINE_BREAKS = /[\r\n\v\f\u0085\u2028\u2029]+/g
/** Control characters but tab (terminal escapes included), and the invisible ones that reorder or hide text. */
const INVISIBLE = /(?!\t)[\p{Cc}\p{Cf}]/gu
/** The runner's command syntax: `::name::` at the start of a line (after any whitespace) ... */
const LEADING_COMMAND = /^(\s*)::/u
/** ... and its older `##[name]`, found anywhere in a line. */
const LEGACY_COMMAND = /##\[/g

/** The text as the log may show it: redacted, one line, printable, and no workflow command. */
export function safeLogText(text: string): string {
  return redact(text)
    .replace(LINE_BREAKS, ' ')
    .replace(INVISIBLE, '\ufffd')
    .replace(LEGACY_COMMAND, '##\\[')
    .replace(LEADING_COMMAND, '$1\\::')
}

export function info(message: string): void {
  core.info(safeLogText(message))
}

/** Shown only with debug logging on. */
export function debug(message: string): void {
  core.debug(safeLogText(message))
}

export function notice(message: string): void {
  core.notice(safeLogText(message))
}

export function warning(message: string): void {
  core.warning(safeLogText(message))
}

/** An error annotation; `title` is ours (an input's name), and is made safe all the same. */
export function error(message: string, title?: string): void {
  core.error(safeLogText(message), title === undefined ? {} : { title: safeLogText(title) })
}

/** Fails the step with one error line. */
export function setFailed(message: string): void {
  core.setFailed(safeLogText(message))
}

/**
 * The lines `work` logs, folded under one heading in the runner's log (observe, plan, apply,
 * verification), so that a run can be scanned. Groups do not nest: the runner has one level.
 */
export async function group<T>(title: string, work: () => Promise<T>): Promise<T> {
  return core.group(safeLogText(title), work)
}

/** A logger for libraries (Octokit) that would otherwise print a service's text to the console. */
export const libraryLog = {
  debug,
  info: debug,
  warn: warning,
  error: warning
}
