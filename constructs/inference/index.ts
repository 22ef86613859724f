// Internal barrel of constructs/inference/ for the library's own modules, tests and CLI. Not the
// public API: constructs/index.ts lists that by name, from module paths.
export * from './lmi-endpoint';
export { ModelWeights, RollingBatch } from './options';
