import {
  cheapestFit, cheapestServingFit, checkFit, DEVICE_MEMORY_UTILIZATION, FALCON_40B, FALCON_7B, findHostingInstance, type FitReport,
  HOSTING_INSTANCES, type HostingInstance, isValidTensorParallelDegree, kvCacheBytesPerToken, LmiBackend, LmiDtype, MODEL_PRESETS,
  type ModelSpec, NEURON_DEFAULT_BATCH, rankInstances, RUNTIME_OVERHEAD_GIB_PER_DEVICE, validTensorParallelDegrees, weightMemoryGiB,
  ZEPHYR_7B_BETA,
} from '../../constructs/catalog';

const GIB = 1024 ** 3;

function mustFind(instanceType: string): HostingInstance {
  const instance = findHostingInstance(instanceType);
  if (!instance) throw new Error(`test setup: ${instanceType} missing from the catalog`);
  return instance;
}

const G5_12XL = mustFind('ml.g5.12xlarge');
const G5_48XL = mustFind('ml.g5.48xlarge');
const INF2_8XL = mustFind('ml.inf2.8xlarge');

describe('constants', () => {
  test('the engine may use 90% of device memory and 1 GiB per device goes to the runtime', () => {
    expect(DEVICE_MEMORY_UTILIZATION).toBe(0.9);
    expect(RUNTIME_OVERHEAD_GIB_PER_DEVICE).toBe(1);
    expect(NEURON_DEFAULT_BATCH).toBe(4);
  });
});

describe('weightMemoryGiB', () => {
  test('Falcon-40B in bf16 takes 41.8e9 x 2 bytes = 77.86 GiB', () => {
    expect(weightMemoryGiB(FALCON_40B)).toBeCloseTo((41.8e9 * 2) / GIB, 9);
    expect(weightMemoryGiB(FALCON_40B)).toBeCloseTo(77.86, 2);
  });

  test('Falcon-7B in bf16 takes 7.22e9 x 2 bytes = 13.45 GiB', () => {
    expect(weightMemoryGiB(FALCON_7B)).toBeCloseTo(13.45, 2);
  });

  test('fp16 takes the same 2 bytes per parameter as bf16', () => {
    expect(weightMemoryGiB(FALCON_40B, LmiDtype.FP16)).toBeCloseTo(weightMemoryGiB(FALCON_40B, LmiDtype.BF16), 9);
  });
});

describe('kvCacheBytesPerToken', () => {
  test('Falcon-40B: 2 (K and V) x 60 layers x 8 KV heads x 64 dims x 2 bytes = 122880', () => {
    expect(kvCacheBytesPerToken(FALCON_40B)).toBe(122880);
  });

  test('Falcon-7B (multi-query): 2 x 32 layers x 1 KV head x 64 dims x 2 bytes = 8192', () => {
    expect(kvCacheBytesPerToken(FALCON_7B)).toBe(8192);
  });

  test('Zephyr-7B (grouped-query): 2 x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131072', () => {
    expect(kvCacheBytesPerToken(ZEPHYR_7B_BETA)).toBe(131072);
  });
});

