import {
  CHINCHILLA_TOKENS_PER_PARAMETER, chinchillaOptimalTokens, DEFAULT_MFU, describePlan, findMegatronPreset, findTrainingInstance, fsdpHostMemoryError,
  MEGATRON_GPT3_PRESETS, megatronDataParallel, megatronNodesError, planTraining, TRAINING_INSTANCES, TRAINING_PRICES_AS_OF, trainingFlops,
  type MegatronGpt3Preset, type TrainingInstance, type TrainingPlan, type TrainingPlanInput,
} from './training';

function trainingInstance(caller: string, instanceType: string): TrainingInstance {
  const instance = findTrainingInstance(instanceType);
  if (!instance) {
    throw new Error(`${caller}: instanceType '${instanceType}' is not a training instance; known: ${TRAINING_INSTANCES.map((i) => i.instanceType).join(', ')}`);
  }
  return instance;
}

/**
 * The training planner of the talk's rule of thumb: compute C = 6·N·D FLOPs for N parameters and D
 * tokens, compute-optimal D ≈ 20·N (Chinchilla), wall time = C / (accelerators × peak × MFU), and the
 * cost on the catalog's on-demand prices.
 */
export class TrainingPlanner {
  /** Tokens per parameter at the compute-optimal point (Hoffmann et al. 2022). */
  public static readonly CHINCHILLA_TOKENS_PER_PARAMETER: number = CHINCHILLA_TOKENS_PER_PARAMETER;
  /** Model FLOPs utilisation the planner assumes by default. */
  public static readonly DEFAULT_MFU: number = DEFAULT_MFU;
  /** Date of the training instances' on-demand prices (us-east-1). */
  public static readonly PRICES_AS_OF: string = TRAINING_PRICES_AS_OF;

  /** Plans a run; throws naming each bad input, its value and the allowed range. */
  public static plan(input: TrainingPlanInput): TrainingPlan {
    return planTraining(input);
  }

  /** One line for a stack description: size, tokens, FLOPs, nodes, days and cost. */
  public static describe(plan: TrainingPlan): string {
    return describePlan(plan);
  }

  /** Training compute in FLOPs: 6 · parameters · tokens. */
  public static flops(parameters: number, tokens: number): number {
    return trainingFlops(parameters, tokens);
  }

  /** Compute-optimal token count for a model size (20 tokens per parameter). */
  public static chinchillaOptimalTokens(parameters: number): number {
    return chinchillaOptimalTokens(parameters);
  }

  /** The catalog's training instances (ParallelCluster compute nodes). */
  public static instances(): TrainingInstance[] {
    return [...TRAINING_INSTANCES];
  }

  /** The training instance entry for an EC2 instance type, or undefined. */
  public static findInstance(instanceType: string): TrainingInstance | undefined {
    return findTrainingInstance(instanceType);
  }

  /**
   * Why the FSDP recipe cannot hold a model of `parameters` on `instanceType` (it builds the full
   * fp32 model in host memory on every rank before sharding), or undefined when it can. Throws
   * when the instance type is not in the catalog.
   * @param model names the model in the message
   */
  public static fsdpHostMemoryError(model: string, parameters: number, instanceType: string): string | undefined {
    return fsdpHostMemoryError(model, parameters, trainingInstance('TrainingPlanner.fsdpHostMemoryError', instanceType));
  }

  private constructor() {}
}

/**
 * GPT-3 presets of aws-neuron/neuronx-nemo-megatron as the Trn1 pretraining recipe runs them
 * (NeuronMegatronPretraining), with the parallelism checks the recipe applies.
 */
export class MegatronPreset {
  /** GPT-3 6.7B: TP 8, PP 1, 4 nodes by default. */
  public static readonly GPT3_6_7B: MegatronGpt3Preset = MegatronPreset.named('gpt3-6.7b');
  /** GPT-3 23B: TP 8, PP 4, 4 nodes by default. */
  public static readonly GPT3_23B: MegatronGpt3Preset = MegatronPreset.named('gpt3-23b');
  /** GPT-3 46B: TP 8, PP 8, 8 nodes by default. */
  public static readonly GPT3_46B: MegatronGpt3Preset = MegatronPreset.named('gpt3-46b');
  /** GPT-3 175B: TP 32, PP 8, 8 nodes by default. */
  public static readonly GPT3_175B: MegatronGpt3Preset = MegatronPreset.named('gpt3-175b');

  /** Every preset, smallest first. */
  public static all(): MegatronGpt3Preset[] {
    return [...MEGATRON_GPT3_PRESETS];
  }

  /** The preset called `name` (for example `gpt3-6.7b`), or undefined. */
  public static find(name: string): MegatronGpt3Preset | undefined {
    return findMegatronPreset(name);
  }

  /**
   * Data-parallel degree of the preset on `nodes` nodes, or undefined where TP × PP does not
   * divide the processes.
   * @param processesPerNode one per NeuronCore; default: trn1.32xlarge's 32
   */
  public static dataParallel(preset: MegatronGpt3Preset, nodes: number, processesPerNode?: number): number | undefined {
    return megatronDataParallel(preset, nodes, processesPerNode);
  }

  /**
   * Why the recipe cannot run the preset on `nodes` nodes of `instanceType`, or undefined when it
   * can. Throws when the instance type is not in the training catalog.
   */
  public static nodesError(preset: MegatronGpt3Preset, nodes: number, instanceType: string): string | undefined {
    return megatronNodesError(preset, nodes, trainingInstance('MegatronPreset.nodesError', instanceType));
  }

  private static named(name: string): MegatronGpt3Preset {
    const preset = findMegatronPreset(name);
    if (!preset) throw new Error(`MegatronPreset: no preset ${name} in the catalog`);
    return preset;
  }

  private constructor() {}
}
