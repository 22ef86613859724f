import * as fs from 'fs';
import * as path from 'path';
import * as api from '../../constructs';
import {
  cheapestServingFit, FALCON_40B, findHostingInstance, KENDRA_INDEX_ID_PATTERN, LmiBackend, LmiDtype, MEGATRON_GPT3_PRESETS,
  MODEL_PRESETS, planTraining, rankInstances, SAGEMAKER_NAME_PATTERN, VARIANT_VOLUME_RANGE_GIB,
} from '../../constructs/catalog';
import { FSDP_PRESETS } from '../../constructs/catalog/training';

const { FsdpPreset, MegatronPreset, ModelPreset, ServiceLimits, SizingPlanner, TrainingPlanner } = api;

describe('ModelPreset', () => {
  test('one static member per catalog preset, under the constant name the library used', () => {
    const statics = Object.entries(ModelPreset).filter(([, v]) => typeof v === 'object');
    expect(statics.map(([, v]) => v)).toEqual(expect.arrayContaining([...MODEL_PRESETS]));
    expect(statics).toHaveLength(MODEL_PRESETS.length);
    expect(ModelPreset.FALCON_40B).toBe(FALCON_40B);
    expect(ModelPreset.all()).toEqual(MODEL_PRESETS);
  });

  test('find and fromName', () => {
    expect(ModelPreset.find('falcon-7b')).toBe(ModelPreset.FALCON_7B);
    expect(ModelPreset.find('gpt-5')).toBeUndefined();
    expect(() => ModelPreset.fromName('gpt-5')).toThrow(/ModelPreset.fromName: 'gpt-5' is not a model preset; presets: falcon-40b, /);
  });

  test('of() accepts every preset and copies it', () => {
    for (const spec of ModelPreset.all()) {
      const copy = ModelPreset.of(spec);
      expect(copy).toEqual(spec);
      expect(copy).not.toBe(spec);
    }
  });

  test('throws when a custom model has bad fields, naming each', () => {
    expect(() => ModelPreset.of({ ...FALCON_40B, name: 'mine', revision: 'main', kvHeads: 0, backends: [] })).toThrow(
      /ModelPreset.of\(mine\): revision: 'main' must be a Hub commit of 40 lowercase hex digits; kvHeads: 0 must be a whole number of at least 1; backends: must name at least one serving backend/,
    );
    expect(() => ModelPreset.of({ ...FALCON_40B, name: 'odd', attentionHeads: 100 })).toThrow(/attentionHeads: 100 must divide hiddenSize 8192/);
    expect(() => ModelPreset.of({ ...FALCON_40B, name: 'kv', kvHeads: 3 })).toThrow(/kvHeads: 3 must divide attentionHeads 128/);
  });
});

describe('SizingPlanner', () => {
  const g5 = findHostingInstance('ml.g5.48xlarge')!;

  test('answers as the sizing functions do', () => {
    expect(SizingPlanner.fit(FALCON_40B, g5).fits).toBe(true);
    expect(SizingPlanner.rank(FALCON_40B, { backend: LmiBackend.GPU })).toEqual(rankInstances(FALCON_40B, LmiBackend.GPU, {}));
    expect(SizingPlanner.cheapestServing(FALCON_40B, { backend: LmiBackend.GPU })).toEqual(cheapestServingFit(FALCON_40B, {}, LmiBackend.GPU));
    expect(SizingPlanner.cheapest(FALCON_40B)?.fits).toBe(true);
    expect(SizingPlanner.servingSettings(FALCON_40B, LmiBackend.NEURON)).toEqual({ dtype: LmiDtype.FP16, maxRollingBatchSize: 4, maxSequenceLength: 2048 });
    expect(SizingPlanner.tensorParallelDegrees(FALCON_40B, g5)).toEqual([1, 2, 4, 8]);
    expect(SizingPlanner.weightMemoryGiB(FALCON_40B)).toBeCloseTo((41.8e9 * 2) / 1024 ** 3);
  });

  test('the cheapest fit is the first priced fit of the ranking', () => {
    const ranked = SizingPlanner.rank(FALCON_40B);
    expect(SizingPlanner.cheapest(FALCON_40B)).toEqual(ranked.find((r) => r.fits && r.instance.pricePerHourUsd !== undefined));
  });
});

