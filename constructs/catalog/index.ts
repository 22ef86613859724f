// Internal barrel of constructs/catalog/ for the library's own modules, tests and CLI. Not the
// public API: constructs/index.ts lists that by name, from module paths.
export * from './backend';
export * from './dtype';
export * from './images';
export * from './instances';
export * from './limits';
export * from './models';
export * from './sizing';
export * from './training';
