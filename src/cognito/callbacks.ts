// Cloudflare Access callbacks on an app client that belong to another Zero Trust team. After a team
// rename the old `<team>.cloudflareaccess.com` is free to register, and whoever does could receive
// this pool's authorization codes. But two organizations (production and staging) may share one
// client, and neither can tell the other's live callback from a stale one, so they are reported,
// and removed only when prune-callbacks asks. Pure.

const ACCESS_DOMAIN = '.cloudflareaccess.com'
const CALLBACK_PATH = '/cdn-cgi/access/callback'
const TEAM = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export interface TeamCallback {
  /** The URL as the client holds it. */
  url: string
  team: string
}

/** The team of an Access callback URL (`https://<team>.cloudflareaccess.com/cdn-cgi/access/callback`), else undefined. */
export function accessCallbackTeam(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  const host = parsed.hostname.toLowerCase()
  if (parsed.protocol !== 'https:' || !host.endsWith(ACCESS_DOMAIN) || parsed.pathname !== CALLBACK_PATH) return undefined
  if (parsed.search || parsed.hash || parsed.port || parsed.username || parsed.password) return undefined
  const team = host.slice(0, -ACCESS_DOMAIN.length)
  return TEAM.test(team) ? team : undefined
}

/** The client's Access callbacks of teams other than `ownTeam`, in the client's order. */
export function otherTeamCallbacks(callbackUrls: readonly string[] | undefined, ownTeam: string): TeamCallback[] {
  const own = ownTeam.toLowerCase()
  return (callbackUrls ?? []).flatMap(url => {
    const team = accessCallbackTeam(url)
    return team !== undefined && team !== own ? [{ url, team }] : []
  })
}

/** The warning for a callback that is kept: why it matters, and what to do. */
export function otherTeamWarning(clientId: string, callback: TeamCallback): string {
  return (
    `App client ${clientId} also allows the Cloudflare Access callback of the Zero Trust team “${callback.team}” (${callback.url}). ` +
    'Team names are released on rename: if that team was renamed or deleted, whoever registers the name can receive authorization codes for this user pool. ' +
    'It is kept, because two organizations (production and staging, say) may share one client; ' +
    `if “${callback.team}” is not one of yours, set prune-callbacks: true to remove it.`
  )
}
