import { Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LmiBackend } from '../catalog';
import { nagResourceFinding } from '../private/nag';
import { describe } from '../private/validation';

/**
 * The LMI rolling-batch (continuous batching) engine: `option.rolling_batch`, sent as
 * `OPTION_ROLLING_BATCH`.
 */
export class RollingBatch {
  /** vLLM on GPUs, in every supported GPU tag. */
  public static readonly VLLM = new RollingBatch('vllm', [LmiBackend.GPU]);
  /**
   * LMI's own distributed engine on GPUs. Removed from the containers in 0.33.0 / LMI 15
   * (deepjavalibrary/djl-serving#2811), so only tags up to 0.32.0 take it.
   */
  public static readonly LMI_DIST = new RollingBatch('lmi-dist', [LmiBackend.GPU], '0.32.0');
  /**
   * Let the container choose: on GPU tags from 0.35.0 the asynchronous vLLM service, before that
   * vLLM; on Neuron the transformers-neuronx rolling batch.
   */
  public static readonly AUTO = new RollingBatch('auto', [LmiBackend.GPU, LmiBackend.NEURON]);

  /**
   * Escape hatch for a value this library does not know yet.
   * @param backends the backends it runs on
   * @param lastContainerVersion the newest DJL container version that accepts it, if it was removed
   */
  public static of(value: string, backends: LmiBackend[], lastContainerVersion?: string): RollingBatch {
    return new RollingBatch(value, backends, lastContainerVersion);
  }

  private constructor(
    public readonly value: string,
    public readonly backends: LmiBackend[],
    public readonly lastContainerVersion?: string,
  ) {}
}

/** What a {@link ModelWeights} source gives the model, from {@link ModelWeights.bind}. */
export interface ModelWeightsConfig {
  /**
   * S3 URI of an uncompressed prefix that SageMaker copies to /opt/ml/model before the container
   * starts (ModelDataSource, S3Prefix, CompressionType None).
   * @default none: the container fetches the weights itself
   */
  readonly s3PrefixUri?: string;
  /**
   * The container downloads the weights from the Hugging Face Hub at start: the endpoint then needs
   * internet access (no network isolation) and refuses gated models.
   * @default false
   */
  readonly downloadsFromHub?: boolean;
  /**
   * Hub commit to download, a 40-hex-digit revision, when `downloadsFromHub` is set.
   * @default the model's pinned revision
   */
  readonly hubRevision?: string;
  /**
   * Problems with the source, each naming the prop (`weights: ...`), reported with LmiEndpoint's
   * other prop errors.
   * @default none
   */
  readonly problems?: string[];
}

/**
 * Where the container gets the model weights from. Extend it for a source of your own: `bind` is
 * called once by the endpoint with its execution role, grants what the role needs and returns the
 * {@link ModelWeightsConfig}.
 */
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

  /**
   * Grants `grantee` (the endpoint's execution role) what it needs to read the weights and says
   * how the model gets them.
   */
  public abstract bind(scope: Construct, grantee: iam.IGrantable): ModelWeightsConfig;
}

/** Options of {@link ModelWeights.fromHuggingFace}. */
export interface HuggingFaceWeightsOptions {
  /** A 40-hex-digit Hub commit. @default the model's pinned revision */
  readonly revision?: string;
}

/** Options of {@link ModelWeights.fromS3Prefix}. */
export interface S3PrefixWeightsOptions {
  /**
   * The bucket's SSE-KMS key; the execution role gets kms:Decrypt on it.
   * @default the bucket's own `encryptionKey`, if any
   */
  readonly key?: kms.IKey;
}

class HuggingFaceWeights extends ModelWeights {
  constructor(private readonly revision: string | undefined) {
    super();
  }

  public bind(): ModelWeightsConfig {
    const problems: string[] = [];
    if (this.revision !== undefined && !Token.isUnresolved(this.revision) && !/^[0-9a-f]{40}$/.test(this.revision)) {
      problems.push(`weights: revision ${describe(this.revision)} must be a 40-hex-digit Hub commit, so the weights cannot change under a deployed endpoint`);
    }
    return { downloadsFromHub: true, hubRevision: this.revision, problems };
  }
}

class S3PrefixWeights extends ModelWeights {
  constructor(private readonly bucket: s3.IBucket, private readonly prefix: string, private readonly key?: kms.IKey) {
    super();
  }

  public bind(scope: Construct, grantee: iam.IGrantable): ModelWeightsConfig {
    const problems: string[] = [];
    if (!Token.isUnresolved(this.prefix) && (!this.prefix.endsWith('/') || this.prefix.startsWith('/') || this.prefix.length < 2)) {
      problems.push(`weights: S3 prefix '${this.prefix}' must be a folder key such as 'models/falcon-40b/' (ends with '/', no leading '/'), since SageMaker copies everything under it to /opt/ml/model`);
    }
    // Statement IDs and shapes are kept from the inline policy this source wrote before bind existed.
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadWeights',
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects(`${this.prefix}*`)],
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListWeights',
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${this.prefix}*`] } },
    }));
    (this.key ?? this.bucket.encryptionKey)?.grantDecrypt(grantee);
    // The finding this grant causes, on the principal that holds it (the endpoint's own role is
    // written into the endpoint's inline policy, so there the endpoint acknowledges it).
    const holder = Construct.isConstruct(grantee.grantPrincipal) ? grantee.grantPrincipal : scope;
    Validations.of(holder).acknowledge({
      id: `AwsSolutions-IAM5[${nagResourceFinding(scope, this.bucket.arnForObjects(`${this.prefix}*`))}]`,
      reason: 'SageMaker copies every object under the weights prefix to /opt/ml/model; read is limited to exactly that prefix.',
    });
    return { s3PrefixUri: this.bucket.s3UrlForObject(this.prefix), problems };
  }
}
