import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

describe('test/util/jest-runtime.js in a Jest run', () => {
  // One real Jest run, in band: two test files load the same node_modules module in one process.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-runtime-'));
  const stats = path.join(dir, 'stats');
  fs.mkdirSync(stats);
  const root = path.resolve(__dirname, '..', '..');
  const shared = require.resolve('constructs');
  // Each file marks the module object it got, and finds no mark from the other file.
  for (const name of ['first', 'second']) {
    fs.writeFileSync(path.join(dir, `${name}.test.js`), [
      `const lib = require(${JSON.stringify(shared)});`,
      "test('a fresh module instance', () => {",
      "  expect(lib.__markedBy).toBeUndefined();",
      `  lib.__markedBy = '${name}';`,
      "  expect(typeof lib.Construct).toBe('function');",
      '});',
    ].join('\n'));
  }
  fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify({ rootDir: dir, testEnvironment: 'node', runtime: path.join(root, 'test', 'util', 'jest-runtime.js') }));
  const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', path.join(dir, 'jest.config.json'), '--ci', '--runInBand'], {
    cwd: dir, env: { ...process.env, LLM_RECIPES_JEST_RUNTIME_STATS: stats }, encoding: 'utf-8', timeout: 120_000,
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the second file compiles the shared modules from the code cache, and gets module instances of its own', () => {
    expect(run.stderr).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/running without its caches/);
    const [counts] = fs.readdirSync(stats).map((f) => JSON.parse(fs.readFileSync(path.join(stats, f), 'utf-8')) as Record<string, number>);
    expect(counts.misses).toBeGreaterThan(0);
    expect(counts.hits).toBeGreaterThanOrEqual(counts.misses);
    expect(counts.sources).toBeGreaterThan(0);
  });
});
