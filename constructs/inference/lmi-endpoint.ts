import { createHash } from 'crypto';
import {
  Annotations, ArnFormat, CfnOutput, Fn, RemovalPolicy, type Duration, type Size, Stack, Token, Validations,
} from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import {
  type HostingInstance, type LmiBackend, type LmiDtype, type LmiInstanceType, type ModelSpec,
} from '../catalog';
import { allowLogsToUseKey } from '../private/logs-key';
import { ImportedLmiEndpoint, LmiEndpointBase, type ILmiEndpoint, type LmiEndpointAttributes } from './endpoint-base';
import { renderEnvironment } from './environment';
import { executionStatements, InlinePolicyGrantee, vpcStatement } from './execution-policy';
import type { LmiImage } from './image';
import { ModelWeights, type RollingBatch } from './options';
import { checkCapacity, newErrors, resolveProps, resolveWeights, type Resolved } from './props';
import { ScalableInstanceCount } from './scaling';

/** Autoscaling of the endpoint's instance count on concurrent requests per model. */
export interface LmiAutoScalingOptions {
  /**
   * Fewest instances. SageMaker variants without inference components cannot scale to zero.
   * @default the endpoint's instanceCount (which in turn defaults to this value)
   */
  readonly minCapacity?: number;
  /** Most instances. */
  readonly maxCapacity: number;
  /**
   * Concurrent requests per model copy to hold, tracked on the 10-second metric
   * `SageMakerVariantConcurrentRequestsPerModelHighResolution`.
   * @default three quarters of the maximum rolling batch size, to scale out before requests queue
   */
  readonly targetConcurrentRequestsPerModel?: number;
  /** @default Duration.minutes(5) */
  readonly scaleInCooldown?: Duration;
  /** @default Duration.minutes(1) */
  readonly scaleOutCooldown?: Duration;
}

