/**
 * A V8 code cache keyed by file name, for `vm.compileFunction` (used by test/util/jest-runtime.js;
 * no side effects, so tests load it without the runtime). An entry holds the source and the parameter
 * list it was made from: V8 checks only the source's length, so a file whose text or parameters
 * differ is compiled afresh and its entry replaced. Source that calls `import()` is never cached: a
 * function compiled from cached data loses its `importModuleDynamically` handler (Node 20).
 */
'use strict';

const DYNAMIC_IMPORT = /\bimport\s*\(/;

function createCodeCache() {
  const entries = new Map();
  const stats = { hits: 0, misses: 0, rejected: 0, uncacheable: 0 };
  return {
    stats,
    /** Compiles `code` as `compile` (vm.compileFunction's signature) would, with the cached data when there is some. */
    compile(compile, code, params, options) {
      if (DYNAMIC_IMPORT.test(code)) {
        stats.uncacheable++;
        return compile(code, params, options);
      }
      const signature = params.join(',');
      const entry = entries.get(options.filename);
      if (entry !== undefined && entry.code === code && entry.signature === signature) {
        const fn = compile(code, params, { ...options, cachedData: entry.data });
        if (!fn.cachedDataRejected) {
          stats.hits++;
          return fn;
        }
        stats.rejected++;
        entries.delete(options.filename);
        return fn;
      }
      stats.misses++;
      const fn = compile(code, params, { ...options, produceCachedData: true });
      if (fn.cachedDataProduced && fn.cachedData) entries.set(options.filename, { code, signature, data: fn.cachedData });
      return fn;
    },
  };
}

module.exports = { createCodeCache };
