import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

describe('test/util/jest-runtime.js in a Jest run', () => {
  // One real Jest run, in band: two test files load the same node_modules modules in one process.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-runtime-'));
  const stats = path.join(dir, 'stats');
  fs.mkdirSync(stats);
  const root = path.resolve(__dirname, '..', '..');
  // A devDependency of ours that no CDK package loads: it still loads per file.
  const perFile = require.resolve('esbuild');
  const shared = require.resolve('constructs');
  const cdk = require.resolve('aws-cdk-lib');
  for (const name of ['first', 'second']) {
    fs.writeFileSync(path.join(dir, `${name}.test.js`), [
      "const fs = require('fs');",
      "const path = require('path');",
      `const perFile = require(${JSON.stringify(perFile)});`,
      `const shared = require(${JSON.stringify(shared)});`,
      `const { App } = require(${JSON.stringify(cdk)});`,
      "test('a module of its own, the shared one, the worker environment and console', () => {",
      '  expect(perFile.__markedBy).toBeUndefined();',
      `  perFile.__markedBy = '${name}';`,
      "  expect(typeof perFile.transformSync).toBe('function');",
      // In whichever order Jest runs the files, the second finds the first's mark on the shared module.
      '  shared.__files = (shared.__files ?? 0) + 1;',
      `  fs.writeFileSync(path.join(__dirname, '${name}.files'), String(shared.__files));`,
      // The previous file's variable is gone; one set here reaches aws-cdk-lib.
      '  expect(process.env.JEST_RUNTIME_TEST_FILE).toBeUndefined();',
      `  process.env.JEST_RUNTIME_TEST_FILE = '${name}';`,
      `  process.env.CDK_OUTDIR = path.join(__dirname, '${name}.out');`,
      `  expect(new App().outdir).toBe(path.join(__dirname, '${name}.out'));`,
      // The worker realm's console (the one aws-cdk-lib prints with) is the file's: Jest reports it under the file.
      "  const workerGlobal = shared.Construct.constructor('return globalThis')();",
      '  expect(workerGlobal).not.toBe(globalThis);',
      `  workerGlobal.console.log('printed in the worker realm by ${name}');`,
      '});',
    ].join('\n'));
  }
  fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify({ rootDir: dir, testEnvironment: 'node', runtime: path.join(root, 'test', 'util', 'jest-runtime.js') }));
  const run = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', path.join(dir, 'jest.config.json'), '--ci', '--runInBand'], {
    cwd: dir, env: { ...process.env, LLM_RECIPES_JEST_RUNTIME_STATS: stats }, encoding: 'utf-8', timeout: 120_000,
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('both files pass, with every part of the runtime on', () => {
    expect(run.stderr).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/running without/);
  });

  test('the second file compiles the other node_modules modules from the code cache, and gets instances of its own', () => {
    const [counts] = fs.readdirSync(stats).map((f) => JSON.parse(fs.readFileSync(path.join(stats, f), 'utf-8')) as Record<string, number>);
    expect(counts.misses).toBeGreaterThan(0);
    expect(counts.hits).toBeGreaterThanOrEqual(counts.misses);
    expect(counts.sources).toBeGreaterThan(0);
  });

  test('what the worker realm prints is reported under the test file that printed it', () => {
    for (const name of ['first', 'second']) expect(run.stderr).toMatch(new RegExp(`console\\.log\\s+printed in the worker realm by ${name}\\s+at .*${name}\\.test\\.js`));
  });

  test('the CDK packages are one instance for both files', () => {
    const seen = ['first', 'second'].map((name) => fs.readFileSync(path.join(dir, `${name}.files`), 'utf-8'));
    expect(seen.sort()).toEqual(['1', '2']);
    const [counts] = fs.readdirSync(stats).map((f) => JSON.parse(fs.readFileSync(path.join(stats, f), 'utf-8')) as Record<string, number>);
    expect(counts.shared).toBeGreaterThanOrEqual(2);
  });
});
