// Jest 30 runs our TypeScript as ESM through ts-jest; `npm test` passes --experimental-vm-modules.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs'],
  // Sources import './x.js' (NodeNext style); map that to the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // No test may reach beyond this machine: the in-process tests run the action's own code here,
  // so every jest process gets the guard the action's child processes get.
  setupFiles: ['<rootDir>/__tests__/support/loopback-only.mjs'],
  // End-to-end tests start the bundled action in child processes.
  testTimeout: 60000,
  // One worker per core. Jest's default leaves a core free (cores - 1: on a 2-core machine, one
  // worker, in band), but the tests spend much of their time waiting on child processes, fakes
  // and retry timers, so the second core would mostly sit idle.
  maxWorkers: '100%'
}
