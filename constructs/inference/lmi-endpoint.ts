import { createHash } from 'crypto';
import {
  Annotations, ArnFormat, Aws, SizeRoundingBehavior, CfnMapping, CfnOutput, CfnRule, Duration, Fn, RemovalPolicy, Resource, type Size, Stack, Token, Validations,
} from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import {
  BACKENDS, cheapestServingFit, compareVersions, MODEL_DTYPES, servingDefaults, servingFit, findHostingInstance, HOSTING_INSTANCES, imageAccount, imageRegions, LMI_IMAGES,
  imageUri, LMI_REPOSITORY, SAGEMAKER_NAME_PATTERN, supportedImageTags, VARIANT_TIMEOUT_RANGE_S, VARIANT_VOLUME_RANGE_GIB, validTensorParallelDegrees, weightMemoryGiB,
  NEURON_TENSOR_PARALLEL_DEGREES, type Backend, type HostingInstance, type ModelDtype, type ModelSpec,
} from '../catalog';
import { allowLogsToUseKey, logRetentionProblem } from '../logs-key';
import { nagResourceFinding } from '../nag';
import { HuggingFaceWeights, ModelWeights, RollingBatch, S3PrefixWeights } from './options';

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
   * SageMaker instance type; must be in the catalog (`HOSTING_INSTANCES`), which decides the backend
   * (GPU or Neuron) and the container.
   * @default the cheapest priced catalog instance the model fits; EBS-only instances (inf2) only
   * when volumeSize is set
   */
  readonly instanceType?: string;
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
  /** @default the model's dtype on GPU; fp16 on Neuron (the transformers-neuronx handler's default) */
  readonly dtype?: ModelDtype;
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
   * LMI container tag; must be one of `supportedImageTags(backend)`.
   * @default LMI_IMAGES[backend].defaultTag
   */
  readonly imageTag?: string;
  /**
   * Further container environment (`OPTION_*` keys), applied last. Keys this construct sets from
   * typed props cannot be overridden here.
   * @default none
   */
  readonly environment?: Record<string, string>;
  /** @default no autoscaling */
  readonly autoScaling?: LmiAutoScalingOptions;
  /**
   * Create alarms on 5xx errors and on model latency close to the 60 s invocation limit.
   * @default false
   */
  readonly alarms?: boolean;
  /**
   * Add stack outputs with the endpoint name and a ready-to-run invoke command.
   * @default false
   * @deprecated call {@link LmiEndpoint.addOutputs} instead; `true` does the same
   */
  readonly outputs?: boolean;
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

/** A real-time invocation must answer within 60 s (SageMaker InvokeEndpoint); alarm 10 s before it. */
const LATENCY_ALARM = Duration.seconds(60 - 10);
/** Longest SageMaker endpoint name (SAGEMAKER_NAME_PATTERN). */
const SAGEMAKER_NAME_MAX = 63;
/** Models at or above this size take the long start-up defaults. */
const LARGE_MODEL_PARAMETERS = 20e9;
/** The LMI handler that serves Neuron models (djl-serving tnx_user_guide.md). */
const NEURON_ENTRYPOINT = 'djl_python.transformers_neuronx';

/** Typed inputs after defaults, shared by the construct's parts. */
interface Resolved {
  readonly instance: HostingInstance;
  readonly backend: Backend;
  readonly tensorParallelDegree: number;
  readonly rollingBatch: RollingBatch;
  readonly dtype: ModelDtype;
  readonly maxRollingBatchSize: number;
  readonly maxSequenceLength: number;
  readonly healthCheckTimeout: Duration;
  readonly modelLoadingTimeout: Duration;
  readonly dataDownloadTimeout: Duration;
  readonly imageTag: string;
  readonly weights: HuggingFaceWeights | S3PrefixWeights;
  readonly networkIsolation: boolean;
  readonly instanceCount: number;
  readonly variantName: string;
}

/**
 * A SageMaker real-time endpoint serving an LLM on a Large Model Inference (DJL Serving)
 * container, on GPUs or AWS Inferentia2.
 *
 * It checks at synth time that the model fits the instance, that the tensor-parallel degree shards
 * it, that the image exists in the stack's region, and that every SageMaker limit holds.
 */
