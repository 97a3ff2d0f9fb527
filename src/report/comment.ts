// The sticky pull-request comment: one per action instance (Cloudflare scope + identity provider
// name), found by a hidden marker and its author (the token's own identity) across every page of
// comments, updated in place, created only when missing. The comment is a courtesy: it never
// fails the run (a fork's pull request gets a read-only token), and what it sends is redacted by
// us, since the runner's masking does not cover API calls.
import { createHash } from 'node:crypto'
import { describeMalformed, ServiceError } from '../errors.js'
import { createGitHubClient, gitHubFailure, listPages, tokenIdentity, writtenBy, type GitHubClient } from '../github.js'
import { redact } from '../secrets.js'

/** GitHub rejects comments over 65,536 characters; keep below it with room to spare. */
export const COMMENT_LIMIT = 65_000

export interface CommentTarget {
  token: string
  owner: string
  repo: string
  issueNumber: number
  /** Identifies this action instance among others commenting on the same pull request. */
  instance: string
  /** Per request, headers and body together. */
  timeoutMs: number
}

export type CommentResult =
  { outcome: 'created' | 'updated' | 'unchanged'; id: number } | { outcome: 'skipped'; reason: string; status?: number }

/**
 * The hidden marker; a hash, so that no user text ends up inside the HTML comment. `purpose`
 * tells the plan comment from the drift issue of the same instance.
 */
export function commentMarker(instance: string, purpose: 'plan' | 'drift' = 'plan'): string {
  const digest = createHash('sha256').update(instance).digest('hex').slice(0, 16)
  return `<!-- cognito-cloudflare-access:${purpose}:${digest} -->`
}

/**
 * Whether a comment is this instance's. Our bodies start with the marker; a comment that only
 * quotes it somewhere (someone else's) is not ours to overwrite.
 */
export function isOurComment(body: string | undefined | null, marker: string): boolean {
  return (body ?? '').trimStart().startsWith(marker)
}

export const CUT_NOTE =
  '\n\n> [!WARNING]\n> This plan is longer than a GitHub comment can be, so it was cut here. ' +
  'The whole plan is in the job summary and in the `plan` output.\n'

/** Cuts a body over the limit (in characters) at a line boundary, closes open <details>, and says so with `note`. */
export function fitComment(body: string, limit = COMMENT_LIMIT, note = CUT_NOTE): string {
  if (body.length <= limit) return body
  let cut = body.slice(0, limit - note.length - 100)
  cut = cut.slice(0, Math.max(cut.lastIndexOf('\n'), 0))
  const open = (cut.match(/<details[ >]/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length
  return `${cut}\n${'\n</details>'.repeat(Math.max(open, 0))}${note}`
}

/**
 * The comment body: the marker, then the first of `versions` (most detailed first) that fits,
 * else the last one cut. Redacted before it is measured and cut, so a cut cannot split a secret
 * into pieces that redaction would no longer recognise.
 */
export function commentBody(marker: string, versions: string[], limit = COMMENT_LIMIT): string {
  const bodies = versions.map(version => `${marker}\n${redact(version)}`)
  return bodies.find(body => body.length <= limit) ?? fitComment(bodies[bodies.length - 1] ?? marker, limit)
}

interface Comment {
  id: number
  body?: string | null
  user?: { login?: unknown; type?: unknown } | null
}

/** A comment as the API lists it; anything else is an error naming GitHub. */
function checkedComment(item: unknown, page: number): Comment {
  const comment = item as Comment | null
  if (
    typeof comment !== 'object' ||
    comment === null ||
    typeof comment.id !== 'number' ||
    (comment.body !== undefined && comment.body !== null && typeof comment.body !== 'string')
  ) {
    throw new ServiceError(
      'GitHub',
      `page ${page} of the pull request's comments holds an item that is not a comment (${describeMalformed(item)}).`
    )
  }
  return comment
}

/**
 * Our comment: one that starts with the marker AND was written by the token's own identity.
 * Anyone can post a comment that starts with the marker; such a comment is left alone, never
 * edited, and the action writes its own. Looks through every page, stopping at the one that has it.
 */
async function findComment(
  client: GitHubClient,
  target: Omit<CommentTarget, 'token' | 'timeoutMs'>,
  marker: string,
  identity: Promise<string>
): Promise<Comment | undefined> {
  const parameters = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber }
  const pages = listPages(client, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', parameters, "the pull request's comments")
  let page = 0
  for await (const items of pages) {
    page++
    const comments = items.map(item => checkedComment(item, page))
    const own = await identity
    const found = comments.find(comment => isOurComment(comment.body, marker) && writtenBy(comment, own))
    if (found) return found
  }
  return undefined
}

/** This instance's comment as it is now, and the client to change it with. */
export interface LookedUp {
  client: GitHubClient
  existing?: Comment
}

/**
 * Looks for this instance's comment. Started when the run starts (the lookup needs nothing the run
 * finds out), so that the comment costs no round trip but its write; upsertComment takes the answer.
 */
export function lookUpComment(target: CommentTarget): Promise<LookedUp> {
  const lookup = (async () => {
    const client = await createGitHubClient(target.token, target.timeoutMs)
    try {
      // Who the token is, asked beside the first page of comments: one round trip for both.
      const identity = tokenIdentity(client)
      identity.catch(() => undefined)
      return { client, existing: await findComment(client, target, commentMarker(target.instance), identity) }
    } catch (error) {
      await client.close()
      throw error
    }
  })()
  // Its failure is upsertComment's to report, however long the run takes to get there.
  lookup.catch(() => undefined)
  return lookup
}

/**
 * This instance's comment on the pull request, written by the token's own identity; undefined when
 * there is none. GitHub's failures are thrown.
 */
export async function readOwnComment(
  client: GitHubClient,
  target: Omit<CommentTarget, 'token' | 'timeoutMs'>
): Promise<{ id: number; body: string } | undefined> {
  const identity = tokenIdentity(client)
  identity.catch(() => undefined)
  const found = await findComment(client, target, commentMarker(target.instance), identity)
  return found && { id: found.id, body: found.body ?? '' }
}

/**
 * Creates or updates this instance's comment; `versions` as for commentBody; `hidden`, a line of
 * hidden data (the plan's summary) right after the marker, where no cut can reach it; `lookedUp`,
 * the lookup started early, if it was. Never throws.
 */
export async function upsertComment(
  target: CommentTarget,
  versions: string[],
  hidden?: string,
  lookedUp = lookUpComment(target)
): Promise<CommentResult> {
  const marker = commentMarker(target.instance)
  const body = commentBody(hidden ? `${marker}\n${hidden}` : marker, versions)
  const where = { owner: target.owner, repo: target.repo }
  let client: GitHubClient | undefined
  try {
    const found = await lookedUp
    client = found.client
    const { octokit } = client
    const { existing } = found
    if (existing?.body === body) return { outcome: 'unchanged', id: existing.id }
    if (existing) {
      await octokit.rest.issues.updateComment({ ...where, comment_id: existing.id, body })
      return { outcome: 'updated', id: existing.id }
    }
    const created = await octokit.rest.issues.createComment({ ...where, issue_number: target.issueNumber, body })
    return { outcome: 'created', id: created.data.id }
  } catch (error) {
    return { outcome: 'skipped', ...gitHubFailure(error) }
  } finally {
    await client?.close()
  }
}
