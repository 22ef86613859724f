import { LmiBackend } from './backend';
import { LmiDtype } from './dtype';
import { HOSTING_INSTANCES, type HostingInstance } from './instances';
import type { ModelSpec } from './models';

/** Bytes per parameter and per KV-cache element for each dtype LMI serves in. */
const DTYPE_BYTES: Readonly<Record<LmiDtype, number>> = { [LmiDtype.FP16]: 2, [LmiDtype.BF16]: 2 };

/**
 * Share of device memory the serving engine may use. vLLM's `gpu_memory_utilization` defaults
 * to 0.9; the same share is applied to NeuronCore memory for want of a Neuron figure.
 */
export const DEVICE_MEMORY_UTILIZATION = 0.9;

/**
 * Memory per device that weights and KV cache cannot use: CUDA / Neuron runtime context,
 * activations and communication buffers. An engineering allowance, not an AWS figure: it is what
 * makes Falcon-40B in 16 bits (78 GiB of weights) miss 4 x A10G (89 GiB), which AWS's own
 * samples confirm runs out of memory on long prompts.
 */
export const RUNTIME_OVERHEAD_GIB_PER_DEVICE = 1;

const GIB = 1024 ** 3;

/** Memory the weights take in GiB. */
export function weightMemoryGiB(model: ModelSpec, dtype: LmiDtype = model.dtype): number {
  return (model.parameters * DTYPE_BYTES[dtype]) / GIB;
}

/** KV-cache bytes one token takes: keys and values for every layer and KV head. */
export function kvCacheBytesPerToken(model: ModelSpec, dtype: LmiDtype = model.dtype): number {
  const headDim = model.hiddenSize / model.attentionHeads;
  return 2 * model.layers * model.kvHeads * headDim * DTYPE_BYTES[dtype];
}

/**
 * Whether `degree` can shard the model on GPUs (vLLM): it must divide the attention heads, and
 * either divide the KV heads or be a multiple of them (KV heads are replicated past their count).
 */
export function isValidTensorParallelDegree(model: ModelSpec, degree: number): boolean {
  if (!Number.isInteger(degree) || degree < 1) return false;
  if (model.attentionHeads % degree !== 0) return false;
  return model.kvHeads % degree === 0 || degree % model.kvHeads === 0;
}

/**
 * Degrees transformers-neuronx shards over NeuronCores. It pads attention heads to a multiple of
 * the degree, so the degree need not divide them: AWS's LMI configurations run Llama-2-13B (40
 * heads) at 12 on ml.inf2.24xlarge and Llama-2-70B (64 heads) at 24 on ml.inf2.48xlarge, and use
 * 2, 4, 8, 16 and 32 elsewhere (djl-serving LMI docs and samples, aws-neuron-samples).
 */
export const NEURON_TENSOR_PARALLEL_DEGREES: readonly number[] = [1, 2, 4, 8, 12, 16, 24, 32];

/** Degrees that shard the model on the instance's backend and do not exceed its devices, ascending. */
export function validTensorParallelDegrees(model: ModelSpec, instance: HostingInstance): number[] {
  const degrees: number[] = [];
  for (let d = 1; d <= instance.devices; d++) {
    const ok = instance.backend === LmiBackend.NEURON ? NEURON_TENSOR_PARALLEL_DEGREES.includes(d) : isValidTensorParallelDegree(model, d);
    if (ok) degrees.push(d);
  }
  return degrees;
}

/** What a fit check looks at besides the model and instance. */
export interface FitOptions {
  /** @default the largest valid degree on the instance */
  readonly tensorParallelDegree?: number;
  /** @default the model's dtype */
  readonly dtype?: LmiDtype;
  /** Longest sequence to serve. @default the model's context length */
  readonly maxSequenceLength?: number;
  /**
   * Sequences whose KV cache must fit at once. The GPU engine pages its cache and only needs one
   * full-length sequence to start; transformers-neuronx allocates the whole batch up front.
   * @default 1 on GPU, NEURON_DEFAULT_BATCH (4) on Neuron
   */
  readonly concurrentSequences?: number;
}