describe('isValidTensorParallelDegree', () => {
  test.each([1, 2, 4, 8])('Falcon-40B accepts degree %d', (degree) => {
    expect(isValidTensorParallelDegree(FALCON_40B, degree)).toBe(true);
  });

  test.each([3, 5, 6, 7, 12])('Falcon-40B refuses degree %d', (degree) => {
    expect(isValidTensorParallelDegree(FALCON_40B, degree)).toBe(false);
  });

  test('Falcon-40B accepts 16, a multiple of its 8 KV heads that divides its 128 heads', () => {
    expect(isValidTensorParallelDegree(FALCON_40B, 16)).toBe(true);
  });

  test.each([0, -1, -4, 2.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses the non-degree %p', (degree) => {
    expect(isValidTensorParallelDegree(FALCON_40B, degree)).toBe(false);
  });

  test('Falcon-7B (71 heads, 1 KV head) only shards by 1 on ml.g5.12xlarge', () => {
    expect(isValidTensorParallelDegree(FALCON_7B, 1)).toBe(true);
    for (const degree of [2, 3, 4]) {
      expect(isValidTensorParallelDegree(FALCON_7B, degree)).toBe(false);
    }
    expect(validTensorParallelDegrees(FALCON_7B, G5_12XL)).toEqual([1]);
  });

  test('refuses a degree that divides the heads but neither divides nor is a multiple of the KV heads', () => {
    const model: ModelSpec = { ...FALCON_40B, name: 'custom', attentionHeads: 48, kvHeads: 8 };
    expect(isValidTensorParallelDegree(model, 6)).toBe(false);
    expect(isValidTensorParallelDegree(model, 12)).toBe(false);
    expect(isValidTensorParallelDegree(model, 16)).toBe(true);
    expect(isValidTensorParallelDegree(model, 4)).toBe(true);
  });
});

describe('validTensorParallelDegrees', () => {
  test('Falcon-40B on ml.g5.48xlarge: 1, 2, 4, 8', () => {
    expect(validTensorParallelDegrees(FALCON_40B, G5_48XL)).toEqual([1, 2, 4, 8]);
  });

  test('Falcon-40B on ml.g5.12xlarge stops at its 4 GPUs', () => {
    expect(validTensorParallelDegrees(FALCON_40B, G5_12XL)).toEqual([1, 2, 4]);
  });

  test('Zephyr-7B on ml.inf2.48xlarge (24 NeuronCores): the transformers-neuronx degrees up to 24', () => {
    expect(validTensorParallelDegrees(ZEPHYR_7B_BETA, mustFind('ml.inf2.48xlarge'))).toEqual([1, 2, 4, 8, 12, 16, 24]);
  });
});

