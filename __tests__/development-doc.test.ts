// docs/development.md's file map matches the code: it names every module of src/ and no other, each
// in the layer that the import check (.dependency-cruiser.js, `npm run deps`) puts it in.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { REPO_ROOT } from './support/run-action.js'

interface Layer {
  name: string
  path: string
}

/** `| layer | \`src/file.ts\` | concern |` rows of the file map: file → layer. */
function fileMap(): Map<string, string> {
  const doc = readFileSync(join(REPO_ROOT, 'docs/development.md'), 'utf8')
  const rows = [...doc.matchAll(/^\| ([a-z-]+) \| `(src\/[^`]+)` \|/gm)]
  return new Map(rows.map(([, layer, file]) => [file, layer]))
}

function sourceFiles(): string[] {
  return (readdirSync(join(REPO_ROOT, 'src'), { recursive: true }) as string[])
    .filter(file => file.endsWith('.ts'))
    .map(file => `src/${file.split('\\').join('/')}`)
    .sort()
}

async function layers(): Promise<Layer[]> {
  // A plain JavaScript module (dependency-cruiser reads it); its path as a string keeps tsc out of it.
  const config: string = pathToFileURL(join(REPO_ROOT, '.dependency-cruiser.js')).href
  return ((await import(config)) as { LAYERS: Layer[] }).LAYERS
}

test('the file map names every module of src/, and only those', () => {
  expect([...fileMap().keys()].sort()).toEqual(sourceFiles())
})

test("each module's layer in the file map is the one the import check gives it", async () => {
  const all = await layers()
  const layerOf = (file: string): string[] => all.filter(layer => new RegExp(layer.path).test(file)).map(layer => layer.name)
  for (const [file, layer] of fileMap()) expect([file, layerOf(file)]).toEqual([file, [layer]])
})
