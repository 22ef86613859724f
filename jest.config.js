/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is `tsc --noEmit` in `npm test`; the transform only strips types (esbuild, isolatedModules).
  transform: { '^.+\\.ts$': '<rootDir>/test/util/esbuild-jest-transform.js' },
  // jest-runtime that keeps node_modules sources and their V8 code cache for the whole worker, and
  // loads aws-cdk-lib, cdk-nag and constructs once per worker for all its test files.
  runtime: '<rootDir>/test/util/jest-runtime.js',
  // The run's own temporary directory, removed at the end (test/util/run-tmpdir.ts); detects the
  // system tools (shellcheck, torch, ...) once and prints one notice or, under CI, fails.
  globalSetup: '<rootDir>/test/util/global-setup.ts',
  globalTeardown: '<rootDir>/test/util/global-teardown.ts',
  snapshotSerializers: ['<rootDir>/test/util/asset-hash-serializer.js'],
  // Synthesis is CPU-bound: one worker per core of the 2-core CI machine.
  maxWorkers: 2,
  // A worker takes up to about a second to end after its exit event (measured in full runs: exit
  // events 1-3 ms after Jest's end message, the processes, 0.8-1 GiB resident, gone after
  // 550-970 ms). Jest's default of 500 ms force-killed one and warned "failed to exit gracefully",
  // which pointed at no leak.
  workerGracefulExitTimeout: 3000,
  testTimeout: 60000,
};
