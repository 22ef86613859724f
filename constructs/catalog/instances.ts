import { LmiBackend } from './backend';

/**
 * Facts about one SageMaker hosting instance type with accelerators.
 *
 * Device memory is what the EC2 API reports as usable per device (DescribeInstanceTypes
 * GpuInfo, as listed in aws/karpenter-provider-aws website/content/en/preview/reference/
 * instance-types.md @692ccdd), not the marketing figure: an A10G sold as 24 GB reports 22888 MiB.
 */
export interface HostingInstance {
  /** SageMaker instance type, for example `ml.g5.48xlarge`. */
  readonly instanceType: string;
  readonly backend: LmiBackend;
  /** Accelerator model, for example `NVIDIA A10G`. */
  readonly accelerator: string;
  /** Physical accelerators: GPUs or Inferentia2 chips. */
  readonly acceleratorCount: number;
  /**
   * Devices a tensor-parallel shard maps to: GPUs, or NeuronCores (2 per Inferentia2 chip).
   */
  readonly devices: number;
  /** Usable memory of one device in MiB. */
  readonly deviceMemoryMiB: number;
  readonly vcpus: number;
  /** Host memory in GiB. */
  readonly memoryGiB: number;
  /**
   * The instance comes with local NVMe storage. SageMaker then rejects the production variant's
   * `VolumeSizeInGB` and the endpoint config's `KmsKeyId` (SageMaker Python SDK
   * `volume_size_supported` / `instance_supports_kms`, master-v2 fc582aa, src/sagemaker/utils.py).
   */
  readonly localNvme: boolean;
  /**
   * On-demand SageMaker real-time inference price in us-east-1, USD per hour, as of
   * {@link PRICES_AS_OF}; undefined where no published figure was found.
   */
  readonly pricePerHourUsd?: number;
}

/**
 * Date of the hourly prices below. Source: the hand-maintained SageMaker hosting price list of
 * aws-samples/foundation-model-benchmarking-tool (fmbench/configs/pricing.yml, added 2024-12-01 in
 * b98772e8). No AWS price page was reachable to re-check them; the June 2025 EC2 P4/P5 price cut
 * is not known to apply to SageMaker, so ml.p4d and ml.p5 may be lower today.
 */
export const PRICES_AS_OF = '2024-12-01';

/** Usable memory of one GPU in MiB (EC2 DescribeInstanceTypes GpuInfo), shared by the hosting and training tables. */
export const GPU_MEMORY_MIB = {
  A10G: 22888,
  L4: 22888,
  L40S: 45776,
  A100_40GB: 40960,
  H100_80GB: 81920,
} as const;
/** 32 GiB of HBM per Inferentia2 chip shared by its 2 NeuronCore-v2 (Neuron docs, inf2-arch.rst). */
const NEURONCORE_V2_MIB = (32 * 1024) / 2;
const NEURONCORES_PER_INF2_CHIP = 2;

function gpu(
  instanceType: string, accelerator: string, count: number, deviceMemoryMiB: number,
  vcpus: number, memoryGiB: number, pricePerHourUsd: number | undefined,
): HostingInstance {
  return {
    instanceType, backend: LmiBackend.GPU, accelerator, acceleratorCount: count, devices: count,
    deviceMemoryMiB, vcpus, memoryGiB, localNvme: true, pricePerHourUsd,
  };
}

function inf2(instanceType: string, chips: number, vcpus: number, memoryGiB: number, pricePerHourUsd: number): HostingInstance {
  return {
    instanceType, backend: LmiBackend.NEURON, accelerator: 'AWS Inferentia2', acceleratorCount: chips,
    devices: chips * NEURONCORES_PER_INF2_CHIP, deviceMemoryMiB: NEURONCORE_V2_MIB, vcpus, memoryGiB,
    localNvme: false, pricePerHourUsd,
  };
}

/**
 * Accelerator instances for SageMaker hosting. vCPUs, host memory and device counts: EC2
 * DescribeInstanceTypes via the Karpenter reference above; Inferentia2 layout: aws-neuron-sdk
 * general/arch/neuron-hardware/inf2-arch.rst. Every GPU type here has local NVMe; inf2 is EBS-only.
 */