export class LmiEndpoint extends Resource implements sagemaker.IEndpoint {
  /** The endpoint ARN. */
  public readonly endpointArn: string;
  /** The endpoint name. */
  public readonly endpointName: string;
  /** The production variant name. */
  public readonly variantName: string;
  /** The execution role. */
  public readonly role: iam.IRole;
  /** The serving backend the instance type implies. */
  public readonly backend: Backend;
  /** Catalog facts of the instance type. */
  public readonly instance: HostingInstance;
  /** Tensor-parallel degree in use. */
  public readonly tensorParallelDegree: number;
  /** Container image URI (with tokens where the region is resolved at deploy time). */
  public readonly imageUri: string;
  /** The container environment sent to SageMaker. */
  public readonly environment: Readonly<Record<string, string>>;
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
  /** The autoscaling target, when autoScaling is set. */
  public readonly scalableTarget?: appscaling.ScalableTarget;
  /** Alarm on any 5xx invocation error, when alarms is set. */
  public readonly errorAlarm?: cloudwatch.Alarm;
  /** Alarm on model latency close to the 60 s invocation limit, when alarms is set. */
  public readonly latencyAlarm?: cloudwatch.Alarm;

  private readonly modelName: string;
  private outputsAdded = false;

  constructor(scope: Construct, id: string, props: LmiEndpointProps) {
    super(scope, id, { physicalName: props.endpointName });
    const r = resolveProps(props);
    this.modelName = props.model.name;
    this.backend = r.backend;
    this.instance = r.instance;
    this.tensorParallelDegree = r.tensorParallelDegree;
    this.variantName = r.variantName;

    const image = this.renderImage(r);
    this.imageUri = image.uri;

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

    const statements = this.executionStatements(r, props, image.account, logGroupArn);
    if (props.role) {
      this.role = props.role;
      for (const statement of statements) this.role.addToPrincipalPolicy(statement);
    } else {
      // An inline policy: no separate AWS::IAM::Policy resource per endpoint.
      this.role = new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
        description: `SageMaker execution role of the ${props.model.name} LMI endpoint`,
        inlinePolicies: { Execution: new iam.PolicyDocument({ statements }) },
      });
    }
    if (r.weights instanceof S3PrefixWeights) (r.weights.key ?? r.weights.bucket.encryptionKey)?.grantDecrypt(this.role);

    let vpcConfig: sagemaker.CfnModel.VpcConfigProperty | undefined;
    if (props.vpc) {
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

    this.environment = renderEnvironment(props.model, r, props.environment ?? {});
    this.cfnModel = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      enableNetworkIsolation: r.networkIsolation,
      vpcConfig,
      primaryContainer: {
        image: this.imageUri,
        mode: 'SingleModel',
        environment: this.environment,
        modelDataSource: r.weights instanceof S3PrefixWeights ? {
          s3DataSource: {
            s3Uri: r.weights.bucket.s3UrlForObject(r.weights.prefix),
            s3DataType: 'S3Prefix',
            compressionType: 'None',
          },
        } : undefined,
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
      // Under autoscaling, keep the scaled instance count across endpoint-config replacements.
      retainAllVariantProperties: props.autoScaling ? true : undefined,
    });
    this.endpointArn = this.getResourceArnAttribute(this.cfnEndpoint.ref, {
      service: 'sagemaker', resource: 'endpoint', resourceName: this.physicalName,
    });
    this.endpointName = this.getResourceNameAttribute(this.cfnEndpoint.attrEndpointName);
    this.cfnEndpoint.node.addDependency(this.logGroup);

    if (props.autoScaling) this.scalableTarget = this.addAutoScaling(props.autoScaling, r);
    if (props.alarms) {
      this.errorAlarm = this.metricInvocation5xxErrors().createAlarm(this, 'ErrorAlarm', {
        alarmDescription: `${props.model.name} endpoint returned 5xx errors`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      this.latencyAlarm = this.metricModelLatency({ statistic: 'p90' }).createAlarm(this, 'LatencyAlarm', {
        alarmDescription: `${props.model.name} p90 model latency above ${LATENCY_ALARM.toSeconds()} s, close to the 60 s invocation limit`,
        // ModelLatency is reported in microseconds.
        threshold: LATENCY_ALARM.toMilliseconds() * 1000,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    if (props.outputs) this.addOutputs();
    this.acknowledgeFindings(r, props);
  }

  /**
   * Adds stack outputs: the endpoint name and a ready-to-run AWS CLI invoke command. Nothing is
   * output unless this is called; a second call adds nothing.
   */
  public addOutputs(): void {
    if (this.outputsAdded) return;
    this.outputsAdded = true;
    const modelName = this.modelName;
    new CfnOutput(this, 'EndpointNameOutput', {
      description: `SageMaker endpoint serving ${modelName}`,
      value: this.endpointName,
    });
    new CfnOutput(this, 'InvokeCommand', {
      description: `Invoke ${modelName} once the endpoint is InService (AWS CLI v2)`,
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

  /** Permits `grantee` to invoke the endpoint, streaming included (both APIs check `sagemaker:InvokeEndpoint`). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }

  /** A reference for APIs that take an `IEndpointRef`. */
  public get endpointRef(): sagemaker.EndpointReference {
    return { endpointArn: this.endpointArn };
  }

  /** A metric of the `AWS/SageMaker` namespace for this variant. */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/SageMaker',
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: this.variantName },
      ...props,
    }).attachTo(this);
  }

  /** Invocations, summed over 5 minutes. */
  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', { statistic: 'Sum', ...props });
  }

  /** Model latency in microseconds, averaged over 5 minutes. */
  public metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ModelLatency', { statistic: 'Average', ...props });
  }

  /** Invocations answered with a 4xx, summed. */
  public metricInvocation4xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocation4XXErrors', { statistic: 'Sum', ...props });
  }

  /** Invocations answered with a 5xx, summed. */
  public metricInvocation5xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocation5XXErrors', { statistic: 'Sum', ...props });
  }

  /** Concurrent requests per model, the autoscaling signal (maximum). */
  public metricConcurrentRequestsPerModel(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ConcurrentRequestsPerModel', { statistic: 'Maximum', ...props });
  }

  /**
   * GPU utilisation in percent, summed over the instance's GPUs (0..100 x GPUs), from
   * `/aws/sagemaker/Endpoints`. SageMaker publishes no Neuron equivalent: on Inferentia2 this throws.
   */
  public metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('GPUUtilization', props);
  }

  /** GPU memory utilisation in percent, summed over the GPUs. Throws on Inferentia2, like metricGpuUtilization. */
  public metricGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('GPUMemoryUtilization', props);
  }

  /** CPU utilisation in percent, summed over the vCPUs; published for every instance type. */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('CPUUtilization', props);
  }

  private instanceMetric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    if (metricName.startsWith('GPU') && this.backend !== 'gpu') {
      throw new Error(`${metricName} is not published for ${this.instance.instanceType}: SageMaker has no built-in Neuron utilisation metric for endpoints; run neuron-monitor in the container to get one`);
    }
    return new cloudwatch.Metric({
      namespace: '/aws/sagemaker/Endpoints',
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: this.variantName },
      statistic: 'Average',
      ...props,
    }).attachTo(this);
  }

  /** The image URI and its registry account, literal for a concrete region, mapped by region otherwise. */
  private renderImage(r: Resolved): { uri: string; account: string } {
    const stack = Stack.of(this);
    const family = LMI_IMAGES[r.backend];
    const regions = imageRegions(r.backend, r.imageTag);
    const suffix = `/${LMI_REPOSITORY}:${r.imageTag}`;
    if (!Token.isUnresolved(stack.region)) {
      const uri = imageUri(r.backend, r.imageTag, stack.region);
      if (!uri) {
        throw new Error(`LmiEndpoint ${this.node.path}: the ${r.backend} LMI image ${r.imageTag} is not published in ${stack.region}; regions with it: ${regions.join(', ')}`);
      }
      return { uri, account: imageAccount(r.backend, r.imageTag, stack.region)! };
    }
    // One mapping per backend and one rule per image tag in each stack, shared by its endpoints: the
    // mapping of every region is a few KiB of template, which a copy per endpoint repeated.
    const backendId = r.backend === 'gpu' ? 'Gpu' : 'Neuron';
    const mappingId = `LmiImageAccounts${backendId}`;
    const mapping = stackSingleton(stack, mappingId, CfnMapping, () => new CfnMapping(stack, mappingId, {
      mapping: Object.fromEntries(Object.entries(family.registries).map(([region, registry]) => [region, { account: registry }])),
    }));
    const ruleId = `LmiImageRegions${backendId}${r.imageTag.replace(/[^A-Za-z0-9]/g, '')}`;
    stackSingleton(stack, ruleId, CfnRule, () => new CfnRule(stack, ruleId, {
      assertions: [{
        assert: Fn.conditionContains(regions, Aws.REGION),
        assertDescription: `The ${r.backend} LMI image ${r.imageTag} (${LMI_REPOSITORY}) is published only in: ${regions.join(', ')}. Deploy this stack to one of them.`,
      }],
    }));
    const account = mapping.findInMap(Aws.REGION, 'account');
    return { uri: `${account}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}${suffix}`, account };
  }

  /** What the execution role needs: image pull, logs, metrics, the weights, the VPC network interfaces. */
  private executionStatements(r: Resolved, props: LmiEndpointProps, account: string, logGroupArn: string): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const statements = [new iam.PolicyStatement({
      sid: 'PullLmiImage',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      resources: [stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: LMI_REPOSITORY })],
    }), new iam.PolicyStatement({
      sid: 'EcrLogin',
      // GetAuthorizationToken supports no resource-level permissions (ECR IAM reference).
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }), new iam.PolicyStatement({
      sid: 'EndpointLogs',
      // CreateLogGroup as SageMaker's CreateModel execution-role permissions list it, on the group
      // that already exists; the stream actions on that group's streams (its GetAtt Arn, `...:*`).
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      resources: [logGroupArn, this.logGroup.logGroupArn],
    }), new iam.PolicyStatement({
      sid: 'EndpointMetrics',
      // PutMetricData rejects namespaces starting with AWS/, so the container's own is the only one.
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' } },
    })];
    if (r.weights instanceof S3PrefixWeights) {
      const { bucket, prefix } = r.weights;
      statements.push(new iam.PolicyStatement({
        sid: 'ReadWeights',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${prefix}*`)],
      }), new iam.PolicyStatement({
        sid: 'ListWeights',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }));
    }
    if (props.vpc) {
      statements.push(new iam.PolicyStatement({
        sid: 'ModelInVpc',
        // The ENI actions SageMaker needs to place the container in a VPC take no resource ARNs
        // (SageMaker developer guide, "Give SageMaker Hosted Endpoints Access to Resources in Your VPC").
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs',
        ],
        resources: ['*'],
      }));
    }
    return statements;
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

  private addAutoScaling(options: LmiAutoScalingOptions, r: Resolved): appscaling.ScalableTarget {
    const target = new appscaling.ScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      // Application Auto Scaling acts on SageMaker variants through its service-linked role.
      role: iam.Role.fromRoleArn(this, 'ScalingRole', Stack.of(this).formatArn({
        service: 'iam', region: '', resource: 'role',
        resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
      })),
      resourceId: `endpoint/${this.endpointName}/variant/${r.variantName}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: options.minCapacity ?? r.instanceCount,
      maxCapacity: options.maxCapacity,
    });
    target.scaleToTrackMetric('ConcurrencyTracking', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_CONCURRENT_REQUESTS_PER_MODEL_HIGH_RESOLUTION,
      // Scale out before the rolling batch saturates and requests queue in the container.
      targetValue: options.targetConcurrentRequestsPerModel ?? Math.max(1, Math.round(r.maxRollingBatchSize * 0.75)),
      scaleInCooldown: options.scaleInCooldown ?? Duration.minutes(5),
      scaleOutCooldown: options.scaleOutCooldown ?? Duration.minutes(1),
    });
    return target;
  }

  private acknowledgeFindings(r: Resolved, props: LmiEndpointProps): void {
    const v = Validations.of(this);
    if (r.instance.localNvme) {
      Validations.of(this.cfnEndpointConfig).acknowledge({
        id: 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured',
        reason: `${r.instance.instanceType} has local NVMe storage: SageMaker rejects an endpoint-config KmsKeyId for it, and NVMe instance storage is encrypted at rest by the instance hardware (XTS-AES-256).`,
      });
    }
    for (const alarm of [this.errorAlarm, this.latencyAlarm]) {
      if (alarm) Validations.of(alarm).acknowledge({ id: 'NIST.800.53.R5-CloudWatchAlarmAction', reason: "alarms are the caller's; the composable-API issue adds actions" });
    }
    // A role passed in is the caller's to acknowledge: the same finding IDs would hide its own statements.
    if (!props.role) {
      Validations.of(this.role).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'The execution role is this endpoint\'s alone: its grants are scoped to this endpoint\'s image, weights, key and logs, and live and die with the role; a managed policy would be reusable by other principals.',
      });
      v.acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ecr:GetAuthorizationToken and the VPC network-interface actions support no resource-level permissions, and cloudwatch:PutMetricData is limited by a cloudwatch:namespace condition instead.',
      });
      if (r.weights instanceof S3PrefixWeights) {
        v.acknowledge({
          id: `AwsSolutions-IAM5[${nagResourceFinding(this, r.weights.bucket.arnForObjects(`${r.weights.prefix}*`))}]`,
          reason: 'SageMaker copies every object under the weights prefix to /opt/ml/model; read is limited to exactly that prefix.',
        });
      }
    }
  }
}

