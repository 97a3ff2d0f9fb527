// `npm run demo`: runs the bundled action (dist/index.js) the way the GitHub runner does, against
// the local fakes of Cognito, Cloudflare and GitHub on 127.0.0.1, and prints what it did:
//   1. a pull request: the plan, as a job summary and a sticky PR comment, nothing written;
//   2. the merge (a push to main): apply creates the app client and the identity provider;
//   3. the next push: nothing to do, changed=false.
// No real AWS, Cloudflare or GitHub is called (the runs are guarded to loopback only).
import type { RunResult } from '../__tests__/support/run-action.js'
import { World } from '../__tests__/support/world.js'

const bold = (text: string): string => `\x1b[1m${text}\x1b[0m`
const dim = (text: string): string => `\x1b[2m${text}\x1b[0m`

function show(title: string, result: RunResult, extra: string[] = []): void {
  console.log(`\n${bold(`━━ ${title} ━━`)}  (exit code ${result.exitCode})`)
  console.log(dim('Action log:'))
  for (const line of result.stdout.split('\n').filter(Boolean)) {
    if (line.startsWith('::debug::')) continue // the runner shows these only with debug logging on
    console.log(`  ${line.startsWith('::add-mask::') ? '::add-mask::*** (the runner learns the secret here and hides it)' : line}`)
  }
  console.log(dim('Outputs:'))
  for (const [name, value] of Object.entries(result.outputs)) {
    console.log(`  ${name} = ${name === 'plan' ? `${value.slice(0, 100)}…` : value}`)
  }
  for (const line of extra) console.log(line)
}

const world = await World.start({ pool: { id: 'eu-west-1_DemoPool1', domain: 'acme-login' } })
try {
  const pr = await world.run({ event: world.pullRequestEvent(42) })
  const [comment] = world.allComments()
  show('1. Pull request #42: plan only', pr, [
    dim('Job summary / PR comment:'),
    comment ? comment.body.replace(/^/gm, '  │ ') : '  (no comment)',
    dim(`Writes to Cognito and Cloudflare: ${world.cognito.writeAttempts().length + world.cloudflare.writeAttempts().length}`)
  ])

  const apply = await world.run()
  const [client] = world.clients()
  const [idp] = world.idps()
  show('2. Push to main: apply', apply, [
    dim('State of the fakes afterwards:'),
    `  Cognito app client ${client.ClientId} "${client.ClientName}": callback ${client.CallbackURLs.join(', ')}`,
    `  Cloudflare identity provider ${idp.id} "${idp.name}" (${idp.type}): client_id ${String(idp.config.client_id)}, secret set: ${Boolean(idp.config.client_secret)}`
  ])

  const again = await world.run()
  show('3. Next push: nothing to change', again)
  console.log(`\n${bold('Every run was checked: no secret appears in any log, output, summary or comment.')}`)
} finally {
  await world.stop()
}
