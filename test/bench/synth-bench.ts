/**
 * Synthesis benchmark: `npm run bench`. Asserts nothing (timings belong in a benchmark, not in
 * tests); prints each figure beside its target (issue 13, on a quiet 2-core machine).
 *
 *   npm run bench                                  # every part; `npm test` runs once, last
 *   npm run bench -- --runs 5                      # samples per figure (default 3, median shown)
 *   npm run bench -- --skip test,synth             # skip parts: fresh, warm, endpoints, synth, plan, test
 *
 * Child processes are timed with bash's `time` (wall, user + sys): on a busy machine the CPU time
 * is the figure to compare.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type * as AppModule from '../../lib/app';
import type * as RecipesModule from '../../lib/recipes';
import type * as EndpointsModule from './endpoints';
import { median, runsOption } from './stats';

const root = path.resolve(__dirname, '..', '..');
const CHILD_FLAG = '--first-synth-child';

/** What one synthesis of the whole recipe app cost, measured inside the process that ran it. */
interface SynthSample {
  readonly loadMs: number;
  readonly synthMs: number;
  readonly cpuMs: number;
  readonly maxRssMiB: number;
}

/**
 * How CloudFormation Validate runs: `cached` as `cdk synth` runs it with the findings of unchanged
 * templates in node_modules/.cache/cfn-validate; `cold` with an empty cache (the engine validates
 * every template: a fresh clone, or every template changed); `uncached` without the cache; `off`.
 */
type Validation = 'cached' | 'cold' | 'uncached' | 'off';

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
}

/**
 * Loads the library and synthesizes every recipe stack as `cdk synth` does (cdk-nag, CloudFormation
 * Validate as `validation` says, bundling).
 */
function synthWholeApp(validation: Validation): SynthSample {
  const cpuBefore = process.cpuUsage();
  const loadStart = performance.now();
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createRecipeApp } = require('../../lib/app') as typeof AppModule;
  const { addRecipes } = require('../../lib/recipes') as typeof RecipesModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const synthStart = performance.now();
  const app = createRecipeApp({ outdir: outdir(), builtinCloudFormationValidation: validation !== 'off' }, {
    validationCacheDir: validation === 'uncached' ? false : validation === 'cold' ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cache-')) : undefined,
  });
  addRecipes(app);
  app.synth();
  const end = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    loadMs: synthStart - loadStart,
    synthMs: end - synthStart,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

interface Timed { readonly wall: number; readonly cpu: number; readonly ok: boolean; readonly stdout: string }

/**
 * Runs a shell command under bash's `time`: wall and user + sys seconds of it and its children. The
 * command's stderr is dropped; `time { ...; } 2>/dev/null` keeps the report (from `bash -c`,
 * `time ( ... ) 2>/dev/null` drops it too).
 */
function timed(command: string, env: NodeJS.ProcessEnv = process.env): Timed {
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='@@time %R %U %S'; time { ${command}; } 2>/dev/null`], { cwd: root, env, encoding: 'utf-8', maxBuffer: 64 * 2 ** 20 });
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m) throw new Error(`could not time '${command}': ${r.stderr}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), ok: r.status === 0, stdout: r.stdout };
}

