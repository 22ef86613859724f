/**
 * Training facts and the planner of the talk's rule of thumb: training compute C = 6·N·D FLOPs
 * for N parameters and D tokens (Kaplan et al. 2020), compute-optimal D ≈ 20·N (Hoffmann et al.
 * 2022, "Chinchilla": 70e9 parameters on 1.4e12 tokens), wall time = C / (devices × peak × MFU).
 */

/** Accelerator family of a training instance. */
export enum TrainingAccelerator {
  /** AWS Trainium chips (trn1, trn1n): the Neuron Megatron recipe. */
  TRAINIUM = 'trainium',
  /** NVIDIA GPUs (p4d, p5): the FSDP recipe. */
  GPU = 'gpu',
}

/** Facts about an EC2 training instance type (ParallelCluster compute nodes). */
export interface TrainingInstance {
  readonly instanceType: string;
  readonly accelerator: TrainingAccelerator;
  /** Accelerator model, for example `NVIDIA H100 80GB`. */
  readonly acceleratorName: string;
  /** Chips (Trainium) or GPUs. */
  readonly acceleratorCount: number;
  /** Processes per node in the training recipes: one per NeuronCore or per GPU. */
  readonly processesPerNode: number;
  /** Peak dense BF16 throughput of one accelerator, in FLOP/s. */
  readonly peakBf16FlopsPerAccelerator: number;
  /** EFA network interfaces (one per network card). */
  readonly efaInterfaces: number;
  /** Aggregate EFA bandwidth in Gbit/s. */
  readonly efaGbps: number;
  /** Host memory in GiB (EC2 DescribeInstanceTypes). */
  readonly memoryGiB: number;
  /** On-demand price in us-east-1, USD per hour, as of {@link TRAINING_PRICES_AS_OF}; undefined where none was found. */
  readonly pricePerHourUsd?: number;
}

/**
 * Prices: trn1.32xlarge $21.50 (EC2 on-demand, us-east-1); p4d.24xlarge $21.96 and p5.48xlarge
 * $55.04 after the June 2025 EC2 price reduction for NVIDIA instances (AWS News Blog, "Announcing
 * up to 45% price reduction for Amazon EC2 NVIDIA GPU-accelerated instances", 2025-06-05). Not
 * re-checked against the live price page.
 */
export const TRAINING_PRICES_AS_OF = '2025-06-05';

/**
 * Training instances. Trainium: 16 chips of 2 NeuronCores, 190 TFLOP/s BF16 per chip
 * (aws-neuron-sdk trn1-arch); trn1n doubles EFA to 16 interfaces. p4d: 8 x A100 at 312 TFLOP/s
 * dense BF16 (NVIDIA A100 datasheet), 4 EFA. p5: 8 x H100 SXM at 989 TFLOP/s dense BF16 (NVIDIA
 * H100 datasheet), 32 EFA.
 */
export const TRAINING_INSTANCES: readonly TrainingInstance[] = [
  {
    instanceType: 'trn1.32xlarge', accelerator: TrainingAccelerator.TRAINIUM, acceleratorName: 'AWS Trainium', acceleratorCount: 16,
    processesPerNode: 32, peakBf16FlopsPerAccelerator: 190e12, efaInterfaces: 8, efaGbps: 800, memoryGiB: 512, pricePerHourUsd: 21.5,
  },
  {
    // No published on-demand price was re-checked for trn1n.
    instanceType: 'trn1n.32xlarge', accelerator: TrainingAccelerator.TRAINIUM, acceleratorName: 'AWS Trainium', acceleratorCount: 16,
    processesPerNode: 32, peakBf16FlopsPerAccelerator: 190e12, efaInterfaces: 16, efaGbps: 1600, memoryGiB: 512,
  },
  {
    instanceType: 'p4d.24xlarge', accelerator: TrainingAccelerator.GPU, acceleratorName: 'NVIDIA A100 40GB', acceleratorCount: 8,
    processesPerNode: 8, peakBf16FlopsPerAccelerator: 312e12, efaInterfaces: 4, efaGbps: 400, memoryGiB: 1152, pricePerHourUsd: 21.96,
  },
  {
    instanceType: 'p5.48xlarge', accelerator: TrainingAccelerator.GPU, acceleratorName: 'NVIDIA H100 80GB', acceleratorCount: 8,
    processesPerNode: 8, peakBf16FlopsPerAccelerator: 989e12, efaInterfaces: 32, efaGbps: 3200, memoryGiB: 2048, pricePerHourUsd: 55.04,
  },
];