/** A construct the stack holds once for all its endpoints, created on first use. */
function stackSingleton<T extends Construct>(stack: Stack, id: string, type: abstract new (...args: never[]) => T, create: () => T): T {
  const existing = stack.node.tryFindChild(id);
  if (existing === undefined) return create();
  if (!(existing instanceof type)) throw new Error(`LmiEndpoint: the stack ${stack.node.path} already has a child '${id}' that is not a ${type.name}; LmiEndpoint reserves that ID`);
  return existing;
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

function seconds(d: Duration | undefined): number | undefined {
  return d === undefined ? undefined : d.toSeconds();
}

/** Applies defaults and validates every prop, reporting all problems in one error. */
function resolveProps(props: LmiEndpointProps): Resolved {
  const errors: string[] = [];
  const model = props.model;
  validateModelSpec(model, errors);
  const retentionProblem = logRetentionProblem('logRetention', props.logRetention);
  if (retentionProblem) errors.push(retentionProblem);

  let instance: HostingInstance | undefined;
  if (props.instanceType !== undefined) {
    instance = findHostingInstance(props.instanceType);
    if (!instance) {
      errors.push(`instanceType: '${props.instanceType}' is not in the catalog; known: ${HOSTING_INSTANCES.map((i) => i.instanceType).join(', ')}`);
    }
  } else {
    // EBS-only instances need a volumeSize; without one, only instances with local storage qualify.
    instance = cheapestServingFit(model, props, undefined, (i) => props.volumeSize !== undefined || i.localNvme)?.instance;
    if (!instance) errors.push(`instanceType: ${model.name} fits no priced catalog instance; pass instanceType`);
  }
  if (!instance) throw lmiError(errors);
  const backend = instance.backend;

  if (!model.backends.includes(backend)) {
    errors.push(`model: ${model.name} cannot be served on ${instance.instanceType}: the LMI ${backend} container does not support its architecture (supported backends: ${model.backends.join(', ')})`
      + (backend === 'neuron' ? '. transformers-neuronx has no Falcon model (aws-neuron/transformers-neuronx#18); choose a GPU instance or a Neuron-supported model such as Llama or Mistral' : ''));
  }

  const valid = validTensorParallelDegrees(model, instance);
  const tensorParallelDegree = props.tensorParallelDegree ?? valid[valid.length - 1] ?? 1;
  for (const [name, value] of [['tensorParallelDegree', props.tensorParallelDegree], ['maxRollingBatchSize', props.maxRollingBatchSize], ['maxSequenceLength', props.maxSequenceLength]] as const) {
    if (value !== undefined && Token.isUnresolved(value)) errors.push(`${name}: must be a literal number, since the model is sized at synth time`);
  }
  if (props.tensorParallelDegree !== undefined && !Token.isUnresolved(props.tensorParallelDegree) && !valid.includes(props.tensorParallelDegree)) {
    const rule = backend === 'neuron'
      ? `transformers-neuronx shards over ${NEURON_TENSOR_PARALLEL_DEGREES.join(', ')} NeuronCores and the instance has ${instance.devices}`
      : `it must divide the ${model.attentionHeads} attention heads, divide or be a multiple of the ${model.kvHeads} KV heads, and not exceed the ${instance.devices} GPUs`;
    errors.push(`tensorParallelDegree: ${props.tensorParallelDegree} is not valid for ${model.name} on ${instance.instanceType}: ${rule} (valid: ${valid.join(', ') || 'none'})`);
  }

  const rollingBatch = props.rollingBatch ?? (backend === 'neuron' ? RollingBatch.AUTO : RollingBatch.VLLM);
  if (!rollingBatch.backends.includes(backend)) {
    errors.push(`rollingBatch: '${rollingBatch.value}' does not run on ${backend} (${instance.instanceType}); it runs on ${rollingBatch.backends.join(', ')}`);
  }
  const { dtype, maxRollingBatchSize, maxSequenceLength } = servingDefaults(model, backend, props);
  if (!MODEL_DTYPES.includes(dtype)) errors.push(`dtype: '${String(dtype)}' is not one of ${MODEL_DTYPES.join(', ')}`);
  if (!Token.isUnresolved(maxRollingBatchSize) && (!Number.isInteger(maxRollingBatchSize) || maxRollingBatchSize < 1)) {
    errors.push(`maxRollingBatchSize: ${maxRollingBatchSize} must be a whole number of at least 1`);
  }
  if (!Token.isUnresolved(maxSequenceLength) && (!Number.isInteger(maxSequenceLength) || maxSequenceLength < 1 || maxSequenceLength > model.contextLength)) {
    errors.push(`maxSequenceLength: ${maxSequenceLength} must be a whole number from 1 to ${model.name}'s context length ${model.contextLength}`);
  }

  if (errors.length === 0) {
    const fit = servingFit(model, instance, { ...props, tensorParallelDegree });
    if (!fit.fits) {
      const better = cheapestServingFit(model, props, backend)?.instance.instanceType;
      errors.push(`instanceType: ${model.name} does not fit ${instance.instanceType} with tensor-parallel degree ${tensorParallelDegree}: ${fit.reason}`
        + (better ? `; the cheapest ${backend} instance it fits is ${better}` : ''));
    }
  }

  const large = model.parameters >= LARGE_MODEL_PARAMETERS || backend === 'neuron';
  const healthCheckTimeout = props.containerStartupHealthCheckTimeout ?? Duration.seconds(large ? 3600 : 1800);
  const modelLoadingTimeout = props.modelLoadingTimeout ?? healthCheckTimeout;
  const dataDownloadTimeout = props.modelDataDownloadTimeout ?? healthCheckTimeout;
  const secs: Partial<Record<string, number>> = {};
  for (const [name, d] of [
    ['containerStartupHealthCheckTimeout', healthCheckTimeout], ['modelDataDownloadTimeout', dataDownloadTimeout], ['modelLoadingTimeout', modelLoadingTimeout],
  ] as const) {
    if (d.isUnresolved()) continue;
    const value = d.toSeconds({ integral: false });
    if (!Number.isInteger(value)) {
      errors.push(`${name}: ${value} s must be a whole number of seconds`);
    } else if (name !== 'modelLoadingTimeout' && (value < VARIANT_TIMEOUT_RANGE_S.min || value > VARIANT_TIMEOUT_RANGE_S.max)) {
      errors.push(`${name}: ${value} s is outside SageMaker's ${VARIANT_TIMEOUT_RANGE_S.min}..${VARIANT_TIMEOUT_RANGE_S.max} s`);
    } else if (value < 1) {
      errors.push(`${name}: ${value} s must be at least 1 s`);
    } else {
      secs[name] = value;
    }
  }
  const health = secs.containerStartupHealthCheckTimeout;
  const loading = secs.modelLoadingTimeout;
  if (health !== undefined && loading !== undefined && health < loading) {
    errors.push(`containerStartupHealthCheckTimeout: ${health} s is shorter than modelLoadingTimeout ${loading} s; SageMaker would fail the health check while the model still loads`);
  }

  if (instance.localNvme) {
    if (props.volumeSize !== undefined) {
      errors.push(`volumeSize: ${instance.instanceType} has local NVMe storage and SageMaker rejects VolumeSizeInGB for it; remove volumeSize`);
    }
    if (props.encryptionKey !== undefined) {
      errors.push(`encryptionKey: ${instance.instanceType} has local NVMe storage and SageMaker rejects an endpoint-config KmsKeyId for it; remove encryptionKey (the NVMe storage is hardware-encrypted)`);
    }
  } else {
    const minGiB = Math.ceil(weightMemoryGiB(model));
    if (props.volumeSize === undefined) {
      errors.push(`volumeSize: ${instance.instanceType} is EBS-only and needs an ML storage volume of ${Math.max(minGiB, VARIANT_VOLUME_RANGE_GIB.min)}..${VARIANT_VOLUME_RANGE_GIB.max} GiB for ${model.name} (AWS's inf2 LMI samples use 256-512 GiB), for example Size.gibibytes(256)`);
    } else {
      const gib = props.volumeSize.isUnresolved() ? undefined : props.volumeSize.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
      if (gib === undefined) {
        // A deploy-time value: SageMaker checks the range.
      } else if (!Number.isInteger(gib)) {
        errors.push(`volumeSize: ${gib} GiB must be a whole number of GiB`);
      } else if (gib < VARIANT_VOLUME_RANGE_GIB.min || gib > VARIANT_VOLUME_RANGE_GIB.max) {
        errors.push(`volumeSize: ${gib} GiB is outside SageMaker's ${VARIANT_VOLUME_RANGE_GIB.min}..${VARIANT_VOLUME_RANGE_GIB.max} GiB`);
      } else if (gib < minGiB) {
        errors.push(`volumeSize: ${gib} GiB cannot hold ${model.name}'s ${minGiB} GiB of weights`);
      }
    }
  }

  const imageTag = props.imageTag ?? LMI_IMAGES[backend].defaultTag;
  const tag = LMI_IMAGES[backend].tags[imageTag];
  if (!tag) {
    errors.push(`imageTag: '${imageTag}' is not a supported ${backend} LMI tag; supported: ${supportedImageTags(backend).join(', ')}`);
  } else if (rollingBatch.lastContainerVersion !== undefined
    && compareVersions(tag.containerVersion, rollingBatch.lastContainerVersion) > 0) {
    errors.push(`rollingBatch: '${rollingBatch.value}' was removed after container ${rollingBatch.lastContainerVersion}, and imageTag ${imageTag} is ${tag.containerVersion}; use RollingBatch.VLLM or an older imageTag`);
  }

  const given = props.weights ?? ModelWeights.fromHuggingFace();
  if (!(given instanceof HuggingFaceWeights) && !(given instanceof S3PrefixWeights)) {
    throw lmiError([`weights: a ${given.kind} source of another copy of this library or a subclass; create it with ModelWeights.fromHuggingFace or ModelWeights.fromS3Prefix of the same package`]);
  }
  const weights: HuggingFaceWeights | S3PrefixWeights = given;
  if (weights instanceof S3PrefixWeights) errors.push(...weights.validate());
  if (weights instanceof HuggingFaceWeights) {
    if (model.gated) {
      errors.push(`weights: ${model.huggingFaceId} is gated on the Hugging Face Hub and the container has no safe place for a token; copy the weights to S3 and pass ModelWeights.fromS3Prefix(bucket, prefix)`);
    }
    if (weights.revision !== undefined && !Token.isUnresolved(weights.revision) && !/^[0-9a-f]{40}$/.test(weights.revision)) {
      errors.push(`weights: revision '${weights.revision}' must be a 40-hex-digit Hub commit, so the weights cannot change under a deployed endpoint`);
    }
  }
  const networkIsolation = props.networkIsolation ?? weights instanceof S3PrefixWeights;
  if (networkIsolation && weights instanceof HuggingFaceWeights) {
    errors.push('networkIsolation: true blocks the container from downloading Hugging Face weights; use ModelWeights.fromS3Prefix or leave networkIsolation false');
  }

  const lit = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);
  const instanceCount = props.instanceCount ?? props.autoScaling?.minCapacity ?? 1;
  if (lit(instanceCount) && (!Number.isInteger(instanceCount) || instanceCount < 1)) {
    errors.push(`instanceCount: ${instanceCount} must be a whole number of at least 1`);
  }
  if (props.autoScaling) {
    const min = props.autoScaling.minCapacity ?? instanceCount;
    const max = props.autoScaling.maxCapacity;
    if (lit(min) && (!Number.isInteger(min) || min < 1)) errors.push(`autoScaling.minCapacity: ${min} must be a whole number of at least 1 (endpoints without inference components cannot scale to zero)`);
    if (lit(max) && (!Number.isInteger(max) || (lit(min) && max < min))) errors.push(`autoScaling.maxCapacity: ${max} must be a whole number of at least minCapacity ${min}`);
    if (lit(instanceCount) && lit(min) && lit(max) && (instanceCount < min || instanceCount > max)) errors.push(`instanceCount: ${instanceCount} must lie within autoScaling ${min}..${max}`);
    const target = props.autoScaling.targetConcurrentRequestsPerModel;
    if (lit(target) && !(target > 0)) errors.push(`autoScaling.targetConcurrentRequestsPerModel: ${target} must be above 0`);
  }

  if (!props.vpc && (props.vpcSubnets !== undefined || props.securityGroups !== undefined)) {
    errors.push(`${props.vpcSubnets !== undefined ? 'vpcSubnets' : 'securityGroups'}: only used with vpc; pass the vpc the model container should run in`);
  }
  const variantName = props.variantName ?? 'AllTraffic';
  if (!Token.isUnresolved(variantName) && !SAGEMAKER_NAME_PATTERN.test(variantName)) {
    errors.push(`variantName: '${variantName}' must match ${SAGEMAKER_NAME_PATTERN.source}`);
  }
  if (props.endpointName !== undefined && !Token.isUnresolved(props.endpointName) && !SAGEMAKER_NAME_PATTERN.test(props.endpointName)) {
    errors.push(`endpointName: '${props.endpointName}' must match ${SAGEMAKER_NAME_PATTERN.source} (at most 63 letters, digits and hyphens)`);
  }
  for (const key of Object.keys(props.environment ?? {})) {
    if (RESERVED_ENVIRONMENT.includes(key)) errors.push(`environment: ${key} is set (or overridden) by a typed prop; use that prop instead`);
    if (SECRET_ENVIRONMENT.includes(key)) errors.push(`environment: ${key} would put a secret in the template in plain text; stage gated weights in S3 instead`);
  }

  if (errors.length > 0) throw lmiError(errors);
  return {
    instance, backend, tensorParallelDegree, rollingBatch, dtype, maxRollingBatchSize, maxSequenceLength,
    healthCheckTimeout, modelLoadingTimeout, dataDownloadTimeout, imageTag, weights, networkIsolation, instanceCount, variantName,
  };
}