/** One first synthesis in a new process, started as cdk.json starts the app. */
function synthInChild(mode: Validation): SynthSample {
  const r = spawnSync(process.execPath, ['--liftoff-only', '-r', path.join(root, 'scripts', 'register-ts.js'), __filename, CHILD_FLAG, mode], { cwd: root, encoding: 'utf-8' });
  if (r.status !== 0) throw new Error(`first-synth child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as SynthSample;
}

function row(label: string, figure: string, target = ''): void {
  console.log(`${label.padEnd(62)} ${figure.padEnd(40)} ${target ? `target ${target}` : ''}`);
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function main(): void {
  const args = process.argv.slice(2);
  const runs = runsOption(args, 3);
  const skipArg = args.indexOf('--skip');
  const skip = new Set(skipArg >= 0 ? args[skipArg + 1].split(',') : []);
  const load = os.loadavg()[0];
  console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${load.toFixed(1)}, ${runs} samples per figure (median)`);
  if (load > os.cpus().length) console.log('(busy machine: compare CPU figures, not wall times)');
  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  const cacheDir = (require('../../lib/app') as typeof AppModule).defaultValidationCacheDir();
  // A bench stopped during its empty-cache synthesis (below) left the Validate cache aside: put it back.
  if (cacheDir && !fs.existsSync(cacheDir) && fs.existsSync(`${cacheDir}.bench-aside`)) fs.renameSync(`${cacheDir}.bench-aside`, cacheDir);

  if (!skip.has('fresh')) {
    // What a user waits for: a new process loads aws-cdk-lib and synthesizes once, started as
    // cdk.json's app is (esbuild strips the types, V8 flag --liftoff-only).
    const modes: Array<[Validation, string, string]> = [
      ['cached', 'Validate on, cached findings', '< 2.5 s'],
      ['cold', 'Validate on, empty cache', ''],
      ['off', 'Validate off', ''],
    ];
    synthInChild('cached'); // the cache holds the current templates
    for (const [mode, label, target] of modes) {
      const samples = Array.from({ length: runs }, () => synthInChild(mode));
      const total = median(samples.map((x) => x.loadMs + x.synthMs));
      row(`first synth, fresh process, ${label}`,
        `${s(total)} (load ${s(median(samples.map((x) => x.loadMs)))}, CPU ${s(median(samples.map((x) => x.cpuMs)))}, ${median(samples.map((x) => x.maxRssMiB)).toFixed(0)} MiB)`,
        target);
    }
  }

  if (!skip.has('warm')) {
    for (const [mode, label] of [['cached', 'Validate on, cached findings'], ['uncached', 'Validate on, no cache'], ['off', 'Validate off']] as Array<[Validation, string]>) {
      synthWholeApp(mode); // warm-up: modules loaded, JIT warm, the Validate engine started
      const samples = Array.from({ length: runs }, () => synthWholeApp(mode));
      row(`whole app, warm in-process median, ${label}`,
        `${s(median(samples.map((x) => x.synthMs)))} (CPU ${s(median(samples.map((x) => x.cpuMs)))})`);
    }
  }

  if (!skip.has('endpoints')) {
    // test/bench/endpoints.ts: stacks of LmiEndpoints built and synthesized in this process.
    /* eslint-disable-next-line @typescript-eslint/no-require-imports */
    const { measureEndpoints, measureEndpointSlope, SLOPE_SAMPLES } = require('./endpoints') as typeof EndpointsModule;
    measureEndpoints(1, false); // warm-up
    for (const count of [1, 10, 50]) {
      const samples = Array.from({ length: runs }, () => measureEndpoints(count, false));
      row(`${count} endpoint(s) in one stack, Validate off`,
        `${median(samples.map((x) => x.wallMs)).toFixed(0)} ms (CPU ${median(samples.map((x) => x.cpuMs)).toFixed(0)} ms, heap +${median(samples.map((x) => x.heapMiB)).toFixed(1)} MiB)`);
    }
    for (const validation of [false, true]) {
      // A slope is the difference of two figures, so noisier than either: never fewer samples than its default.
      const slope = measureEndpointSlope(validation, Math.max(runs, SLOPE_SAMPLES));
      row(`  per extra endpoint (10 -> 50), Validate ${validation ? 'on' : 'off'}`,
        `CPU ${slope.cpuMs.toFixed(1)} ms (least ${slope.minCpuMs.toFixed(1)}), heap ${slope.heapMiB.toFixed(2)} MiB`,
        validation ? '' : '<= 8 ms, <= 0.3 MiB');
    }
    row('  peak RSS of this process so far', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  }

  if (!skip.has('synth')) {
    // The README's command, process start and the cdk CLI included; the CLI's own start (its
    // 16 MB bundle) and npx's are the floor under it.
    const floor = Array.from({ length: runs }, () => timed('npx cdk --version >/dev/null'));
    row('npx cdk --version (npx and the cdk CLI alone)', `${median(floor.map((x) => x.wall)).toFixed(2)} s (CPU ${median(floor.map((x) => x.cpu)).toFixed(2)} s)`);
    const synth = () => timed(`npx cdk synth --quiet --output ${outdir()}`);
    synth(); // the cache holds the current templates
    const samples = Array.from({ length: runs }, synth);
    if (samples.some((x) => !x.ok)) throw new Error('npx cdk synth failed');
    row('npx cdk synth (whole app), cached findings', `${median(samples.map((x) => x.wall)).toFixed(2)} s (CPU ${median(samples.map((x) => x.cpu)).toFixed(2)} s)`, '< 4 s');
    // Once: with the cache moved aside, the synthesis pays the engine's start. The cache is put
    // back after it, so `npm test` below does not validate every test template again (about 15 s
    // more CPU measured here when this emptied the cache for good).
    const aside = cacheDir && fs.existsSync(cacheDir) ? `${cacheDir}.bench-aside` : undefined;
    if (cacheDir && aside) {
      fs.rmSync(aside, { recursive: true, force: true });
      fs.renameSync(cacheDir, aside);
    }
    let cold: Timed;
    try {
      cold = synth();
    } finally {
      if (cacheDir && aside) {
        fs.rmSync(cacheDir, { recursive: true, force: true });
        fs.renameSync(aside, cacheDir);
      }
    }
    if (!cold.ok) throw new Error('npx cdk synth failed with an empty Validate cache');
    row('npx cdk synth (whole app), empty cache (1 run)', `${cold.wall.toFixed(2)} s (CPU ${cold.cpu.toFixed(2)} s)`);
  }

  if (!skip.has('plan')) {
    // The operator CLI as installed: compiled JavaScript.
    if (!timed('npm run build --silent').ok) throw new Error('npm run build failed');
    const cli = path.join('dist', 'bin', 'llm-recipes.js');
    // Node's own start is the floor under every command: on a slow machine it alone can exceed the target.
    const node = Array.from({ length: runs }, () => timed('node -e 0'));
    row('node -e 0 (Node alone)', `${median(node.map((x) => x.wall)).toFixed(3)} s (CPU ${median(node.map((x) => x.cpu)).toFixed(3)} s)`);
    for (const argv of ['plan inference falcon-40b', 'plan inference --params 13e9 --layers 40 --heads 40 --hidden 5120 --context 4096 --neuron',
      'plan training --preset gpt3-175b', 'plan training --params 175e9 --tokens 300e9 --instance p5.48xlarge --nodes 64']) {
      const samples = Array.from({ length: runs }, () => timed(`node ${cli} ${argv} >/dev/null`));
      row(`llm-recipes ${argv}`.slice(0, 62), `${median(samples.map((x) => x.wall)).toFixed(3)} s (CPU ${median(samples.map((x) => x.cpu)).toFixed(3)} s)`, '< 0.1 s');
    }
  }

  if (!skip.has('test')) {
    // Once: the suite takes tens of seconds and is the figure least affected by one sample.
    const t = timed('npm test --silent', { ...process.env, CI: 'true' });
    row(`npm test (typecheck, lint, Jest)${t.ok ? '' : ' FAILED'}`, `${t.wall.toFixed(1)} s (CPU ${t.cpu.toFixed(1)} s)`, '< 30 s');
  }
}

if (process.argv.includes(CHILD_FLAG)) {
  process.stdout.write(JSON.stringify(synthWholeApp(process.argv[process.argv.indexOf(CHILD_FLAG) + 1] as Validation)));
} else {
  main();
}
