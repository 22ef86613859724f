import { LmiBackend } from './backend';
import { LmiDtype } from './dtype';

/**
 * The facts about a decoder-only LLM that sizing and serving need. Catalog presets fill every
 * field from the model's Hugging Face `config.json` and card; a custom model is a plain object of
 * this shape.
 */
export interface ModelSpec {
  /** Short catalog key, for example `falcon-40b`. */
  readonly name: string;
  /** Hugging Face Hub repository id, for example `tiiuae/falcon-40b`. */
  readonly huggingFaceId: string;
  /** Hub commit (40 hex digits) the weights are pinned to. */
  readonly revision: string;
  /** Parameter count. */
  readonly parameters: number;
  readonly layers: number;
  readonly hiddenSize: number;
  /**
   * Vocabulary size (`vocab_size` of config.json): the fine-tuning memory check sizes the logits with it.
   * @default 32000 (Llama 2's and Mistral's)
   */
  readonly vocabSize?: number;
  readonly attentionHeads: number;
  /** Key/value heads: equal to attentionHeads for multi-head, 1 for multi-query attention. */
  readonly kvHeads: number;
  /** Longest sequence (prompt plus generated tokens) the model was trained for. */
  readonly contextLength: number;
  /** Dtype the weights are published in. */
  readonly dtype: LmiDtype;
  /** Licence, as an SPDX id where one exists. */
  readonly license: string;
  /** Serving backends whose LMI container supports the architecture. */
  readonly backends: LmiBackend[];
  /**
   * The Hub repository is gated (a click-through before download), so the container cannot fetch
   * it without a token: stage the weights in S3 instead.
   * @default false
   */
  readonly gated?: boolean;
  /**
   * bitsandbytes can load the weights in 4 bits (NF4), so QLoRA can tune the model. False for an
   * architecture whose layers bitsandbytes does not replace (custom kernels, already-quantized weights).
   * @default true
   */
  readonly quantizable?: boolean;
}

/**
 * Falcon-40B. Architecture: config.json (60 layers, hidden 8192, 128 heads, 8 KV heads) and the
 * model card (2048-token context, bfloat16, Apache-2.0). 41.8e9 is the Hub's parameter figure.
 * The revision is the commit that converted the checkpoint to the native `FalconForCausalLM`
 * (linked from ggerganov/llama.cpp#3448, pinned by kaito-project/kaito's supported_models.yaml),
 * so the container loads it without remote code.
 */
export const FALCON_40B: ModelSpec = {
  name: 'falcon-40b',
  huggingFaceId: 'tiiuae/falcon-40b',
  revision: '4a70170c215b36a3cce4b4253f6d0612bb7d4146',
  parameters: 41.8e9,
  layers: 60,
  hiddenSize: 8192,
  vocabSize: 65024, // config.json vocab_size (a falcon-40b config copy in the code corpus); the same tokenizer as Falcon-7B
  attentionHeads: 128,
  kvHeads: 8,
  contextLength: 2048,
  dtype: LmiDtype.BF16,
  license: 'Apache-2.0',
  // Not on Neuron: transformers-neuronx has no Falcon model (aws-neuron/transformers-neuronx#18,
  // closed 2025-04-08 pointing to NxDI) and the LMI neuronx loader maps no `falcon` type.
  backends: [LmiBackend.GPU],
};

/**
 * Falcon-7B: 32 layers, hidden 4544, 71 heads, multi-query attention (one KV head), 2048-token
 * context, bfloat16, Apache-2.0; 7.22e9 parameters on the Hub. The revision is one of the
 * native-architecture checkpoints transformers' FalconOverrideTest loads without remote code
 * (huggingface/transformers#25960).
 */
export const FALCON_7B: ModelSpec = {
  name: 'falcon-7b',
  huggingFaceId: 'tiiuae/falcon-7b',
  revision: 'f7796529e36b2d49094450fb038cc7c4c86afa44',
  parameters: 7.22e9,
  layers: 32,
  hiddenSize: 4544,
  vocabSize: 65024, // config.json vocab_size: the model's word_embeddings are Embedding(65024, 4544) (kimborgen/falcon-llm's module dump)
  attentionHeads: 71,
  kvHeads: 1,
  contextLength: 2048,
  dtype: LmiDtype.BF16,
  license: 'Apache-2.0',
  backends: [LmiBackend.GPU],
};

/**
 * Mistral-7B-Instruct-v0.2: 32 layers, hidden 4096, 32 heads, 8 KV heads, 32768-token context
 * (no sliding window), bfloat16, Apache-2.0, 7.24e9 parameters. The Hub repository is gated.
 * Mistral is in the LMI transformers-neuronx model set (djl-serving tnx_user_guide.md). No AWS
 * sample pins a revision; this one is a Hub commit of the repository seen in public configs.
 */
