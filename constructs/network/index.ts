// Internal barrel of constructs/network/ for the library's own modules, tests and CLI. Not the
// public API: constructs/index.ts lists that by name, from module paths.
export * from './private-vpc';
