/**
 * Jest runtime (jest.config.js `runtime`): jest-runtime, with what it re-does for every test file
 * kept for the whole worker, for files under node_modules only:
 *
 * - their source text: jest-runtime reads each module again for every test file;
 * - V8's code cache for them (v8-code-cache.js): jest-runtime compiles each module again for every
 *   test file, in the file's own context (`vm.compileFunction`), and a code cache skips V8's parse of
 *   the whole source. cdk-nag's rules alone load about 18 MB of aws-cdk-lib's generated L1 classes at
 *   the first synthesis of every test file.
 *
 * Modules are still loaded and run in each test file's own registry and context, as Jest isolates
 * them: only the text and the compiled code are shared, never a module's state. Our own sources and
 * tests (transformed per file by esbuild) are not cached here. Where jest-runtime's internals differ
 * from what this expects (Jest 30), it warns once and runs as plain jest-runtime.
 *
 * node_modules must not change while a process runs: under `jest --watch`, restart it after `npm ci`.
 * With LLM_RECIPES_JEST_RUNTIME_STATS set to a directory, each process writes its cache counts there
 * as `<pid>.json` when it exits (test/util/jest-runtime.test.ts reads them).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const jestRuntime = require('jest-runtime');
const { createCodeCache } = require('./v8-code-cache');

const Runtime = jestRuntime.default ?? jestRuntime;
const NODE_MODULES = /[\\/]node_modules[\\/]/;
const INSTALLED = Symbol.for('llm-recipes.jest-runtime');

/**
 * The process's caches, and the vm.compileFunction wrapper, made once per process: jest-runtime
 * calls vm.compileFunction through the module object, and only its call for `state.compiling`, with
 * no cached data of its own, takes the cache.
 */
function processState() {
  if (vm[INSTALLED]) return vm[INSTALLED];
  const state = { sources: new Map(), codeCache: createCodeCache(), compiling: undefined, warned: false };
  const compileFunction = vm.compileFunction;
  vm.compileFunction = function cachedCompileFunction(code, params, options) {
    if (state.compiling !== undefined && options && options.filename === state.compiling && options.cachedData === undefined) {
      return state.codeCache.compile((c, p, o) => compileFunction.call(vm, c, p, o), code, params ?? [], options);
    }
    return compileFunction.call(this, code, params, options);
  };
  Object.defineProperty(vm, INSTALLED, { value: state });
  const statsDir = process.env.LLM_RECIPES_JEST_RUNTIME_STATS;
  if (statsDir) {
    process.on('exit', () => fs.writeFileSync(path.join(statsDir, `${process.pid}.json`), JSON.stringify({ ...state.codeCache.stats, sources: state.sources.size })));
  }
  return state;
}

class WorkerCachingRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const state = processState();
    const strings = this.fileCache && this.fileCache.strings;
    const executor = this.executor;
    if (!(strings instanceof Map) || !executor || typeof executor.compile !== 'function') {
      if (!state.warned) {
        state.warned = true;
        process.emitWarning('test/util/jest-runtime.js: this jest-runtime has no fileCache.strings or executor.compile; running without its caches');
      }
      return;
    }
    const get = strings.get.bind(strings);
    const set = strings.set.bind(strings);
    strings.get = (file) => {
      const own = get(file);
      return own !== undefined || !NODE_MODULES.test(file) ? own : state.sources.get(file);
    };
    strings.set = (file, text) => {
      if (NODE_MODULES.test(file)) state.sources.set(file, text);
      return set(file, text);
    };
    const compile = executor.compile.bind(executor);
    executor.compile = (source, filename) => {
      if (!NODE_MODULES.test(filename)) return compile(source, filename);
      state.compiling = filename;
      try {
        return compile(source, filename);
      } finally {
        state.compiling = undefined;
      }
    };
  }
}

module.exports = WorkerCachingRuntime;