describe('checkFit', () => {
  test('Falcon-40B does not fit ml.g5.12xlarge (4 x A10G), and says by how many GiB', () => {
    // weights 77.86 + KV 122880 B x 2048 = 0.234 GiB + runtime 4 x 1 = 82.09 GiB
    // against 4 x 22888 MiB x 0.9 = 80.47 GiB.
    const report = checkFit(FALCON_40B, G5_12XL);
    expect(report.fits).toBe(false);
    expect(report.tensorParallelDegree).toBe(4);
    expect(report.weightsGiB).toBeCloseTo(77.8586, 3);
    expect(report.kvCacheGiB).toBeCloseTo(0.234375, 9);
    expect(report.overheadGiB).toBe(4);
    expect(report.requiredGiB).toBeCloseTo(82.0929, 3);
    expect(report.availableGiB).toBeCloseTo(80.465625, 6);
    expect(report.headroomGiB).toBeCloseTo(-1.6273, 3);
    expect(report.reason).toMatch(/needs 82\.1 GiB/);
    expect(report.reason).toMatch(/weights 77\.9/);
    expect(report.reason).toMatch(/4 x NVIDIA A10G offer 80\.5 GiB/);
    expect(report.reason).toMatch(/90% of 89\.4 GiB/);
  });

  test('Falcon-40B fits ml.g5.48xlarge at tensor parallel 8 with positive headroom', () => {
    // 77.86 + 0.234 + 8 = 86.09 GiB needed; 8 x 22888 MiB x 0.9 = 160.93 GiB available.
    const report = checkFit(FALCON_40B, G5_48XL);
    expect(report.fits).toBe(true);
    expect(report.tensorParallelDegree).toBe(8);
    expect(report.requiredGiB).toBeCloseTo(86.0929, 3);
    expect(report.availableGiB).toBeCloseTo(160.93125, 5);
    expect(report.headroomGiB).toBeGreaterThan(0);
    expect(report.headroomGiB).toBeCloseTo(74.8383, 3);
    expect(report.reason).toBeUndefined();
    expect(report.instance).toBe(G5_48XL);
  });

  test('Falcon-40B on ml.g5.48xlarge with an explicit degree 4 misses like ml.g5.12xlarge does', () => {
    const report = checkFit(FALCON_40B, G5_48XL, { tensorParallelDegree: 4 });
    expect(report.fits).toBe(false);
    expect(report.tensorParallelDegree).toBe(4);
    expect(report.headroomGiB).toBeCloseTo(checkFit(FALCON_40B, G5_12XL).headroomGiB, 9);
  });

  test.each(HOSTING_INSTANCES.filter((i) => i.backend === LmiBackend.NEURON).map((i) => [i.instanceType, i] as const))(
    'Falcon-40B is refused on %s as not supported', (_type, instance) => {
      const report = checkFit(FALCON_40B, instance);
      expect(report.fits).toBe(false);
      expect(report.reason).toMatch(/not supported/);
      expect(report.reason).toMatch(/supported: gpu/);
      expect(report.availableGiB).toBe(0);
      expect(report.headroomGiB).toBeLessThan(0);
    });

  test('an invalid explicit degree does not fit, and the reason names the valid degrees', () => {
    const report = checkFit(FALCON_40B, G5_48XL, { tensorParallelDegree: 3 });
    expect(report.fits).toBe(false);
    expect(report.tensorParallelDegree).toBe(3);
    expect(report.reason).toMatch(/tensor-parallel degree 3 is not valid/);
    expect(report.reason).toMatch(/128 attention heads/);
    expect(report.reason).toMatch(/8 KV heads/);
    expect(report.reason).toMatch(/valid: 1, 2, 4, 8\)/);
  });

  test('a degree above the instance\'s devices does not fit, though it shards the model', () => {
    const report = checkFit(FALCON_40B, G5_12XL, { tensorParallelDegree: 8 });
    expect(report.fits).toBe(false);
    expect(report.reason).toMatch(/not exceed 4 devices \(valid: 1, 2, 4\)/);
  });

  test('Falcon-7B on ml.g5.12xlarge uses degree 1, fits one A10G, and refuses degree 4', () => {
    // 13.448 + 8192 B x 2048 = 0.016 GiB + 1 = 14.464 GiB against 22888 MiB x 0.9 = 20.12 GiB.
    const report = checkFit(FALCON_7B, G5_12XL);
    expect(report.fits).toBe(true);
    expect(report.tensorParallelDegree).toBe(1);
    expect(report.availableGiB).toBeCloseTo(20.1164, 3);
    expect(report.headroomGiB).toBeCloseTo(5.6525, 3);
    const four = checkFit(FALCON_7B, G5_12XL, { tensorParallelDegree: 4 });
    expect(four.fits).toBe(false);
    expect(four.reason).toMatch(/71 attention heads.*\(valid: 1\)/);
  });

  test('the KV cache grows with sequence length and concurrent sequences', () => {
    const one = checkFit(FALCON_40B, G5_48XL, { maxSequenceLength: 1024, concurrentSequences: 1 });
    const many = checkFit(FALCON_40B, G5_48XL, { maxSequenceLength: 2048, concurrentSequences: 8 });
    expect(one.kvCacheGiB).toBeCloseTo((122880 * 1024) / GIB, 9);
    expect(many.kvCacheGiB).toBeCloseTo(16 * one.kvCacheGiB, 9);
    expect(many.requiredGiB - one.requiredGiB).toBeCloseTo(many.kvCacheGiB - one.kvCacheGiB, 9);
  });

  test('Neuron reserves the KV cache of 4 full-length sequences by default, GPU of one', () => {
    const neuron = checkFit(ZEPHYR_7B_BETA, INF2_8XL);
    const gpu = checkFit(ZEPHYR_7B_BETA, G5_12XL);
    // 131072 B x 32768 tokens = 4 GiB per sequence.
    expect(gpu.kvCacheGiB).toBeCloseTo(4, 9);
    expect(neuron.kvCacheGiB).toBeCloseTo(16, 9);
  });

  test('Zephyr-7B at its full 32k context and batch 4 misses ml.inf2.8xlarge', () => {
    // 13.49 + 16 + 2 = 31.49 GiB against 2 x 16 GiB x 0.9 = 28.8 GiB.
    const report = checkFit(ZEPHYR_7B_BETA, INF2_8XL);
    expect(report.fits).toBe(false);
    expect(report.tensorParallelDegree).toBe(2);
    expect(report.availableGiB).toBeCloseTo(28.8, 9);
    expect(report.requiredGiB).toBeCloseTo(31.4855, 3);
    expect(report.reason).toMatch(/2 x AWS Inferentia2 NeuronCores offer 28\.8 GiB/);
  });

  test('Zephyr-7B at 2048 positions and batch 4 (the Inf2 recipe) fits ml.inf2.8xlarge', () => {
    // 13.49 + 131072 B x 2048 x 4 = 1 GiB + 2 = 16.49 GiB against 28.8 GiB.
    const report = checkFit(ZEPHYR_7B_BETA, INF2_8XL, { maxSequenceLength: 2048, concurrentSequences: 4 });
    expect(report.fits).toBe(true);
    expect(report.kvCacheGiB).toBeCloseTo(1, 9);
    expect(report.headroomGiB).toBeCloseTo(12.3145, 3);
  });

  test('headroom is always available minus required', () => {
    for (const model of MODEL_PRESETS) {
      for (const instance of HOSTING_INSTANCES) {
        const r = checkFit(model, instance);
        expect(r.headroomGiB).toBeCloseTo(r.availableGiB - r.requiredGiB, 9);
        expect(r.fits).toBe(r.headroomGiB >= 0 && r.reason === undefined);
      }
    }
  });
});

