/**
 * Jest runtime (jest.config.js `runtime`): jest-runtime, with what it re-does for every test file
 * kept for the whole worker, for files under node_modules only (they do not change during a run):
 *
 * - their source text: jest-runtime reads each module again for every test file;
 * - V8's code cache for them: jest-runtime compiles each module again for every test file, in the
 *   file's own context (`vm.compileFunction`), and a code cache skips V8's parse of the whole source.
 *   cdk-nag's rules alone load about 18 MB of aws-cdk-lib's generated L1 classes at the first
 *   synthesis of every test file; with the cache that costs a fraction of the parse.
 *
 * Modules are still loaded and run in each test file's own registry and context, as Jest isolates
 * them: only the text and the compiled code are shared, never a module's state. Our own sources and
 * tests (transformed per file by esbuild) are not cached here. Where jest-runtime's internals differ
 * from what this expects, it runs as plain jest-runtime.
 */
'use strict';
const vm = require('vm');
const Runtime = require('jest-runtime').default;

const NODE_MODULES = /[\\/]node_modules[\\/]/;

/**
 * A V8 code cache keyed by file name, for `vm.compileFunction`. An entry holds the source it was
 * made from: a file whose text differs (or data V8 rejects, after a Node upgrade) is compiled afresh
 * and its entry replaced.
 */
function createCodeCache() {
  const entries = new Map();
  const stats = { hits: 0, misses: 0, rejected: 0 };
  return {
    stats,
    /** Compiles `code` as `compile` (vm.compileFunction's signature) would, with the cached data when there is some. */
    compile(compile, code, params, options) {
      const entry = entries.get(options.filename);
      if (entry !== undefined && entry.code === code) {
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
      if (fn.cachedDataProduced && fn.cachedData) entries.set(options.filename, { code, data: fn.cachedData });
      return fn;
    },
  };
}

const sources = new Map();
const codeCache = createCodeCache();
const compileFunction = vm.compileFunction;
/** The node_modules file jest-runtime is compiling now (set only around its own compile call). */
let compiling;

// jest-runtime calls vm.compileFunction through the module object; only the call made for
// `compiling`, with no cached data of its own, takes the cache.
vm.compileFunction = function cachedCompileFunction(code, params, options) {
  if (compiling !== undefined && options && options.filename === compiling && options.cachedData === undefined) {
    return codeCache.compile((c, p, o) => compileFunction.call(vm, c, p, o), code, params, options);
  }
  return compileFunction.call(this, code, params, options);
};

class WorkerCachingRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const strings = this.fileCache && this.fileCache.strings;
    if (strings instanceof Map) {
      const get = strings.get.bind(strings);
      const set = strings.set.bind(strings);
      strings.get = (file) => {
        const own = get(file);
        return own !== undefined || !NODE_MODULES.test(file) ? own : sources.get(file);
      };
      strings.set = (file, text) => {
        if (NODE_MODULES.test(file)) sources.set(file, text);
        return set(file, text);
      };
    }
    const executor = this.executor;
    if (executor && typeof executor.compile === 'function') {
      const compile = executor.compile.bind(executor);
      executor.compile = (source, filename) => {
        if (!NODE_MODULES.test(filename)) return compile(source, filename);
        compiling = filename;
        try {
          return compile(source, filename);
        } finally {
          compiling = undefined;
        }
      };
    }
  }
}

module.exports = WorkerCachingRuntime;
module.exports.createCodeCache = createCodeCache;
module.exports.codeCacheStats = codeCache.stats;
