import {
  FALCON_40B, FALCON_7B, findModelPreset, LmiBackend, LmiDtype, MISTRAL_7B_INSTRUCT_V02, MIXTRAL_8X7B_INSTRUCT, MODEL_PRESETS,
  supportsBackend, SWALLOW_7B_INSTRUCT, ZEPHYR_7B_BETA,
} from '../../constructs/catalog';

const PRESETS = MODEL_PRESETS.map((m) => [m.name, m] as const);

describe('MODEL_PRESETS', () => {
  test('lists every exported preset once, under unique names', () => {
    expect(MODEL_PRESETS).toEqual(expect.arrayContaining([
      FALCON_40B, FALCON_7B, ZEPHYR_7B_BETA, SWALLOW_7B_INSTRUCT, MISTRAL_7B_INSTRUCT_V02, MIXTRAL_8X7B_INSTRUCT,
    ]));
    const names = MODEL_PRESETS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    const hubIds = MODEL_PRESETS.map((m) => m.huggingFaceId);
    expect(new Set(hubIds).size).toBe(hubIds.length);
  });

  test.each(PRESETS)('%s pins a 40-hex Hub revision', (_name, model) => {
    expect(model.revision).toMatch(/^[0-9a-f]{40}$/);
  });

  test.each(PRESETS)('%s has a Hub id of the form owner/name', (_name, model) => {
    expect(model.huggingFaceId).toMatch(/^[\w.-]+\/[\w.-]+$/);
  });

  test.each(PRESETS)('%s has consistent attention geometry', (_name, model) => {
    for (const n of [model.layers, model.hiddenSize, model.attentionHeads, model.kvHeads, model.contextLength]) {
      expect(Number.isInteger(n)).toBe(true);
      expect(n).toBeGreaterThan(0);
    }
    expect(model.parameters).toBeGreaterThan(1e9);
    expect(model.kvHeads).toBeLessThanOrEqual(model.attentionHeads);
    expect(model.attentionHeads % model.kvHeads).toBe(0);
    expect(model.hiddenSize % model.attentionHeads).toBe(0);
  });

  test.each(PRESETS)('%s lists at least one known backend, without duplicates', (_name, model) => {
    expect(model.backends.length).toBeGreaterThan(0);
    expect(new Set(model.backends).size).toBe(model.backends.length);
    for (const b of model.backends) {
      expect(Object.values(LmiBackend)).toContain(b);
    }
  });

  test('the mistralai repositories are gated and the others are not', () => {
    for (const model of MODEL_PRESETS) {
      expect(model.gated ?? false).toBe(model.huggingFaceId.startsWith('mistralai/'));
    }
  });
});

describe('FALCON_40B', () => {
  test('carries the config.json architecture', () => {
    expect(FALCON_40B.name).toBe('falcon-40b');
    expect(FALCON_40B.huggingFaceId).toBe('tiiuae/falcon-40b');
    expect(FALCON_40B.layers).toBe(60);
    expect(FALCON_40B.hiddenSize).toBe(8192);
    expect(FALCON_40B.attentionHeads).toBe(128);
    expect(FALCON_40B.kvHeads).toBe(8);
    expect(FALCON_40B.contextLength).toBe(2048);
    expect(FALCON_40B.parameters).toBe(41.8e9);
    expect(FALCON_40B.dtype).toBe(LmiDtype.BF16);
  });

  test('is served on GPU only, not on Neuron', () => {
    expect(FALCON_40B.backends).toEqual([LmiBackend.GPU]);
    expect(supportsBackend(FALCON_40B, LmiBackend.GPU)).toBe(true);
    expect(supportsBackend(FALCON_40B, LmiBackend.NEURON)).toBe(false);
  });
});

describe('FALCON_7B', () => {
  test('uses multi-query attention over 71 heads of 64 dims', () => {
    expect(FALCON_7B.attentionHeads).toBe(71);
    expect(FALCON_7B.kvHeads).toBe(1);
    expect(FALCON_7B.hiddenSize / FALCON_7B.attentionHeads).toBe(64);
    expect(supportsBackend(FALCON_7B, LmiBackend.NEURON)).toBe(false);
  });
});

describe('SWALLOW_7B_INSTRUCT', () => {
  test('is an ungated Japanese Llama-2 instruction model with the config.json architecture, servable on Neuron', () => {
    expect(SWALLOW_7B_INSTRUCT).toMatchObject({
      huggingFaceId: 'tokyotech-llm/Swallow-7b-instruct-hf', layers: 32, hiddenSize: 4096, attentionHeads: 32, kvHeads: 32, contextLength: 4096, dtype: LmiDtype.BF16,
    });
    expect(SWALLOW_7B_INSTRUCT.gated ?? false).toBe(false);
    expect(supportsBackend(SWALLOW_7B_INSTRUCT, LmiBackend.NEURON)).toBe(true);
  });
});

describe('findModelPreset', () => {
  test.each(PRESETS)('finds %s by name', (name, model) => {
    expect(findModelPreset(name)).toBe(model);
  });

  test('returns undefined for an unknown or differently spelled name', () => {
    expect(findModelPreset('falcon-180b')).toBeUndefined();
    expect(findModelPreset('tiiuae/falcon-40b')).toBeUndefined();
    expect(findModelPreset('Falcon-40B')).toBeUndefined();
    expect(findModelPreset('')).toBeUndefined();
  });
});

describe('supportsBackend', () => {
  test('Mistral-architecture presets support both backends', () => {
    for (const model of [ZEPHYR_7B_BETA, MISTRAL_7B_INSTRUCT_V02, MIXTRAL_8X7B_INSTRUCT]) {
      expect(supportsBackend(model, LmiBackend.GPU)).toBe(true);
      expect(supportsBackend(model, LmiBackend.NEURON)).toBe(true);
    }
  });

  test('follows the backends of a custom model', () => {
    const neuronOnly = { ...ZEPHYR_7B_BETA, name: 'custom', backends: [LmiBackend.NEURON] };
    expect(supportsBackend(neuronOnly, LmiBackend.NEURON)).toBe(true);
    expect(supportsBackend(neuronOnly, LmiBackend.GPU)).toBe(false);
    expect(supportsBackend({ ...neuronOnly, backends: [] }, LmiBackend.NEURON)).toBe(false);
  });
});