export const MISTRAL_7B_INSTRUCT_V02: ModelSpec = {
  name: 'mistral-7b-instruct-v0.2',
  huggingFaceId: 'mistralai/Mistral-7B-Instruct-v0.2',
  revision: '41b61a33a2483885c981aa79e0df6b32407ed873',
  parameters: 7.24e9,
  layers: 32,
  hiddenSize: 4096,
  vocabSize: 32000, // config.json vocab_size (copies of the v0.2 config in edadaltocg/mistral-src-finetune, riccardomusmeci/mlx-llm)
  attentionHeads: 32,
  kvHeads: 8,
  contextLength: 32768,
  dtype: LmiDtype.BF16,
  license: 'Apache-2.0',
  backends: [LmiBackend.GPU, LmiBackend.NEURON],
  gated: true,
};

/**
 * Mixtral-8x7B-Instruct-v0.1: 46.7e9 parameters (12.9e9 active), 32 layers, hidden 4096, 32
 * heads, 8 KV heads, 32768-token context, bfloat16, Apache-2.0 (config.json at Hub revision
 * eba92302). Treated as gated like the other mistralai repositories.
 */
export const MIXTRAL_8X7B_INSTRUCT: ModelSpec = {
  name: 'mixtral-8x7b-instruct-v0.1',
  huggingFaceId: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
  revision: 'eba92302a2861cdc0098cc54bc9f17cb2c47eb61',
  parameters: 46.7e9,
  layers: 32,
  hiddenSize: 4096,
  vocabSize: 32000, // Mixtral 8x7B's vocab_size (a config copy in the code corpus lists 32000; this repository's config.json not read here)
  attentionHeads: 32,
  kvHeads: 8,
  contextLength: 32768,
  dtype: LmiDtype.BF16,
  license: 'Apache-2.0',
  backends: [LmiBackend.GPU, LmiBackend.NEURON],
  gated: true,
};

/**
 * Zephyr-7B-beta, a Mistral-7B fine-tune (`MistralForCausalLM`: 32 layers, hidden 4096, 32 heads,
 * 8 KV heads, max_position_embeddings 32768, bfloat16), MIT licence and not gated. Mistral is in
 * the LMI transformers-neuronx model set, and Hugging Face and AWS deploy this model on
 * ml.inf2.8xlarge. Revision as pinned in the huggingface_hub CLI guide.
 */
export const ZEPHYR_7B_BETA: ModelSpec = {
  name: 'zephyr-7b-beta',
  huggingFaceId: 'HuggingFaceH4/zephyr-7b-beta',
  revision: '3bac358730f8806e5c3dc7c7e19eb36e045bf720',
  parameters: 7.24e9,
  layers: 32,
  hiddenSize: 4096,
  vocabSize: 32000, // a fine-tune of Mistral-7B-v0.1 on its tokenizer (model card); 32000 is Mistral-7B-v0.1's vocab_size; Zephyr's own config.json not read here
  attentionHeads: 32,
  kvHeads: 8,
  contextLength: 32768,
  dtype: LmiDtype.BF16,
  license: 'MIT',
  backends: [LmiBackend.GPU, LmiBackend.NEURON],
};

/**
 * Swallow-7B-instruct (tokyotech-llm, Tokyo Tech and AIST): Llama 2 7B with continued Japanese
 * pretraining, an extended Japanese vocabulary and instruction tuning. config.json at the pinned
 * revision (huggingface.co/tokyotech-llm/Swallow-7b-instruct-hf/blob/8aa132a30afa6a4db265b978e31703ff352e19b1/config.json):
 * `LlamaForCausalLM`, 32 layers, hidden 4096, 32 heads, 32 KV heads, max_position_embeddings 4096,
 * vocab 43176, bfloat16. Licence: Llama 2 Community License (model card). Not gated as of the
 * model page seen; Llama is in the LMI transformers-neuronx model set. Parameters: Llama-2-7B's
 * 6.74e9 plus 2 x 11176 extra vocabulary rows of 4096 (computed, not a published figure).
 */
export const SWALLOW_7B_INSTRUCT: ModelSpec = {
  name: 'swallow-7b-instruct',
  huggingFaceId: 'tokyotech-llm/Swallow-7b-instruct-hf',
  revision: '8aa132a30afa6a4db265b978e31703ff352e19b1',
  parameters: 6.83e9,
  layers: 32,
  hiddenSize: 4096,
  vocabSize: 43176, // config.json at the pinned revision, as cited above
  attentionHeads: 32,
  kvHeads: 32,
  contextLength: 4096,
  dtype: LmiDtype.BF16,
  license: 'LLAMA 2 Community License',
  backends: [LmiBackend.GPU, LmiBackend.NEURON],
};

/** Every catalog model preset. */
export const MODEL_PRESETS: readonly ModelSpec[] = [
  FALCON_40B, FALCON_7B, ZEPHYR_7B_BETA, SWALLOW_7B_INSTRUCT, MISTRAL_7B_INSTRUCT_V02, MIXTRAL_8X7B_INSTRUCT,
];

/** The catalog preset called `name`, or undefined. */
export function findModelPreset(name: string): ModelSpec | undefined {
  return MODEL_PRESETS.find((m) => m.name === name);
}

/** True when `model` can be served on `backend`. */
export function supportsBackend(model: ModelSpec, backend: LmiBackend): boolean {
  return model.backends.includes(backend);
}
