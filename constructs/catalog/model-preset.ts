import {
  FALCON_40B, FALCON_7B, findModelPreset, MISTRAL_7B_INSTRUCT_V02, MIXTRAL_8X7B_INSTRUCT, MODEL_PRESETS, SWALLOW_7B_INSTRUCT,
  ZEPHYR_7B_BETA, type ModelSpec,
} from './models';

/** A Hub commit: 40 lowercase hex digits. */
const REVISION_PATTERN = /^[0-9a-f]{40}$/;

/**
 * The model catalog: presets for the models of the recipes, each a {@link ModelSpec} filled from
 * the model's Hugging Face `config.json` and card and pinned to a Hub revision.
 *
 * @example
 * new LmiEndpoint(this, 'Falcon', { model: ModelPreset.FALCON_40B });
 */
export class ModelPreset {
  /** Falcon-40B (tiiuae/falcon-40b): GPU only, Apache-2.0. */
  public static readonly FALCON_40B: ModelSpec = FALCON_40B;
  /** Falcon-7B (tiiuae/falcon-7b): multi-query attention, GPU only, Apache-2.0. */
  public static readonly FALCON_7B: ModelSpec = FALCON_7B;
  /** Mistral-7B-Instruct v0.2 (mistralai/Mistral-7B-Instruct-v0.2). */
  public static readonly MISTRAL_7B_INSTRUCT_V02: ModelSpec = MISTRAL_7B_INSTRUCT_V02;
  /** Mixtral-8x7B-Instruct v0.1 (mistralai/Mixtral-8x7B-Instruct-v0.1). */
  public static readonly MIXTRAL_8X7B_INSTRUCT: ModelSpec = MIXTRAL_8X7B_INSTRUCT;
  /** Zephyr-7B-beta (HuggingFaceH4/zephyr-7b-beta). */
  public static readonly ZEPHYR_7B_BETA: ModelSpec = ZEPHYR_7B_BETA;
  /** Swallow-7B-instruct (tokyotech-llm), the Japanese model of the recipes. */
  public static readonly SWALLOW_7B_INSTRUCT: ModelSpec = SWALLOW_7B_INSTRUCT;

  /** Every preset, in catalog order. */
  public static all(): ModelSpec[] {
    return [...MODEL_PRESETS];
  }

  /** The preset whose `name` is `name` (for example `falcon-40b`), or undefined. */
  public static find(name: string): ModelSpec | undefined {
    return findModelPreset(name);
  }

  /**
   * The preset called `name`; throws naming the value and the presets there are when there is none.
   */
  public static fromName(name: string): ModelSpec {
    const spec = findModelPreset(name);
    if (!spec) throw new Error(`ModelPreset.fromName: '${name}' is not a model preset; presets: ${MODEL_PRESETS.map((m) => m.name).join(', ')}`);
    return spec;
  }

  /**
   * A model the catalog lacks, checked: whole positive counts, heads that divide the hidden size,
   * KV heads that divide the attention heads, a 40-hex-digit Hub revision and at least one backend.
   * Throws one error naming every bad field, its value and what is allowed.
   */
  public static of(spec: ModelSpec): ModelSpec {
    const errors: string[] = [];
    if (!spec.name) errors.push('name: must not be empty');
    if (!spec.huggingFaceId.includes('/')) errors.push(`huggingFaceId: '${spec.huggingFaceId}' must be a Hub repository id such as 'org/model'`);
    if (!REVISION_PATTERN.test(spec.revision)) errors.push(`revision: '${spec.revision}' must be a Hub commit of 40 lowercase hex digits`);
    if (!(spec.parameters > 0)) errors.push(`parameters: ${spec.parameters} must be above 0`);
    for (const key of ['layers', 'hiddenSize', 'attentionHeads', 'kvHeads', 'contextLength'] as const) {
      if (!Number.isInteger(spec[key]) || spec[key] < 1) errors.push(`${key}: ${spec[key]} must be a whole number of at least 1`);
    }
    if (errors.length === 0) {
      if (spec.hiddenSize % spec.attentionHeads !== 0) errors.push(`attentionHeads: ${spec.attentionHeads} must divide hiddenSize ${spec.hiddenSize}`);
      if (spec.attentionHeads % spec.kvHeads !== 0) errors.push(`kvHeads: ${spec.kvHeads} must divide attentionHeads ${spec.attentionHeads}`);
    }
    if (spec.backends.length === 0) errors.push('backends: must name at least one serving backend');
    if (errors.length > 0) throw new Error(`ModelPreset.of(${spec.name || 'unnamed'}): ${errors.join('; ')}`);
    return { ...spec, backends: [...spec.backends] };
  }

  private constructor() {}
}
