/**
 * GPU instances for SageMaker training jobs and the memory a LoRA or QLoRA run needs on each GPU.
 * Engineering estimates, not measurements: each figure below says where it comes from.
 */
import { LmiBackend } from './backend';
import { GPU_MEMORY_MIB, HOSTING_INSTANCES, PRICES_AS_OF, type HostingInstance } from './instances';
import type { ModelSpec } from './models';

/** How the base model is held while the adapter trains. */
export enum LoraMethod {
  /** LoRA over the base weights in 16 bits (bfloat16). */
  LORA = 'lora',
  /** QLoRA: LoRA over the base weights quantized to 4-bit NF4 by bitsandbytes (Dettmers et al. 2023). */
  QLORA = 'qlora',
}

/** Facts about one GPU instance type for SageMaker training jobs. */
export interface FineTuningInstance {
  /** SageMaker instance type, for example `ml.g5.2xlarge`. */
  readonly instanceType: string;
  /** GPU model, for example `NVIDIA A10G`. */
  readonly accelerator: string;
  readonly gpus: number;
  /** Usable memory of one GPU in MiB (EC2 DescribeInstanceTypes GpuInfo, as in instances.ts). */
  readonly gpuMemoryMiB: number;
  readonly vcpus: number;
  /** Host memory in GiB. */
  readonly memoryGiB: number;
  /**
   * The instance has local NVMe storage: SageMaker then rejects a training job's `VolumeKmsKeyId`
   * (CreateTrainingJob ResourceConfig: instance storage is encrypted by the hardware).
   */
  readonly localNvme: boolean;
  /**
   * On-demand price in us-east-1, USD per hour, as of {@link FineTuningCatalog.PRICES_AS_OF};
   * undefined where no figure was found.
   */
  readonly pricePerHourUsd?: number;
}

/** What a LoRA/QLoRA memory estimate looks at besides the model and instance. */
export interface FineTuningMemoryOptions {
  readonly method: LoraMethod;
  readonly loraRank: number;
  /** Target modules: `all-linear` or module names such as `q_proj`. */
  readonly targetModules: string[];
  readonly maxSequenceLength: number;
  readonly perDeviceBatchSize: number;
}

/** The outcome of an estimate, per GPU, with the numbers behind it. */
export interface FineTuningMemoryReport {
  readonly fits: boolean;
  /** Base weights on one GPU (each data-parallel process holds a full copy). */
  readonly weightsGiB: number;
  /** Trainable LoRA parameters. */
  readonly loraParameters: number;
  /** LoRA weights, gradients and Adam state in fp32. */
  readonly loraStateGiB: number;
  /** Activations with gradient checkpointing, and the logits. */
  readonly activationsGiB: number;
  /** CUDA context, kernels' workspaces and allocator slack. */
  readonly overheadGiB: number;
  readonly requiredGiB: number;
  /** Memory of one GPU. */
  readonly availableGiB: number;
  /** Why it does not fit, with the numbers; undefined when it fits. */
  readonly reason?: string;
}

const GIB = 1024 ** 3;

/**
 * NF4 takes 4 bits; double-quantized constants add 0.127 bits per parameter (QLoRA paper, section 3);
 * bitsandbytes leaves the embeddings, norms and LM head in 16 bits, a few per cent of a 7B model's
 * parameters. 0.6 bytes per parameter is an allowance covering all three.
 */
const QLORA_BYTES_PER_PARAMETER = 0.6;
const LORA_BYTES_PER_PARAMETER = 2;
/** LoRA parameters in fp32 (4 bytes), their gradients (4) and AdamW's two moments (8). */
const LORA_STATE_BYTES_PER_PARAMETER = 16;
/**
 * Inputs plus outputs of the linear layers of one transformer layer, in multiples of the hidden
 * size: q, k, v, o (2 each) and the MLP's gate, up and down projections (1 + 2.7 each for
 * Llama-shaped intermediates of 2.7 x hidden). LoRA adds rank x (in + out) per module.
 */
