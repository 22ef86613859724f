/**
 * The props of LoraFineTuning, their defaults and their checks, and the base weights sources.
 */
import { Duration, Token, Validations, type Size } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SAGEMAKER_NAME_PATTERN, type ModelSpec } from '../catalog';
import { FineTuningCatalog, LoraMethod, type FineTuningInstance, type FineTuningMemoryReport } from '../catalog/fine-tuning-sizing';
import { HuggingFaceTrainingImage } from '../catalog/hf-training-images';
import { logRetentionProblem } from '../private/logs-key';
import { PropErrors } from '../private/validation';
import { nagResourceFinding } from '../private/nag';

/** What a finished run writes to the output prefix. */
export enum LoraOutput {
  /** The base model with the adapter merged in, in 16 bits: a plain checkpoint LmiEndpoint serves. */
  MERGED = 'merged',
  /** The LoRA adapter alone (adapter_config.json and adapter_model.safetensors). */
  ADAPTER = 'adapter',
}

/** How the training script renders a record into a prompt. */
export enum LoraPromptTemplate {
  /** The tokenizer's chat template where it has one, else the alpaca-style template. */
  AUTO = 'auto',
  /** The alpaca-style `### Instruction / ### Input / ### Response` template, for base models. */
  ALPACA = 'alpaca',
  /** The tokenizer's chat template (fails when the tokenizer has none). */
  CHAT = 'chat',
}

/** Options of {@link LoraBaseWeights.fromHuggingFace}. */
export interface LoraHuggingFaceWeightsOptions {
  /**
   * A Secrets Manager secret whose string is a Hugging Face token with read access, for gated
   * models; the training role may read it, and the script reads it with boto3 at start.
   * @default no token: only ungated models
   */
  readonly tokenSecret?: secretsmanager.ISecret;
}

/** Options of {@link LoraBaseWeights.fromS3Prefix}. */
export interface LoraS3WeightsOptions {
  /** @default the bucket's own encryptionKey, if any */
  readonly key?: kms.IKey;
}

/** What {@link LoraBaseWeights.bind} needs. */
export interface LoraBaseWeightsBindOptions {
  /** The model being tuned. */
  readonly model: ModelSpec;
  /** The training job's role: `bind` grants it what reading the weights takes. */
  readonly grantee: iam.IGrantable;
}

/** What a {@link LoraBaseWeights} source gives the training job, from {@link LoraBaseWeights.bind}. */
export interface LoraBaseWeightsConfig {
  /**
   * S3 URI of a prefix SageMaker copies to the `model` channel, `/opt/ml/input/data/model`.
   * @default none: the script downloads the weights from the Hugging Face Hub
   */
  readonly modelChannelS3Uri?: string;
  /**
   * ARN of a Secrets Manager secret holding a Hugging Face token, which the script reads at start.
   * @default none
   */
  readonly hubTokenSecretArn?: string;
  /**
   * Statements the training role's own policy needs to read the weights.
   * @default none
   */
  readonly policyStatements?: iam.PolicyStatement[];
  /**
   * Problems with the source, each naming the prop (`baseWeights: ...`), reported with the other prop errors.
   * @default none
   */
  readonly problems?: string[];
}

/**
 * Where the training job gets the base model's weights. Extend it for a source of your own: `bind`
 * is called once by LoraFineTuning with the training role and returns the {@link LoraBaseWeightsConfig}.
 */
export abstract class LoraBaseWeights {
  /** Download from the Hugging Face Hub at the model's pinned revision when the job starts. */
  public static fromHuggingFace(options: LoraHuggingFaceWeightsOptions = {}): LoraBaseWeights {
    return new HubBaseWeights(options.tokenSecret);
  }

