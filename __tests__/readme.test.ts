// Docs that cannot drift: the README's input and output tables are exactly what
// scripts/readme-tables.ts (`npm run docs`) generates from action.yml, and that generation reacts
// to every change of action.yml (so this check can fail).
import { readFileSync } from 'node:fs'
import { parse, stringify } from 'yaml'
import { ACTION_YML, README, inputsTable, outputsTable, renderReadme } from '../scripts/readme-tables.js'

const readme = readFileSync(README, 'utf8')
const actionYml = readFileSync(ACTION_YML, 'utf8')

test('the README tables are what `npm run docs` writes from action.yml (run it and commit README.md if not)', () => {
  expect(readme).toBe(renderReadme(readme, actionYml))
})

test('every input and output of action.yml has its row, with its default', () => {
  const action = parse(actionYml) as { inputs: Record<string, { default?: unknown }>; outputs: Record<string, unknown> }
  for (const [name, spec] of Object.entries(action.inputs)) {
    const row = readme.split('\n').find(line => line.startsWith(`| \`${name}\` |`))
    expect(row).toBeDefined()
    if (spec.default !== undefined) expect(row).toContain(`| \`${String(spec.default)}\` |`)
  }
  for (const name of Object.keys(action.outputs)) expect(readme).toContain(`| \`${name}\` |`)
})

describe('drift is caught', () => {
  const action = parse(actionYml)

  test('a new input, a changed default, a changed description each change the README', () => {
    const changes = [
      { ...action, inputs: { ...action.inputs, 'new-input': { description: 'Something new.', required: false, default: 'x' } } },
      { ...action, inputs: { ...action.inputs, mode: { ...action.inputs.mode, default: 'plan' } } },
      { ...action, outputs: { ...action.outputs, changed: { description: 'Reworded.' } } }
    ]
    for (const changed of changes) expect(renderReadme(readme, stringify(changed))).not.toBe(readme)
  })

  test('a hand edit inside the markers is overwritten', () => {
    const edited = readme.replace('| `mode` |', '| `mode` (edited) |')
    expect(edited).not.toBe(readme)
    expect(renderReadme(edited, actionYml)).toBe(readme)
  })

  test('a README without the markers is an error, not a silent pass', () => {
    expect(() => renderReadme(readme.replace('<!-- inputs:end -->', ''), actionYml)).toThrow(/inputs:start/)
  })
})

test('cells are one line, and a | in a description cannot break the table', () => {
  const table = inputsTable({ inputs: { x: { description: 'a | b\nc', required: true } } })
  expect(table.split('\n')).toEqual(['| Input | Default | Meaning |', '|---|---|---|', '| `x` | required | a \\| b c |'])
  expect(outputsTable({ outputs: { y: { description: 'line one\n  line two' } } }).split('\n')[2]).toBe('| `y` | line one line two |')
})
