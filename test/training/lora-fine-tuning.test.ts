import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  HuggingFaceTrainingImage, LmiEndpoint, LoraBaseWeights, LoraFineTuning, LoraMethod, LoraOutput, LoraPromptTemplate,
  type LoraBaseWeightsBindOptions, type LoraBaseWeightsConfig, type LoraFineTuningProps, type ModelSpec,
} from '../../constructs';
import { FALCON_40B, FALCON_7B, MISTRAL_7B_INSTRUCT_V02 } from '../../constructs/catalog';
import { nagResourceFinding } from '../../constructs/private/nag';
import { launchScript } from '../../constructs/training/lora-props';
import { acknowledgeFixture, NIST_DEFAULT_VPC } from '../util/nag-fixtures';
import { templateOf, testStack } from '../util/synth';

interface AslResult { readonly isValid: boolean; errorsText(separator?: string): string }
const validateAsl = createRequire(__filename)('asl-validator') as (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => AslResult;

/** A stand-in for the training script folder, so these tests do not depend on its contents. */
const SCRIPTS = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-script-'));
fs.writeFileSync(path.join(SCRIPTS, 'train.py'), 'print("stand-in")\n');

function synth(props: Partial<LoraFineTuningProps> = {}, env?: { region?: string; account?: string }, setup?: (stack: Stack) => Partial<LoraFineTuningProps>) {
  const { stack } = testStack(env);
  const extra = setup ? setup(stack) : {};
  const ft = new LoraFineTuning(stack, 'Ft', { model: FALCON_7B, scriptsDirectory: SCRIPTS, ...props, ...extra });
  return { stack, ft, template: templateOf(stack) };
}

function build(props: Partial<LoraFineTuningProps>, env?: { region?: string }) {
  const { stack } = testStack(env);
  return () => new LoraFineTuning(stack, 'Ft', { model: FALCON_7B, scriptsDirectory: SCRIPTS, ...props });
}

/** The state machine definition with every CloudFormation token replaced by a placeholder. */
function definitionOf(template: Template): { States: Record<string, Record<string, unknown>>; StartAt: string } {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  expect(machines).toHaveLength(1);
  const body = (machines[0].Properties as { DefinitionString: unknown }).DefinitionString;
  const text = typeof body === 'string' ? body
    : ((body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]).map((p) => (typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Partition"}' ? 'aws' : 'TOKEN')).join('');
  return JSON.parse(text) as { States: Record<string, Record<string, unknown>>; StartAt: string };
}

function trainParameters(template: Template): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return definitionOf(template).States.Train.Parameters as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function trainingRoleStatements(template: Template): Array<Record<string, unknown>> {
  const roles = Object.values(template.findResources('AWS::IAM::Role', { Properties: { Policies: [{ PolicyName: 'Training' }] } }));
  expect(roles).toHaveLength(1);
  return (roles[0].Properties as { Policies: Array<{ PolicyDocument: { Statement: Array<Record<string, unknown>> } }> }).Policies[0].PolicyDocument.Statement;
}

describe('LoraFineTuning defaults (Falcon-7B, environment-agnostic)', () => {
  let template: Template;
  let ft: LoraFineTuning;
  beforeAll(() => {
    ({ template, ft } = synth());
  });

  test('the rendered definition is valid ASL (asl-validator)', () => {
    const result = validateAsl(definitionOf(template));
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('defaults, merge, input check, then one createTrainingJob.sync task', () => {
    const def = definitionOf(template);
    expect(def.StartAt).toBe('Defaults');
    expect(def.States.Defaults.Parameters).toEqual({
      defaults: { dataPrefix: 'data/', epochs: 3, learningRate: 0.0002, maxSeqLength: 512, loraRank: 16, output: 'merged' },
      'input.$': '$',
    });
    expect(def.States.MergeInput.Parameters).toEqual({ 'config.$': 'States.JsonMerge($.defaults, $.input, false)' });
    expect(def.States.CheckInput.Type).toBe('Choice');
    expect(def.States.CheckInput.Default).toBe('InvalidInput');
    expect(def.States.CheckInput.Choices).toEqual([expect.objectContaining({ Next: 'NumbersAsText' })]);
    expect(def.States.NumbersAsText.Next).toBe('CheckWholeNumbers');
    expect(def.States.CheckWholeNumbers.Default).toBe('InvalidInput');
    expect((def.States.CheckWholeNumbers.Choices as Array<{ Next: string }>)[0].Next).toBe('Train');
    expect(def.States.Train.Resource).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect(def.States.Train.End).toBe(true);
    expect(def.States.Train.Retry).toEqual([
      { ErrorEquals: ['SageMaker.ResourceLimitExceededException'], IntervalSeconds: 300, MaxAttempts: 12, BackoffRate: 1 },
      { ErrorEquals: ['SageMaker.AmazonSageMakerException'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 },
    ]);
  });

  test('run overrides: maxSeqLength and loraRank capped at the sized values, dataPrefix under data/', () => {
    const conditions = (definitionOf(template).States.CheckInput.Choices as Array<{ And: Array<Record<string, unknown>> }>)[0].And;
    expect(conditions).toEqual(expect.arrayContaining([
      { Variable: '$.config.maxSeqLength', NumericLessThanEquals: 512 },
      { Variable: '$.config.loraRank', NumericLessThanEquals: 16 },
      { Variable: '$.config.dataPrefix', StringMatches: 'data/*' },
      { Variable: '$.config.dataPrefix', StringMatches: '*/' },
    ]));
    expect(JSON.stringify(conditions)).not.toContain('2048');
    expect(definitionOf(template).States.InvalidInput.Cause).toMatch(/under 'data\/'.*loraRank a whole number 1\.\.16 and maxSeqLength a whole number 1\.\.512/);
  });

  test('run overrides: epochs, loraRank and maxSeqLength must be whole numbers (no fraction, no exponent)', () => {
    const def = definitionOf(template);
    expect(def.States.NumbersAsText.Parameters).toEqual({
      'config.$': '$.config',
      text: { 'epochs.$': "States.Format('{}', $.config.epochs)", 'loraRank.$': "States.Format('{}', $.config.loraRank)", 'maxSeqLength.$': "States.Format('{}', $.config.maxSeqLength)" },
    });
    const rule = (def.States.CheckWholeNumbers.Choices as Array<{ Not: { Or: Array<{ Variable: string; StringMatches: string }> } }>)[0];
    const rejected = rule.Not.Or.map((c) => `${c.Variable} ${c.StringMatches}`);
    for (const k of ['epochs', 'loraRank', 'maxSeqLength']) {
      expect(rejected).toEqual(expect.arrayContaining([`$.text.${k} *.*`, `$.text.${k} *e*`, `$.text.${k} *E*`]));
    }
  });

  test('the training role trusts SageMaker for this account only (aws:SourceAccount)', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [Match.objectLike({ PolicyName: 'Training' })],
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
      },
    });
  });

  test('spot with max wait twice the 24 h runtime, checkpoints per run, uncompressed KMS output', () => {
    const p = trainParameters(template);
    expect(p['TrainingJobName.$']).toBe('$$.Execution.Name');
    expect(p.EnableManagedSpotTraining).toBe(true);
    expect(p.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 });
    expect(p.CheckpointConfig).toEqual({ 'S3Uri.$': "States.Format('s3://TOKEN/checkpoints/{}/', $$.Execution.Name)", LocalPath: '/opt/ml/checkpoints' });
    expect(p.OutputDataConfig).toEqual({ S3OutputPath: 's3://TOKEN/output/', CompressionType: 'NONE', KmsKeyId: 'TOKEN' });
    expect(p.ResourceConfig).toEqual({ InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 100 });
    expect(p.RetryStrategy).toEqual({ MaximumRetryAttempts: 2 });
    expect(p.EnableInterContainerTrafficEncryption).toBe(false);
    expect(p.VpcConfig).toBeUndefined();
  });

  test('hyperparameters: QLoRA r=16 alpha 32 on all linear layers, per-run values from the input', () => {
    expect(trainParameters(template).HyperParameters).toEqual({
      base_model_id: 'tiiuae/falcon-7b',
      base_model_revision: FALCON_7B.revision,
      method: 'qlora',
      'lora_r.$': "States.Format('{}', $.config.loraRank)",
      lora_alpha: '32',
      lora_dropout: '0.05',
      target_modules: 'all-linear',
      'epochs.$': "States.Format('{}', $.config.epochs)",
      'learning_rate.$': "States.Format('{}', $.config.learningRate)",
      'max_seq_length.$': "States.Format('{}', $.config.maxSeqLength)",
      per_device_batch_size: '2',
      gradient_accumulation_steps: '4',
      'output.$': '$.config.output',
      prompt_template: 'auto',
      seed: '42',
    });
  });

  test('train and code channels; the container unpacks the code and runs train.py without torchrun on one GPU', () => {
    const p = trainParameters(template);
    expect(p.InputDataConfig.map((c: { ChannelName: string }) => c.ChannelName)).toEqual(['train', 'code']);
    expect(p.InputDataConfig[0].DataSource.S3DataSource).toEqual({
      S3DataType: 'S3Prefix', 'S3Uri.$': "States.Format('s3://TOKEN/{}', $.config.dataPrefix)", S3DataDistributionType: 'FullyReplicated',
    });
    expect(p.AlgorithmSpecification.ContainerEntrypoint).toEqual(['/bin/bash', '-c']);
    expect(p.AlgorithmSpecification.ContainerArguments).toHaveLength(1);
    expect(p.AlgorithmSpecification.ContainerArguments[0]).toBe(
      'set -eu;d=$(mktemp -d);for z in /opt/ml/input/data/code/*.zip;do python3 -m zipfile -e "$z" "$d";done;cd "$d";exec python3 train.py');
    expect(p.AlgorithmSpecification.TrainingImage).toBe('TOKEN.dkr.ecr.TOKEN.TOKEN/huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04');
  });

  test('environment-agnostic: the image account comes from a region mapping, and a rule refuses regions without the image', () => {
    const rules = template.toJSON().Rules as Record<string, { Assertions: Array<{ AssertDescription: string }> }>;
    expect(rules.HfTrainingImageRegions.Assertions[0].AssertDescription).toMatch(/published only in: af-south-1, .*us-west-2\. Deploy/);
    const mapping = (template.toJSON().Mappings as Record<string, Record<string, { account: string }>>).HfTrainingImageAccounts;
    expect(Object.keys(mapping)).toHaveLength(31);
    expect(mapping['us-east-1'].account).toBe('763104351884');
  });

  test('a retained, versioned, KMS-encrypted bucket with a TLS-only policy', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });

  test('the training role reads data/, reads and writes checkpoints/, writes output/, pulls the one repository', () => {
    const statements = trainingRoleStatements(template);
    const sids = statements.map((s) => s.Sid);
    expect(sids).toEqual(['ReadData', 'Checkpoints', 'WriteOutput', 'ListDataAndCheckpoints', 'UseKey', 'ReadCode', 'ListCode', 'PullTrainingImage', 'EcrLogin', 'TrainingLogs', 'TrainingMetrics']);
    const byId = (sid: string) => statements.find((s) => s.Sid === sid)!;
    expect(byId('ReadData').Action).toBe('s3:GetObject');
    expect(JSON.stringify(byId('ReadData').Resource)).toContain('/data/*');
    expect(byId('Checkpoints').Action).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(byId('WriteOutput').Action).toBe('s3:PutObject');
    expect(byId('ListDataAndCheckpoints').Condition).toEqual({ StringLike: { 's3:prefix': ['data/*', 'checkpoints/*'] } });
    expect(JSON.stringify(byId('PullTrainingImage').Resource)).toContain(':repository/huggingface-pytorch-training');
    expect(JSON.stringify(byId('TrainingLogs').Resource)).toContain('log-group:/aws/sagemaker/TrainingJobs:log-stream:*');
    expect(byId('TrainingMetrics').Condition).toEqual({ StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' } });
    expect(statements.some((s) => s.Action === 's3:*' || (Array.isArray(s.Action) && s.Action.includes('s3:DeleteObject')))).toBe(false);
  });

  test('the state machine role has exactly the documented createTrainingJob.sync permissions, PassRole of the training role only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0].Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument.Statement;
    const text = JSON.stringify(statements);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
        Resource: { 'Fn::Join': ['', expect.arrayContaining([':training-job/*'])] },
      }),
      expect.objectContaining({
        Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FtTrainingRole/), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
      expect.objectContaining({
        Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
        Resource: { 'Fn::Join': ['', expect.arrayContaining([':rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule'])] },
      }),
    ]));
    expect(statements.some((s) => JSON.stringify(s.Action).includes('sagemaker:ListTags') && s.Resource === '*')).toBe(true);
    expect(text.match(/iam:PassRole/g)).toHaveLength(1);
    expect(text).not.toMatch(/sagemaker:\*|"states:\*"|iam:\*/);
  });

  test('state machine: X-Ray, ALL events to a KMS-encrypted log group kept one year, KMS-encrypted definition', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY' },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
  });

  test('mergedWeights points LmiEndpoint at output/<run>/output/model/ with the bucket key', () => {
    const w = ft.mergedWeights('lora-20260101-120000');
    // Through the public double dispatch, as LmiEndpoint binds it: the prefix, read on it, decrypt with the bucket's key.
    const host = Stack.of(ft);
    const reader = new iam.Role(host, 'WeightsReader', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const config = w.bind(reader, reader);
    expect(config.problems).toEqual([]);
    expect(host.resolve(config.s3PrefixUri)).toEqual(host.resolve(ft.bucket.s3UrlForObject('output/lora-20260101-120000/output/model/')));
    const statements = JSON.stringify(host.resolve((reader.node.findChild('DefaultPolicy') as iam.Policy).document));
    expect(statements).toContain('output/lora-20260101-120000/output/model/*');
    expect(statements).toContain(JSON.stringify(host.resolve(ft.encryptionKey.keyArn)));
    expect(() => ft.mergedWeights('bad_name')).toThrow(/runName 'bad_name' is not a training job name/);
  });

  test('grantStartExecution and grantUploadData give exactly those rights', () => {
    const { stack: st } = testStack();
    const granting = new LoraFineTuning(st, 'Ft', { model: FALCON_7B, scriptsDirectory: SCRIPTS });
    const operator = new iam.Role(st, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    granting.grantStartExecution(operator);
    granting.grantUploadData(operator);
    acknowledgeFixture(operator, 'NIST.800.53.R5-IAMNoInlinePolicy', `AwsSolutions-IAM5[${nagResourceFinding(granting, granting.bucket.arnForObjects('data/*'))}]`);
    const policy = Object.values(templateOf(st).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Operator') }] } }));
    expect(policy).toHaveLength(1);
    const statements = (policy[0].Properties as { PolicyDocument: { Statement: Array<Record<string, unknown>> } }).PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: expect.stringMatching(/^FtStateMachine/) } }),
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FtKey/), 'Arn'] } }),
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^FtBucket/), 'Arn'] }, '/data/*']] } }),
    ]);
  });
});

