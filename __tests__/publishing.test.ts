// Fit to publish: the license package.json names, the Marketplace metadata of action.yml, a
// changelog entry for the package version, the security policy, and one repository name for the
// action everywhere people copy it from.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { REPO_ROOT } from './support/run-action.js'

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8')
const pkg = JSON.parse(read('package.json')) as { version: string; license: string }
const action = parse(read('action.yml')) as { name: string; description: string; author: string; branding: { icon: string; color: string } }

export const REPOSITORY = 'acme-platform/cognito-cloudflare-access'
/** The files people read or copy the action's name from. */
const PUBLIC_DOCS = [
  'README.md',
  'SECURITY.md',
  'CHANGELOG.md',
  'action.yml',
  ...readdirSync(join(REPO_ROOT, 'docs/workflows')).map(f => `docs/workflows/${f}`),
  'docs/releasing.md'
]

test('LICENSE is the MIT license that package.json names', () => {
  expect(pkg.license).toBe('MIT')
  const license = read('LICENSE')
  expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} \S/)
  expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND')
})

test('action.yml has what the Marketplace shows: a name, a description under 125 characters, an author, branding', () => {
  expect(action.name.length).toBeGreaterThan(0)
  expect(action.name).not.toMatch(/github/i) // the Marketplace refuses names with "GitHub"
  expect(action.description.length).toBeLessThan(125)
  expect(action.description).not.toContain('\n')
  expect(action.author.length).toBeGreaterThan(0)
  expect(['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']).toContain(action.branding.color)
  expect(action.branding.icon).toMatch(/^[a-z][a-z0-9-]*$/)
})

test('the version is semantic, and CHANGELOG.md has a section for it', () => {
  expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/)
  const changelog = read('CHANGELOG.md')
  expect(changelog).toContain('## [Unreleased]')
  expect(changelog).toMatch(new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\]`, 'm'))
  expect(changelog).toContain(`[${pkg.version}]: https://github.com/${REPOSITORY}/releases/tag/v${pkg.version}`)
})

test('SECURITY.md says how to report a vulnerability and what the action promises about secrets', () => {
  const security = read('SECURITY.md')
  expect(security).toMatch(/^## Reporting a vulnerability$/m)
  expect(security).toMatch(/^## What the action promises about secrets$/m)
  expect(read('README.md')).toContain('[SECURITY.md](SECURITY.md)')
})

test('docs/releasing.md: tag vX.Y.Z, move the major tag, check dist/ is fresh', () => {
  const releasing = read('docs/releasing.md')
  expect(releasing).toContain('git tag -s vX.Y.Z')
  expect(releasing).toContain('git push --force origin v1')
  expect(releasing).toContain('npm run bundle && git status --porcelain -- dist')
})

test.each(PUBLIC_DOCS)('%s names the action only as acme-platform/cognito-cloudflare-access, and no placeholder owner', file => {
  const text = read(file)
  const named = text.match(/[\w.-]+\/cognito-cloudflare-access(?![\w-])/g) ?? []
  expect(named.filter(name => name !== REPOSITORY)).toEqual([])
  expect(text).not.toMatch(/your-org|your-repo|OWNER\/cognito/i)
})

test('the README shows the action as acme-platform/cognito-cloudflare-access@v1, and its YAML and JSON examples parse', () => {
  const readme = read('README.md')
  expect(readme).toContain(`uses: ${REPOSITORY}@v1`)
  const blocks = [...readme.matchAll(/```(yaml|json)\n([\s\S]*?)```/g)]
  expect(blocks.length).toBeGreaterThanOrEqual(4)
  for (const [, language, body] of blocks) {
    if (language === 'json') expect(() => JSON.parse(body)).not.toThrow()
    else expect(() => parse(body, { uniqueKeys: true })).not.toThrow()
  }
})

test("the README's trust policies: apply from the production environment, plan from pull requests", () => {
  const readme = read('README.md')
  const subjects = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
    .map(([, body]) => JSON.parse(body) as { Statement: Array<{ Action: string; Condition?: { StringEquals?: Record<string, string> } }> })
    .flatMap(policy => policy.Statement)
    .filter(statement => statement.Action === 'sts:AssumeRoleWithWebIdentity')
    .map(statement => statement.Condition?.StringEquals?.['token.actions.githubusercontent.com:sub'])
  expect(subjects).toEqual(['repo:acme-platform/infrastructure:environment:production', 'repo:acme-platform/infrastructure:pull_request'])
})

test('the README gives the runner version node24 needs, and a troubleshooting entry for each error users meet first', () => {
  const readme = read('README.md')
  expect(readme).toContain('2.327.1')
  const troubleshooting = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('## Run it from your laptop'))
  for (const topic of ['has no domain', 'app clients named', 'A 403 from Cloudflare', 'Throttling', 'A verification failure']) {
    expect(troubleshooting).toContain(topic)
  }
})

test('dist/ is one file with the notices of every bundled package (a split chunk would drop them from licenses.txt)', () => {
  const files = readdirSync(join(REPO_ROOT, 'dist')).sort()
  expect(files).toEqual(['index.js', 'licenses.txt', 'package.json'])
  const notices = readFileSync(join(REPO_ROOT, 'dist/licenses.txt'), 'utf8')
  for (const name of ['@actions/core', '@aws-sdk/client-cognito-identity-provider', 'undici', 'jose', 'https-proxy-agent']) {
    expect(notices.split('\n')).toContain(name)
  }
})
