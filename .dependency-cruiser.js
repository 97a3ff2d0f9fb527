// The shape of src/, checked by `npm run lint` (dependency-cruiser): no import circle, and every
// module imports only from its own layer or the ones below it. Type-only imports count: a circle of
// types is a circle all the same, and it is how upward dependencies creep in.
// docs/development.md shows the layers with the file map (a test keeps the two equal).

/** The layers, bottom first: each names its modules by a regular expression on the path. */
export const LAYERS = [
  {
    name: 'foundation',
    // The run's vocabulary and utilities: errors, secrets, the log, the deadline, the settings and
    // the event, the plan's model, create-once and the poll helper.
    path: '^src/(errors|secrets|log|deadline|settings|github-context|model|create-once|poll)[.]ts$'
  },
  { name: 'transport', path: '^src/(proxy|http|github)[.]ts$' },
  // The service APIs, and the one place that builds them from the settings.
  { name: 'service-api', path: '^src/((cognito|cloudflare)/api|services)[.]ts$' },
  // One module per resource (how it is found, wanted, diffed and planned), the endpoints, the
  // secret's rotation, the checks.
  { name: 'resource', path: '^src/((cognito|cloudflare)/(?!api[.]ts$)[^/]+|endpoints|rotation|verify)[.]ts$' },
  { name: 'phase', path: '^src/(observe|plan|apply)[.]ts$' },
  // A run around the phases, and what it tells: outputs, the report, the reviewed-plan check.
  { name: 'run', path: '^src/(reconcile|review|outputs|fingerprint|report/[^/]+)[.]ts$' },
  { name: 'entry', path: '^src/(main|index)[.]ts$' }
]

/** For each layer: importing from any layer above it is an error. */
const upwardImports = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.name}`,
  comment: `A ${layer.name} module imports only from its own layer or below (${LAYERS.slice(0, index + 1)
    .map(below => below.name)
    .join(', ')}).`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(index + 1).map(above => above.path) }
}))

const allLayers = LAYERS.map(layer => layer.path)

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import circle in src/: move what both sides need to a module below both (src/model.ts for the plan).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true }
    },
    ...upwardImports,
    {
      name: 'not-in-a-layer',
      comment: 'Every module of src/ belongs to a layer: add it to LAYERS in .dependency-cruiser.js.',
      severity: 'error',
      from: { path: '^src/', pathNot: allLayers },
      to: {}
    },
    {
      name: 'imports-one-not-in-a-layer',
      comment: 'Every module of src/ belongs to a layer: add it to LAYERS in .dependency-cruiser.js.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: allLayers }
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve would be left out of every check above.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count (see the top).
    tsPreCompilationDeps: true,
    // Resolves `./x.js` to `./x.ts`, as TypeScript does.
    tsConfig: { fileName: 'tsconfig.json' },
    // Packages that name their files only in `exports` (https-proxy-agent) resolve too.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default', 'types'] }
  }
}
