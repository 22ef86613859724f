import type * as vm from 'vm';

/** What the cache has done: compiles from cached data, compiles that made data, cached data V8 refused, source never cached. */
export interface CodeCacheStats {
  hits: number;
  misses: number;
  rejected: number;
  uncacheable: number;
}

/** A V8 code cache keyed by file name, for `vm.compileFunction` (see v8-code-cache.js). */
export interface CodeCache {
  readonly stats: CodeCacheStats;
  compile(compile: typeof vm.compileFunction, code: string, params: string[], options: vm.CompileFunctionOptions & { filename: string }): ReturnType<typeof vm.compileFunction>;
}

export function createCodeCache(): CodeCache;
