import {
  CHINCHILLA_TOKENS_PER_PARAMETER, chinchillaOptimalTokens, DEFAULT_MFU, describePlan, findMegatronPreset, findTrainingInstance,
  fsdpHostMemoryError, megatronNodesError, planTraining, TRAINING_INSTANCES, trainingFlops,
} from '../../constructs/catalog';

/** Relative closeness: |actual / expected - 1| below `tolerance`. */
function expectRelativelyClose(actual: number | undefined, expected: number, tolerance = 1e-9): void {
  expect(actual).toBeDefined();
  expect(Math.abs((actual as number) / expected - 1)).toBeLessThan(tolerance);
}

describe('trainingFlops and chinchillaOptimalTokens', () => {
  test('GPT-3 175B on 300B tokens is about 3.15e23 FLOPs (C = 6 N D)', () => {
    expectRelativelyClose(trainingFlops(175e9, 300e9), 3.15e23);
  });

  test('Chinchilla: 70B parameters are compute-optimal at 1.4T tokens (20 per parameter)', () => {
    expect(CHINCHILLA_TOKENS_PER_PARAMETER).toBe(20);
    expectRelativelyClose(chinchillaOptimalTokens(70e9), 1.4e12);
  });

  test('the planner assumes 40 % MFU by default', () => {
    expect(DEFAULT_MFU).toBe(0.4);
  });
});

describe('training instances', () => {
  test('every entry is found by its type and has a positive peak and accelerator count', () => {
    for (const instance of TRAINING_INSTANCES) {
      expect(findTrainingInstance(instance.instanceType)).toBe(instance);
      expect(instance.acceleratorCount).toBeGreaterThan(0);
      expect(instance.peakBf16FlopsPerAccelerator).toBeGreaterThan(0);
      expect(instance.efaInterfaces).toBeGreaterThan(0);
    }
  });

  test('unknown types are not found', () => {
    expect(findTrainingInstance('g5.48xlarge')).toBeUndefined();
  });
});

