/**
 * Per-endpoint cost: builds 1, 10 and 50 LmiEndpoints in one stack and prints wall time, CPU time
 * (process.cpuUsage) and heap growth per extra endpoint, with CloudFormation Validate off
 * (construction and synthesis only) and on. Asserts nothing.
 *
 *   node -r ./scripts/register-ts.js test/bench/endpoints.ts                 # both, as a table
 *   node -r ./scripts/register-ts.js test/bench/endpoints.ts off --lean      # no stack traces, no metadata collection
 *   node -r ./scripts/register-ts.js test/bench/endpoints.ts on --runs 9     # samples of the per-endpoint slope (default 5)
 *   node --cpu-prof -r ./scripts/register-ts.js test/bench/endpoints.ts off  # profile
 *
 * `measureEndpoints(count, validation)` and `measureEndpointSlope(validation, runs)` are exported for
 * test/bench/synth-bench.ts to call. Heap figures count garbage unless node runs with --expose-gc;
 * with it, each measurement starts from a collected heap, which V8 then grows again during the run:
 * CPU figures are about 1 ms per endpoint higher that way, so compare like with like.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Stack } from 'aws-cdk-lib';
import { FALCON_40B, LmiInstanceType } from '../../constructs/catalog';
import { LmiEndpoint } from '../../constructs/inference';
import { createRecipeApp } from '../../lib/app';
import { median, runsOption } from './stats';

/** One measurement: a stack of `count` endpoints built and synthesized. */
export interface EndpointsMeasurement {
  readonly count: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly heapMiB: number;
  /** Constructs in the app and bytes of the stack's template: deterministic, unlike time on a busy machine. */
  readonly constructs: number;
  readonly templateKiB: number;
}

/** Builds and synthesizes one stack of `count` endpoints; the cdk-nag pack runs as in the recipes. */
export function measureEndpoints(count: number, validation: boolean, context: Record<string, unknown> = {}): EndpointsMeasurement {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const app = createRecipeApp({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-endpoints-')),
    builtinCloudFormationValidation: validation,
    context: { '@aws-cdk/core:validateAgainstDefaultRules': validation, ...context },
    // Every sample's templates are alike: the engine validates each, the cache would answer.
  }, { validationCacheDir: false });
  const stack = new Stack(app, 'Endpoints');
  for (let i = 0; i < count; i++) {
    new LmiEndpoint(stack, `Endpoint${i}`, { model: FALCON_40B, instanceType: LmiInstanceType.G5_48XLARGE });
  }
  const assembly = app.synth();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  // Heap still reachable from the app (held until here), so garbage is not counted.
  global.gc?.();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const constructs = app.node.findAll().length;
  const templateKiB = fs.statSync(path.join(assembly.directory, assembly.getStackByName(stack.stackName).templateFile)).size / 1024;
  return { count, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, heapMiB, constructs, templateKiB };
}

function slope(a: EndpointsMeasurement, b: EndpointsMeasurement, key: 'wallMs' | 'cpuMs' | 'heapMiB' | 'constructs' | 'templateKiB'): number {
  return (b[key] - a[key]) / (b.count - a.count);
}

/** What one extra endpoint costs (10 -> 50 endpoints in one stack). */
export interface EndpointSlope {
  /** Median CPU ms of the samples. */
  readonly cpuMs: number;
  /** Least CPU ms of the samples: on a busy machine, the closest to a quiet one. */
  readonly minCpuMs: number;
  /** Median wall ms. */
  readonly wallMs: number;
  /** Median heap MiB still reachable from the app. */
  readonly heapMiB: number;
  readonly samples: number;
}

/** The samples {@link measureEndpointSlope} takes by default. */
export const SLOPE_SAMPLES = 5;

/**
 * The cost of an extra endpoint, from `runs` samples, each a stack of 10 endpoints and one of 50
 * measured back to back, so that a burst of load elsewhere falls on both sides of one sample more
 * often than on one side of the median of separately taken figures.
 */
export function measureEndpointSlope(validation: boolean, runs = SLOPE_SAMPLES, context: Record<string, unknown> = {}): EndpointSlope {
  const samples = Array.from({ length: runs }, () => {
    const ten = measureEndpoints(10, validation, context);
    const fifty = measureEndpoints(50, validation, context);
    return { cpuMs: slope(ten, fifty, 'cpuMs'), wallMs: slope(ten, fifty, 'wallMs'), heapMiB: slope(ten, fifty, 'heapMiB') };
  });
  return {
    cpuMs: median(samples.map((x) => x.cpuMs)),
    minCpuMs: Math.min(...samples.map((x) => x.cpuMs)),
    wallMs: median(samples.map((x) => x.wallMs)),
    heapMiB: median(samples.map((x) => x.heapMiB)),
    samples: runs,
  };
}

if (require.main === module) {
  if (!global.gc) console.log('(run with node --expose-gc for exact heap figures)');
  const modes = process.argv.includes('off') ? [false] : process.argv.includes('on') ? [true] : [false, true];
  // --lean: what `cdk synth` without --debug and without telemetry would do: no construct stack
  // traces, no additional metadata collection (cdk.json turns it on; it is telemetry only).
  const lean = process.argv.includes('--lean');
  const samples = runsOption(process.argv, SLOPE_SAMPLES);
  const context = lean ? { 'aws:cdk:disable-stack-trace': true, '@aws-cdk/core:enableAdditionalMetadataCollection': false } : {};
  measureEndpoints(1, false, context); // warm-up: module loading and JIT
  for (const validation of modes) {
    const runs = [1, 10, 50].map((n) => measureEndpoints(n, validation, context));
    console.log(`CloudFormation Validate ${validation ? 'on' : 'off'}${lean ? ', lean context' : ''}`);
    for (const r of runs) {
      console.log(`  ${String(r.count).padStart(2)} endpoints: wall ${r.wallMs.toFixed(0)} ms, CPU ${r.cpuMs.toFixed(0)} ms, heap +${r.heapMiB.toFixed(1)} MiB, `
        + `${r.constructs} constructs, template ${r.templateKiB.toFixed(0)} KiB`);
    }
    const [, ten, fifty] = runs;
    const perEndpoint = measureEndpointSlope(validation, samples, context);
    console.log(`  per extra endpoint (10 -> 50), ${samples} samples: CPU median ${perEndpoint.cpuMs.toFixed(1)} ms (least ${perEndpoint.minCpuMs.toFixed(1)} ms), `
      + `wall ${perEndpoint.wallMs.toFixed(1)} ms, heap ${perEndpoint.heapMiB.toFixed(2)} MiB, `
      + `${slope(ten, fifty, 'constructs').toFixed(0)} constructs, template ${slope(ten, fifty, 'templateKiB').toFixed(1)} KiB`);
  }
}
