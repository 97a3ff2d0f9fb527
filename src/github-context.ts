// The workflow run's context, read from the runner's environment and event file the way
// @actions/github's `context` reads it. Importing that package loads Octokit and its plugins,
// which only a plan comment needs (report/comment.ts loads them then); every run needs this.
import { existsSync, readFileSync } from 'node:fs'
import * as log from './log.js'

export interface GitHubContext {
  eventName: string
  /** The event's webhook payload; `{}` when there is no event file. */
  payload: Record<string, unknown>
  sha: string
  /** GITHUB_REF: `refs/heads/main` on a push. */
  ref: string
  actor: string
  runId: number
  serverUrl: string
}

function readPayload(path: string | undefined): Record<string, unknown> {
  if (!path) return {}
  if (!existsSync(path)) {
    log.warning(`GITHUB_EVENT_PATH ${path} does not exist.`)
    return {}
  }
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
}

function readContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload: readPayload(env.GITHUB_EVENT_PATH),
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    runId: Number.parseInt(env.GITHUB_RUN_ID ?? '', 10),
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com'
  }
}

/** The context of this run, read once when the action starts (as @actions/github does). */
export const context: GitHubContext = readContext()