/** The outcome of a fit check, with the numbers behind it. */
export interface FitReport {
  readonly instance: HostingInstance;
  readonly fits: boolean;
  /** Degree checked; undefined when no valid degree exists on the instance. */
  readonly tensorParallelDegree?: number;
  readonly weightsGiB: number;
  readonly kvCacheGiB: number;
  readonly overheadGiB: number;
  readonly requiredGiB: number;
  /** Device memory the engine may use on the devices the degree occupies. */
  readonly availableGiB: number;
  /** availableGiB - requiredGiB; negative when it does not fit. */
  readonly headroomGiB: number;
  /** Why it does not fit; undefined when it fits. */
  readonly reason?: string;
}

/** Default concurrent sequences on Neuron: AWS's LMI Neuron samples compile max_rolling_batch_size 4. */
export const NEURON_DEFAULT_BATCH = 4;

/** Default rolling batch on GPU: AWS's Falcon-40B LMI samples and the LMI instance-selection guide (32-64). */
export const GPU_DEFAULT_BATCH = 64;

/** Default n_positions cap on Neuron; aws-neuron-samples compile 2048 positions by default (the handler's own default is 128). */
export const NEURON_SEQUENCE_CAP = 2048;

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Checks whether `model` fits `instance` with the engine's memory share, and says why not. */
export function checkFit(model: ModelSpec, instance: HostingInstance, options: FitOptions = {}): FitReport {
  const dtype = options.dtype ?? model.dtype;
  const seq = options.maxSequenceLength ?? model.contextLength;
  const batch = options.concurrentSequences ?? (instance.backend === LmiBackend.NEURON ? NEURON_DEFAULT_BATCH : 1);
  const weightsGiB = weightMemoryGiB(model, dtype);
  const kvCacheGiB = (kvCacheBytesPerToken(model, dtype) * seq * batch) / GIB;
  const base = { instance, weightsGiB, kvCacheGiB };

  if (!model.backends.includes(instance.backend)) {
    return {
      ...base, fits: false, overheadGiB: 0, requiredGiB: weightsGiB + kvCacheGiB, availableGiB: 0, headroomGiB: -(weightsGiB + kvCacheGiB),
      reason: `${model.name} is not supported by the LMI ${instance.backend} container (supported: ${model.backends.join(', ')})`,
    };
  }
  const valid = validTensorParallelDegrees(model, instance);
  const degree = options.tensorParallelDegree ?? valid[valid.length - 1];
  if (degree === undefined || !valid.includes(degree)) {
    const requested = degree === undefined ? 'no tensor-parallel degree is valid' : `tensor-parallel degree ${degree} is not valid`;
    return {
      ...base, fits: false, tensorParallelDegree: degree, overheadGiB: 0, requiredGiB: weightsGiB + kvCacheGiB, availableGiB: 0,
      headroomGiB: -(weightsGiB + kvCacheGiB),
      reason: `${requested}: ${instance.backend === LmiBackend.NEURON
        ? `transformers-neuronx shards over ${NEURON_TENSOR_PARALLEL_DEGREES.join(', ')} NeuronCores and ${instance.instanceType} has ${instance.devices}`
        : `a degree must divide ${model.attentionHeads} attention heads, divide or be a multiple of ${model.kvHeads} KV heads, and not exceed ${instance.devices} devices`} (valid: ${valid.join(', ') || 'none'})`,
    };
  }
  const overheadGiB = RUNTIME_OVERHEAD_GIB_PER_DEVICE * degree;
  const requiredGiB = weightsGiB + kvCacheGiB + overheadGiB;
  const availableGiB = (degree * instance.deviceMemoryMiB * DEVICE_MEMORY_UTILIZATION) / 1024;
  const headroomGiB = availableGiB - requiredGiB;
  const fits = headroomGiB >= 0;
  return {
    ...base, fits, tensorParallelDegree: degree, overheadGiB, requiredGiB, availableGiB, headroomGiB,
    reason: fits ? undefined
      : `needs ${round1(requiredGiB)} GiB (weights ${round1(weightsGiB)} + KV cache ${round1(kvCacheGiB)} + runtime ${round1(overheadGiB)}) `
        + `but ${degree} x ${instance.accelerator} ${instance.backend === LmiBackend.NEURON ? 'NeuronCores ' : ''}offer ${round1(availableGiB)} GiB `
        + `(${Math.round(DEVICE_MEMORY_UTILIZATION * 100)}% of ${round1((degree * instance.deviceMemoryMiB) / 1024)} GiB)`,
  };
}