  /**
   * A Hugging Face checkpoint folder staged under an S3 prefix (for example a gated model copied
   * once): SageMaker copies it to the `model` channel, `/opt/ml/input/data/model`.
   * @param prefix key prefix ending in `/`, without a leading `/`
   */
  public static fromS3Prefix(bucket: s3.IBucket, prefix: string, options: LoraS3WeightsOptions = {}): LoraBaseWeights {
    return new StagedBaseWeights(bucket, prefix, options.key);
  }

  /** `huggingface` or `s3`. */
  public abstract readonly kind: string;

  /** Grants `options.grantee` what it needs to read the weights and says how the job gets them. */
  public abstract bind(scope: Construct, options: LoraBaseWeightsBindOptions): LoraBaseWeightsConfig;
}

class HubBaseWeights extends LoraBaseWeights {
  public readonly kind = 'huggingface';
  constructor(private readonly tokenSecret?: secretsmanager.ISecret) {
    super();
  }

  public bind(_scope: Construct, options: LoraBaseWeightsBindOptions): LoraBaseWeightsConfig {
    const problems: string[] = [];
    if (options.model.gated && !this.tokenSecret) {
      problems.push(`baseWeights: ${options.model.huggingFaceId} is gated on the Hugging Face Hub; pass LoraBaseWeights.fromHuggingFace({ tokenSecret }) with a secret holding a token, or stage the weights in S3 with LoraBaseWeights.fromS3Prefix`);
    }
    this.tokenSecret?.grantRead(options.grantee);
    return { hubTokenSecretArn: this.tokenSecret?.secretArn, problems };
  }
}

class StagedBaseWeights extends LoraBaseWeights {
  public readonly kind = 's3';
  constructor(private readonly bucket: s3.IBucket, private readonly prefix: string, private readonly key?: kms.IKey) {
    super();
  }

