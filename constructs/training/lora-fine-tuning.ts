import * as path from 'path';
import type { CreateTrainingJobCommandInput, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import {
  Annotations, ArnFormat, Aws, CfnMapping, CfnOutput, CfnRule, Duration, Fn, RemovalPolicy, Stack, Token, Validations,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HuggingFaceTrainingImage } from '../catalog/hf-training-images';
import { ModelWeights } from '../inference/options';
import { allowLogsToUseKey } from '../private/logs-key';
import { nagResourceFinding } from '../private/nag';
import { retainedBucket } from '../private/retained-bucket';
import {
  isValidRunName, launchScript, LoraBaseWeights, resolveLoraProps, type LoraBaseWeightsConfig, type LoraFineTuningProps, type ResolvedLoraProps,
} from './lora-props';

/** Bucket prefixes shared with the training script and the `finetune` CLI. */
const DATA_PREFIX = 'data/';
const CHECKPOINT_PREFIX = 'checkpoints/';
const OUTPUT_PREFIX = 'output/';
/** SageMaker training jobs log to this group, one stream per instance (SageMaker developer guide, "Log groups and streams"). */
const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';
/** Where SageMaker puts the checkpoints on the instance. */
const CHECKPOINT_LOCAL_PATH = '/opt/ml/checkpoints';
/** Marks a string of the request as a JSONPath / intrinsic expression (rendered as `Key.$`). */
const DYNAMIC = '\u0001jsonpath:';

/**
 * A LoRA or QLoRA instruction-tuning job on SageMaker, on the Hugging Face PyTorch training
 * container, started by a Step Functions state machine: each execution is one run (its name is the
 * training job's), with per-run overrides in the execution input (`dataPrefix` under `data/`,
 * whole-number `epochs`, `learningRate`, `maxSeqLength` and `loraRank` at most the deploy-time values
 * the memory check sized, `output`).
 *
 * It checks at synth time that the run fits the GPU's memory, that the image exists in the stack's
 * region and that every setting is one SageMaker and the script accept. The bucket holds `data/`,
 * `checkpoints/<run>/` and `output/<run>/output/model/` (uncompressed safetensors).
 */
export class LoraFineTuning extends Construct {
  /** The bucket of the data, checkpoints and outputs. */
  public readonly bucket: s3.IBucket;
  /** The key of the bucket, the job's output and the state machine. */
  public readonly encryptionKey: kms.IKey;
  /** The role the training job runs as. */
  public readonly trainingRole: iam.Role;
  /** The state machine that runs one training job per execution. */
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The training image URI (with tokens where the region is resolved at deploy time). */
  public readonly imageUri: string;
  /** The training script, shipped as the `code` channel. */
  public readonly code: s3assets.Asset;
  /** Network access of the training containers, when they run in a VPC. */
  public readonly connections?: ec2.Connections;
  /** The settings in use, defaults applied. */
  public readonly settings: ResolvedLoraProps;

  private outputsAdded = false;

  constructor(scope: Construct, id: string, props: LoraFineTuningProps) {
    super(scope, id);
    // The role comes first so that the base weights can bind to it (their problems join the props');
    // its policy document fills in once the props are resolved.
    const trainingPolicy = new iam.PolicyDocument();
    this.trainingRole = new iam.Role(this, 'TrainingRole', {
      // aws:SourceAccount against the confused deputy, as the SageMaker developer guide's "Cross-service
      // confused deputy prevention" page ("SageMaker Training Jobs") recommends for execution roles.
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Stack.of(this).account } }),
      description: `SageMaker training role of the LoRA fine-tuning of ${props.model.name}`,
      inlinePolicies: { Training: trainingPolicy },
    });
    const weights = (props.baseWeights ?? LoraBaseWeights.fromHuggingFace()).bind(this, { model: props.model, grantee: this.trainingRole });
    const r = resolveLoraProps(props, weights.problems ?? []);
    this.settings = r;
    const stack = Stack.of(this);
    if (r.spot && !r.checkpoints) {
      Annotations.of(this).addWarningV2('llm-recipes:LoraFineTuning.spotWithoutCheckpoints',
        'spot is on and checkpoints off: a spot interruption restarts the run from the first step.');
    }

    if (props.bucket) {
      this.bucket = props.bucket;
      const key = props.encryptionKey ?? props.bucket.encryptionKey;
      this.encryptionKey = key ?? new kms.Key(this, 'Key', { description: `LoRA fine-tuning of ${r.model.name}`, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    } else {
      this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
        description: `LoRA fine-tuning of ${r.model.name}: data, checkpoints, outputs and state machine`, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN,
      });
      this.bucket = retainedBucket(this, 'Bucket', this.encryptionKey, 'bucket/');
    }

    const image = this.renderImage(r.image);
    this.imageUri = image.uri;
    this.code = new s3assets.Asset(this, 'Code', { path: props.scriptsDirectory ?? path.join(__dirname, 'scripts', 'lora') });

    trainingPolicy.addStatements(...this.trainingStatements(image.account, props, weights));

    let vpcConfig: CreateTrainingJobCommandInput['VpcConfig'];
    if (props.vpc) {
      let securityGroups = props.securityGroups;
      if (!securityGroups) {
        const own = new ec2.SecurityGroup(this, 'SecurityGroup', {
          vpc: props.vpc, description: `LoRA fine-tuning of ${r.model.name}: training containers`, allowAllOutbound: true,
        });
        if (r.instanceCount > 1) {
          // Distributed training talks between the instances (torchrun rendezvous and NCCL on ports
          // they choose); your own security groups must allow the same.
          own.connections.allowInternally(ec2.Port.allTraffic(), 'torchrun and NCCL between the training instances');
          Validations.of(own).acknowledge({
            id: 'NIST.800.53.R5-EC2RestrictedCommonPorts',
            reason: 'The only ingress rule admits this security group itself (the job\'s own instances), for torchrun and NCCL; nothing outside it is admitted.',
          });
        }
        securityGroups = [own];
      }
      this.connections = new ec2.Connections({ securityGroups });
      vpcConfig = {
        SecurityGroupIds: securityGroups.map((sg) => sg.securityGroupId),
        Subnets: props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
      };
    }

    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (!allowLogsToUseKey(this.encryptionKey, stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }), 'CloudWatchLogsStateMachine')) {
      Annotations.of(this).addWarningV2('llm-recipes:LoraFineTuning.logKeyPolicy',
        'encryptionKey is imported, so its key policy cannot be extended here: it must allow logs.<region>.amazonaws.com to use it for the state machine\'s log group.');
    }

    const request = this.trainingRequest(r, weights, image.uri, vpcConfig);
    const train = new sfn.CustomState(this, 'Train', {
      stateJson: {
        Type: 'Task',
        Comment: 'One SageMaker training job; the execution name is the job name',
        Resource: `arn:${Aws.PARTITION}:states:::sagemaker:createTrainingJob.sync`,
        Parameters: renderParameters(request),
      },
    });
    // A refused CreateTrainingJob call creates no job, so the same name can be retried. Error names as
    // the Step Functions developer guide's SageMaker training example retries them: the instance quota
    // (ResourceLimitExceeded) frees up when other jobs end, so wait minutes; other SageMaker API
    // errors (throttling among them) briefly.
    train.addRetry({ errors: ['SageMaker.ResourceLimitExceededException'], interval: Duration.minutes(5), maxAttempts: 12, backoffRate: 1 });
    train.addRetry({ errors: ['SageMaker.AmazonSageMakerException'], interval: Duration.seconds(2), maxAttempts: 5, backoffRate: 2 });
    const defaults = new sfn.Pass(this, 'Defaults', {
      comment: 'Deploy-time defaults; the execution input overrides them',
      parameters: {
        defaults: {
          dataPrefix: DATA_PREFIX, epochs: r.epochs, learningRate: r.learningRate, maxSeqLength: r.maxSequenceLength, loraRank: r.loraRank, output: r.output,
        },
        'input.$': '$',
      },
    });
    const merge = new sfn.Pass(this, 'MergeInput', { parameters: { 'config.$': 'States.JsonMerge($.defaults, $.input, false)' } });
    // maxSeqLength and loraRank are capped at the deploy-time values, which the memory check sized
    // (a longer sequence or a higher rank could run out of GPU memory); a run may lower them.
    const invalid = new sfn.Fail(this, 'InvalidInput', {
      error: 'InvalidInput',
      cause: `Execution input: dataPrefix a key prefix under '${DATA_PREFIX}' ending in '/' (the training role reads only ${DATA_PREFIX}*), `
        + `epochs a whole number of at least 1, loraRank a whole number 1..${r.loraRank} and maxSeqLength a whole number 1..${r.maxSequenceLength} `
        + `(the deploy-time values, which the memory check sized), learningRate above 0 and below 1, output 'merged' or 'adapter'`,
    });
    const C = sfn.Condition;
    const valid = C.and(
      C.isString('$.config.dataPrefix'), C.stringMatches('$.config.dataPrefix', `${DATA_PREFIX}*`), C.stringMatches('$.config.dataPrefix', '*/'),
      C.isNumeric('$.config.epochs'), C.numberGreaterThanEquals('$.config.epochs', 1),
      C.isNumeric('$.config.loraRank'), C.numberGreaterThanEquals('$.config.loraRank', 1), C.numberLessThanEquals('$.config.loraRank', r.loraRank),
      C.isNumeric('$.config.learningRate'), C.numberGreaterThan('$.config.learningRate', 0), C.numberLessThan('$.config.learningRate', 1),
      C.isNumeric('$.config.maxSeqLength'), C.numberGreaterThanEquals('$.config.maxSeqLength', 1), C.numberLessThanEquals('$.config.maxSeqLength', r.maxSequenceLength),
      C.isString('$.config.output'), C.or(C.stringEquals('$.config.output', 'merged'), C.stringEquals('$.config.output', 'adapter')),
    );
    // Choice rules have no integer test: render the numbers as text (the hyperparameters use the same
    // States.Format) and reject a fraction or an exponent, which the script's int() would refuse.
    const WHOLE = ['epochs', 'loraRank', 'maxSeqLength'];
    const asText = new sfn.Pass(this, 'NumbersAsText', {
      parameters: {
        'config.$': '$.config',
        text: Object.fromEntries(WHOLE.map((k) => [`${k}.$`, `States.Format('{}', $.config.${k})`])),
      },
    });
    const whole = C.not(C.or(...WHOLE.flatMap((k) => ['*.*', '*e*', '*E*'].map((p) => C.stringMatches(`$.text.${k}`, p)))));
    const checkWhole = new sfn.Choice(this, 'CheckWholeNumbers').when(whole, train).otherwise(invalid);
    const check = new sfn.Choice(this, 'CheckInput').when(valid, asText.next(checkWhole)).otherwise(invalid);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `LoRA/QLoRA fine-tuning of ${r.model.name}`,
      definitionBody: sfn.DefinitionBody.fromChainable(defaults.next(merge).next(check)),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.encryptionKey),
    });
    for (const statement of this.stateMachineStatements()) this.stateMachine.addToRolePolicy(statement);
    this.acknowledgeFindings();
  }

  /**
   * The merged model of a finished run, as LmiEndpoint weights: `output/<runName>/output/model/` of
   * the bucket. SageMaker writes a compressed model to `<S3OutputPath>/<job>/output/model.tar.gz`
   * (SageMaker Python SDK tests); with CompressionType NONE the same place without the archive is
   * assumed, not found stated in AWS's documentation: a run's `ModelArtifacts.S3ModelArtifacts`
   * (DescribeTrainingJob) is authoritative. The run must have written merged weights (`output: merged`,
   * the default).
   */
  public mergedWeights(runName: string): ModelWeights {
    if (!Token.isUnresolved(runName) && !isValidRunName(runName)) {
      throw new Error(`LoraFineTuning.mergedWeights: runName '${runName}' is not a training job name (letters, digits and hyphens, at most 63, starting with a letter or digit)`);
    }
    return ModelWeights.fromS3Prefix(this.bucket, this.outputPrefix(runName), { key: this.encryptionKey });
  }

  /** The key prefix of a run's model, `output/<runName>/output/model/`. */
  public outputPrefix(runName: string): string {
    return `${OUTPUT_PREFIX}${runName}/output/model/`;
  }

  /** Lets `grantee` start runs (executions); the job itself runs as the training role. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets `grantee` upload training data under `data/` (with the bucket key, multipart included). */
  public grantUploadData(grantee: iam.IGrantable): iam.Grant {
    // PutObject under SSE-KMS needs GenerateDataKey, and a multipart upload also Decrypt (S3 user guide,
    // "Using server-side encryption with AWS KMS keys"); Encrypt as for the training role.
    iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resourceArns: [this.encryptionKey.keyArn] });
    return iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [this.bucket.arnForObjects(`${DATA_PREFIX}*`)] });
  }

  /** Adds `BucketName` and `StateMachineArn` outputs under this construct. Call once. */
  public addOutputs(): void {
    if (this.outputsAdded) throw new Error(`LoraFineTuning ${this.node.path}: addOutputs() was already called`);
    this.outputsAdded = true;
    new CfnOutput(this, 'BucketName', { description: 'Upload training data to data/; runs write checkpoints/<run>/ and output/<run>/output/model/', value: this.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { description: 'Start a fine-tuning run: one execution per run, named as the training job', value: this.stateMachine.stateMachineArn });
  }

  /** The image URI and its registry account, literal for a concrete region, mapped by region otherwise. */
  private renderImage(image: HuggingFaceTrainingImage): { uri: string; account: string } {
    const stack = Stack.of(this);
    const regions = HuggingFaceTrainingImage.regions();
    if (!Token.isUnresolved(stack.region)) {
      const uri = image.uri(stack.region);
      if (!uri) throw new Error(`LoraFineTuning ${this.node.path}: the Hugging Face PyTorch training image is not published in ${stack.region}; regions with it: ${regions.join(', ')}`);
      return { uri, account: HuggingFaceTrainingImage.registryAccount(stack.region)! };
    }
    const mappingId = 'HfTrainingImageAccounts';
    const mapping = singleton(stack, mappingId, CfnMapping, () => new CfnMapping(stack, mappingId, {
      mapping: Object.fromEntries(Object.entries(HuggingFaceTrainingImage.registries()).map(([region, account]) => [region, { account }])),
    }));
    const ruleId = 'HfTrainingImageRegions';
    singleton(stack, ruleId, CfnRule, () => new CfnRule(stack, ruleId, {
      assertions: [{
        assert: Fn.conditionContains(regions, Aws.REGION),
        assertDescription: `The Hugging Face PyTorch training image (${HuggingFaceTrainingImage.REPOSITORY}) is published only in: ${regions.join(', ')}. Deploy this stack to one of them.`,
      }],
    }));
    const account = mapping.findInMap(Aws.REGION, 'account');
    return { uri: `${account}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${HuggingFaceTrainingImage.REPOSITORY}:${image.tag}`, account };
  }

  /** What the training job needs: its prefixes, the code, the image, its logs and metrics, the key, the VPC. */
  private trainingStatements(account: string, props: LoraFineTuningProps, weights: LoraBaseWeightsConfig): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const b = this.bucket;
    const list = (sid: string, bucketArn: string, prefixes: string[]) => new iam.PolicyStatement({
      sid, actions: ['s3:ListBucket'], resources: [bucketArn], conditions: { StringLike: { 's3:prefix': prefixes } },
    });
    const statements = [
      new iam.PolicyStatement({ sid: 'ReadData', actions: ['s3:GetObject'], resources: [b.arnForObjects(`${DATA_PREFIX}*`)] }),
      new iam.PolicyStatement({ sid: 'Checkpoints', actions: ['s3:GetObject', 's3:PutObject'], resources: [b.arnForObjects(`${CHECKPOINT_PREFIX}*`)] }),
      new iam.PolicyStatement({ sid: 'WriteOutput', actions: ['s3:PutObject'], resources: [b.arnForObjects(`${OUTPUT_PREFIX}*`)] }),
      list('ListDataAndCheckpoints', b.bucketArn, [`${DATA_PREFIX}*`, `${CHECKPOINT_PREFIX}*`]),
      new iam.PolicyStatement({
        sid: 'UseKey',
        // Output KmsKeyId needs kms:Encrypt (SageMaker API reference, OutputDataConfig); SSE-KMS reads
        // need Decrypt and writes GenerateDataKey.
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadCode',
        actions: ['s3:GetObject'],
        resources: [stack.formatArn({ service: 's3', region: '', account: '', resource: this.code.s3BucketName, resourceName: this.code.s3ObjectKey })],
      }),
      list('ListCode', stack.formatArn({ service: 's3', region: '', account: '', resource: this.code.s3BucketName }), [this.code.s3ObjectKey]),
      new iam.PolicyStatement({
        sid: 'PullTrainingImage',
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        resources: [stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: HuggingFaceTrainingImage.REPOSITORY })],
      }),
      // GetAuthorizationToken supports no resource-level permissions (ECR IAM reference).
      new iam.PolicyStatement({ sid: 'EcrLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'TrainingLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [
          stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: TRAINING_LOG_GROUP, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${TRAINING_LOG_GROUP}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'TrainingMetrics',
        // PutMetricData takes no resource ARN; the namespace condition limits it to the job's own.
        actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringLike: { 'cloudwatch:namespace': TRAINING_LOG_GROUP } },
      }),
    ];
    statements.push(...weights.policyStatements ?? []);
    if (props.vpc) {
      statements.push(new iam.PolicyStatement({
        sid: 'TrainingInVpc',
        // The ENI actions SageMaker needs to place training containers in a VPC take no resource ARNs
        // (SageMaker developer guide, "Give SageMaker Training Jobs Access to Resources in Your Amazon VPC").
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
   * The state machine role's permissions for `createTrainingJob.sync` with a job name known only at
   * run time, as the Step Functions developer guide writes them ("IAM policies for Amazon SageMaker",
   * CreateTrainingJob, dynamic resources): the job actions, ListTags, PassRole of the training role to
   * SageMaker only, and the managed EventBridge rule .sync waits on.
   */
  private stateMachineStatements(): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    return [
      new iam.PolicyStatement({
        actions: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
        resources: [stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: '*' })],
      }),
      new iam.PolicyStatement({ actions: ['sagemaker:ListTags'], resources: ['*'] }),
      new iam.PolicyStatement({
        actions: ['iam:PassRole'], resources: [this.trainingRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerTrainingJobsRule' })],
      }),
    ];
  }

  /**
   * The CreateTrainingJob request, type-checked against the SDK's input type. Strings made with
   * `dynamic()` are JSONPath or intrinsic expressions evaluated per execution.
   */
  private trainingRequest(r: ResolvedLoraProps, weights: LoraBaseWeightsConfig, imageUri: string, vpcConfig: CreateTrainingJobCommandInput['VpcConfig']): CreateTrainingJobCommandInput {
    const bucket = this.bucket.bucketName;
    const s3Channel = (name: string, uri: string) => ({
      ChannelName: name,
      InputMode: 'File' as const,
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: uri, S3DataDistributionType: 'FullyReplicated' as const } },
    });
    const channels = [
      s3Channel('train', dynamic(`States.Format('s3://${bucket}/{}', $.config.dataPrefix)`)),
      s3Channel('code', this.code.s3ObjectUrl),
    ];
    if (weights.modelChannelS3Uri) channels.push(s3Channel('model', weights.modelChannelS3Uri));
    const hyperParameters: { [key: string]: string } = {
      base_model_id: r.model.huggingFaceId,
      base_model_revision: r.model.revision,
      method: r.method,
      lora_r: dynamic("States.Format('{}', $.config.loraRank)"),
      lora_alpha: String(r.loraAlpha),
      lora_dropout: String(r.loraDropout),
      target_modules: r.targetModules.join(','),
      epochs: dynamic("States.Format('{}', $.config.epochs)"),
      learning_rate: dynamic("States.Format('{}', $.config.learningRate)"),
      max_seq_length: dynamic("States.Format('{}', $.config.maxSeqLength)"),
      per_device_batch_size: String(r.perDeviceBatchSize),
      gradient_accumulation_steps: String(r.gradientAccumulationSteps),
      output: dynamic('$.config.output'),
      prompt_template: r.promptTemplate,
      seed: String(r.seed),
    };
    if (weights.hubTokenSecretArn) hyperParameters.hf_token_secret_arn = weights.hubTokenSecretArn;
    return {
      TrainingJobName: dynamic('$$.Execution.Name'),
      RoleArn: this.trainingRole.roleArn,
      AlgorithmSpecification: {
        TrainingImage: imageUri,
        TrainingInputMode: 'File',
        // The script ships as a zip in the `code` channel; bash unpacks it and starts train.py, under
        // torchrun when the job has more than one GPU (CreateTrainingJob ContainerEntrypoint/ContainerArguments).
        ContainerEntrypoint: ['/bin/bash', '-c'],
        ContainerArguments: [launchScript(r.instance.gpus, r.instanceCount)],
      },
      HyperParameters: hyperParameters,
      InputDataConfig: channels,
      OutputDataConfig: { S3OutputPath: `s3://${bucket}/${OUTPUT_PREFIX}`, CompressionType: 'NONE', KmsKeyId: this.encryptionKey.keyArn },
      ResourceConfig: {
        InstanceType: r.instance.instanceType as TrainingInstanceType,
        InstanceCount: r.instanceCount,
        VolumeSizeInGB: r.volumeSizeGiB,
        // Instances with local NVMe reject VolumeKmsKeyId; their instance storage is hardware-encrypted.
        ...(r.instance.localNvme ? {} : { VolumeKmsKeyId: this.encryptionKey.keyArn }),
      },
      StoppingCondition: { MaxRuntimeInSeconds: r.maxRuntimeS, ...(r.spot ? { MaxWaitTimeInSeconds: r.maxWaitS } : {}) },
      EnableManagedSpotTraining: r.spot,
      ...(r.checkpoints ? {
        CheckpointConfig: { S3Uri: dynamic(`States.Format('s3://${bucket}/${CHECKPOINT_PREFIX}{}/', $$.Execution.Name)`), LocalPath: CHECKPOINT_LOCAL_PATH },
      } : {}),
      // SageMaker retries the job on an internal error (CreateTrainingJob RetryStrategy).
      RetryStrategy: { MaximumRetryAttempts: 2 },
      EnableInterContainerTrafficEncryption: r.instanceCount > 1,
      ...(vpcConfig ? { VpcConfig: vpcConfig } : {}),
    };
  }

  private acknowledgeFindings(): void {
    const v = Validations.of(this);
    Validations.of(this.trainingRole).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'The training role is this construct\'s alone: its grants name this bucket\'s prefixes, this image repository, this key and the training log group, and live and die with the role.',
    });
    const b = this.bucket;
    const objectPrefixes = [`${DATA_PREFIX}*`, `${CHECKPOINT_PREFIX}*`, `${OUTPUT_PREFIX}*`];
    const ack = [
      ...objectPrefixes.map((p) => nagResourceFinding(this, b.arnForObjects(p))),
      'Resource::*',
      nagResourceFinding(this, Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: `${TRAINING_LOG_GROUP}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })),
    ];
    for (const finding of ack) {
      v.acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: 'Training jobs read data/, read and write checkpoints/<run>/ and write output/<run>/ under run names chosen at start time, and write streams named per instance; '
          + 'ecr:GetAuthorizationToken, X-Ray, CloudWatch Logs delivery, the VPC network-interface actions and sagemaker:ListTags take no resource ARN, cloudwatch:PutMetricData is limited by namespace.',
      });
    }
    v.acknowledge({
      id: `AwsSolutions-IAM5[${nagResourceFinding(this, Stack.of(this).formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: '*' }))}]`,
      reason: 'Each execution names its training job at start time (the run name), so the state machine may create and stop training jobs of any name in this account and region, as the Step Functions guide\'s policy for dynamic job names does.',
    });
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'The state machine role is this state machine\'s alone: its policy holds the Step Functions guide\'s createTrainingJob.sync permissions, PassRole of this training role, its key, logs and X-Ray.',
    });
  }
}

/** Marks `expression` (JSONPath or an intrinsic function) as evaluated per execution. */
function dynamic(expression: string): string {
  return `${DYNAMIC}${expression}`;
}

/** The request as ASL Parameters: a dynamic string becomes `"Key.$": expression`. */
function renderParameters(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => {
      if (typeof item === 'string' && item.startsWith(DYNAMIC)) throw new Error('LoraFineTuning: a dynamic value cannot be an array element in ASL Parameters');
      return renderParameters(item);
    });
  }
  if (typeof value === 'object' && value !== null && !Token.isUnresolved(value)) {
    const out: { [key: string]: unknown } = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (typeof item === 'string' && item.startsWith(DYNAMIC)) out[`${key}.$`] = item.slice(DYNAMIC.length);
      else out[key] = renderParameters(item);
    }
    return out;
  }
  return value;
}

/** A construct the stack holds once for all fine-tuning constructs, created on first use. */
function singleton<T extends Construct>(stack: Stack, id: string, type: abstract new (...args: never[]) => T, create: () => T): T {
  const existing = stack.node.tryFindChild(id);
  if (existing === undefined) return create();
  if (!(existing instanceof type)) throw new Error(`LoraFineTuning: the stack ${stack.node.path} already has a child '${id}' that is not a ${type.name}; LoraFineTuning reserves that ID`);
  return existing;
}