/** Fit reports for every catalog instance of the backend (or all backends), cheapest first. */
export function rankInstances(model: ModelSpec, backend?: LmiBackend, options: Omit<FitOptions, 'tensorParallelDegree'> = {}): FitReport[] {
  return rankBy(backend, (i) => checkFit(model, i, options));
}

/** The fit of every catalog instance (of the backend, if given), cheapest first, unpriced last. */
function rankBy(backend: LmiBackend | undefined, fit: (instance: HostingInstance) => FitReport): FitReport[] {
  return HOSTING_INSTANCES
    .filter((i) => backend === undefined || i.backend === backend)
    .map(fit)
    .sort((a, b) => (a.instance.pricePerHourUsd ?? Infinity) - (b.instance.pricePerHourUsd ?? Infinity));
}

/** The first report that fits on a priced instance. */
function firstPricedFit(reports: FitReport[]): FitReport | undefined {
  return reports.find((r) => r.fits && r.instance.pricePerHourUsd !== undefined);
}

/** The cheapest priced catalog instance the model fits, or undefined. */
export function cheapestFit(model: ModelSpec, backend?: LmiBackend, options: Omit<FitOptions, 'tensorParallelDegree'> = {}): FitReport | undefined {
  return firstPricedFit(rankInstances(model, backend, options));
}

/** Serving settings that change the memory a model needs; unset ones take the backend's defaults. */
export interface ServingOptions {
  readonly dtype?: LmiDtype;
  readonly maxRollingBatchSize?: number;
  readonly maxSequenceLength?: number;
}

/**
 * The serving settings LmiEndpoint uses on a backend: the model's dtype on GPU and fp16 on Neuron
 * (the transformers-neuronx handler's default), a rolling batch of 64 on GPU and 4 on Neuron, and
 * the model's context on GPU, capped at 2048 positions on Neuron.
 */
export function servingDefaults(model: ModelSpec, backend: LmiBackend, options: ServingOptions = {}): Required<ServingOptions> {
  const neuron = backend === LmiBackend.NEURON;
  return {
    dtype: options.dtype ?? (neuron ? LmiDtype.FP16 : model.dtype),
    maxRollingBatchSize: options.maxRollingBatchSize ?? (neuron ? NEURON_DEFAULT_BATCH : GPU_DEFAULT_BATCH),
    maxSequenceLength: options.maxSequenceLength ?? (neuron ? Math.min(model.contextLength, NEURON_SEQUENCE_CAP) : model.contextLength),
  };
}

/**
 * The fit of the model on an instance as LmiEndpoint would serve it: vLLM pages its KV cache and
 * needs one full sequence to start, transformers-neuronx allocates the whole batch up front.
 */
export function servingFit(model: ModelSpec, instance: HostingInstance, options: ServingOptions & { readonly tensorParallelDegree?: number } = {}): FitReport {
  const d = servingDefaults(model, instance.backend, options);
  return checkFit(model, instance, {
    tensorParallelDegree: options.tensorParallelDegree,
    dtype: d.dtype,
    maxSequenceLength: d.maxSequenceLength,
    concurrentSequences: instance.backend === LmiBackend.NEURON ? d.maxRollingBatchSize : 1,
  });
}

/** Serving fits on every catalog instance (of the backend, if given), cheapest first, unpriced last. */
export function rankServingFits(model: ModelSpec, options: ServingOptions = {}, backend?: LmiBackend): FitReport[] {
  return rankBy(backend, (i) => servingFit(model, i, options));
}

/**
 * The cheapest priced catalog instance the model fits as LmiEndpoint serves it, among the instances
 * `eligible` accepts (of the backend, if given).
 */
export function cheapestServingFit(model: ModelSpec, options: ServingOptions = {}, backend?: LmiBackend,
  eligible: (instance: HostingInstance) => boolean = () => true): FitReport | undefined {
  return firstPricedFit(rankServingFits(model, options, backend).filter((r) => eligible(r.instance)));
}