/** Properties of an {@link LmiEndpoint}. */
export interface LmiEndpointProps {
  /** The model to serve: a catalog preset such as `FALCON_40B`, or your own {@link ModelSpec}. */
  readonly model: ModelSpec;
  /** @default ModelWeights.fromHuggingFace() at the model's pinned revision */
  readonly weights?: ModelWeights;
  /**
   * SageMaker instance type: a catalog member such as `LmiInstanceType.G5_48XLARGE`, or
   * `LmiInstanceType.of(name, facts)` for a type the catalog lacks. Its backend (GPU or Neuron)
   * decides the container.
   * @default the cheapest priced catalog instance the model fits; EBS-only instances (inf2) only
   * when volumeSize is set
   */
  readonly instanceType?: LmiInstanceType;
  /** @default 1 */
  readonly instanceCount?: number;
  /**
   * Devices (GPUs or NeuronCores) the model is sharded over: `TENSOR_PARALLEL_DEGREE`. Must divide
   * the attention heads, divide or be a multiple of the KV heads, and not exceed the devices.
   * @default the largest valid degree on the instance
   */
  readonly tensorParallelDegree?: number;
  /** @default RollingBatch.VLLM on GPU, RollingBatch.AUTO on Neuron */
  readonly rollingBatch?: RollingBatch;
  /** @default the model's dtype on GPU; LmiDtype.FP16 on Neuron (the transformers-neuronx handler's default) */
  readonly dtype?: LmiDtype;
  /**
   * Most sequences in one rolling batch: `OPTION_MAX_ROLLING_BATCH_SIZE`.
   * @default 64 on GPU (AWS's Falcon-40B LMI samples); 4 on Neuron (the batch AWS's LMI Neuron samples compile)
   */
  readonly maxRollingBatchSize?: number;
  /**
   * Longest sequence served, prompt plus generated tokens: `OPTION_MAX_MODEL_LEN` on GPU,
   * `OPTION_N_POSITIONS` on Neuron (whose handler default is only 128).
   * @default the model's context length on GPU; the context length capped at 2048 on Neuron
   */
  readonly maxSequenceLength?: number;
  /**
   * Time the container may take to load the model: `OPTION_MODEL_LOADING_TIMEOUT`.
   * @default the container start-up health-check timeout
   */
  readonly modelLoadingTimeout?: Duration;
  /**
   * `ContainerStartupHealthCheckTimeoutInSeconds`, 60..3600 s; at least the model loading timeout.
   * @default 3600 s for models of 20e9 parameters or more and on Neuron (compilation at load), else 1800 s
   */
  readonly containerStartupHealthCheckTimeout?: Duration;
  /**
   * `ModelDataDownloadTimeoutInSeconds`, 60..3600 s: time to copy S3 weights onto the instance.
   * @default the same as the health-check timeout
   */
  readonly modelDataDownloadTimeout?: Duration;
  /**
   * ML storage volume per instance, 1..512 GiB. Only EBS-only instances (inf2) take one, and they need
   * one; instances with local NVMe (g5, g6, g6e, p4d, p5) reject it.
   * @default none on NVMe instances; required on EBS-only instances
   */
  readonly volumeSize?: Size;
  /**
   * Run the model container in this VPC (private subnets). Hugging Face weights then need a NAT route.
   * @default no VPC: SageMaker's managed network
   */
  readonly vpc?: ec2.IVpc;
  /** @default private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default a new security group without ingress rules, when vpc is set */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Block all network access from the model container. Only possible with S3 weights.
   * @default true with S3 weights, false with Hugging Face weights
   */
  readonly networkIsolation?: boolean;
  /**
   * KMS key for the instances' ML storage volume (endpoint config `KmsKeyId`). Instances with local
   * NVMe reject a key; their instance storage is encrypted by the hardware.
   * @default a new key with rotation on EBS-only instances; none on NVMe instances
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Execution role SageMaker assumes. Grants are added to it where it is mutable.
   * @default a new role with least-privilege grants (no managed policy)
   */
  readonly role?: iam.IRole;
  /**
   * The LMI container image: a catalog tag (`LmiImage.fromCatalog(backend, tag)`) or a mirror in
   * your own ECR repository (`LmiImage.fromEcrRepository(repository, tag)`).
   * @default LmiImage.fromCatalog(backend of the instance type), at the catalog's default tag
   */
  readonly image?: LmiImage;
  /**
   * Further container environment (`OPTION_*` keys), applied last. Keys this construct sets from
   * typed props cannot be overridden here.
   * @default none
   */
  readonly environment?: { [key: string]: string };
  /**
   * A shortcut for `autoScaleInstanceCount(...)` followed by `scaleOnConcurrentRequests('ConcurrencyTracking', ...)`.
   * @default no autoscaling
   */
  readonly autoScaling?: LmiAutoScalingOptions;
  /** @default 'AllTraffic' */
  readonly variantName?: string;
  /**
   * Physical endpoint name, at most 63 letters, digits and hyphens. Prefer lower case: the log group
   * is created as `/aws/sagemaker/Endpoints/<endpointName>` with the case given, and it is not
   * documented whether SageMaker keeps that case when it writes (a known limitation).
   * @default `<stack name>-<construct id>-<hash of the stack name and construct path>` in lower case,
   * cut to 63 characters: fixed before deploy, so that the endpoint's log group can be created first
   */
  readonly endpointName?: string;
  /**
   * How long CloudWatch Logs keeps the endpoint's container logs (`/aws/sagemaker/Endpoints/<name>`).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the endpoint's log group when it leaves the stack. Its name is fixed
   * (`/aws/sagemaker/Endpoints/<endpointName>`), so a retained group makes the next deploy of the same
   * stack fail on the taken name until the group is deleted or imported.
   * @default RemovalPolicy.DESTROY: deleted with the stack (its logs are kept for `logRetention` until then)
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * KMS key the endpoint's log group is encrypted with. Where this stack owns the key, its key policy
   * gets a statement allowing CloudWatch Logs to use it for this log group only; an imported key's
   * policy must already allow that (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs
   * using AWS KMS").
   * @default the endpoint's ML storage volume key where this construct creates one (EBS-only
   * instances), else a new key with rotation
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** Where {@link LmiEndpoint.addOutputs} puts the outputs. */
export interface LmiEndpointOutputOptions {
  /**
   * The construct the outputs are added under. A Stack gives them the plain logical IDs
   * `EndpointName` and `InvokeCommand`, the ones the recipe stacks document.
   * @default the endpoint: logical IDs prefixed with its path
   */
  readonly scope?: Construct;
}

/** Capacity range of {@link LmiEndpoint.autoScaleInstanceCount}. */
export interface LmiEnableScalingProps {
  /**
   * Fewest instances. SageMaker variants without inference components cannot scale to zero.
   * @default the endpoint's instance count
   */
  readonly minCapacity?: number;
  /** Most instances. */
  readonly maxCapacity: number;
}

/** Longest SageMaker endpoint name (SAGEMAKER_NAME_PATTERN). */
const SAGEMAKER_NAME_MAX = 63;

/**
 * A SageMaker real-time endpoint serving an LLM on a Large Model Inference (DJL Serving)
 * container, on GPUs or AWS Inferentia2.
 *
 * It checks at synth time that the model fits the instance, that the tensor-parallel degree shards
 * it, that the image exists in the stack's region, and that every SageMaker limit holds. It creates
 * no outputs, alarms or scaling unless asked (`addOutputs`, `addAlarms`, `autoScaleInstanceCount`).
 */
export class LmiEndpoint extends LmiEndpointBase implements iam.IGrantable {
  /** An endpoint deployed elsewhere, by name, in this stack's account and region. */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): ILmiEndpoint {
    return new ImportedLmiEndpoint(scope, id, { endpointName });
  }