function validateModelSpec(model: ModelSpec, errors: string[]): void {
  const positive: Array<keyof ModelSpec> = ['parameters', 'layers', 'hiddenSize', 'attentionHeads', 'kvHeads', 'contextLength'];
  for (const key of positive) {
    const value = model[key];
    if (typeof value !== 'number' || !(value > 0)) errors.push(`model.${key}: ${String(value)} must be a number above 0`);
  }
  if (model.kvHeads > model.attentionHeads || model.attentionHeads % model.kvHeads !== 0) {
    errors.push(`model.kvHeads: ${model.kvHeads} must divide attentionHeads ${model.attentionHeads}`);
  }
  if (model.hiddenSize % model.attentionHeads !== 0) {
    errors.push(`model.hiddenSize: ${model.hiddenSize} must be a multiple of attentionHeads ${model.attentionHeads}`);
  }
  if (!/^[0-9a-f]{40}$/.test(model.revision)) {
    errors.push(`model.revision: '${model.revision}' must be a 40-hex-digit Hugging Face commit`);
  }
  if (model.backends.length === 0) errors.push(`model.backends: ${model.name} names no serving backend`);
  for (const backend of model.backends) {
    if (!BACKENDS.includes(backend)) errors.push(`model.backends: '${String(backend)}' is not one of ${BACKENDS.join(', ')}`);
  }
  if (!MODEL_DTYPES.includes(model.dtype)) errors.push(`model.dtype: '${String(model.dtype)}' is not one of ${MODEL_DTYPES.join(', ')}`);
  if (!/^[\w.-]+\/[\w.-]+$/.test(model.huggingFaceId)) {
    errors.push(`model.huggingFaceId: '${model.huggingFaceId}' must be a Hugging Face repository id such as tiiuae/falcon-40b`);
  }
}

