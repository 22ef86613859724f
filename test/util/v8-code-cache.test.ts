import * as vm from 'vm';
import { createCodeCache } from './v8-code-cache';

type CompileFunction = typeof vm.compileFunction;
const compile: CompileFunction = (code, params, options) => vm.compileFunction(code, params, options);

describe('the V8 code cache of test/util/jest-runtime.js', () => {
  const options = { filename: '/deps/node_modules/lib/index.js' };

  test('compiles a file once, then from the cache, to a function that behaves the same', () => {
    const cache = createCodeCache();
    const code = 'return a + b;';
    const first = cache.compile(compile, code, ['a', 'b'], options);
    const second = cache.compile(compile, code, ['a', 'b'], options);
    expect(cache.stats).toEqual({ hits: 1, misses: 1, rejected: 0, uncacheable: 0 });
    expect([first(2, 3), second(2, 3)]).toEqual([5, 5]);
  });

  test('a file whose text changed is compiled afresh and runs its new text', () => {
    const cache = createCodeCache();
    cache.compile(compile, 'return 1;', [], options);
    const changed = cache.compile(compile, 'return 2;', [], options);
    expect(changed()).toBe(2);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 2 });
    expect(cache.compile(compile, 'return 2;', [], options)()).toBe(2);
    expect(cache.stats.hits).toBe(1);
  });

  test('the same text with other parameters is compiled afresh (V8 would take the data and bind the old ones)', () => {
    const cache = createCodeCache();
    cache.compile(compile, 'return a;', ['a'], options);
    expect(cache.compile(compile, 'return a;', ['b', 'a'], options)(1, 2)).toBe(2);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 2 });
  });

  test('files are cached under their own names', () => {
    const cache = createCodeCache();
    cache.compile(compile, 'return 1;', [], options);
    expect(cache.compile(compile, 'return 1;', [], { filename: '/deps/node_modules/other/index.js' })()).toBe(1);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 2 });
  });

  test('source that calls import() is never compiled from cached data, which would drop its import handler', async () => {
    const cache = createCodeCache();
    const code = "return import('node:path');";
    const withHandler = { ...options, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER };
    cache.compile(compile, code, [], withHandler);
    const again = cache.compile(compile, code, [], withHandler);
    expect(cache.stats).toEqual({ hits: 0, misses: 0, rejected: 0, uncacheable: 2 });
    await expect(again()).resolves.toHaveProperty('join');
  });

  test('data V8 rejects is dropped: the next compile makes it again', () => {
    const cache = createCodeCache();
    const rejecting: CompileFunction = (code, params, opts) => Object.assign(vm.compileFunction(code, params, opts), { cachedDataRejected: opts?.cachedData !== undefined });
    cache.compile(rejecting, 'return 1;', [], options);
    expect(cache.compile(rejecting, 'return 1;', [], options)()).toBe(1);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 1, rejected: 1 });
    cache.compile(rejecting, 'return 1;', [], options);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 2, rejected: 1 });
  });
});
