import { FineTuningCatalog, LoraMethod, type FineTuningMemoryOptions } from '../../constructs';
import { FALCON_40B, FALCON_7B, MIXTRAL_8X7B_INSTRUCT, MODEL_PRESETS, SWALLOW_7B_INSTRUCT } from '../../constructs/catalog';

const NOTEBOOK: FineTuningMemoryOptions = { method: LoraMethod.QLORA, loraRank: 16, targetModules: ['all-linear'], maxSequenceLength: 512, perDeviceBatchSize: 2 };
const g5 = (type: string) => FineTuningCatalog.findInstance(type)!;

describe('FineTuningCatalog instances', () => {
  test('GPU training types with usable GPU memory, local NVMe and the dated price', () => {
    const g52x = g5('ml.g5.2xlarge');
    expect(g52x).toEqual({ instanceType: 'ml.g5.2xlarge', accelerator: 'NVIDIA A10G', gpus: 1, gpuMemoryMiB: 22888, vcpus: 8, memoryGiB: 32, localNvme: true, pricePerHourUsd: 1.515 });
    expect(FineTuningCatalog.PRICES_AS_OF).toBe('2024-12-01');
    expect(FineTuningCatalog.findInstance('ml.m5.xlarge')).toBeUndefined();
    expect(FineTuningCatalog.instances().every((i) => i.instanceType.startsWith('ml.') && i.gpus >= 1)).toBe(true);
  });
});

describe('FineTuningCatalog.estimateMemory', () => {
  test('LoRA parameters of a Llama-2-7B shape at r=16 on all linear layers are about 40 million (PEFT reports 39,976,960)', () => {
    const n = FineTuningCatalog.loraParameters(SWALLOW_7B_INSTRUCT, 16, ['all-linear']);
    expect(Math.abs(n - 39_976_960) / 39_976_960).toBeLessThan(0.05);
    expect(FineTuningCatalog.loraParameters(SWALLOW_7B_INSTRUCT, 16, ['q_proj', 'v_proj'])).toBe(16 * 32 * 4096 * 4);
  });

  test('QLoRA of Falcon-7B as the AWS notebook runs it fits one A10G, with the parts adding up', () => {
    const r = FineTuningCatalog.estimateMemory(FALCON_7B, g5('ml.g5.2xlarge'), NOTEBOOK);
    expect(r.fits).toBe(true);
    expect(r.weightsGiB).toBeCloseTo((7.22e9 * 0.6) / 1024 ** 3, 6);
    expect(r.requiredGiB).toBeCloseTo(r.weightsGiB + r.loraStateGiB + r.activationsGiB + r.overheadGiB, 6);
    expect(r.availableGiB).toBeCloseTo(22888 / 1024, 6);
    expect(r.reason).toBeUndefined();
  });

  test('16-bit LoRA of Falcon-7B fits one A10G at 512 tokens but not at batch 16 x 2048', () => {
    expect(FineTuningCatalog.estimateMemory(FALCON_7B, g5('ml.g5.2xlarge'), { ...NOTEBOOK, method: LoraMethod.LORA }).fits).toBe(true);
    const big = FineTuningCatalog.estimateMemory(FALCON_7B, g5('ml.g5.2xlarge'), { ...NOTEBOOK, method: LoraMethod.LORA, perDeviceBatchSize: 16, maxSequenceLength: 2048 });
    expect(big.fits).toBe(false);
    expect(big.reason).toMatch(/base weights in 16 bits 13\.4 .* for 16 x 2048 tokens/);
  });

  test('QLoRA of Falcon-40B misses one A10G and fits an A100 40GB', () => {
    const a10g = FineTuningCatalog.estimateMemory(FALCON_40B, g5('ml.g5.2xlarge'), NOTEBOOK);
    expect(a10g.fits).toBe(false);
    expect(a10g.reason).toMatch(/^needs [\d.]+ GiB per GPU \(base weights in 4 bits 23\.4 \+ LoRA state [\d.]+ \+ activations [\d.]+ for 2 x 512 tokens \+ runtime 1\.5\) but one NVIDIA A10G of ml\.g5\.2xlarge has 22\.4 GiB$/);
    expect(FineTuningCatalog.estimateMemory(FALCON_40B, g5('ml.p4d.24xlarge'), NOTEBOOK).fits).toBe(true);
    expect(FineTuningCatalog.estimateMemory(MIXTRAL_8X7B_INSTRUCT, g5('ml.p4d.24xlarge'), NOTEBOOK).fits).toBe(true);
  });

  test('the logits are sized with the model\'s own vocabulary (Falcon\'s 65,024), 32,000 when a spec has none', () => {
    const falcon = FineTuningCatalog.estimateMemory(FALCON_7B, g5('ml.g5.2xlarge'), NOTEBOOK);
    const { vocabSize, ...withoutVocab } = FALCON_7B;
    expect(vocabSize).toBe(65024);
    const assumed = FineTuningCatalog.estimateMemory(withoutVocab, g5('ml.g5.2xlarge'), NOTEBOOK);
    // 2 x 512 tokens, fp32 logits and their gradient (8 bytes) per vocabulary entry.
    expect(falcon.activationsGiB - assumed.activationsGiB).toBeCloseTo((2 * 512 * (65024 - 32000) * 8) / 1024 ** 3, 9);
    expect(FineTuningCatalog.estimateMemory(SWALLOW_7B_INSTRUCT, g5('ml.g5.2xlarge'), NOTEBOOK).activationsGiB)
      .toBeCloseTo(FineTuningCatalog.estimateMemory({ ...SWALLOW_7B_INSTRUCT, vocabSize: 32000 }, g5('ml.g5.2xlarge'), NOTEBOOK).activationsGiB + (2 * 512 * 11176 * 8) / 1024 ** 3, 9);
  });

  test('every catalog preset has its vocabulary size', () => {
    expect(Object.fromEntries(MODEL_PRESETS.map((m) => [m.name, m.vocabSize]))).toEqual({
      'falcon-40b': 65024, 'falcon-7b': 65024, 'zephyr-7b-beta': 32000, 'swallow-7b-instruct': 43176,
      'mistral-7b-instruct-v0.2': 32000, 'mixtral-8x7b-instruct-v0.1': 32000,
    });
  });

  test('catalog presets are quantizable unless marked otherwise', () => {
    expect(MODEL_PRESETS.every((m) => m.quantizable !== false)).toBe(true);
  });
});