const ALL_LINEAR_WIDTH = 4 * 2 + 3 * 3.7;
const ATTENTION_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'query_key_value', 'dense', 'qkv_proj', 'c_attn', 'c_proj', 'out_proj'];
/**
 * 16-bit activations of one layer without recomputation: s·b·h·(34 + 5·a·s/h) bytes (Korthikanti
 * et al. 2022, "Reducing Activation Recomputation in Large Transformer Models", eq. 1). With
 * gradient checkpointing only each layer's 2-byte input is kept, plus one layer recomputed.
 */
const ACTIVATION_BYTES_PER_TOKEN_HIDDEN = 34;
/** Logits and their gradient in fp32 (4 + 4 bytes) per vocabulary entry: an allowance. */
const LOGIT_BYTES_PER_TOKEN_ENTRY = 8;
/** The vocabulary of a ModelSpec without `vocabSize`: Llama 2's and Mistral's. */
const DEFAULT_VOCAB_SIZE = 32000;
/** CUDA context, cuBLAS workspace and PyTorch allocator fragmentation per GPU: an allowance. */
const OVERHEAD_GIB_PER_GPU = 1.5;

function gpu(instanceType: string, accelerator: string, gpus: number, gpuMemoryMiB: number, vcpus: number, memoryGiB: number, pricePerHourUsd?: number): FineTuningInstance {
  return { instanceType, accelerator, gpus, gpuMemoryMiB, vcpus, memoryGiB, localNvme: true, pricePerHourUsd };
}

/** A multi-GPU (or p-family) type of the hosting table, which SageMaker training offers with the same shape and price. */
function fromHosting(i: HostingInstance): FineTuningInstance {
  return {
    instanceType: i.instanceType, accelerator: i.accelerator, gpus: i.acceleratorCount, gpuMemoryMiB: i.deviceMemoryMiB,
    vcpus: i.vcpus, memoryGiB: i.memoryGiB, localNvme: i.localNvme, pricePerHourUsd: i.pricePerHourUsd,
  };
}

/** The GPU types of the hosting table of one family (`ml.g5.`), in its order. */
function hostingFamily(prefix: string): FineTuningInstance[] {
  return HOSTING_INSTANCES.filter((i) => i.backend === LmiBackend.GPU && i.instanceType.startsWith(prefix)).map(fromHosting);
}

/**
 * GPU instances for SageMaker training: the hosting table's GPU types (instances.ts: shapes from EC2
 * DescribeInstanceTypes, prices from the SageMaker price list of aws-samples/foundation-model-benchmarking-tool,
 * fmbench/configs/pricing.yml, 2024-12-01, hosting prices; the on-demand training price was not
 * re-checked against AWS's price page), plus the single-GPU g5/g6 sizes hosting does not list, from
 * the same sources. Types without a listed price have none here. Every type here has local NVMe storage.
 * g6e is left out: no price was found for it.
 */
const INSTANCES: FineTuningInstance[] = [
  gpu('ml.g5.xlarge', 'NVIDIA A10G', 1, GPU_MEMORY_MIB.A10G, 4, 16, 1.4084),
  gpu('ml.g5.2xlarge', 'NVIDIA A10G', 1, GPU_MEMORY_MIB.A10G, 8, 32, 1.515),
  gpu('ml.g5.4xlarge', 'NVIDIA A10G', 1, GPU_MEMORY_MIB.A10G, 16, 64, 2.03),
  gpu('ml.g5.8xlarge', 'NVIDIA A10G', 1, GPU_MEMORY_MIB.A10G, 32, 128, 3.06),
  gpu('ml.g5.16xlarge', 'NVIDIA A10G', 1, GPU_MEMORY_MIB.A10G, 64, 256),
  ...hostingFamily('ml.g5.'),
  gpu('ml.g6.xlarge', 'NVIDIA L4', 1, GPU_MEMORY_MIB.L4, 4, 16),
  gpu('ml.g6.2xlarge', 'NVIDIA L4', 1, GPU_MEMORY_MIB.L4, 8, 32, 1.222),
  gpu('ml.g6.16xlarge', 'NVIDIA L4', 1, GPU_MEMORY_MIB.L4, 64, 256, 4.246),
  ...hostingFamily('ml.g6.'),
  ...hostingFamily('ml.p4d.'),
  ...hostingFamily('ml.p5.'),
];

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The GPU training instances and the LoRA/QLoRA memory estimate. */
export class FineTuningCatalog {
  /** Date of the prices (see the instance table's source). */
  public static readonly PRICES_AS_OF = PRICES_AS_OF;
  /** The training instance of AWS's Japanese instruction-tuning notebooks (aws-samples/aws-ml-jp): one A10G. */
  public static readonly DEFAULT_INSTANCE_TYPE = 'ml.g5.2xlarge';
  /**
   * The most managed spot training saves over on-demand: "up to 90%" in Hugging Face's SageMaker
   * spot-instances notebook (huggingface/notebooks sagemaker/05_spot_instances), the figure AWS
   * quotes too (not re-read here). The actual discount varies by type, region and time.
   */
  public static readonly SPOT_MAX_SAVINGS = 0.9;