/**
 * Keys typed props set, with their long and engine-specific aliases: an alias that disagrees with
 * the typed value makes the container fail at start-up (djl-serving properties managers).
 */
const RESERVED_ENVIRONMENT = [
  'HF_MODEL_ID', 'OPTION_MODEL_ID', 'HF_REVISION', 'OPTION_REVISION', 'TENSOR_PARALLEL_DEGREE',
  'OPTION_TENSOR_PARALLEL_DEGREE', 'OPTION_TENSOR_PARALLEL_SIZE', 'OPTION_ROLLING_BATCH',
  'OPTION_MAX_ROLLING_BATCH_SIZE', 'OPTION_MAX_NUM_SEQS', 'OPTION_DTYPE', 'OPTION_MODEL_LOADING_TIMEOUT',
  'OPTION_MAX_MODEL_LEN', 'OPTION_N_POSITIONS', 'OPTION_ENTRYPOINT',
];
/** Hugging Face token variables: a CloudFormation template is no place for a secret. */
const SECRET_ENVIRONMENT = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'];

/** The LMI container environment (`option.x` is `OPTION_X`; djl-serving deployment_guide/configurations.md). */
function renderEnvironment(model: ModelSpec, r: Resolved, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  if (r.weights instanceof HuggingFaceWeights) {
    env.HF_MODEL_ID = model.huggingFaceId;
    env.HF_REVISION = r.weights.revision ?? model.revision;
  }
  env.TENSOR_PARALLEL_DEGREE = String(r.tensorParallelDegree);
  env.OPTION_ROLLING_BATCH = r.rollingBatch.value;
  env.OPTION_MAX_ROLLING_BATCH_SIZE = String(r.maxRollingBatchSize);
  env.OPTION_DTYPE = r.dtype;
  env.OPTION_MODEL_LOADING_TIMEOUT = String(seconds(r.modelLoadingTimeout));
  if (r.backend === 'neuron') {
    env.OPTION_ENTRYPOINT = NEURON_ENTRYPOINT;
    env.OPTION_N_POSITIONS = String(r.maxSequenceLength);
  } else {
    env.OPTION_MAX_MODEL_LEN = String(r.maxSequenceLength);
  }
  return { ...env, ...extra };
}

function lmiError(errors: string[]): Error {
  return new Error(`LmiEndpoint: invalid props:\n- ${errors.join('\n- ')}`);
}