  public bind(scope: Construct): LoraBaseWeightsConfig {
    const problems: string[] = [];
    if (!Token.isUnresolved(this.prefix) && (!this.prefix.endsWith('/') || this.prefix.startsWith('/') || this.prefix.length < 2)) {
      problems.push(`baseWeights: S3 prefix '${this.prefix}' must be a folder key such as 'models/falcon-7b/' (ends with '/', no leading '/')`);
    }
    const objects = this.bucket.arnForObjects(`${this.prefix}*`);
    const statements = [
      new iam.PolicyStatement({ sid: 'ReadBaseWeights', actions: ['s3:GetObject'], resources: [objects] }),
      new iam.PolicyStatement({ sid: 'ListBaseWeights', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${this.prefix}*`] } } }),
    ];
    const key = this.key ?? this.bucket.encryptionKey;
    if (key) statements.push(new iam.PolicyStatement({ sid: 'DecryptBaseWeights', actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[${nagResourceFinding(scope, objects)}]`,
      reason: 'SageMaker copies every object under the staged weights prefix to the model channel; read is limited to exactly that prefix.',
    });
    return { modelChannelS3Uri: `s3://${this.bucket.bucketName}/${this.prefix}`, policyStatements: statements, problems };
  }
}

/** Properties of a {@link LoraFineTuning}. */
export interface LoraFineTuningProps {
  /** The base model: a catalog preset such as `FALCON_7B`, or your own {@link ModelSpec} at a pinned revision. */
  readonly model: ModelSpec;
  /**
   * Where the base weights come from. Gated models need a token secret or staged weights.
   * @default LoraBaseWeights.fromHuggingFace() without a token
   */
  readonly baseWeights?: LoraBaseWeights;
  /** @default LoraMethod.QLORA */
  readonly method?: LoraMethod;
  /** LoRA rank r, a whole number of at least 1. @default 16 (the AWS instruction-tuning notebook's) */
  readonly loraRank?: number;
  /** LoRA alpha (the update is scaled by alpha / r). @default twice the rank */
  readonly loraAlpha?: number;
  /** Dropout on the LoRA path, from 0 up to (not including) 1. @default 0.05 */
  readonly loraDropout?: number;
  /** Modules LoRA adapts: `['all-linear']` or names such as `['q_proj', 'v_proj']`. @default ['all-linear'] */
  readonly targetModules?: string[];
  /** @default 3 (a run may override it) */
  readonly epochs?: number;
  /** @default 0.0002 (a run may override it) */
  readonly learningRate?: number;
  /** Longest tokenized record; longer ones are cut. At most the model's context. @default 512 (the notebook's cutoff) */
  readonly maxSequenceLength?: number;
  /** @default 2 */
  readonly perDeviceBatchSize?: number;
  /** @default 4 */
  readonly gradientAccumulationSteps?: number;
  /** @default LoraOutput.MERGED (a run may override it) */
  readonly output?: LoraOutput;
  /** @default LoraPromptTemplate.AUTO */
  readonly promptTemplate?: LoraPromptTemplate;
  /** @default 42 */
  readonly seed?: number;
  /**
   * A GPU training instance of the catalog (`FineTuningCatalog.instances()`); more than one GPU
   * runs under torchrun, one process per GPU.
   * @default 'ml.g5.2xlarge'
   */
  readonly instanceType?: string;
  /** Instances; more than one runs torchrun across them. @default 1 */
  readonly instanceCount?: number;
  /** ML storage volume per instance. @default Size.gibibytes(100), and at least twice the 16-bit weights */
  readonly volumeSize?: Size;
  /** `StoppingCondition.MaxRuntimeInSeconds`, at most 28 days. @default Duration.hours(24) */
  readonly maxRuntime?: Duration;
  /** Managed spot training, resuming from the latest checkpoint after an interruption. @default true */
  readonly spot?: boolean;
  /** `MaxWaitTimeInSeconds`: spot wait plus run time, at least maxRuntime; spot only. @default twice maxRuntime */
  readonly maxWait?: Duration;
  /** Checkpoints to `checkpoints/<run>/` in the bucket. @default true */
  readonly checkpoints?: boolean;
  /** @default HuggingFaceTrainingImage.DEFAULT */
  readonly image?: HuggingFaceTrainingImage;
  /**
   * The bucket for data, checkpoints and output (`data/`, `checkpoints/`, `output/`).
   * @default a new retained, versioned, KMS-encrypted, TLS-only bucket
   */
  readonly bucket?: s3.IBucket;
  /**
   * The key of the bucket (the new one, or yours if it is SSE-KMS), the job's output and the state
   * machine and its logs.
   * @default a new key with rotation, or your bucket's encryptionKey
   */
  readonly encryptionKey?: kms.IKey;
  /** Run the training containers in this VPC. @default SageMaker's managed network */
  readonly vpc?: ec2.IVpc;
  /** @default private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default a new security group without ingress rules, when vpc is set */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Retention of the state machine's log group. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The training script folder (entry `train.py`), shipped as a zip asset in the `code` channel.
   * @default the package's constructs/training/scripts/lora
   */
  readonly scriptsDirectory?: string;
}

/** Props with every default applied and checked. */
export interface ResolvedLoraProps {
  readonly model: ModelSpec;
  /** The base weights source (one of this library's). */
  readonly weights: LoraBaseWeights;
  readonly method: LoraMethod;
  readonly loraRank: number;
  readonly loraAlpha: number;
  readonly loraDropout: number;
  readonly targetModules: string[];
  readonly epochs: number;
  readonly learningRate: number;
  readonly maxSequenceLength: number;
  readonly perDeviceBatchSize: number;
  readonly gradientAccumulationSteps: number;
  readonly output: LoraOutput;
  readonly promptTemplate: LoraPromptTemplate;
  readonly seed: number;
  readonly instance: FineTuningInstance;
  readonly instanceCount: number;
  readonly volumeSizeGiB: number;
  readonly maxRuntimeS: number;
  readonly spot: boolean;
  readonly maxWaitS?: number;
  readonly checkpoints: boolean;
  readonly image: HuggingFaceTrainingImage;
  readonly memory: FineTuningMemoryReport;
}

/** CreateTrainingJob's MaxRuntimeInSeconds ceiling: 28 days (SageMaker API reference, StoppingCondition). */
export const MAX_RUNTIME_S = 28 * 24 * 3600;
const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REVISION = /^[0-9a-f]{40}$/;
const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** Where SageMaker puts the `code` channel's files on the instance. */
const CODE_CHANNEL_DIR = '/opt/ml/input/data/code';
const MAX_CONTAINER_ARGUMENT = 256;

/** Applies the defaults and checks every prop, with the base weights' own problems (bind's); throws once with every problem. */
export function resolveLoraProps(props: LoraFineTuningProps, weightsProblems: string[] = []): ResolvedLoraProps {
  const errors = newLoraErrors();
  const model = props.model;
  validateModel(model, errors);
  const lit = (v: number | undefined): v is number => v !== undefined && !Token.isUnresolved(v);
  const wholeAtLeast = (name: string, value: number | undefined, min: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (Token.isUnresolved(value)) {
      errors.addMessage(`${name}: must be a literal number, since the run is sized at synth time`);
      return fallback;
    }
    if (!Number.isInteger(value) || value < min) errors.addMessage(`${name}: ${value} must be a whole number of at least ${min}`);
    return value;
  };

  const weights = props.baseWeights ?? LoraBaseWeights.fromHuggingFace();
  errors.addMessage(...weightsProblems);

  const method = props.method ?? LoraMethod.QLORA;
  if (!Object.values(LoraMethod).includes(method)) errors.addMessage(`method: '${String(method)}' is not one of ${Object.values(LoraMethod).join(', ')}`);
  if (method === LoraMethod.QLORA && model.quantizable === false) {
    errors.addMessage(`method: QLoRA needs 4-bit weights, and the catalog marks ${model.name} as not quantizable by bitsandbytes; use LoraMethod.LORA`);
  }
  const loraRank = wholeAtLeast('loraRank', props.loraRank, 1, 16);
  const loraAlpha = props.loraAlpha ?? 2 * loraRank;
  if (props.loraAlpha !== undefined && lit(loraAlpha) && !(loraAlpha > 0)) errors.addMessage(`loraAlpha: ${loraAlpha} must be above 0`);
  const loraDropout = props.loraDropout ?? 0.05;
  if (lit(loraDropout) && !(loraDropout >= 0 && loraDropout < 1)) errors.addMessage(`loraDropout: ${loraDropout} must be from 0 up to (not including) 1`);
  const targetModules = props.targetModules ?? ['all-linear'];
  if (targetModules.length === 0) errors.addMessage("targetModules: empty; pass ['all-linear'] or module names such as ['q_proj', 'v_proj']");
  if (targetModules.includes('all-linear') && targetModules.length > 1) errors.addMessage(`targetModules: 'all-linear' already names every linear layer; pass it alone, not with ${targetModules.filter((m) => m !== 'all-linear').join(', ')}`);
  for (const m of targetModules) {
    if (m !== 'all-linear' && !MODULE_NAME.test(m)) errors.add('targetModules', m, 'is not a module name such as q_proj');
  }

  const epochs = wholeAtLeast('epochs', props.epochs, 1, 3);
  const learningRate = props.learningRate ?? 2e-4;
  if (lit(learningRate) && !(learningRate > 0 && learningRate < 1)) errors.addMessage(`learningRate: ${learningRate} must be above 0 and below 1`);
  const maxSequenceLength = wholeAtLeast('maxSequenceLength', props.maxSequenceLength, 1, Math.min(512, model.contextLength));
  if (lit(maxSequenceLength) && maxSequenceLength > model.contextLength) {
    errors.addMessage(`maxSequenceLength: ${maxSequenceLength} is beyond ${model.name}'s context length of ${model.contextLength} tokens`);
  }
  const perDeviceBatchSize = wholeAtLeast('perDeviceBatchSize', props.perDeviceBatchSize, 1, 2);
  const gradientAccumulationSteps = wholeAtLeast('gradientAccumulationSteps', props.gradientAccumulationSteps, 1, 4);
  const output = props.output ?? LoraOutput.MERGED;
  if (!Object.values(LoraOutput).includes(output)) errors.addMessage(`output: '${String(output)}' is not one of ${Object.values(LoraOutput).join(', ')}`);
  const promptTemplate = props.promptTemplate ?? LoraPromptTemplate.AUTO;
  if (!Object.values(LoraPromptTemplate).includes(promptTemplate)) errors.addMessage(`promptTemplate: '${String(promptTemplate)}' is not one of ${Object.values(LoraPromptTemplate).join(', ')}`);
  const seed = wholeAtLeast('seed', props.seed, 0, 42);

  const instanceType = props.instanceType ?? FineTuningCatalog.DEFAULT_INSTANCE_TYPE;
  const instance = FineTuningCatalog.findInstance(instanceType);
  if (!instance) {
    errors.add('instanceType', instanceType, `is not a GPU training instance of the catalog; GPU types: ${FineTuningCatalog.instances().map((i) => i.instanceType).join(', ')}`);
    throw errors.toError();
  }
  const instanceCount = wholeAtLeast('instanceCount', props.instanceCount, 1, 1);

  const weights16GiB = Math.ceil((model.parameters * 2) / 1024 ** 3);
  const minVolumeGiB = 2 * weights16GiB;
  const volumeSizeGiB = props.volumeSize === undefined ? Math.max(100, minVolumeGiB) : props.volumeSize.toGibibytes();
  if (props.volumeSize !== undefined && !Token.isUnresolved(volumeSizeGiB)) {
    if (!Number.isInteger(volumeSizeGiB) || volumeSizeGiB < 1) errors.addMessage(`volumeSize: ${volumeSizeGiB} GiB must be a whole number of GiB of at least 1`);
    else if (volumeSizeGiB < minVolumeGiB) errors.addMessage(`volumeSize: ${volumeSizeGiB} GiB cannot hold ${model.name}'s 16-bit weights twice (download and merged output, ${minVolumeGiB} GiB)`);
  }

  const maxRuntimeS = seconds('maxRuntime', props.maxRuntime ?? Duration.hours(24), errors);
  if (maxRuntimeS > MAX_RUNTIME_S) errors.addMessage(`maxRuntime: ${maxRuntimeS} s is beyond SageMaker's 28 days (${MAX_RUNTIME_S} s)`);
  const spot = props.spot ?? true;
  let maxWaitS: number | undefined;
  if (spot) {
    maxWaitS = props.maxWait === undefined ? 2 * maxRuntimeS : seconds('maxWait', props.maxWait, errors);
    if (maxWaitS < maxRuntimeS) errors.addMessage(`maxWait: ${maxWaitS} s is below maxRuntime ${maxRuntimeS} s; SageMaker requires MaxWaitTimeInSeconds >= MaxRuntimeInSeconds`);
  } else if (props.maxWait !== undefined) {
    errors.addMessage('maxWait: only used with spot; remove it or set spot: true');
  }
  const checkpoints = props.checkpoints ?? true;

  errors.addMessage(logRetentionProblem('logRetention', props.logRetention));
  if (props.vpc === undefined && (props.vpcSubnets !== undefined || props.securityGroups !== undefined)) {
    errors.addMessage(`${props.vpcSubnets !== undefined ? 'vpcSubnets' : 'securityGroups'}: only used with vpc; pass the vpc the training containers should run in`);
  }

  const memory = FineTuningCatalog.estimateMemory(model, instance, { method, loraRank, targetModules, maxSequenceLength, perDeviceBatchSize });
  if (errors.isEmpty && !memory.fits) {
    errors.addMessage(`instanceType: ${method === LoraMethod.QLORA ? 'QLoRA' : 'LoRA'} of ${model.name} does not fit ${instance.instanceType}: ${memory.reason}; `
      + `try a GPU with more memory${method === LoraMethod.LORA ? ', LoraMethod.QLORA' : ''} or a smaller perDeviceBatchSize or maxSequenceLength`);
  }
  errors.throwIfAny();
  return {
    model, weights, method, loraRank, loraAlpha, loraDropout, targetModules, epochs, learningRate, maxSequenceLength, perDeviceBatchSize,
    gradientAccumulationSteps, output, promptTemplate, seed, instance, instanceCount, volumeSizeGiB, maxRuntimeS, spot, maxWaitS, checkpoints,
    image: props.image ?? HuggingFaceTrainingImage.DEFAULT, memory,
  };
}

/** Whether `name` can name a run (its training job): SageMaker's job-name pattern, at most 63 characters. */
export function isValidRunName(name: string): boolean {
  return SAGEMAKER_NAME_PATTERN.test(name);
}

function seconds(name: string, d: Duration, errors: PropErrors): number {
  if (Token.isUnresolved(d.toSeconds({ integral: false }))) {
    errors.addMessage(`${name}: must be a literal duration`);
    return 0;
  }
  const s = d.toSeconds({ integral: false });
  if (!Number.isInteger(s) || s < 1) errors.addMessage(`${name}: ${s} s must be a whole number of seconds of at least 1`);
  return s;
}

function validateModel(model: ModelSpec, errors: PropErrors): void {
  for (const key of ['parameters', 'layers', 'hiddenSize', 'attentionHeads', 'contextLength'] as const) {
    const value = model[key];
    if (typeof value !== 'number' || !(value > 0)) errors.addMessage(`model.${key}: ${String(value)} must be a number above 0`);
  }
  if (model.vocabSize !== undefined && !(Number.isInteger(model.vocabSize) && model.vocabSize > 0)) {
    errors.addMessage(`model.vocabSize: ${model.vocabSize} must be a whole number above 0 (config.json's vocab_size)`);
  }
  if (!REVISION.test(model.revision)) errors.add('model.revision', model.revision, 'must be a 40-hex-digit Hugging Face commit, so every run tunes the same weights');
  if (!HF_ID.test(model.huggingFaceId)) errors.add('model.huggingFaceId', model.huggingFaceId, 'must be a Hugging Face repository id such as tiiuae/falcon-7b');
}

function newLoraErrors(): PropErrors {
  return new PropErrors('LoraFineTuning');
}

/**
 * The container command: unzip the code channel into a temporary folder, then run train.py, with
 * torchrun when there is more than one GPU (one process per GPU). Across instances torchrun's c10d
 * rendezvous assigns the node ranks, on the first host: SageMaker names a job's hosts algo-1 to
 * algo-<n> (resourceconfig.json, "How Amazon SageMaker Provides Training Information").
 */
export function launchScript(gpus: number, instances: number): string {
  const unpack = `set -eu;d=$(mktemp -d);for z in ${CODE_CHANNEL_DIR}/*.zip;do python3 -m zipfile -e "$z" "$d";done;cd "$d";`;
  const run = gpus === 1 && instances === 1 ? 'exec python3 train.py'
    : instances === 1 ? `exec torchrun --standalone --nproc_per_node ${gpus} train.py`
      : `exec torchrun --nnodes ${instances} --nproc_per_node ${gpus} --rdzv_backend c10d --rdzv_endpoint algo-1:29500 train.py`;
  const script = unpack + run;
  // CreateTrainingJob takes ContainerArguments of at most 256 characters each (API reference, AlgorithmSpecification).
  if (script.length > MAX_CONTAINER_ARGUMENT) throw new Error(`LoraFineTuning: the container command is ${script.length} characters, beyond SageMaker's ${MAX_CONTAINER_ARGUMENT}`);
  return script;
}