describe('catalog cross-checks', () => {
  test.each(MODEL_PRESETS.flatMap((m) => m.backends.map((b) => [m.name, b, m] as const)))(
    '%s fits at least one catalog instance of its backend %s', (_name, backend, model) => {
      const fitting = rankInstances(model, backend).filter((r) => r.fits);
      expect(fitting.length).toBeGreaterThan(0);
      for (const r of fitting) {
        expect(r.instance.backend).toBe(backend);
        expect(checkFit(model, r.instance).fits).toBe(true);
      }
    });

  test.each(MODEL_PRESETS.flatMap((m) => Object.values(LmiBackend).filter((b) => !m.backends.includes(b)).map((b) => [m.name, b, m] as const)))(
    '%s fits no instance of the backend %s it does not support', (_name, backend, model) => {
      const reports = rankInstances(model, backend);
      expect(reports.length).toBeGreaterThan(0);
      for (const r of reports) {
        expect(r.fits).toBe(false);
        expect(r.reason).toMatch(/not supported/);
      }
    });

  test('the Falcon presets fit no Neuron instance', () => {
    for (const model of [FALCON_40B, FALCON_7B]) {
      expect(rankInstances(model, LmiBackend.NEURON).some((r) => r.fits)).toBe(false);
      expect(cheapestFit(model, LmiBackend.NEURON)).toBeUndefined();
    }
  });
});

describe('rankInstances', () => {
  function assertPriceOrder(reports: readonly FitReport[]): void {
    const prices = reports.map((r) => r.instance.pricePerHourUsd ?? Number.POSITIVE_INFINITY);
    for (let k = 1; k < prices.length; k++) {
      expect(prices[k]).toBeGreaterThanOrEqual(prices[k - 1]);
    }
  }

  test('covers every catalog instance, cheapest first and unpriced last', () => {
    const reports = rankInstances(FALCON_40B);
    expect(reports).toHaveLength(HOSTING_INSTANCES.length);
    expect(new Set(reports.map((r) => r.instance.instanceType)).size).toBe(HOSTING_INSTANCES.length);
    assertPriceOrder(reports);
    const firstUnpriced = reports.findIndex((r) => r.instance.pricePerHourUsd === undefined);
    expect(firstUnpriced).toBeGreaterThan(0);
    expect(reports.slice(firstUnpriced).every((r) => r.instance.pricePerHourUsd === undefined)).toBe(true);
    expect(reports[0].instance.instanceType).toBe('ml.inf2.xlarge');
  });

  test.each(Object.values(LmiBackend))('filters to the %s backend and keeps the price order', (backend) => {
    const reports = rankInstances(ZEPHYR_7B_BETA, backend);
    expect(reports).toHaveLength(HOSTING_INSTANCES.filter((i) => i.backend === backend).length);
    expect(reports.every((r) => r.instance.backend === backend)).toBe(true);
    assertPriceOrder(reports);
  });

  test('passes the fit options to every check', () => {
    const reports = rankInstances(ZEPHYR_7B_BETA, LmiBackend.NEURON, { maxSequenceLength: 2048, concurrentSequences: 4 });
    for (const r of reports) {
      expect(r.kvCacheGiB).toBeCloseTo(1, 9);
    }
  });
});