  /** Every GPU training instance of the catalog. */
  public static instances(): FineTuningInstance[] {
    return [...INSTANCES];
  }

  /** The catalog entry of `instanceType`, or undefined. */
  public static findInstance(instanceType: string): FineTuningInstance | undefined {
    return INSTANCES.find((i) => i.instanceType === instanceType);
  }

  /** Trainable LoRA parameters of `model` at `rank` on `targetModules` (an estimate for non-Llama shapes). */
  public static loraParameters(model: ModelSpec, rank: number, targetModules: string[]): number {
    const width = targetModules.includes('all-linear')
      ? ALL_LINEAR_WIDTH
      : targetModules.reduce((sum, m) => sum + (ATTENTION_MODULES.includes(m) ? 2 : 3.7), 0);
    return Math.round(rank * model.layers * model.hiddenSize * width);
  }

  /**
   * The memory one GPU needs for a LoRA/QLoRA run of `model` (each data-parallel process holds the
   * whole model), against the GPU's memory. Assumes gradient checkpointing, as the training script does.
   */
  public static estimateMemory(model: ModelSpec, instance: FineTuningInstance, options: FineTuningMemoryOptions): FineTuningMemoryReport {
    const bytesPerParameter = options.method === LoraMethod.QLORA ? QLORA_BYTES_PER_PARAMETER : LORA_BYTES_PER_PARAMETER;
    const weightsGiB = (model.parameters * bytesPerParameter) / GIB;
    const loraParameters = FineTuningCatalog.loraParameters(model, options.loraRank, options.targetModules);
    const loraStateGiB = (loraParameters * LORA_STATE_BYTES_PER_PARAMETER) / GIB;
    const tokens = options.maxSequenceLength * options.perDeviceBatchSize;
    const h = model.hiddenSize;
    const checkpoints = tokens * h * 2 * model.layers;
    const oneLayer = tokens * h * (ACTIVATION_BYTES_PER_TOKEN_HIDDEN + (5 * model.attentionHeads * options.maxSequenceLength) / h);
    const logits = tokens * (model.vocabSize ?? DEFAULT_VOCAB_SIZE) * LOGIT_BYTES_PER_TOKEN_ENTRY;
    const activationsGiB = (checkpoints + oneLayer + logits) / GIB;
    const overheadGiB = OVERHEAD_GIB_PER_GPU;
    const requiredGiB = weightsGiB + loraStateGiB + activationsGiB + overheadGiB;
    const availableGiB = instance.gpuMemoryMiB / 1024;
    const fits = requiredGiB <= availableGiB;
    return {
      fits, weightsGiB, loraParameters, loraStateGiB, activationsGiB, overheadGiB, requiredGiB, availableGiB,
      reason: fits ? undefined
        : `needs ${round1(requiredGiB)} GiB per GPU (base weights in ${options.method === LoraMethod.QLORA ? '4' : '16'} bits ${round1(weightsGiB)}`
          + ` + LoRA state ${round1(loraStateGiB)} + activations ${round1(activationsGiB)} for ${options.perDeviceBatchSize} x ${options.maxSequenceLength} tokens`
          + ` + runtime ${round1(overheadGiB)}) but one ${instance.accelerator} of ${instance.instanceType} has ${round1(availableGiB)} GiB`,
    };
  }
}