/** The training instance entry for `instanceType`, or undefined. */
export function findTrainingInstance(instanceType: string): TrainingInstance | undefined {
  return TRAINING_INSTANCES.find((i) => i.instanceType === instanceType);
}

/** Tokens per parameter at the compute-optimal point (Chinchilla: 1.4e12 tokens for 70e9 parameters). */
export const CHINCHILLA_TOKENS_PER_PARAMETER = 20;

/** Model FLOPs utilisation the planner assumes: good large runs reach 40-50 % (the talk; FSDP GPT-3 175B reached 51 %). */
export const DEFAULT_MFU = 0.4;

/** Training compute in FLOPs: 6 · parameters · tokens. */
export function trainingFlops(parameters: number, tokens: number): number {
  return 6 * parameters * tokens;
}

/** Compute-optimal token count for a model size. */
export function chinchillaOptimalTokens(parameters: number): number {
  return CHINCHILLA_TOKENS_PER_PARAMETER * parameters;
}

/** What to plan. */
export interface TrainingPlanInput {
  /** Model parameters N. */
  readonly parameters: number;
  /** Training tokens D. @default the Chinchilla-optimal 20·N */
  readonly tokens?: number;
  /** A {@link TRAINING_INSTANCES} type. */
  readonly instanceType: string;
  /** Nodes (instances) in the cluster. */
  readonly nodes: number;
  /** Assumed model FLOPs utilisation, 0 < mfu <= 1. @default DEFAULT_MFU */
  readonly mfu?: number;
}

/** A training plan with the figures behind it. */
export interface TrainingPlan {
  readonly parameters: number;
  readonly tokens: number;
  readonly chinchillaTokens: number;
  readonly flops: number;
  readonly instance: TrainingInstance;
  readonly nodes: number;
  readonly accelerators: number;
  readonly mfu: number;
  /** Sustained cluster throughput: accelerators × peak × MFU, FLOP/s. */
  readonly clusterFlopsPerSecond: number;
  readonly seconds: number;
  readonly days: number;
  /** Cluster price per hour, when the instance has one. */
  readonly clusterPricePerHourUsd?: number;
  /** On-demand cost of the whole run, when the instance has a price. */
  readonly costUsd?: number;
}

/** Plans a run; throws with the input's name, value and allowed range on bad input. */
export function planTraining(input: TrainingPlanInput): TrainingPlan {
  const instance = findTrainingInstance(input.instanceType);
  const errors: string[] = [];
  if (!instance) errors.push(`instanceType: '${input.instanceType}' is not a training instance; known: ${TRAINING_INSTANCES.map((i) => i.instanceType).join(', ')}`);
  if (!(input.parameters > 0)) errors.push(`parameters: ${input.parameters} must be above 0`);
  if (input.tokens !== undefined && !(input.tokens > 0)) errors.push(`tokens: ${input.tokens} must be above 0`);
  if (!Number.isInteger(input.nodes) || input.nodes < 1) errors.push(`nodes: ${input.nodes} must be a whole number of at least 1`);
  const mfu = input.mfu ?? DEFAULT_MFU;
  if (!(mfu > 0 && mfu <= 1)) errors.push(`mfu: ${mfu} must be above 0 and at most 1`);
  if (errors.length > 0 || !instance) throw new Error(`planTraining: ${errors.join('; ')}`);

  const tokens = input.tokens ?? chinchillaOptimalTokens(input.parameters);
  const flops = trainingFlops(input.parameters, tokens);
  const accelerators = instance.acceleratorCount * input.nodes;
  const clusterFlopsPerSecond = accelerators * instance.peakBf16FlopsPerAccelerator * mfu;
  const seconds = flops / clusterFlopsPerSecond;
  const clusterPricePerHourUsd = instance.pricePerHourUsd === undefined ? undefined : instance.pricePerHourUsd * input.nodes;
  return {
    parameters: input.parameters, tokens, chinchillaTokens: chinchillaOptimalTokens(input.parameters), flops, instance,
    nodes: input.nodes, accelerators, mfu, clusterFlopsPerSecond, seconds, days: seconds / 86_400,
    clusterPricePerHourUsd, costUsd: clusterPricePerHourUsd === undefined ? undefined : clusterPricePerHourUsd * (seconds / 3600),
  };
}

