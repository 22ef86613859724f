// Internal barrel of constructs/rag/ for the library's own modules, tests and CLI. Not the
// public API: constructs/index.ts lists that by name, from module paths.
export * from './rag-api';
export * from './retriever';
export * from './kendra-index';