export const HOSTING_INSTANCES: readonly HostingInstance[] = [
  gpu('ml.g5.12xlarge', 'NVIDIA A10G', 4, GPU_MEMORY_MIB.A10G, 48, 192, 7.09),
  gpu('ml.g5.24xlarge', 'NVIDIA A10G', 4, GPU_MEMORY_MIB.A10G, 96, 384, 10.18),
  gpu('ml.g5.48xlarge', 'NVIDIA A10G', 8, GPU_MEMORY_MIB.A10G, 192, 768, 20.36),
  gpu('ml.g6.12xlarge', 'NVIDIA L4', 4, GPU_MEMORY_MIB.L4, 48, 192, 5.752),
  gpu('ml.g6.24xlarge', 'NVIDIA L4', 4, GPU_MEMORY_MIB.L4, 96, 384, 8.344),
  gpu('ml.g6.48xlarge', 'NVIDIA L4', 8, GPU_MEMORY_MIB.L4, 192, 768, 16.688),
  // No published SageMaker hosting price for g6e was found (only training / batch figures).
  gpu('ml.g6e.12xlarge', 'NVIDIA L40S', 4, GPU_MEMORY_MIB.L40S, 48, 384, undefined),
  gpu('ml.g6e.24xlarge', 'NVIDIA L40S', 4, GPU_MEMORY_MIB.L40S, 96, 768, undefined),
  gpu('ml.g6e.48xlarge', 'NVIDIA L40S', 8, GPU_MEMORY_MIB.L40S, 192, 1536, undefined),
  gpu('ml.p4d.24xlarge', 'NVIDIA A100 40GB', 8, GPU_MEMORY_MIB.A100_40GB, 96, 1152, 37.688),
  gpu('ml.p5.48xlarge', 'NVIDIA H100 80GB', 8, GPU_MEMORY_MIB.H100_80GB, 192, 2048, 113.068),
  inf2('ml.inf2.xlarge', 1, 4, 16, 0.99),
  inf2('ml.inf2.8xlarge', 1, 32, 128, 2.36),
  inf2('ml.inf2.24xlarge', 6, 96, 384, 7.79),
  inf2('ml.inf2.48xlarge', 12, 192, 768, 15.58),
];

/** The catalog entry for `instanceType`, or undefined for a type the catalog does not know. */
export function findHostingInstance(instanceType: string): HostingInstance | undefined {
  return HOSTING_INSTANCES.find((i) => i.instanceType === instanceType);
}

/** Total usable accelerator memory of an instance in GiB. */
export function totalDeviceMemoryGiB(instance: HostingInstance): number {
  return (instance.devices * instance.deviceMemoryMiB) / 1024;
}

/** Facts about an instance type the catalog lacks, for {@link LmiInstanceType.of}. */
export interface LmiInstanceFacts {
  /** The container family it runs. */
  readonly backend: LmiBackend;
  /** Accelerator model, for messages. @default 'unknown accelerator' */
  readonly accelerator?: string;
  /** Physical accelerators: GPUs or Inferentia2 chips. */
  readonly acceleratorCount: number;
  /** Devices a tensor-parallel shard maps to: GPUs, or NeuronCores. */
  readonly devices: number;
  /** Usable memory of one device in MiB (what DescribeInstanceTypes reports, not the marketing figure). */
  readonly deviceMemoryMiB: number;
  /** @default 0: unknown */
  readonly vcpus?: number;
  /** Host memory in GiB. @default 0: unknown */
  readonly memoryGiB?: number;
  /**
   * Whether the instance has local NVMe storage; SageMaker then rejects a volume size and an
   * endpoint-config KMS key.
   */
  readonly localNvme: boolean;
  /** On-demand price in USD per hour, for cost messages. @default no price */
  readonly pricePerHourUsd?: number;
}

/**
 * A SageMaker hosting instance type for {@link LmiEndpoint}, with the facts its checks need
 * (devices, device memory, local storage, backend). Catalog types are static members; a type the
 * catalog lacks goes through {@link LmiInstanceType.of} with its facts.
 */