describe('LoraFineTuning then LmiEndpoint', () => {
  test('serving a run is one line: the endpoint copies output/<run>/output/model/ and may decrypt with the bucket key', () => {
    const { stack } = testStack();
    const ft = new LoraFineTuning(stack, 'Ft', { model: FALCON_7B, scriptsDirectory: SCRIPTS });
    new LmiEndpoint(stack, 'Tuned', { model: FALCON_7B, weights: ft.mergedWeights('lora-run-1') });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        ModelDataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix', CompressionType: 'None',
            S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^FtBucket') }, '/output/lora-run-1/output/model/']] },
          },
        },
      },
    });
    // LmiEndpoint writes its weights grants into its execution role's inline policy.
    t.hasResourceProperties('AWS::IAM::Role', {
      Policies: Match.arrayWith([Match.objectLike({
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FtKey'), 'Arn'] } })]) },
      })]),
    });
  });
});

describe('LoraFineTuning with every prop set', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synth({
      method: LoraMethod.LORA, loraRank: 8, loraAlpha: 16, loraDropout: 0.1, targetModules: ['query_key_value', 'dense'],
      epochs: 1, learningRate: 1e-4, maxSequenceLength: 1024, perDeviceBatchSize: 1, gradientAccumulationSteps: 8,
      output: LoraOutput.ADAPTER, promptTemplate: LoraPromptTemplate.ALPACA, seed: 7,
      instanceType: 'ml.g5.12xlarge', instanceCount: 2, volumeSize: Size.gibibytes(200), maxRuntime: Duration.hours(2),
      spot: false, checkpoints: false, logRetention: logs.RetentionDays.ONE_MONTH, image: HuggingFaceTrainingImage.TRANSFORMERS_4_55_PYTORCH_2_7,
    }, { region: 'eu-west-1', account: '111111111111' }, (stack) => {
      const key = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
      const bucket = new s3.Bucket(stack, 'TeamBucket', { encryptionKey: key, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, enforceSSL: true, versioned: true, serverAccessLogsPrefix: 'logs/' });
      acknowledgeFixture(bucket, 'NIST.800.53.R5-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3DefaultEncryptionKMS');
      const weights = new s3.Bucket(stack, 'Weights', { encryption: s3.BucketEncryption.S3_MANAGED, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, enforceSSL: true, versioned: true, serverAccessLogsPrefix: 'logs/' });
      acknowledgeFixture(weights, 'NIST.800.53.R5-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3DefaultEncryptionKMS');
      const vpc = new ec2.Vpc(stack, 'Vpc', { flowLogs: { all: {} } });
      acknowledgeFixture(vpc, ...NIST_DEFAULT_VPC);
      return { bucket, encryptionKey: key, vpc, baseWeights: LoraBaseWeights.fromS3Prefix(weights, 'models/falcon-7b/') };
    }));
  });

  test('the rendered definition is valid ASL', () => {
    expect(validateAsl(definitionOf(template)).errorsText()).toBe('');
  });

  test('on demand without checkpoints: no MaxWait, no CheckpointConfig', () => {
    const p = trainParameters(template);
    expect(p.EnableManagedSpotTraining).toBe(false);
    expect(p.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 7200 });
    expect(p.CheckpointConfig).toBeUndefined();
  });

  test('two 4-GPU instances run torchrun across nodes, with encrypted traffic between them', () => {
    const p = trainParameters(template);
    expect(p.ResourceConfig).toEqual({ InstanceType: 'ml.g5.12xlarge', InstanceCount: 2, VolumeSizeInGB: 200 });
    expect(p.AlgorithmSpecification.ContainerArguments[0]).toMatch(/exec torchrun --nnodes 2 --nproc_per_node 4 --rdzv_backend c10d --rdzv_endpoint algo-1:29500 train\.py$/);
    expect(p.EnableInterContainerTrafficEncryption).toBe(true);
  });

  test('a concrete region gets the literal image URI of the chosen version', () => {
    expect(trainParameters(template).AlgorithmSpecification.TrainingImage)
      .toBe('763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.7.1-transformers4.55.0-gpu-py312-cu128-ubuntu22.04');
    expect(Object.keys(template.toJSON().Rules as object)).toEqual(['CheckBootstrapVersion']);
  });

  test('hyperparameters carry every prop', () => {
    expect(trainParameters(template).HyperParameters).toEqual(expect.objectContaining({
      method: 'lora', lora_alpha: '16', lora_dropout: '0.1', target_modules: 'query_key_value,dense', per_device_batch_size: '1',
      gradient_accumulation_steps: '8', prompt_template: 'alpaca', seed: '7',
    }));
    expect(definitionOf(template).States.Defaults.Parameters).toEqual(expect.objectContaining({
      defaults: { dataPrefix: 'data/', epochs: 1, learningRate: 0.0001, maxSeqLength: 1024, loraRank: 8, output: 'adapter' },
    }));
  });

  test('staged base weights arrive in the model channel, readable on their prefix only', () => {
    const p = trainParameters(template);
    expect(p.InputDataConfig.map((c: { ChannelName: string }) => c.ChannelName)).toEqual(['train', 'code', 'model']);
    expect(p.InputDataConfig[2].DataSource.S3DataSource.S3Uri).toBe('s3://TOKEN/models/falcon-7b/');
    const statements = trainingRoleStatements(template);
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ReadBaseWeights')!.Resource)).toContain('/models/falcon-7b/*');
    expect(statements.find((s) => s.Sid === 'ListBaseWeights')!.Condition).toEqual({ StringLike: { 's3:prefix': ['models/falcon-7b/*'] } });
    expect(statements.some((s) => s.Sid === 'TrainingInVpc')).toBe(true);
  });

  test('the caller\'s bucket and key are used, no bucket or key of its own; VPC subnets and a security group open to itself', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::KMS::Key', 1);
    const p = trainParameters(template);
    expect(p.VpcConfig.Subnets.length).toBeGreaterThan(0);
    expect(p.VpcConfig.SecurityGroupIds).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: '-1', Description: 'torchrun and NCCL between the training instances' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('LoraFineTuning on one multi-GPU instance, with a spot wait and your security group', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synth({ instanceType: 'ml.g5.12xlarge', maxRuntime: Duration.hours(3), maxWait: Duration.hours(5) }, undefined, (stack) => {
      const vpc = new ec2.Vpc(stack, 'Vpc', { flowLogs: { all: {} } });
      acknowledgeFixture(vpc, ...NIST_DEFAULT_VPC);
      const sg = new ec2.SecurityGroup(stack, 'TeamSg', { vpc, description: 'team training' });
      return { vpc, securityGroups: [sg] };
    }));
  });

  test('torchrun on the 4 GPUs of one instance', () => {
    expect(trainParameters(template).AlgorithmSpecification.ContainerArguments[0]).toMatch(/exec torchrun --standalone --nproc_per_node 4 train\.py$/);
  });

  test('the given max wait', () => {
    expect(trainParameters(template).StoppingCondition).toEqual({ MaxRuntimeInSeconds: 10800, MaxWaitTimeInSeconds: 18000 });
  });

  test('your security group is used and none is created', () => {
    expect(trainParameters(template).VpcConfig.SecurityGroupIds).toEqual(['TOKEN']);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'team training' });
  });
});

describe('LoraFineTuning gated models', () => {
  test('a token secret is passed by ARN and readable by the training role', () => {
    const { template } = synth({ model: MISTRAL_7B_INSTRUCT_V02 }, undefined, (stack) => {
      const secret = new secretsmanager.Secret(stack, 'HfToken');
      acknowledgeFixture(secret, 'AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerUsingKMSKey');
      return { baseWeights: LoraBaseWeights.fromHuggingFace({ tokenSecret: secret }) };
    });
    expect(trainParameters(template).HyperParameters.hf_token_secret_arn).toBe('TOKEN');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('FtTrainingRole') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: { Ref: Match.stringLikeRegexp('HfToken') } })] },
    });
  });

  test('throws when a gated model has neither a token secret nor staged weights', () => {
    expect(build({ model: MISTRAL_7B_INSTRUCT_V02 })).toThrow(/baseWeights: mistralai\/Mistral-7B-Instruct-v0.2 is gated .*tokenSecret.*LoraBaseWeights.fromS3Prefix/);
  });
});

describe('LoraFineTuning with a base weights source of your own (bind)', () => {
  class MirrorWeights extends LoraBaseWeights {
    public readonly kind = 'mirror';
    public bound?: LoraBaseWeightsBindOptions;
    public bind(_scope: Construct, options: LoraBaseWeightsBindOptions): LoraBaseWeightsConfig {
      this.bound = options;
      return {
        modelChannelS3Uri: 's3://mirror-bucket/falcon-7b/',
        policyStatements: [new iam.PolicyStatement({ sid: 'ReadMirror', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::mirror-bucket/falcon-7b/config.json'] })],
      };
    }
  }

  test('its bind gets the model and the training role, and its channel and statements are used', () => {
    const source = new MirrorWeights();
    const { template, ft } = synth({ baseWeights: source });
    expect(source.bound?.model).toBe(FALCON_7B);
    expect(source.bound?.grantee).toBe(ft.trainingRole);
    const p = trainParameters(template);
    expect(p.InputDataConfig[2]).toEqual(expect.objectContaining({ ChannelName: 'model', DataSource: { S3DataSource: expect.objectContaining({ S3Uri: 's3://mirror-bucket/falcon-7b/' }) } }));
    expect(trainingRoleStatements(template).find((s) => s.Sid === 'ReadMirror')).toBeDefined();
  });

  test('throws with the problems its bind reports, among the other prop errors', () => {
    class Broken extends MirrorWeights {
      public override bind(): LoraBaseWeightsConfig {
        return { problems: ['baseWeights: mirror is offline'] };
      }
    }
    expect(build({ baseWeights: new Broken(), loraRank: 0 })).toThrow(/invalid props:\n- baseWeights: mirror is offline\n- loraRank: 0 /);
  });
});

describe('the container command', () => {
  test.each([[1, 1], [8, 1], [1, 16], [8, 16]])('fits SageMaker\'s 256 characters per argument with %i GPUs on %i instances', (gpus, instances) => {
    expect(launchScript(gpus, instances).length).toBeLessThanOrEqual(256);
  });
});

describe('LoraFineTuning input errors', () => {
  const notQuantizable: ModelSpec = { ...FALCON_7B, name: 'custom', quantizable: false };
  test.each<[string, Partial<LoraFineTuningProps>, RegExp]>([
    ['a CPU instance type', { instanceType: 'ml.m5.xlarge' }, /instanceType: 'ml.m5.xlarge' is not a GPU training instance of the catalog; GPU types: ml.g5.xlarge, /],
    ['rank 0', { loraRank: 0 }, /loraRank: 0 must be a whole number of at least 1/],
    ['a fractional rank', { loraRank: 2.5 }, /loraRank: 2.5 must be a whole number/],
    ['dropout 1', { loraDropout: 1 }, /loraDropout: 1 must be from 0 up to \(not including\) 1/],
    ['negative dropout', { loraDropout: -0.1 }, /loraDropout: -0.1 must be from 0/],
    ['alpha 0', { loraAlpha: 0 }, /loraAlpha: 0 must be above 0/],
    ['max wait below max runtime', { maxRuntime: Duration.hours(4), maxWait: Duration.hours(3) }, /maxWait: 10800 s is below maxRuntime 14400 s/],
    ['max wait without spot', { spot: false, maxWait: Duration.hours(3) }, /maxWait: only used with spot/],
    ['a runtime beyond 28 days', { maxRuntime: Duration.days(29) }, /maxRuntime: 2505600 s is beyond SageMaker's 28 days/],
    ['a sequence beyond the context', { maxSequenceLength: 4096 }, /maxSequenceLength: 4096 is beyond falcon-7b's context length of 2048 tokens/],
    ['QLoRA on a model marked not quantizable', { model: notQuantizable }, /method: QLoRA needs 4-bit weights, and the catalog marks custom as not quantizable/],
    ['all-linear with other modules', { targetModules: ['all-linear', 'q_proj'] }, /targetModules: 'all-linear' already names every linear layer; pass it alone, not with q_proj/],
    ['no target modules', { targetModules: [] }, /targetModules: empty/],
    ['a bad module name', { targetModules: ['q proj'] }, /targetModules: 'q proj' is not a module name/],
    ['learning rate 0', { learningRate: 0 }, /learningRate: 0 must be above 0 and below 1/],
    ['epochs 0', { epochs: 0 }, /epochs: 0 must be a whole number of at least 1/],
    ['batch 0', { perDeviceBatchSize: 0 }, /perDeviceBatchSize: 0 must be/],
    ['instance count 0', { instanceCount: 0 }, /instanceCount: 0 must be/],
    ['a volume smaller than two copies of the weights', { volumeSize: Size.gibibytes(20) }, /volumeSize: 20 GiB cannot hold falcon-7b's 16-bit weights twice .*28 GiB/],
    ['a moving revision', { model: { ...FALCON_7B, revision: 'main' } }, /model.revision: 'main' must be a 40-hex-digit/],
    ['an INFINITE log retention', { logRetention: logs.RetentionDays.INFINITE }, /logRetention: .* INFINITE/],
    ['vpcSubnets without vpc', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, /vpcSubnets: only used with vpc/],
    ['a fractional vocabulary', { model: { ...FALCON_7B, vocabSize: 100.5 } }, /model\.vocabSize: 100\.5 must be a whole number above 0/],
    ['a staged prefix without a trailing slash', { baseWeights: LoraBaseWeights.fromS3Prefix(s3.Bucket.fromBucketName(new Stack(), 'B', 'team-weights'), 'models/x') }, /baseWeights: S3 prefix 'models\/x' must be a folder key/],
  ])('throws on %s', (_name, props, error) => {
    expect(build(props)).toThrow(error);
  });

  test('throws with the memory numbers when QLoRA of Falcon-40B does not fit one A10G', () => {
    expect(build({ model: FALCON_40B })).toThrow(
      /instanceType: QLoRA of falcon-40b does not fit ml.g5.2xlarge: needs \d+\.\d GiB per GPU \(base weights in 4 bits 23\.4 \+ LoRA state \d+\.\d \+ activations \d+(\.\d)? for 2 x 512 tokens \+ runtime 1\.5\) but one NVIDIA A10G of ml.g5.2xlarge has 22\.4 GiB/,
    );
  });

  test('throws once with every problem', () => {
    expect(build({ loraRank: 0, loraDropout: 2 })).toThrow(/LoraFineTuning: invalid props:\n- loraRank: 0 .*\n- loraDropout: 2 /);
  });

  test('throws when the stack\'s region has no training image', () => {
    expect(build({}, { region: 'ap-south-2' })).toThrow(/the Hugging Face PyTorch training image is not published in ap-south-2; regions with it: af-south-1, /);
  });

  test('warns when spot runs without checkpoints', () => {
    const { stack } = synth({ checkpoints: false });
    Annotations.fromStack(stack).hasWarning('/TestStack/Ft', Match.stringLikeRegexp('spot is on and checkpoints off'));
  });

  test('addOutputs adds BucketName and StateMachineArn once', () => {
    const { stack } = testStack();
    const ft = new LoraFineTuning(stack, 'Ft', { model: FALCON_7B, scriptsDirectory: SCRIPTS });
    ft.addOutputs();
    expect(() => ft.addOutputs()).toThrow(/addOutputs\(\) was already called/);
    const outputs = Object.keys(templateOf(stack).toJSON().Outputs as object);
    expect(outputs.some((k) => k.startsWith('FtBucketName'))).toBe(true);
    expect(outputs.some((k) => k.startsWith('FtStateMachineArn'))).toBe(true);
  });
});