describe('cheapestFit', () => {
  test('Falcon-40B: a priced GPU instance that fits, and no cheaper priced instance fits', () => {
    const best = cheapestFit(FALCON_40B);
    expect(best).toBeDefined();
    if (!best) return;
    expect(best.fits).toBe(true);
    expect(best.instance.backend).toBe(LmiBackend.GPU);
    expect(best.instance.pricePerHourUsd).toBeDefined();
    expect(best.instance.devices).toBe(8);
    const price = best.instance.pricePerHourUsd as number;
    const cheaperFits = HOSTING_INSTANCES
      .filter((i) => i.pricePerHourUsd !== undefined && i.pricePerHourUsd < price)
      .filter((i) => checkFit(FALCON_40B, i).fits);
    expect(cheaperFits).toEqual([]);
  });

  test('Zephyr-7B on Neuron at the Inf2 recipe\'s 2048 positions: ml.inf2.xlarge (one chip, 2 NeuronCores)', () => {
    const best = cheapestFit(ZEPHYR_7B_BETA, LmiBackend.NEURON, { maxSequenceLength: 2048 });
    expect(best).toBeDefined();
    expect(best?.instance.instanceType).toBe('ml.inf2.xlarge');
    expect(best?.instance.backend).toBe(LmiBackend.NEURON);
    expect(best?.instance.devices).toBe(2);
    expect(best?.tensorParallelDegree).toBe(2);
  });

  test('Zephyr-7B on Neuron at its full 32k context and batch 4 needs ml.inf2.24xlarge', () => {
    const best = cheapestFit(ZEPHYR_7B_BETA, LmiBackend.NEURON);
    expect(best?.instance.instanceType).toBe('ml.inf2.24xlarge');
    expect(best?.tensorParallelDegree).toBe(12);
  });

  test('returns undefined when nothing fits', () => {
    const huge: ModelSpec = { ...FALCON_40B, name: 'huge', parameters: 1e12 };
    expect(cheapestFit(huge)).toBeUndefined();
  });

  test('never returns an unpriced instance', () => {
    // The g6e (L40S) entries have no price: a model must land on a priced instance instead.
    for (const model of MODEL_PRESETS) {
      for (const backend of model.backends) {
        expect(cheapestFit(model, backend)?.instance.pricePerHourUsd).toBeDefined();
      }
    }
  });
});

describe('cheapestServingFit', () => {
  test('picks what LmiEndpoint and the CLI pick, and honours an eligibility filter', () => {
    expect(cheapestServingFit(FALCON_40B)?.instance.instanceType).toBe('ml.g6.48xlarge');
    expect(cheapestServingFit(ZEPHYR_7B_BETA)?.instance.instanceType).toBe('ml.inf2.xlarge');
    expect(cheapestServingFit(ZEPHYR_7B_BETA, {}, undefined, (i) => i.localNvme)?.instance.instanceType).toBe('ml.g6.12xlarge');
    expect(cheapestServingFit(FALCON_40B, {}, LmiBackend.NEURON)).toBeUndefined();
  });
});
