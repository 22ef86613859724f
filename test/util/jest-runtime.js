/**
 * Jest runtime (jest.config.js `runtime`): jest-runtime, with what it re-does for every test file
 * kept for the whole worker.
 *
 * For files under node_modules:
 * - their source text: jest-runtime reads each module again for every test file;
 * - V8's code cache for them (v8-code-cache.js): jest-runtime compiles each module again for every
 *   test file, in the file's own context (`vm.compileFunction`), and a code cache skips V8's parse of
 *   the whole source.
 * Those modules are still loaded and run in each test file's own registry and context.
 *
 * The CDK packages themselves (SHARED_PACKAGES: aws-cdk-lib, cdk-nag, constructs) are loaded once per
 * worker by Node's own loader and shared by the worker's test files, with whatever they require
 * themselves (aws-cdk-lib's own dependencies among them). Loaded per file, each file ran them cold
 * (new module instances get no JIT feedback from the last file's) and cdk-nag's rules loaded about
 * 18 MB of aws-cdk-lib's generated L1 classes again at each file's first synthesis.
 * What that changes for a test:
 * - They run in the worker's realm, not the test file's context, both ways round: `instanceof
 *   Error` or `instanceof Array` in test code (or code under test) is false for an error or array
 *   they made, and their own `instanceof Date` is false for a Date the test file made (a CfnBucket
 *   refuses it), as in Jest it already is for Node's core modules (jestjs/jest#2549). Check with
 *   `util.types.isNativeError` and `Array.isArray`; `toThrow(/message/)`, `toEqual` and
 *   `toStrictEqual` work as usual. `jest.useFakeTimers` and mocks of `Date` do not reach them.
 * - Their module state lives as long as the worker: `jest.mock`, `jest.resetModules` and
 *   `jest.isolateModules` give no fresh copy of them and do not reach what they load; Jest restores
 *   `jest.spyOn` spies after each file, but a property a test replaces by hand stays replaced.
 * - A test file's `process.env` is the worker's own (they read CDK_OUTDIR, CDK_CONTEXT_JSON,
 *   CDK_VALIDATION there), so a value set there is a string as in Node (`undefined` becomes
 *   'undefined'); the worker's is put back as it was when the file ends. While a file runs, the
 *   worker realm's `console` is the file's, so Jest reports what they print under that file; after
 *   it, the worker's own (what async work left running by a file prints then is not attributed).
 *
 * Our own sources and tests (transformed per file by esbuild) are not cached or shared here. Where
 * jest-runtime's internals differ from what this expects (Jest 30), it warns once and runs without
 * the part that needs them.
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

/** Packages loaded once per worker (see above); whatever they require themselves comes with them. */
const SHARED_PACKAGES = ['aws-cdk-lib', 'cdk-nag', 'constructs'];
// Package names hold no regular-expression characters but '.', '-' and a scope's '/'.
const SHARED = new RegExp(`[\\\\/]node_modules[\\\\/](?:${SHARED_PACKAGES.map((name) => name.replace(/\./g, '\\.').replace('/', '[\\\\/]')).join('|')})[\\\\/]`);

/**
 * The process's caches, and the vm.compileFunction wrapper, made once per process: jest-runtime
 * calls vm.compileFunction through the module object, and only its call for `state.compiling`, with
 * no cached data of its own, takes the cache.
 */
function processState() {
  if (vm[INSTALLED]) return vm[INSTALLED];
  const state = {
    sources: new Map(), codeCache: createCodeCache(), compiling: undefined, warned: new Set(), shared: new Set(),
    // The worker realm's own console, and the undoing of the last file's env and console swap while
    // it is pending (jest-runner runs setupFiles outside the try that tears a file down).
    workerConsole: globalThis.console, restoreWorker: undefined,
  };
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
    process.on('exit', () => fs.writeFileSync(path.join(statsDir, `${process.pid}.json`), JSON.stringify({ ...state.codeCache.stats, sources: state.sources.size, shared: state.shared.size })));
  }
  return state;
}

/** Warns once per process that `part` is off because jest-runtime's internals are not as expected. */
function warnOnce(state, part) {
  if (state.warned.has(part)) return;
  state.warned.add(part);
  process.emitWarning(`test/util/jest-runtime.js: this jest-runtime has no ${part}; running without it`);
}

class WorkerRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    const state = processState();
    this._cacheNodeModules(state);
    this._shareCdkPackages(state);
  }

  _cacheNodeModules(state) {
    const strings = this.fileCache && this.fileCache.strings;
    const executor = this.executor;
    if (!(strings instanceof Map) || !executor || typeof executor.compile !== 'function') {
      warnOnce(state, 'fileCache.strings or executor.compile for its caches');
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

  _shareCdkPackages(state) {
    const loader = this.cjsLoader;
    const resolution = loader && loader.resolution;
    const testGlobal = this._environment && this._environment.global;
    if (!loader || typeof loader.requireModule !== 'function' || !resolution || typeof resolution.resolveCjs !== 'function'
      || typeof resolution.isCoreModule !== 'function' || !testGlobal || !testGlobal.process || !testGlobal.console) {
      warnOnce(state, 'cjsLoader.requireModule, resolution or environment global for sharing the CDK packages');
      return;
    }
    const requireModule = loader.requireModule.bind(loader);
    loader.requireModule = (from, moduleName, options, isRequireActual) => {
      if (moduleName && !(options && options.isInternalModule) && !resolution.isCoreModule(moduleName)) {
        let file;
        try {
          file = resolution.resolveCjs(from, moduleName);
        } catch {
          // jest-runtime's own call below reports the module that is not found, in its words.
        }
        if (file !== undefined && SHARED.test(file)) {
          state.shared.add(file);
          return require(file);
        }
      }
      return requireModule(from, moduleName, options, isRequireActual);
    };
    if (state.restoreWorker) state.restoreWorker();
    const workerEnv = { ...process.env };
    testGlobal.process.env = process.env;
    globalThis.console = testGlobal.console;
    state.restoreWorker = () => {
      state.restoreWorker = undefined;
      for (const key of Object.keys(process.env)) {
        if (!Object.prototype.hasOwnProperty.call(workerEnv, key)) delete process.env[key];
      }
      Object.assign(process.env, workerEnv);
      globalThis.console = state.workerConsole;
    };
    const teardown = this.teardown.bind(this);
    this.teardown = () => {
      if (state.restoreWorker) state.restoreWorker();
      return teardown();
    };
  }
}

module.exports = WorkerRuntime;