  /**
   * An endpoint deployed elsewhere, by ARN. SageMaker writes names into ARNs in lower case; use
   * fromEndpointAttributes with the name where its case differs.
   */
  public static fromEndpointArn(scope: Construct, id: string, endpointArn: string): ILmiEndpoint {
    return new ImportedLmiEndpoint(scope, id, { endpointArn });
  }

  /** An endpoint deployed elsewhere, by its attributes. */
  public static fromEndpointAttributes(scope: Construct, id: string, attrs: LmiEndpointAttributes): ILmiEndpoint {
    return new ImportedLmiEndpoint(scope, id, attrs);
  }

  /** The endpoint ARN. @attribute */
  public readonly endpointArn: string;
  /** The endpoint name. @attribute */
  public readonly endpointName: string;
  /** The production variant name. @attribute */
  public readonly variantName: string;
  /** The model's name, as SageMaker generated it. @attribute */
  public readonly modelName: string;
  /** The model's ARN. @attribute */
  public readonly modelArn: string;
  /** The endpoint configuration's name. @attribute */
  public readonly endpointConfigName: string;
  /** The endpoint configuration's ARN. @attribute */
  public readonly endpointConfigArn: string;
  /** The execution role SageMaker assumes; grants to the endpoint go to it. */
  public readonly role: iam.IRole;
  /** The execution role, as the principal of `bucket.grantRead(endpoint)` and other grants. */
  public readonly grantPrincipal: iam.IPrincipal;
  /**
   * The serving backend the instance type implies; always set on a new endpoint (optional in the
   * type only because imported endpoints may not know theirs, and jsii keeps an override's optionality).
   */
  public readonly backend?: LmiBackend;
  /** Catalog facts of the instance type. */
  public readonly instance: HostingInstance;
  /** Tensor-parallel degree in use. */
  public readonly tensorParallelDegree: number;
  /** Container image URI (with tokens where the region is resolved at deploy time). */
  public readonly imageUri: string;
  /** The container environment sent to SageMaker. */
  public readonly environment: { readonly [key: string]: string };
  /** The ML storage volume key, where the instance takes one. */
  public readonly encryptionKey?: kms.IKey;
  /** The log group SageMaker writes the container's logs to, created before the endpoint. */
  public readonly logGroup: logs.ILogGroup;
  /** The key the log group is encrypted with. */
  public readonly logEncryptionKey: kms.IKey;
  /** Network access of the model container, when the endpoint runs in a VPC. */
  public readonly connections?: ec2.Connections;
  /** The L1 model: escape hatch for properties this construct does not type. */
  public readonly cfnModel: sagemaker.CfnModel;
  /** The L1 endpoint config. */
  public readonly cfnEndpointConfig: sagemaker.CfnEndpointConfig;
  /** The L1 endpoint. */
  public readonly cfnEndpoint: sagemaker.CfnEndpoint;

