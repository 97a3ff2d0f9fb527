// GitHub workflow files for the tests of .github/workflows/ and docs/workflows/: the shape of a
// step, and a strict YAML read (no duplicate keys, no errors, no warnings).
import { readFileSync } from 'node:fs'
import { parseDocument, type Document } from 'yaml'

export interface WorkflowStep {
  name?: string
  id?: string
  if?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
}

/** The file's text, its YAML document and its value, after checking that it parsed cleanly. */
export function readYamlStrictly<T>(path: string): { text: string; document: Document; value: T } {
  const text = readFileSync(path, 'utf8')
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  expect(document.errors).toEqual([])
  expect(document.warnings).toEqual([])
  return { text, document, value: document.toJS() as T }
}
