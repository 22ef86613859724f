import type { LmiBackend } from './backend';
import type { LmiDtype } from './dtype';
import type { HostingInstance } from './instances';
import type { ModelSpec } from './models';
import {
  checkFit, cheapestServingFit, DEVICE_MEMORY_UTILIZATION, GPU_DEFAULT_BATCH, kvCacheBytesPerToken, NEURON_DEFAULT_BATCH, NEURON_SEQUENCE_CAP,
  rankInstances, rankServingFits, RUNTIME_OVERHEAD_GIB_PER_DEVICE, servingDefaults, servingFit, validTensorParallelDegrees, weightMemoryGiB,
  type FitOptions, type FitReport, type ServingOptions,
} from './sizing';

/** Options of {@link SizingPlanner.rank}: what a fit check looks at besides the model and instance. */
export interface RankOptions {
  /** Only instances of this serving backend. @default every backend */
  readonly backend?: LmiBackend;
  /** @default the model's dtype */
  readonly dtype?: LmiDtype;
  /** Longest sequence to serve. @default the model's context length */
  readonly maxSequenceLength?: number;
  /** Sequences whose KV cache must fit at once. @default 1 on GPU, 4 on Neuron */
  readonly concurrentSequences?: number;
}

/** Options of {@link SizingPlanner.servingFit}: LmiEndpoint's serving settings. */
export interface ServingFitOptions extends ServingOptions {
  /** @default the largest valid degree on the instance */
  readonly tensorParallelDegree?: number;
}

/** Options of {@link SizingPlanner.rankServing} and {@link SizingPlanner.cheapestServing}. */
export interface ServingRankOptions extends ServingOptions {
  /** Only instances of this serving backend. @default every backend */
  readonly backend?: LmiBackend;
}

/** The serving settings LmiEndpoint uses, each resolved to a value. */
export interface ServingSettings {
  readonly dtype: LmiDtype;
  readonly maxRollingBatchSize: number;
  readonly maxSequenceLength: number;
}

/**
 * The sizing planner: whether a model fits a hosting instance's accelerator memory (weights, KV
 * cache and a runtime allowance against the engine's share of device memory), and the cheapest
 * catalog instance that holds it. The same checks LmiEndpoint runs at synth.
 */
export class SizingPlanner {
  /** Share of device memory the serving engine may use (vLLM's `gpu_memory_utilization` default). */
  public static readonly DEVICE_MEMORY_UTILIZATION: number = DEVICE_MEMORY_UTILIZATION;
  /** GiB per device that weights and KV cache cannot use (an engineering allowance, not an AWS figure). */
  public static readonly RUNTIME_OVERHEAD_GIB_PER_DEVICE: number = RUNTIME_OVERHEAD_GIB_PER_DEVICE;
  /** Default rolling batch on GPU. */
  public static readonly GPU_DEFAULT_BATCH: number = GPU_DEFAULT_BATCH;
  /** Default rolling batch (sequences compiled at once) on Neuron. */
  public static readonly NEURON_DEFAULT_BATCH: number = NEURON_DEFAULT_BATCH;
  /** Default cap on sequence positions on Neuron. */
  public static readonly NEURON_SEQUENCE_CAP: number = NEURON_SEQUENCE_CAP;

  /** GiB the weights take in `dtype`. @param dtype default: the model's dtype */
  public static weightMemoryGiB(model: ModelSpec, dtype?: LmiDtype): number {
    return weightMemoryGiB(model, dtype);
  }

  /** KV-cache bytes one token takes in `dtype`. @param dtype default: the model's dtype */
  public static kvCacheBytesPerToken(model: ModelSpec, dtype?: LmiDtype): number {
    return kvCacheBytesPerToken(model, dtype);
  }

  /** Tensor-parallel degrees that shard the model on the instance, ascending. */
  public static tensorParallelDegrees(model: ModelSpec, instance: HostingInstance): number[] {
    return validTensorParallelDegrees(model, instance);
  }

  /** Whether the model fits the instance, with the numbers behind the answer. */
  public static fit(model: ModelSpec, instance: HostingInstance, options?: FitOptions): FitReport {
    return checkFit(model, instance, options);
  }

  /** Fit reports on every catalog instance (of `options.backend`, if given), cheapest first, unpriced last. */
  public static rank(model: ModelSpec, options: RankOptions = {}): FitReport[] {
    const { backend, ...fit } = options;
    return rankInstances(model, backend, fit);
  }

  /** The cheapest priced catalog instance the model fits, or undefined. */
  public static cheapest(model: ModelSpec, options: RankOptions = {}): FitReport | undefined {
    return SizingPlanner.rank(model, options).find((r) => r.fits && r.instance.pricePerHourUsd !== undefined);
  }

  /** The serving settings LmiEndpoint would use for the model on a backend. */
  public static servingSettings(model: ModelSpec, backend: LmiBackend, options?: ServingOptions): ServingSettings {
    return servingDefaults(model, backend, options);
  }

  /** The fit of the model on the instance as LmiEndpoint serves it. */
  public static servingFit(model: ModelSpec, instance: HostingInstance, options?: ServingFitOptions): FitReport {
    return servingFit(model, instance, options);
  }

  /** Serving fits on every catalog instance (of `options.backend`, if given), cheapest first, unpriced last. */
  public static rankServing(model: ModelSpec, options: ServingRankOptions = {}): FitReport[] {
    const { backend, ...serving } = options;
    return rankServingFits(model, serving, backend);
  }

  /** The cheapest priced catalog instance the model fits as LmiEndpoint serves it, or undefined. */
  public static cheapestServing(model: ModelSpec, options: ServingRankOptions = {}): FitReport | undefined {
    const { backend, ...serving } = options;
    return cheapestServingFit(model, serving, backend);
  }

  private constructor() {}
}
