// `npm run docs`: writes the README's input and output tables from action.yml, between the marker
// comments, so that they cannot drift from what the action declares. `npm run docs -- --check`
// changes nothing and exits 1 when the README is not what this would write (CI runs it, and
// __tests__/readme.test.ts does the same check).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse } from 'yaml'

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..')
export const README = join(ROOT, 'README.md')
export const ACTION_YML = join(ROOT, 'action.yml')

interface Spec {
  description?: string
  required?: boolean
  default?: unknown
}
interface Action {
  inputs?: Record<string, Spec>
  outputs?: Record<string, Spec>
}

/** One line of Markdown table cell: no line breaks, no unescaped `|`. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')
}

function defaultCell(spec: Spec): string {
  if (spec.default !== undefined && spec.default !== null && spec.default !== '') return `\`${cell(String(spec.default))}\``
  return spec.required ? 'required' : ''
}

export function inputsTable(action: Action): string {
  const rows = Object.entries(action.inputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${defaultCell(spec)} | ${cell(spec.description ?? '')} |`
  )
  return ['| Input | Default | Meaning |', '|---|---|---|', ...rows].join('\n')
}

export function outputsTable(action: Action): string {
  const rows = Object.entries(action.outputs ?? {}).map(([name, spec]) => `| \`${name}\` | ${cell(spec.description ?? '')} |`)
  return ['| Output | Meaning |', '|---|---|', ...rows].join('\n')
}

const NOTE = 'generated from action.yml by `npm run docs`; edit action.yml instead'

/** The README with the text between `<!-- NAME:start ... -->` and `<!-- NAME:end -->` replaced. */
function replaceSection(readme: string, name: string, body: string): string {
  const pattern = new RegExp(`<!-- ${name}:start[^>]*-->[\\s\\S]*?<!-- ${name}:end -->`)
  if (!pattern.test(readme)) throw new Error(`README.md has no <!-- ${name}:start --> ... <!-- ${name}:end --> markers`)
  return readme.replace(pattern, () => `<!-- ${name}:start (${NOTE}) -->\n${body}\n<!-- ${name}:end -->`)
}

/** What the README should be, given action.yml's text. */
export function renderReadme(readme: string, actionYml: string): string {
  const action = parse(actionYml) as Action
  return replaceSection(replaceSection(readme, 'inputs', inputsTable(action)), 'outputs', outputsTable(action))
}

function main(check: boolean): number {
  const current = readFileSync(README, 'utf8')
  const wanted = renderReadme(current, readFileSync(ACTION_YML, 'utf8'))
  if (current === wanted) {
    console.log('README.md tables match action.yml.')
    return 0
  }
  if (check) {
    console.error('README.md tables differ from action.yml: run `npm run docs` and commit README.md.')
    return 1
  }
  writeFileSync(README, wanted)
  console.log('README.md tables written from action.yml.')
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.includes('--check'))
}