describe('planTraining', () => {
  // GIVEN 6.7e9 parameters on 4 x trn1.32xlarge (64 Trainium chips at 190 TFLOP/s) at 40 % MFU
  const plan = planTraining({ parameters: 6.7e9, instanceType: 'trn1.32xlarge', nodes: 4, mfu: 0.4 });
  const flops = 6 * 6.7e9 * 1.34e11;
  const seconds = flops / (64 * 190e12 * 0.4);

  test('tokens default to the Chinchilla-optimal 20 N', () => {
    expectRelativelyClose(plan.tokens, 1.34e11);
    expectRelativelyClose(plan.chinchillaTokens, 1.34e11);
  });

  test('flops, accelerators, cluster throughput, time and cost match the hand computation', () => {
    expectRelativelyClose(plan.flops, flops);
    expectRelativelyClose(plan.flops, 5.3868e21);
    expect(plan.accelerators).toBe(64);
    expect(plan.nodes).toBe(4);
    expect(plan.mfu).toBe(0.4);
    expect(plan.instance.instanceType).toBe('trn1.32xlarge');
    expectRelativelyClose(plan.clusterFlopsPerSecond, 64 * 190e12 * 0.4);
    expectRelativelyClose(plan.seconds, seconds);
    expectRelativelyClose(plan.days, seconds / 86_400);
    expect(plan.days).toBeCloseTo(12.82, 2);
    expectRelativelyClose(plan.clusterPricePerHourUsd, 21.5 * 4);
    expectRelativelyClose(plan.costUsd, 21.5 * 4 * (seconds / 3600));
    expect(plan.costUsd).toBeCloseTo(26456.5, 0);
  });

  test('explicit tokens replace the Chinchilla default but chinchillaTokens still reports it', () => {
    const p = planTraining({ parameters: 175e9, tokens: 300e9, instanceType: 'p4d.24xlarge', nodes: 16, mfu: 0.51 });
    expect(p.tokens).toBe(300e9);
    expectRelativelyClose(p.chinchillaTokens, 3.5e12);
    expectRelativelyClose(p.flops, 3.15e23);
    expect(p.accelerators).toBe(128);
    expectRelativelyClose(p.seconds, 3.15e23 / (128 * 312e12 * 0.51));
  });

  test('mfu defaults to DEFAULT_MFU', () => {
    const p = planTraining({ parameters: 1.3e9, instanceType: 'p5.48xlarge', nodes: 2 });
    expect(p.mfu).toBe(DEFAULT_MFU);
    expectRelativelyClose(p.clusterFlopsPerSecond, 16 * 989e12 * DEFAULT_MFU);
  });

  test('an instance without a catalog price (trn1n) gives no cost', () => {
    const p = planTraining({ parameters: 6.7e9, instanceType: 'trn1n.32xlarge', nodes: 4 });
    expect(p.costUsd).toBeUndefined();
    expect(p.clusterPricePerHourUsd).toBeUndefined();
    expect(p.seconds).toBeGreaterThan(0);
    expect(describePlan(p)).toMatch(/no on-demand price in the catalog/);
  });

  test('describePlan names days and dollars', () => {
    const text = describePlan(plan);
    expect(text).toContain('days');
    expect(text).toContain('$');
    expect(text).toMatch(/about 13 days, about \$26\.5k on demand/);
    expect(text).toMatch(/4 x trn1\.32xlarge at 40% MFU/);
    expect(text).toMatch(/6\.70B parameters on 134B tokens \(5\.39e\+21 FLOPs\)/);
  });

  test('describePlan shows short runs with two significant digits', () => {
    const p = planTraining({ parameters: 1.3e9, instanceType: 'p5.48xlarge', nodes: 2 });
    expect(p.days).toBeLessThan(10);
    expect(describePlan(p)).toContain(`about ${p.days.toPrecision(2)} days`);
  });

  test('throws when nodes is 0', () => {
    expect(() => planTraining({ parameters: 6.7e9, instanceType: 'trn1.32xlarge', nodes: 0 })).toThrow(/nodes: 0/);
  });

  test('throws when nodes is not whole', () => {
    expect(() => planTraining({ parameters: 6.7e9, instanceType: 'trn1.32xlarge', nodes: 1.5 })).toThrow(/nodes: 1\.5/);
  });

  test('throws when mfu is above 1', () => {
    expect(() => planTraining({ parameters: 6.7e9, instanceType: 'trn1.32xlarge', nodes: 4, mfu: 1.5 })).toThrow(/mfu: 1\.5/);
  });

  test('throws when mfu is 0', () => {
    expect(() => planTraining({ parameters: 6.7e9, instanceType: 'trn1.32xlarge', nodes: 4, mfu: 0 })).toThrow(/mfu: 0/);
  });

  test('throws when the instance type is unknown', () => {
    expect(() => planTraining({ parameters: 6.7e9, instanceType: 'g5.48xlarge', nodes: 4 }))
      .toThrow(/instanceType: 'g5\.48xlarge' is not a training instance/);
  });

  test('throws when parameters is 0', () => {
    expect(() => planTraining({ parameters: 0, instanceType: 'trn1.32xlarge', nodes: 4 })).toThrow(/parameters: 0/);
  });

  test('throws when tokens is negative', () => {
    expect(() => planTraining({ parameters: 6.7e9, tokens: -1, instanceType: 'trn1.32xlarge', nodes: 4 })).toThrow(/tokens: -1/);
  });

  test('throws when parameters is NaN', () => {
    expect(() => planTraining({ parameters: Number.NaN, instanceType: 'trn1.32xlarge', nodes: 4 })).toThrow(/parameters: NaN/);
  });

  test('throws once, naming every bad field', () => {
    expect(() => planTraining({ parameters: 0, instanceType: 'x', nodes: 0, mfu: 2 }))
      .toThrow(/instanceType: 'x'.*; parameters: 0.*; nodes: 0.*; mfu: 2/);
  });
});

describe('megatronNodesError', () => {
  const trn1 = findTrainingInstance('trn1.32xlarge')!;
  test('accepts node counts whose NeuronCores TP x PP divides', () => {
    expect(megatronNodesError(findMegatronPreset('gpt3-175b')!, 8, trn1)).toBeUndefined();
    expect(megatronNodesError(findMegatronPreset('gpt3-6.7b')!, 1, trn1)).toBeUndefined();
  });

  test('names the node count, the NeuronCores, TP x PP and the multiple to use', () => {
    expect(megatronNodesError(findMegatronPreset('gpt3-46b')!, 3, trn1))
      .toBe("nodes: 3 nodes give 96 NeuronCores, which gpt3-46b's TP 8 x PP 8 = 64 does not divide; use a multiple of 2 nodes");
  });

  test('refuses a node count that is not whole or below 1', () => {
    expect(megatronNodesError(findMegatronPreset('gpt3-6.7b')!, 0, trn1)).toBe('nodes: 0 must be a whole number of at least 1');
    expect(megatronNodesError(findMegatronPreset('gpt3-6.7b')!, 1.5, trn1)).toBe('nodes: 1.5 must be a whole number of at least 1');
  });
});

describe('fsdpHostMemoryError', () => {
  test('13B fits a p4d.24xlarge host: 8 ranks x 48 GiB within 75% of 1152 GiB', () => {
    expect(fsdpHostMemoryError('gpt3-13b', 13e9, findTrainingInstance('p4d.24xlarge')!)).toBeUndefined();
  });

  test('175B does not fit a p5.48xlarge host, with the numbers', () => {
    expect(fsdpHostMemoryError('gpt3-175b', 175e9, findTrainingInstance('p5.48xlarge')!))
      .toBe("gpt3-175b needs about 5215 GiB of host memory per node (8 ranks x 652 GiB of fp32 weights before sharding), more than 75% of p5.48xlarge's 2048 GiB");
  });
});