export class LmiInstanceType {
  /** ml.g5.12xlarge: 4 x NVIDIA A10G. */
  public static readonly G5_12XLARGE = LmiInstanceType.catalog('ml.g5.12xlarge');
  /** ml.g5.24xlarge: 4 x NVIDIA A10G. */
  public static readonly G5_24XLARGE = LmiInstanceType.catalog('ml.g5.24xlarge');
  /** ml.g5.48xlarge: 8 x NVIDIA A10G. */
  public static readonly G5_48XLARGE = LmiInstanceType.catalog('ml.g5.48xlarge');
  /** ml.g6.12xlarge: 4 x NVIDIA L4. */
  public static readonly G6_12XLARGE = LmiInstanceType.catalog('ml.g6.12xlarge');
  /** ml.g6.24xlarge: 4 x NVIDIA L4. */
  public static readonly G6_24XLARGE = LmiInstanceType.catalog('ml.g6.24xlarge');
  /** ml.g6.48xlarge: 8 x NVIDIA L4. */
  public static readonly G6_48XLARGE = LmiInstanceType.catalog('ml.g6.48xlarge');
  /** ml.g6e.12xlarge: 4 x NVIDIA L40S. */
  public static readonly G6E_12XLARGE = LmiInstanceType.catalog('ml.g6e.12xlarge');
  /** ml.g6e.24xlarge: 4 x NVIDIA L40S. */
  public static readonly G6E_24XLARGE = LmiInstanceType.catalog('ml.g6e.24xlarge');
  /** ml.g6e.48xlarge: 8 x NVIDIA L40S. */
  public static readonly G6E_48XLARGE = LmiInstanceType.catalog('ml.g6e.48xlarge');
  /** ml.p4d.24xlarge: 8 x NVIDIA A100 40GB. */
  public static readonly P4D_24XLARGE = LmiInstanceType.catalog('ml.p4d.24xlarge');
  /** ml.p5.48xlarge: 8 x NVIDIA H100 80GB. */
  public static readonly P5_48XLARGE = LmiInstanceType.catalog('ml.p5.48xlarge');
  /** ml.inf2.xlarge: 1 Inferentia2 chip, 2 NeuronCores. */
  public static readonly INF2_XLARGE = LmiInstanceType.catalog('ml.inf2.xlarge');
  /** ml.inf2.8xlarge: 1 Inferentia2 chip, 2 NeuronCores. */
  public static readonly INF2_8XLARGE = LmiInstanceType.catalog('ml.inf2.8xlarge');
  /** ml.inf2.24xlarge: 6 Inferentia2 chips, 12 NeuronCores. */
  public static readonly INF2_24XLARGE = LmiInstanceType.catalog('ml.inf2.24xlarge');
  /** ml.inf2.48xlarge: 12 Inferentia2 chips, 24 NeuronCores. */
  public static readonly INF2_48XLARGE = LmiInstanceType.catalog('ml.inf2.48xlarge');

  /** Every catalog instance type, in catalog order. */
  public static all(): LmiInstanceType[] {
    return HOSTING_INSTANCES.map((i) => new LmiInstanceType(i.instanceType, i));
  }

  /**
   * An instance type by name: the catalog's facts where it knows the type, else `facts`. A type
   * neither knows is refused by LmiEndpoint with the list of catalog types.
   * @param instanceType SageMaker instance type, for example `ml.g5.48xlarge`
   * @param facts what the checks need, for a type the catalog lacks; ignored for a catalog type
   */
  public static of(instanceType: string, facts?: LmiInstanceFacts): LmiInstanceType {
    const known = findHostingInstance(instanceType);
    if (known) return new LmiInstanceType(instanceType, known);
    return new LmiInstanceType(instanceType, facts === undefined ? undefined : {
      instanceType,
      backend: facts.backend,
      accelerator: facts.accelerator ?? 'unknown accelerator',
      acceleratorCount: facts.acceleratorCount,
      devices: facts.devices,
      deviceMemoryMiB: facts.deviceMemoryMiB,
      vcpus: facts.vcpus ?? 0,
      memoryGiB: facts.memoryGiB ?? 0,
      localNvme: facts.localNvme,
      pricePerHourUsd: facts.pricePerHourUsd,
    });
  }

  private static catalog(instanceType: string): LmiInstanceType {
    const known = findHostingInstance(instanceType);
    if (!known) throw new Error(`LmiInstanceType: ${instanceType} is missing from HOSTING_INSTANCES`);
    return new LmiInstanceType(instanceType, known);
  }

  private constructor(
    /** The SageMaker instance type, for example `ml.g5.48xlarge`. */
    public readonly instanceType: string,
    private readonly hostingFacts: HostingInstance | undefined,
  ) {}

  /** Whether the catalog or the caller gave the facts the checks need. */
  public get hasFacts(): boolean {
    return this.hostingFacts !== undefined;
  }

  /** The backend it runs, or undefined for a type without facts. */
  public get backend(): LmiBackend | undefined {
    return this.hostingFacts?.backend;
  }

  /**
   * The facts as the catalog's functions take them, or undefined for a type without facts.
   * @internal
   */
  public get _facts(): HostingInstance | undefined {
    return this.hostingFacts;
  }

  /** The instance type name. */
  public toString(): string {
    return this.instanceType;
  }
}