/** One line for a stack description: "about 12.3 days, about $1.2M on demand (...)". */
export function describePlan(plan: TrainingPlan): string {
  const days = plan.days >= 10 ? Math.round(plan.days).toString() : plan.days.toPrecision(2);
  const cost = plan.costUsd === undefined ? 'no on-demand price in the catalog' : `about $${compactNumber(plan.costUsd)} on demand`;
  return `${compactNumber(plan.parameters)} parameters on ${compactNumber(plan.tokens)} tokens (${plan.flops.toExponential(2)} FLOPs) `
    + `on ${plan.nodes} x ${plan.instance.instanceType} at ${Math.round(plan.mfu * 100)}% MFU: about ${days} days, ${cost}`;
}

/** 6.7e9 -> "6.70B", 1.4e12 -> "1.40T": three significant digits and a k/M/B/T unit. */
export function compactNumber(n: number): string {
  for (const [unit, size] of [['T', 1e12], ['B', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (Math.abs(n) >= size) return `${(n / size).toPrecision(3)}${unit}`;
  }
  return n.toPrecision(3);
}

/** A GPT-3 preset of neuronx-nemo-megatron (its `gpt_<size>.sh`), as the Trn1 recipe runs it. */
export interface MegatronGpt3Preset {
  readonly name: string;
  /** The preset script in nemo/examples/nlp/language_modeling. */
  readonly script: string;
  readonly parameters: number;
  readonly layers: number;
  readonly hiddenSize: number;
  readonly attentionHeads: number;
  readonly tensorParallel: number;
  readonly pipelineParallel: number;
  /** Nodes the GPT-3 tutorial runs it on (6.7B is not in the tutorial: one node of 32 NeuronCores holds TP 8). */
  readonly defaultNodes: number;
  /** Global batch per node: 32, or 8 for 175B (neuronx-nemo-megatron c5362aa). */
  readonly globalBatchPerNode: number;
}

/**
 * GPT-3 presets of aws-neuron/neuronx-nemo-megatron (gpt_6.7b.sh, gpt_23b.sh, gpt_46b.sh,
 * gpt_175b.sh at f4743cef, the 2.21 release): sequence 2048, micro batch 1, 32 processes per
 * trn1.32xlarge node (one per NeuronCore).
 */
export const MEGATRON_GPT3_PRESETS: readonly MegatronGpt3Preset[] = [
  { name: 'gpt3-6.7b', script: 'gpt_6.7b.sh', parameters: 6.7e9, layers: 32, hiddenSize: 4096, attentionHeads: 32, tensorParallel: 8, pipelineParallel: 1, defaultNodes: 4, globalBatchPerNode: 32 },
  { name: 'gpt3-23b', script: 'gpt_23b.sh', parameters: 23e9, layers: 28, hiddenSize: 8192, attentionHeads: 64, tensorParallel: 8, pipelineParallel: 4, defaultNodes: 4, globalBatchPerNode: 32 },
  { name: 'gpt3-46b', script: 'gpt_46b.sh', parameters: 46e9, layers: 56, hiddenSize: 8192, attentionHeads: 64, tensorParallel: 8, pipelineParallel: 8, defaultNodes: 8, globalBatchPerNode: 32 },
  { name: 'gpt3-175b', script: 'gpt_175b.sh', parameters: 175e9, layers: 96, hiddenSize: 12288, attentionHeads: 96, tensorParallel: 32, pipelineParallel: 8, defaultNodes: 8, globalBatchPerNode: 8 },
];

/** The preset called `name`, or undefined. */
export function findMegatronPreset(name: string): MegatronGpt3Preset | undefined {
  return MEGATRON_GPT3_PRESETS.find((p) => p.name === name);
}

/**
 * Data-parallel degree of a preset on `nodes` Trainium nodes, or undefined where TP x PP does not
 * divide the processes.
 * @param processesPerNode one per NeuronCore; defaults to trn1.32xlarge's
 */
export function megatronDataParallel(preset: MegatronGpt3Preset, nodes: number,
  processesPerNode = findTrainingInstance('trn1.32xlarge')!.processesPerNode): number | undefined {
  const processes = nodes * processesPerNode;
  const modelParallel = preset.tensorParallel * preset.pipelineParallel;
  return processes % modelParallel === 0 && processes >= modelParallel ? processes / modelParallel : undefined;
}

/**
 * Why the Megatron recipe cannot run `preset` on `nodes` nodes of `instance`, or undefined when it
 * can: the node count must be whole and at least 1, and TP x PP must divide the processes (one per
 * NeuronCore). NeuronMegatronPretraining and `llm-recipes plan training` both report this message.
 */
export function megatronNodesError(preset: MegatronGpt3Preset, nodes: number, instance: TrainingInstance): string | undefined {
  if (!Number.isInteger(nodes) || nodes < 1) return `nodes: ${nodes} must be a whole number of at least 1`;
  if (megatronDataParallel(preset, nodes, instance.processesPerNode) !== undefined) return undefined;
  const processes = instance.processesPerNode;
  const mp = preset.tensorParallel * preset.pipelineParallel;
  return `nodes: ${nodes} nodes give ${nodes * processes} NeuronCores, which ${preset.name}'s TP ${preset.tensorParallel} x PP ${preset.pipelineParallel} = ${mp} does not divide; use a multiple of ${Math.max(1, mp / processes)} nodes`;
}

/**
 * Why train_fsdp.py (the FSDP recipe) cannot hold a `parameters` model on `instance`, or undefined:
 * it builds (and on resume loads) the full fp32 model in host memory on every rank before FSDP
 * shards it, and a quarter of the host stays for everything else. `model` names the model in the
 * message. FsdpTraining and `llm-recipes plan training` both report this message.
 */
export function fsdpHostMemoryError(model: string, parameters: number, instance: TrainingInstance): string | undefined {
  const neededGiB = (parameters * 4 * instance.processesPerNode) / 1024 ** 3;
  if (neededGiB <= instance.memoryGiB * 0.75) return undefined;
  return `${model} needs about ${Math.round(neededGiB)} GiB of host memory per node (${instance.processesPerNode} ranks x ${Math.round(parameters * 4 / 1024 ** 3)} GiB of fp32 weights before sharding), more than 75% of ${instance.instanceType}'s ${instance.memoryGiB} GiB`;
}

/**
 * EC2 instance types with EFA (DescribeInstanceTypes `EfaInfo.MaximumEfaInterfaces` > 0), grouped by category.
 * Source: aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md @692ccdd0 (v1.14.0, 2026-07-11).
 * dl1.24xlarge (4 EFA) comes from the same file @fe623d53 (v1.13.0, 2026-06-10); v1.14.0 no longer lists dl1.
 * Known limitation: that file covers us-east-1, us-east-2 and us-west-2 only, so EFA types offered only in other
 * Regions are not confirmed and not listed; a type missing here only loses the EFA default and the `efa: true` check.
 */
export const EFA_INSTANCE_TYPES: readonly string[] = [
  // Accelerated computing
  'dl1.24xlarge', 'dl2q.24xlarge', 'f2.48xlarge', 'g4dn.8xlarge', 'g4dn.12xlarge', 'g4dn.16xlarge', 'g4dn.metal',
  'g5.8xlarge', 'g5.12xlarge', 'g5.16xlarge', 'g5.24xlarge', 'g5.48xlarge',
  'g6.8xlarge', 'g6.12xlarge', 'g6.16xlarge', 'g6.24xlarge', 'g6.48xlarge',
  'g6e.8xlarge', 'g6e.12xlarge', 'g6e.16xlarge', 'g6e.24xlarge', 'g6e.48xlarge',
  'g7.8xlarge', 'g7.12xlarge', 'g7.24xlarge', 'g7.48xlarge',
  'g7e.8xlarge', 'g7e.12xlarge', 'g7e.24xlarge', 'g7e.48xlarge', 'gr6.8xlarge', 'inf1.24xlarge', 'p3dn.24xlarge',
  'p4d.24xlarge', 'p4de.24xlarge', 'p5.4xlarge', 'p5.48xlarge', 'p5e.48xlarge', 'p5en.48xlarge', 'p6-b200.48xlarge',
  'p6-b300.48xlarge', 'trn1.32xlarge', 'trn1n.32xlarge', 'trn2.48xlarge', 'vt1.24xlarge',
  // Compute optimized
  'c5n.9xlarge', 'c5n.18xlarge', 'c5n.metal', 'c6a.48xlarge', 'c6a.metal', 'c6gn.16xlarge', 'c6i.32xlarge', 'c6i.metal',
  'c6id.32xlarge', 'c6id.metal', 'c6in.32xlarge', 'c6in.metal', 'c7a.48xlarge', 'c7a.metal-48xl',
  'c7g.16xlarge', 'c7g.metal', 'c7gd.16xlarge', 'c7gd.metal', 'c7gn.16xlarge', 'c7gn.metal',
  'c7i.48xlarge', 'c7i.metal-48xl', 'c8a.48xlarge', 'c8a.metal-48xl',
  'c8g.24xlarge', 'c8g.metal-24xl', 'c8g.48xlarge', 'c8g.metal-48xl',
  'c8gb.16xlarge', 'c8gb.24xlarge', 'c8gb.metal-24xl', 'c8gb.48xlarge', 'c8gb.metal-48xl',
  'c8gd.24xlarge', 'c8gd.metal-24xl', 'c8gd.48xlarge', 'c8gd.metal-48xl',
  'c8gn.16xlarge', 'c8gn.24xlarge', 'c8gn.metal-24xl', 'c8gn.48xlarge', 'c8gn.metal-48xl',
  'c8i.48xlarge', 'c8i.metal-48xl', 'c8i.96xlarge', 'c8i.metal-96xl',
  'c8ib.48xlarge', 'c8ib.metal-48xl', 'c8ib.96xlarge', 'c8ib.metal-96xl',
  'c8id.48xlarge', 'c8id.metal-48xl', 'c8id.96xlarge', 'c8id.metal-96xl',
  'c8in.48xlarge', 'c8in.metal-48xl', 'c8in.96xlarge', 'c8in.metal-96xl', 'c9g.48xlarge', 'c9g.metal-48xl',
  'c9gd.48xlarge', 'c9gd.metal-48xl',
  // General purpose
  'm5dn.24xlarge', 'm5dn.metal', 'm5n.24xlarge', 'm5n.metal', 'm5zn.12xlarge', 'm5zn.metal',
  'm6a.48xlarge', 'm6a.metal', 'm6i.32xlarge', 'm6i.metal', 'm6id.32xlarge', 'm6id.metal',
  'm6idn.32xlarge', 'm6idn.metal', 'm6in.32xlarge', 'm6in.metal', 'm7a.48xlarge', 'm7a.metal-48xl',
  'm7g.16xlarge', 'm7g.metal', 'm7gd.16xlarge', 'm7gd.metal', 'm7i.48xlarge', 'm7i.metal-48xl',
  'm8a.48xlarge', 'm8a.metal-48xl', 'm8azn.24xlarge', 'm8azn.metal-24xl',
  'm8g.24xlarge', 'm8g.metal-24xl', 'm8g.48xlarge', 'm8g.metal-48xl',
  'm8gb.16xlarge', 'm8gb.24xlarge', 'm8gb.metal-24xl', 'm8gb.48xlarge', 'm8gb.metal-48xl',
  'm8gd.24xlarge', 'm8gd.metal-24xl', 'm8gd.48xlarge', 'm8gd.metal-48xl',
  'm8gn.16xlarge', 'm8gn.24xlarge', 'm8gn.metal-24xl', 'm8gn.48xlarge', 'm8gn.metal-48xl',
  'm8i.48xlarge', 'm8i.metal-48xl', 'm8i.96xlarge', 'm8i.metal-96xl',
  'm8ib.48xlarge', 'm8ib.metal-48xl', 'm8ib.96xlarge', 'm8ib.metal-96xl',
  'm8id.48xlarge', 'm8id.metal-48xl', 'm8id.96xlarge', 'm8id.metal-96xl',
  'm8idb.48xlarge', 'm8idb.metal-48xl', 'm8idb.96xlarge', 'm8idb.metal-96xl',
  'm8idn.48xlarge', 'm8idn.metal-48xl', 'm8idn.96xlarge', 'm8idn.metal-96xl',
  'm8in.48xlarge', 'm8in.metal-48xl', 'm8in.96xlarge', 'm8in.metal-96xl', 'm9g.48xlarge', 'm9g.metal-48xl',
  'm9gd.48xlarge', 'm9gd.metal-48xl',
  // Memory optimized
  'r5dn.24xlarge', 'r5dn.metal', 'r5n.24xlarge', 'r5n.metal', 'r6a.48xlarge', 'r6a.metal', 'r6i.32xlarge', 'r6i.metal',
  'r6id.32xlarge', 'r6id.metal', 'r6idn.32xlarge', 'r6idn.metal', 'r6in.32xlarge', 'r6in.metal',
  'r7a.48xlarge', 'r7a.metal-48xl', 'r7g.16xlarge', 'r7g.metal', 'r7gd.16xlarge', 'r7gd.metal',
  'r7i.48xlarge', 'r7i.metal-48xl', 'r7iz.32xlarge', 'r7iz.metal-32xl', 'r8a.48xlarge', 'r8a.metal-48xl',
  'r8g.24xlarge', 'r8g.metal-24xl', 'r8g.48xlarge', 'r8g.metal-48xl',
  'r8gb.16xlarge', 'r8gb.24xlarge', 'r8gb.metal-24xl', 'r8gb.48xlarge', 'r8gb.metal-48xl',
  'r8gd.24xlarge', 'r8gd.metal-24xl', 'r8gd.48xlarge', 'r8gd.metal-48xl',
  'r8gn.16xlarge', 'r8gn.24xlarge', 'r8gn.metal-24xl', 'r8gn.48xlarge', 'r8gn.metal-48xl',
  'r8i.48xlarge', 'r8i.metal-48xl', 'r8i.96xlarge', 'r8i.metal-96xl',
  'r8ib.48xlarge', 'r8ib.metal-48xl', 'r8ib.96xlarge', 'r8ib.metal-96xl',
  'r8id.48xlarge', 'r8id.metal-48xl', 'r8id.96xlarge', 'r8id.metal-96xl',
  'r8idb.48xlarge', 'r8idb.metal-48xl', 'r8idb.96xlarge', 'r8idb.metal-96xl',
  'r8idn.48xlarge', 'r8idn.metal-48xl', 'r8idn.96xlarge', 'r8idn.metal-96xl',
  'r8in.48xlarge', 'r8in.metal-48xl', 'r8in.96xlarge', 'r8in.metal-96xl', 'u7i-12tb.224xlarge', 'u7i-6tb.112xlarge',
  'u7i-8tb.112xlarge', 'u7in-16tb.224xlarge', 'u7in-24tb.224xlarge', 'u7in-32tb.224xlarge',
  'x2idn.32xlarge', 'x2idn.metal', 'x2iedn.32xlarge', 'x2iedn.metal', 'x2iezn.12xlarge', 'x2iezn.metal',
  'x8aedz.24xlarge', 'x8aedz.metal-24xl', 'x8g.24xlarge', 'x8g.metal-24xl', 'x8g.48xlarge', 'x8g.metal-48xl',
  'x8i.48xlarge', 'x8i.metal-48xl', 'x8i.64xlarge', 'x8i.96xlarge', 'x8i.metal-96xl',
  // Storage optimized
  'i3en.12xlarge', 'i3en.24xlarge', 'i3en.metal', 'i4g.16xlarge', 'i4i.32xlarge', 'i4i.metal',
  'i7i.24xlarge', 'i7i.48xlarge', 'i7i.metal-48xl', 'i7ie.48xlarge', 'i7ie.metal-48xl',
  'i8g.48xlarge', 'i8g.metal-48xl', 'i8ge.48xlarge', 'i8ge.metal-48xl', 'im4gn.16xlarge',
  // High-performance computing
  'hpc6a.48xlarge', 'hpc6id.32xlarge', 'hpc7a.12xlarge', 'hpc7a.24xlarge', 'hpc7a.48xlarge', 'hpc7a.96xlarge',
  'hpc7g.4xlarge', 'hpc7g.8xlarge', 'hpc7g.16xlarge', 'hpc8a.96xlarge',
];

/** Whether the EC2 instance type supports EFA: a training catalog type with EFA, or one of {@link EFA_INSTANCE_TYPES}. */
export function supportsEfa(instanceType: string): boolean {
  return (findTrainingInstance(instanceType)?.efaInterfaces ?? 0) > 0 || EFA_INSTANCE_TYPES.includes(instanceType);
}

/** Model sizes of train_fsdp.py with their parameter counts (for the plan). */
export const FSDP_PRESETS: Readonly<Record<string, number>> = {
  'gpt3-1.3b': 1.3e9,
  'gpt3-6.7b': 6.7e9,
  'gpt3-13b': 13e9,
  'gpt3-175b': 175e9,
};