  private readonly model: ModelSpec;
  private readonly resolved: Resolved;
  private outputsAdded = false;
  private scaling?: ScalableInstanceCount;

  constructor(scope: Construct, id: string, props: LmiEndpointProps) {
    super(scope, id, { physicalName: props.endpointName });
    const r = resolveProps(props);
    this.resolved = r;
    this.model = props.model;
    this.backend = r.backend;
    this.instance = r.instance;
    this.tensorParallelDegree = r.tensorParallelDegree;
    this.variantName = r.variantName;

    if (!r.instance.localNvme) {
      this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'VolumeKey', {
        description: `ML storage volume of the ${props.model.name} LMI endpoint`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    // SageMaker writes to /aws/sagemaker/Endpoints/<EndpointName> (SageMaker developer guide, "Log
    // groups and streams that Amazon SageMaker AI sends to Amazon CloudWatch Logs"), creating it
    // without retention unless it exists: so the name is fixed before deploy and the group made first.
    const endpointName = props.endpointName ?? defaultEndpointName(this);
    const logGroupName = `/aws/sagemaker/Endpoints/${endpointName}`;
    this.logEncryptionKey = props.logEncryptionKey
      ?? (props.encryptionKey === undefined ? this.encryptionKey : undefined)
      ?? new kms.Key(this, 'LogKey', {
        description: `CloudWatch Logs of the ${props.model.name} LMI endpoint`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.allowLogsToUseKey(this.logEncryptionKey, logGroupArn);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.logEncryptionKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    // The image and the weights grant through `grantee`: into the inline policy of a role of our own
    // (no separate AWS::IAM::Policy per endpoint), or to a role passed in as it takes grants.
    let grantee: iam.IGrantable;
    if (props.role) {
      this.role = props.role;
      grantee = props.role;
    } else {
      const execution = new iam.PolicyDocument();
      this.role = new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
        description: `SageMaker execution role of the ${props.model.name} LMI endpoint`,
        inlinePolicies: { Execution: execution },
      });
      grantee = new InlinePolicyGrantee(this.role, execution);
    }
    this.grantPrincipal = this.role;
    this.imageUri = r.image.bind(this, grantee).imageUri;
    for (const statement of executionStatements(logGroupArn, this.logGroup)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
    const weights = (props.weights ?? ModelWeights.fromHuggingFace()).bind(this, grantee);
    const networkIsolation = resolveWeights(props, weights);

    let vpcConfig: sagemaker.CfnModel.VpcConfigProperty | undefined;
    if (props.vpc) {
      grantee.grantPrincipal.addToPrincipalPolicy(vpcStatement());
      const securityGroups = props.securityGroups ?? [new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `LMI endpoint ${props.model.name}: model container`,
        allowAllOutbound: true,
      })];
      this.connections = new ec2.Connections({ securityGroups });
      vpcConfig = {
        securityGroupIds: securityGroups.map((sg) => sg.securityGroupId),
        subnets: props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
      };
    }

    this.environment = renderEnvironment(props.model, r, weights, props.environment ?? {});
    this.cfnModel = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      enableNetworkIsolation: networkIsolation,
      vpcConfig,
      primaryContainer: {
        image: this.imageUri,
        mode: 'SingleModel',
        environment: this.environment,
        modelDataSource: weights.s3PrefixUri === undefined ? undefined : {
          s3DataSource: {
            s3Uri: weights.s3PrefixUri,
            s3DataType: 'S3Prefix',
            compressionType: 'None',
          },
        },
      },
    });
    // The model is created with the role's grants in place (its inline policy and any DefaultPolicy), not before them.
    this.cfnModel.node.addDependency(this.role);

