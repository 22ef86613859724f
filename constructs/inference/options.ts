import { Token } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Backend } from '../catalog';

/**
 * The LMI rolling-batch (continuous batching) engine: `option.rolling_batch`, sent as
 * `OPTION_ROLLING_BATCH`.
 */
export class RollingBatch {
  /** vLLM on GPUs, in every supported GPU tag. */
  public static readonly VLLM = new RollingBatch('vllm', ['gpu']);
  /**
   * LMI's own distributed engine on GPUs. Removed from the containers in 0.33.0 / LMI 15
   * (deepjavalibrary/djl-serving#2811), so only tags up to 0.32.0 take it.
   */
  public static readonly LMI_DIST = new RollingBatch('lmi-dist', ['gpu'], '0.32.0');
  /**
   * Let the container choose: on GPU tags from 0.35.0 the asynchronous vLLM service, before that
   * vLLM; on Neuron the transformers-neuronx rolling batch.
   */
  public static readonly AUTO = new RollingBatch('auto', ['gpu', 'neuron']);

  /**
   * Escape hatch for a value this library does not know yet.
   * @param backends the backends it runs on
   * @param lastContainerVersion the newest DJL container version that accepts it, if it was removed
   */
  public static of(value: string, backends: Backend[], lastContainerVersion?: string): RollingBatch {
    return new RollingBatch(value, backends, lastContainerVersion);
  }

  private constructor(
    public readonly value: string,
    public readonly backends: Backend[],
    public readonly lastContainerVersion?: string,
  ) {}
}

/** Options of {@link ModelWeights.fromHuggingFace}. */
export interface HuggingFaceWeightsOptions {
  /** Hub commit (40 hex digits) to download. @default the model's revision */
  readonly revision?: string;
}

/** Options of {@link ModelWeights.fromS3Prefix}. */
export interface S3PrefixWeightsOptions {
  /**
   * The bucket's SSE-KMS key, where the bucket is imported and encrypted with one; the role gets
   * kms:Decrypt on it.
   * @default the bucket's own `encryptionKey`, if any
   */
  readonly key?: kms.IKey;
}

/** Where the container gets the model weights from. */
export abstract class ModelWeights {
  /**
   * Download from the Hugging Face Hub at container start, pinned to the model's revision (or
   * `options.revision`, a 40-hex-digit commit; default: the model's). The container needs internet
   * access: no network isolation, and a NAT route when the endpoint runs in a VPC.
   */
  public static fromHuggingFace(options: HuggingFaceWeightsOptions = {}): ModelWeights {
    return new HuggingFaceWeights(options.revision);
  }

  /**
   * Uncompressed weights under an S3 prefix (a Hugging Face checkpoint folder: config.json,
   * tokenizer, *.safetensors). SageMaker copies the prefix to /opt/ml/model before the container
   * starts (ModelDataSource, S3Prefix, CompressionType None), so the endpoint can run network
   * isolated. The execution role gets read on exactly that prefix.
   *
   * @param prefix key prefix ending in `/`, without a leading `/`, for example `falcon-40b/`
   */
  public static fromS3Prefix(bucket: s3.IBucket, prefix: string, options: S3PrefixWeightsOptions = {}): ModelWeights {
    return new S3PrefixWeights(bucket, prefix, options.key);
  }

  /** `huggingface` or `s3`. */
  public abstract readonly kind: 'huggingface' | 's3';
}

/** @internal */
export class HuggingFaceWeights extends ModelWeights {
  public readonly kind = 'huggingface' as const;
  constructor(public readonly revision: string | undefined) {
    super();
  }
}

/** @internal */
export class S3PrefixWeights extends ModelWeights {
  public readonly kind = 's3' as const;
  constructor(public readonly bucket: s3.IBucket, public readonly prefix: string, public readonly key?: kms.IKey) {
    super();
  }

  /** Problems with the prefix, as messages; empty when it is usable or a token. */
  public validate(): string[] {
    if (Token.isUnresolved(this.prefix)) return [];
    const errors: string[] = [];
    if (!this.prefix.endsWith('/') || this.prefix.startsWith('/') || this.prefix.length < 2) {
      errors.push(`weights: S3 prefix '${this.prefix}' must be a folder key such as 'models/falcon-40b/' (ends with '/', no leading '/'), since SageMaker copies everything under it to /opt/ml/model`);
    }
    return errors;
  }
}