describe('TrainingPlanner and the presets', () => {
  test('plan and describe are the planner functions', () => {
    const input = { parameters: 6.7e9, instanceType: 'trn1.32xlarge', nodes: 4 };
    expect(TrainingPlanner.plan(input)).toEqual(planTraining(input));
    expect(TrainingPlanner.describe(TrainingPlanner.plan(input))).toMatch(/on 4 x trn1.32xlarge at 40% MFU/);
    expect(TrainingPlanner.chinchillaOptimalTokens(70e9)).toBe(1.4e12);
    expect(TrainingPlanner.flops(1, 1)).toBe(6);
    expect(TrainingPlanner.findInstance('p5.48xlarge')?.acceleratorCount).toBe(8);
  });

  test('throws when an instance type is not in the training catalog', () => {
    expect(() => TrainingPlanner.fsdpHostMemoryError('gpt3-175b', 175e9, 'p3.2xlarge')).toThrow(
      /TrainingPlanner.fsdpHostMemoryError: instanceType 'p3.2xlarge' is not a training instance; known: trn1.32xlarge, /,
    );
    expect(() => MegatronPreset.nodesError(MegatronPreset.GPT3_175B, 1, 'p3.2xlarge')).toThrow(/MegatronPreset.nodesError: instanceType 'p3.2xlarge'/);
  });

  test('Megatron presets: every catalog preset, and the recipe checks', () => {
    expect([MegatronPreset.GPT3_6_7B, MegatronPreset.GPT3_23B, MegatronPreset.GPT3_46B, MegatronPreset.GPT3_175B]).toEqual(MEGATRON_GPT3_PRESETS);
    expect(MegatronPreset.dataParallel(MegatronPreset.GPT3_6_7B, 4)).toBe(16);
    expect(MegatronPreset.nodesError(MegatronPreset.GPT3_175B, 4, 'trn1.32xlarge')).toMatch(/use a multiple of 8 nodes/);
    expect(MegatronPreset.nodesError(MegatronPreset.GPT3_175B, 8, 'trn1.32xlarge')).toBeUndefined();
  });

  test('FSDP presets: every model size of train_fsdp.py', () => {
    expect(FsdpPreset.all()).toEqual(Object.entries(FSDP_PRESETS).map(([name, parameters]) => ({ name, parameters })));
    expect([FsdpPreset.GPT3_1_3B, FsdpPreset.GPT3_6_7B, FsdpPreset.GPT3_13B, FsdpPreset.GPT3_175B]).toEqual(FsdpPreset.all());
    expect(TrainingPlanner.fsdpHostMemoryError('gpt3-175b', FsdpPreset.GPT3_175B.parameters, 'p5.48xlarge')).toMatch(/host memory per node/);
  });
});

describe('ServiceLimits', () => {
  test('patterns are the regular expressions the library checks with', () => {
    expect(new RegExp(ServiceLimits.SAGEMAKER_NAME_PATTERN).source).toBe(SAGEMAKER_NAME_PATTERN.source);
    expect(new RegExp(ServiceLimits.KENDRA_INDEX_ID_PATTERN).test('0123abcd-4567-89ef-0123-456789abcdef')).toBe(KENDRA_INDEX_ID_PATTERN.test('0123abcd-4567-89ef-0123-456789abcdef'));
    expect(ServiceLimits.VARIANT_VOLUME_MAX_GIB).toBe(VARIANT_VOLUME_RANGE_GIB.max);
  });
});

describe('the public surface', () => {
  const index = fs.readFileSync(path.join(__dirname, '..', '..', 'constructs', 'index.ts'), 'utf-8');

  test('constructs/index.ts lists its exports by name', () => {
    expect(index).not.toMatch(/^export \*/m);
    // Only module paths, never a family index (whose `export *` would leak internals).
    for (const [, from] of index.matchAll(/from '([^']+)'/g)) expect(from).toMatch(/^\.\/[a-z-]+\/[a-z-]+$/);
  });

  test('no helper or internal constant is exported', () => {
    for (const name of ['logsKey', 'retainedBucket', 'nagResourceFinding', 'FALCON_40B', 'checkFit', 'planTraining', 'SAGEMAKER_NAME_PATTERN', 'FSDP_PRESETS']) {
      expect(Object.keys(api)).not.toContain(name);
    }
  });
});