    this.cfnEndpointConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      // No name: every change replaces the config and the endpoint updates blue/green onto it.
      kmsKeyId: this.encryptionKey?.keyArn,
      productionVariants: [{
        variantName: r.variantName,
        modelName: this.cfnModel.attrModelName,
        instanceType: r.instance.instanceType,
        initialInstanceCount: r.instanceCount,
        initialVariantWeight: 1,
        containerStartupHealthCheckTimeoutInSeconds: r.healthCheckTimeout.toSeconds(),
        modelDataDownloadTimeoutInSeconds: r.dataDownloadTimeout.toSeconds(),
        volumeSizeInGb: r.instance.localNvme ? undefined : props.volumeSize?.toGibibytes(),
      }],
    });
    this.cfnEndpoint = new sagemaker.CfnEndpoint(this, 'Resource', {
      endpointConfigName: this.cfnEndpointConfig.attrEndpointConfigName,
      endpointName,
    });
    this.endpointArn = this.getResourceArnAttribute(this.cfnEndpoint.ref, {
      service: 'sagemaker', resource: 'endpoint', resourceName: this.physicalName,
    });
    this.endpointName = this.getResourceNameAttribute(this.cfnEndpoint.attrEndpointName);
    this.cfnEndpoint.node.addDependency(this.logGroup);
    this.modelName = this.cfnModel.attrModelName;
    this.modelArn = this.cfnModel.ref;
    this.endpointConfigName = this.cfnEndpointConfig.attrEndpointConfigName;
    this.endpointConfigArn = this.cfnEndpointConfig.ref;

    if (props.autoScaling) {
      this.autoScaleInstanceCount({ minCapacity: props.autoScaling.minCapacity, maxCapacity: props.autoScaling.maxCapacity })
        .scaleOnConcurrentRequests('ConcurrencyTracking', {
          targetConcurrentRequestsPerModel: props.autoScaling.targetConcurrentRequestsPerModel,
          scaleInCooldown: props.autoScaling.scaleInCooldown,
          scaleOutCooldown: props.autoScaling.scaleOutCooldown,
        });
    }
    this.acknowledgeFindings(r, props);
  }

  protected get displayName(): string {
    return this.model.name;
  }

  /**
   * Adds stack outputs: the endpoint name (`EndpointName`, or `EndpointNameOutput` under the
   * endpoint) and a ready-to-run AWS CLI invoke command (`InvokeCommand`). Nothing is output unless
   * this is called; a second call adds nothing.
   */
  public addOutputs(options: LmiEndpointOutputOptions = {}): void {
    if (this.outputsAdded) return;
    this.outputsAdded = true;
    const scope = options.scope ?? this;
    new CfnOutput(scope, scope === this ? 'EndpointNameOutput' : 'EndpointName', {
      description: `SageMaker endpoint serving ${this.model.name}`,
      value: this.endpointName,
    });
    new CfnOutput(scope, 'InvokeCommand', {
      description: `Invoke ${this.model.name} once the endpoint is InService (AWS CLI v2)`,
      value: this.invokeCommand,
    });
  }

  /** An AWS CLI v2 command that invokes the endpoint once with a short prompt and prints the answer. */
  public get invokeCommand(): string {
    const body = JSON.stringify({ inputs: 'What is Amazon SageMaker?', parameters: { max_new_tokens: 128 } });
    return Fn.join('', [
      'aws sagemaker-runtime invoke-endpoint --endpoint-name ', this.endpointName,
      ` --content-type application/json --cli-binary-format raw-in-base64-out --body '${body}' /dev/stdout`,
    ]);
  }

  /**
   * Scales the variant's instance count with Application Auto Scaling (through its SageMaker
   * service-linked role). Add policies to what it returns, such as `scaleOnConcurrentRequests`. The
   * endpoint then keeps the scaled count across endpoint-config replacements. Call it once.
   */
  public autoScaleInstanceCount(props: LmiEnableScalingProps): ScalableInstanceCount {
    const errors = newErrors();
    if (this.scaling) errors.addMessage('autoScaleInstanceCount: called twice (or with the autoScaling prop); add policies to the ScalableInstanceCount it returned');
    const min = props.minCapacity ?? this.resolved.instanceCount;
    checkCapacity('', min, props.maxCapacity, errors);
    errors.throwIfAny();
    // Under autoscaling, keep the scaled instance count across endpoint-config replacements.
    this.cfnEndpoint.retainAllVariantProperties = true;
    this.scaling = new ScalableInstanceCount(this, 'InstanceCount', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      // Application Auto Scaling acts on SageMaker variants through its service-linked role.
      role: iam.Role.fromRoleArn(this, 'ScalingRole', Stack.of(this).formatArn({
        service: 'iam', region: '', resource: 'role',
        resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
      })),
      resourceId: `endpoint/${this.endpointName}/variant/${this.variantName}`,
      dimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: min,
      maxCapacity: props.maxCapacity,
      // Scale out before the rolling batch saturates and requests queue in the container.
      defaultTargetConcurrentRequestsPerModel: Math.max(1, Math.round(this.resolved.maxRollingBatchSize * 0.75)),
    });
    return this.scaling;
  }

  /**
   * Lets CloudWatch Logs use the key for exactly this log group, as the CloudWatch Logs user guide
   * ("Encrypt log data in CloudWatch Logs using AWS KMS", step 2) writes the key policy. An imported
   * key's policy cannot be changed from here: say so instead of failing at deploy without a hint.
   */
  private allowLogsToUseKey(key: kms.IKey, logGroupArn: string): void {
    if (!allowLogsToUseKey(key, logGroupArn, 'CloudWatchLogsEndpointLogGroup')) {
      Annotations.of(this).addWarningV2('llm-recipes:LmiEndpoint.logKeyPolicy',
        'logEncryptionKey is imported, so its key policy cannot be extended here: it must allow logs.<region>.amazonaws.com '
        + 'the kms:Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey* and Describe* actions for this endpoint\'s log group, or the log group cannot be created.');
    }
  }

  private acknowledgeFindings(r: Resolved, props: LmiEndpointProps): void {
    if (r.instance.localNvme) {
      Validations.of(this.cfnEndpointConfig).acknowledge({
        id: 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured',
        reason: `${r.instance.instanceType} has local NVMe storage: SageMaker rejects an endpoint-config KmsKeyId for it, and NVMe instance storage is encrypted at rest by the instance hardware (XTS-AES-256).`,
      });
    }
    // A role passed in is the caller's to acknowledge: the same finding IDs would hide its own statements.
    if (!props.role) {
      Validations.of(this.role).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'The execution role is this endpoint\'s alone: its grants are scoped to this endpoint\'s image, weights, key and logs, and live and die with the role; a managed policy would be reusable by other principals.',
      });
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken and the VPC network-interface actions support no resource-level permissions, and cloudwatch:PutMetricData is limited by a cloudwatch:namespace condition instead.',
      });
    }
  }
}

/**
 * The endpoint name used unless endpointName is given: the stack name and construct ID for people,
 * and a hash of the stack name and construct path so that two stacks or two endpoints never collide.
 * At most 63 characters and SAGEMAKER_NAME_PATTERN's alphabet, in lower case.
 */
function defaultEndpointName(scope: Construct): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? '' : stack.stackName;
  const hash = createHash('sha256').update(`${stackName}\n${scope.node.path}`).digest('hex').slice(0, 8);
  const human = `${stackName}-${scope.node.id}`.replace(/[^a-zA-Z0-9]+/g, '-').slice(0, SAGEMAKER_NAME_MAX - hash.length - 1).replace(/^-+|-+$/g, '');
  // Lower case: SageMaker treats endpoint names case-insensitively (its ARNs are lower case), and
  // whether the log group keeps the given case is not documented; a lower-case name is the same both ways.
  return (human ? `${human}-${hash}` : `lmi-${hash}`).toLowerCase();
}

