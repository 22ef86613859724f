/**
 * Per-endpoint cost: builds 1, 10 and 50 LmiEndpoints in one stack and prints wall time, CPU time
 * (process.cpuUsage) and heap growth per extra endpoint, with CloudFormation Validate off
 * (construction and synthesis only) and on. Asserts nothing.
 *
 *   npx ts-node --transpile-only test/bench/endpoints.ts            # both, as a table
 *   node --cpu-prof -r ts-node/register/transpile-only test/bench/endpoints.ts off   # profile
 *
 * `measureEndpoints(count, validation)` is exported for test/bench/synth-bench.ts to call.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Stack } from 'aws-cdk-lib';
import { FALCON_40B } from '../../constructs/catalog';
import { LmiEndpoint } from '../../constructs/inference';
import { createRecipeApp } from '../../lib/app';

/** One measurement: a stack of `count` endpoints built and synthesized. */
export interface EndpointsMeasurement {
  readonly count: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly heapMiB: number;
}

/** Builds and synthesizes one stack of `count` endpoints; the cdk-nag pack runs as in the recipes. */
export function measureEndpoints(count: number, validation: boolean): EndpointsMeasurement {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const app = createRecipeApp({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-endpoints-')),
    builtinCloudFormationValidation: validation,
    context: { '@aws-cdk/core:validateAgainstDefaultRules': validation },
  });
  const stack = new Stack(app, 'Endpoints');
  for (let i = 0; i < count; i++) {
    new LmiEndpoint(stack, `Endpoint${i}`, { model: FALCON_40B, instanceType: 'ml.g5.48xlarge' });
  }
  app.synth();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  // Heap still reachable from the app (held until here), so garbage is not counted.
  global.gc?.();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  if (app.node.children.length === 0) throw new Error('unreachable: keeps the app alive through the heap reading');
  return { count, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, heapMiB };
}

function slope(a: EndpointsMeasurement, b: EndpointsMeasurement, key: 'wallMs' | 'cpuMs' | 'heapMiB'): number {
  return (b[key] - a[key]) / (b.count - a.count);
}

if (require.main === module) {
  if (!global.gc) console.log('(run with node --expose-gc for exact heap figures)');
  const modes = process.argv.includes('off') ? [false] : process.argv.includes('on') ? [true] : [false, true];
  measureEndpoints(1, false); // warm-up: module loading and JIT
  for (const validation of modes) {
    const runs = [1, 10, 50].map((n) => measureEndpoints(n, validation));
    console.log(`CloudFormation Validate ${validation ? 'on' : 'off'}`);
    for (const r of runs) {
      console.log(`  ${String(r.count).padStart(2)} endpoints: wall ${r.wallMs.toFixed(0)} ms, CPU ${r.cpuMs.toFixed(0)} ms, heap +${r.heapMiB.toFixed(1)} MiB`);
    }
    const [, ten, fifty] = runs;
    console.log(`  per extra endpoint (10 -> 50): wall ${slope(ten, fifty, 'wallMs').toFixed(1)} ms, `
      + `CPU ${slope(ten, fifty, 'cpuMs').toFixed(1)} ms, heap ${slope(ten, fifty, 'heapMiB').toFixed(2)} MiB`);
  }
}
