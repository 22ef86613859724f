/**
 * Synthesis benchmark: `npm run bench` (add `-- --cli --tests` to also time `npm run synth`, the
 * compiled `llm-recipes plan` commands and the Jest suite as child processes). Prints wall times; asserts nothing, since timings belong in
 * a benchmark and not in tests. Targets on the 2-core machine: whole-app synth under 10 s, whole
 * test suite under 60 s.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type * as AppModule from '../../lib/app';
import type * as RecipesModule from '../../lib/recipes';

const RUNS = 3;
const root = path.resolve(__dirname, '..', '..');

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return (performance.now() - start) / 1000;
}

function row(label: string, seconds: number | string): void {
  console.log(`${label.padEnd(52)} ${typeof seconds === 'number' ? `${seconds.toFixed(2)} s` : seconds}`);
}

const loadStart = performance.now();
// Loaded here, after the clock starts, so the first figure shows the cost of loading aws-cdk-lib.
/* eslint-disable @typescript-eslint/no-require-imports */
const { createRecipeApp } = require('../../lib/app') as typeof AppModule;
const { addRecipes, RECIPE_STACK_IDS } = require('../../lib/recipes') as typeof RecipesModule;
/* eslint-enable @typescript-eslint/no-require-imports */
const loadSeconds = (performance.now() - loadStart) / 1000;

console.log(`node ${process.version}, ${os.cpus().length} cores, ${RUNS} runs each (median)`);
row('load the library and aws-cdk-lib', loadSeconds);

const whole = Array.from({ length: RUNS }, () => time(() => {
  const app = createRecipeApp({ outdir: outdir() });
  addRecipes(app);
  app.synth();
}));
row('whole app, every recipe stack (in process)', median(whole));
row('  first run (cold caches)', whole[0]);

for (const id of RECIPE_STACK_IDS) {
  const runs = Array.from({ length: RUNS }, () => time(() => {
    // Bundle only this stack's assets, as `cdk synth <stack>` does.
    const app = createRecipeApp({ outdir: outdir(), context: { 'aws:cdk:bundling-stacks': [id] } });
    addRecipes(app);
    for (const other of RECIPE_STACK_IDS) if (other !== id) app.node.tryRemoveChild(other);
    app.synth();
  }));
  row(`  ${id} alone`, median(runs));
}

const args = process.argv.slice(2);
if (args.includes('--cli')) {
  const cdkOut = outdir();
  row('npm run synth (CLI, process start included)', time(() => {
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', cdkOut], { cwd: root, stdio: 'ignore' });
  }));
}
if (args.includes('--cli')) {
  // The operator CLI as installed: compiled JavaScript, process start included.
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore' });
  const cli = path.join(root, 'dist', 'bin', 'llm-recipes.js');
  for (const argv of [['plan', 'inference', 'falcon-40b'], ['plan', 'training', '--preset', 'gpt3-175b']]) {
    const runs = Array.from({ length: RUNS }, () => time(() => { execFileSync(process.execPath, [cli, ...argv], { stdio: 'ignore' }); }));
    row(`llm-recipes ${argv.join(' ')}`, median(runs));
  }
}
if (args.includes('--tests')) {
  row('jest --ci (whole suite)', time(() => {
    execFileSync('npx', ['jest', '--ci', '--silent'], { cwd: root, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  }));
}
