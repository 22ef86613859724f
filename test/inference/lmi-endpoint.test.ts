import { type CfnElement, CfnParameter, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  LmiBackend, LmiDtype, LmiEndpoint, LmiImage, LmiInstanceType, ModelWeights, RollingBatch,
  type LmiEndpointProps, type ModelSpec,
} from '../../constructs';
import {
  FALCON_40B, FALCON_7B, imageAccount, imageUri, LMI_IMAGES, LMI_REPOSITORY, MISTRAL_7B_INSTRUCT_V02, SAGEMAKER_NAME_PATTERN, ZEPHYR_7B_BETA,
} from '../../constructs/catalog';
import { createRecipeApp } from '../../lib/app';
import { templateOf, testStack } from '../util/synth';
import { acknowledgeFixture, NIST_DEFAULT_VPC } from '../util/nag-fixtures';

function synth(props: LmiEndpointProps, env?: { region?: string; account?: string }) {
  const { stack } = testStack(env);
  const endpoint = new LmiEndpoint(stack, 'Llm', props);
  return { stack, endpoint, template: templateOf(stack) };
}

/** The execution role's inline policy matches `policy` (a PolicyName/PolicyDocument pattern). */
function hasExecutionPolicy(template: Template, policy: Record<string, unknown>): void {
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] },
    Policies: [{ PolicyName: 'Execution', ...policy }],
  });
}

function build(props: LmiEndpointProps, env?: { region?: string }) {
  const { stack } = testStack(env);
  return () => new LmiEndpoint(stack, 'Llm', props);
}

const FALCON_G5: LmiEndpointProps = { model: FALCON_40B, instanceType: LmiInstanceType.of('ml.g5.48xlarge') };
const ZEPHYR_INF2: LmiEndpointProps = { model: ZEPHYR_7B_BETA, instanceType: LmiInstanceType.of('ml.inf2.8xlarge'), volumeSize: Size.gibibytes(256) };

describe('LmiEndpoint defaults', () => {
  test('snapshot of the Falcon-40B default on ml.g5.48xlarge', () => {
    const { template } = synth(FALCON_G5);
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('GPU environment: pinned Hub revision, TP over all 8 GPUs, vLLM, model dtype and context', () => {
    const { template, endpoint } = synth(FALCON_G5);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: false,
      PrimaryContainer: {
        Mode: 'SingleModel',
        Environment: {
          HF_MODEL_ID: 'tiiuae/falcon-40b',
          HF_REVISION: FALCON_40B.revision,
          TENSOR_PARALLEL_DEGREE: '8',
          OPTION_ROLLING_BATCH: 'vllm',
          OPTION_MAX_ROLLING_BATCH_SIZE: '64',
          OPTION_DTYPE: 'bf16',
          OPTION_MAX_MODEL_LEN: '2048',
          OPTION_MODEL_LOADING_TIMEOUT: '3600',
        },
      },
    });
    expect(endpoint.backend).toBe(LmiBackend.GPU);
    expect(endpoint.tensorParallelDegree).toBe(8);
  });

  test('environment-agnostic stack maps the image account by region and asserts the region in a rule', () => {
    const { template } = synth(FALCON_G5);
    const json = template.toJSON();
    const mapping = Object.values(json.Mappings as Record<string, Record<string, { account: string }>>)[0];
    expect(mapping['us-east-1'].account).toBe('763104351884');
    expect(mapping['cn-north-1'].account).toBe('727897471807');
    expect(mapping['ap-east-2']).toBeUndefined();
    expect(Object.keys(json.Mappings as object)).toEqual(['LmiImageAccountsGpu']);
    const rules = json.Rules as Record<string, { Assertions: Array<{ Assert: { 'Fn::Contains': [string[], unknown] }; AssertDescription: string }> }>;
    const rule = rules.LmiImageRegionsGpu0350lmi1700cu128;
    expect(rule.Assertions[0].Assert['Fn::Contains'][0]).toEqual(Object.keys(mapping));
    expect(rule.Assertions[0].Assert['Fn::Contains'][1]).toEqual({ Ref: 'AWS::Region' });
    expect(rule.Assertions[0].AssertDescription).toMatch(/0\.35\.0-lmi17\.0\.0-cu128/);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Image: {
          'Fn::Join': ['', [
            { 'Fn::FindInMap': [Match.anyValue(), { Ref: 'AWS::Region' }, 'account'] },
            '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/djl-inference:0.35.0-lmi17.0.0-cu128',
          ]],
        },
      },
    });
  });

  test('a stack with a concrete region gets a literal image URI and no mapping', () => {
    const { template, endpoint } = synth(FALCON_G5, { region: 'eu-south-1' });
    expect(endpoint.imageUri).toBe('692866216735.dkr.ecr.eu-south-1.amazonaws.com/djl-inference:0.35.0-lmi17.0.0-cu128');
    expect(template.toJSON().Mappings).toBeUndefined();
    expect(Object.keys(template.toJSON().Rules)).toEqual(['CheckBootstrapVersion']);
  });

  test('China uses the amazonaws.com.cn suffix and the China registry', () => {
    const { endpoint } = synth(FALCON_G5, { region: 'cn-north-1' });
    expect(endpoint.imageUri).toBe('727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/djl-inference:0.35.0-lmi17.0.0-cu128');
  });

  test('NVMe instance: no VolumeSizeInGB, no KmsKeyId, timeouts sized for a 40B model', () => {
    const { template } = synth(FALCON_G5);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: Match.absent(),
      ProductionVariants: [{
        VariantName: 'AllTraffic',
        InstanceType: 'ml.g5.48xlarge',
        InitialInstanceCount: 1,
        InitialVariantWeight: 1,
        ContainerStartupHealthCheckTimeoutInSeconds: 3600,
        ModelDataDownloadTimeoutInSeconds: 3600,
        VolumeSizeInGB: Match.absent(),
      }],
    });
    // The one key is the log group's.
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LlmLogKey'), 'Arn'] } });
  });

  test('a 7B model gets the shorter 1800 s start-up', () => {
    const { template } = synth({ model: FALCON_7B, instanceType: LmiInstanceType.of('ml.g5.12xlarge') });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ ContainerStartupHealthCheckTimeoutInSeconds: 1800 })],
    });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: { Environment: Match.objectLike({ TENSOR_PARALLEL_DEGREE: '1', OPTION_MODEL_LOADING_TIMEOUT: '1800' }) },
    });
  });

  test('without instanceType, the cheapest catalog instance the model fits is chosen', () => {
    const { endpoint } = synth({ model: FALCON_40B });
    expect(endpoint.instance.instanceType).toBe('ml.g6.48xlarge');
  });

  test('without instanceType, EBS-only instances are candidates only when a volume is given', () => {
    expect(synth({ model: ZEPHYR_7B_BETA }).endpoint.instance.instanceType).toBe('ml.g6.12xlarge');
    expect(synth({ model: ZEPHYR_7B_BETA, volumeSize: Size.gibibytes(64) }).endpoint.instance.instanceType).toBe('ml.inf2.xlarge');
  });

  test('execution role: no managed policy, ECR pull on djl-inference only, logs and metrics scoped', () => {
    const { template } = synth(FALCON_G5);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    hasExecutionPolicy(template, {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'PullLmiImage',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: {
              'Fn::Join': ['', Match.arrayWith([':ecr:', { Ref: 'AWS::Region' }, ':repository/djl-inference'])],
            },
          }),
          Match.objectLike({ Sid: 'EcrLogin', Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
          Match.objectLike({
            Sid: 'EndpointLogs',
            Resource: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^LlmLogs'), 'Arn'] },
              { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:/aws/sagemaker/Endpoints/teststack-llm-[0-9a-f]{8}$')])] },
            ],
          }),
          Match.objectLike({
            Sid: 'EndpointMetrics',
            Action: 'cloudwatch:PutMetricData',
            Condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' } },
          }),
        ]),
      },
    });
    // The role carries its statements inline: no separate policy resource per endpoint.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const roles = JSON.stringify(template.findResources('AWS::IAM::Role'));
    expect(roles).not.toMatch(/FullAccess|"s3:\*"|"sagemaker:\*"/);
  });

  test('the model is created after the role and its inline policy', () => {
    const { template } = synth(FALCON_G5);
    const model = Object.values(template.findResources('AWS::SageMaker::Model'))[0] as { DependsOn: string[] };
    const roleId = Object.keys(template.findResources('AWS::IAM::Role'))[0];
    expect(model.DependsOn).toContain(roleId);
  });

  test('no stack outputs unless asked for', () => {
    const { template } = synth(FALCON_G5);
    expect(template.toJSON().Outputs).toBeUndefined();
  });

  test('addOutputs names the endpoint and gives an invoke command; a second call adds nothing', () => {
    const { stack } = testStack();
    const endpoint = new LmiEndpoint(stack, 'Llm', FALCON_G5);
    endpoint.addOutputs();
    endpoint.addOutputs();
    const template = templateOf(stack);
    expect(Object.keys(template.toJSON().Outputs)).toHaveLength(2);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    const invoke = Object.entries(outputs).find(([k]) => k.includes('InvokeCommand'))?.[1];
    expect(JSON.stringify(invoke?.Value)).toMatch(/aws sagemaker-runtime invoke-endpoint --endpoint-name /);
    expect(JSON.stringify(invoke?.Value)).toMatch(/max_new_tokens/);
    expect(Object.keys(outputs).some((k) => k.includes('EndpointNameOutput'))).toBe(true);
  });

  test('addOutputs at stack scope gives the plain logical IDs the recipes document', () => {
    const { stack } = testStack();
    new LmiEndpoint(stack, 'Llm', FALCON_G5).addOutputs({ scope: stack });
    expect(Object.keys(templateOf(stack).toJSON().Outputs).sort()).toEqual(['EndpointName', 'InvokeCommand']);
  });

  test('logical IDs of the endpoint, model, config and log group are stable', () => {
    const { endpoint, stack } = synth(FALCON_G5);
    expect([endpoint.cfnEndpoint, endpoint.cfnModel, endpoint.cfnEndpointConfig, endpoint.logGroup.node.defaultChild as CfnElement]
      .map((c) => stack.getLogicalId(c))).toEqual(['Llm20BDA581', 'LlmModel23CEEB0C', 'LlmEndpointConfigE9BDA6B9', 'LlmLogs53EC9D67']);
  });
});

describe('LmiEndpoint on Inferentia2', () => {
  test('snapshot of the Zephyr default on ml.inf2.8xlarge', () => {
    const { template } = synth(ZEPHYR_INF2);
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('Neuron environment: transformers-neuronx entry point, n_positions, auto rolling batch, TP 2', () => {
    const { template, endpoint } = synth(ZEPHYR_INF2);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Environment: {
          HF_MODEL_ID: 'HuggingFaceH4/zephyr-7b-beta',
          HF_REVISION: ZEPHYR_7B_BETA.revision,
          OPTION_ENTRYPOINT: 'djl_python.transformers_neuronx',
          OPTION_N_POSITIONS: '2048',
          OPTION_ROLLING_BATCH: 'auto',
          OPTION_MAX_ROLLING_BATCH_SIZE: '4',
          OPTION_DTYPE: 'fp16',
          TENSOR_PARALLEL_DEGREE: '2',
          OPTION_MODEL_LOADING_TIMEOUT: '3600',
        },
        Image: { 'Fn::Join': ['', Match.arrayWith(['/djl-inference:0.29.0-neuronx-sdk2.19.1'])] },
      },
    });
    expect(endpoint.backend).toBe(LmiBackend.NEURON);
  });

  test('EBS-only instance: volume size and a rotating, retained KMS key on the endpoint config', () => {
    const { template } = synth(ZEPHYR_INF2);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LlmVolumeKey'), 'Arn'] },
      ProductionVariants: [Match.objectLike({ VolumeSizeInGB: 256, InstanceType: 'ml.inf2.8xlarge' })],
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('an existing key is used instead of a new one', () => {
    const { stack } = testStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    new LmiEndpoint(stack, 'Llm', { ...ZEPHYR_INF2, encryptionKey: key });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyKey'), 'Arn'] },
    });
    // A caller's volume key is not taken for the logs: the construct makes its own log key.
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LlmLogKey'), 'Arn'] } });
  });

  test('the neuron image rule lists only regions with the neuronx image', () => {
    const { template } = synth(ZEPHYR_INF2);
    const mapping = Object.values(template.toJSON().Mappings as Record<string, Record<string, unknown>>)[0];
    expect(mapping['us-east-1']).toBeDefined();
    expect(mapping['af-south-1']).toBeUndefined();
    expect(mapping['us-west-1']).toBeUndefined();
  });

  test('GPU utilisation metrics are refused on Inferentia2, CPU is available', () => {
    const { endpoint } = synth(ZEPHYR_INF2);
    expect(() => endpoint.metricGpuUtilization()).toThrow(/no built-in Neuron utilisation metric/);
    expect(endpoint.metricCpuUtilization().namespace).toBe('/aws/sagemaker/Endpoints');
  });
});

describe('LmiEndpoint options', () => {
  test('S3 weights: ModelDataSource without compression, read on exactly the prefix, network isolated', () => {
    const { stack } = testStack();
    const bucket = new s3.Bucket(stack, 'Weights', {
      enforceSSL: true,
      serverAccessLogsPrefix: 'access-logs/',
      encryption: s3.BucketEncryption.S3_MANAGED,
    });
    acknowledgeFixture(bucket, 'NIST.800.53.R5-S3BucketPublicReadProhibited', 'NIST.800.53.R5-S3BucketPublicWriteProhibited',
      'NIST.800.53.R5-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketVersioningEnabled', 'NIST.800.53.R5-S3DefaultEncryptionKMS');
    new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, weights: ModelWeights.fromS3Prefix(bucket, 'models/falcon-40b/') });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      PrimaryContainer: {
        ModelDataSource: {
          S3DataSource: {
            S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('Weights') }, '/models/falcon-40b/']] },
            S3DataType: 'S3Prefix',
            CompressionType: 'None',
          },
        },
        Environment: Match.objectLike({ HF_MODEL_ID: Match.absent(), HF_REVISION: Match.absent() }),
      },
    });
    hasExecutionPolicy(template, {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadWeights',
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Weights'), 'Arn'] }, '/models/falcon-40b/*']] },
          }),
          Match.objectLike({
            Sid: 'ListWeights',
            Action: 's3:ListBucket',
            Condition: { StringLike: { 's3:prefix': ['models/falcon-40b/*'] } },
          }),
        ]),
      },
    });
  });

  test('S3 weights in an imported SSE-KMS bucket: kms:Decrypt on the given key', () => {
    const { stack } = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Weights', 'team-weights');
    const key = kms.Key.fromKeyArn(stack, 'WeightsKey', 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555');
    new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, weights: ModelWeights.fromS3Prefix(bucket, 'falcon/', { key }) });
    const template = templateOf(stack);
    // The weights source grants through bind(): into the role's inline policy, like every other grant.
    hasExecutionPolicy(template, {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555',
        })]),
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('VPC: private subnets, a security group without ingress, ENI permissions', () => {
    const { stack } = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');
    acknowledgeFixture(vpc, ...NIST_DEFAULT_VPC);
    const endpoint = new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, vpc });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      VpcConfig: {
        Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }]),
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('LlmSecurityGroup'), 'GroupId'] }],
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('LMI endpoint'),
      SecurityGroupIngress: Match.absent(),
    });
    hasExecutionPolicy(template, {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ModelInVpc', Action: Match.arrayWith(['ec2:CreateNetworkInterface']) })]) },
    });
    expect(stack.resolve(endpoint.connections?.securityGroups.map((sg) => sg.securityGroupId)))
      .toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^LlmSecurityGroup/), 'GroupId'] }]);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  test('autoscaling on the high-resolution concurrency metric, target 3/4 of the batch, scaled count kept across updates', () => {
    const { template } = synth({ ...FALCON_G5, autoScaling: { maxCapacity: 3 } });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'sagemaker',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 1,
      MaxCapacity: 3,
      ResourceId: { 'Fn::Join': ['', ['endpoint/', { 'Fn::GetAtt': [Match.anyValue(), 'EndpointName'] }, '/variant/AllTraffic']] },
    });
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { RetainAllVariantProperties: true });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      RoleARN: { 'Fn::Join': ['', Match.arrayWith([':role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint'])] },
    });
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' },
        TargetValue: 48,
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
      },
    });
  });

  test('addAlarms: 5xx and p90 latency near the 60 s invocation limit (microseconds), no action unless given', () => {
    const { stack } = testStack();
    new LmiEndpoint(stack, 'Llm', FALCON_G5).addAlarms();
    const template = templateOf(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocation5XXErrors', Namespace: 'AWS/SageMaker', Statistic: 'Sum', Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ModelLatency', ExtendedStatistic: 'p90', Threshold: 50_000_000,
      Dimensions: Match.arrayWith([{ Name: 'VariantName', Value: 'AllTraffic' }]),
    });
  });

  test('metrics carry the endpoint and variant dimensions', () => {
    const { endpoint, stack } = synth(FALCON_G5);
    const m = endpoint.metricInvocations();
    expect(m.namespace).toBe('AWS/SageMaker');
    expect(m.statistic).toBe('Sum');
    expect(stack.resolve(m.dimensions)).toEqual({
      EndpointName: { 'Fn::GetAtt': [expect.any(String), 'EndpointName'] },
      VariantName: 'AllTraffic',
    });
    expect(endpoint.metricModelLatency().metricName).toBe('ModelLatency');
    expect(endpoint.metricInvocation4xxErrors().metricName).toBe('Invocation4XXErrors');
    expect(endpoint.metricGpuUtilization().namespace).toBe('/aws/sagemaker/Endpoints');
    expect(endpoint.metricGpuMemoryUtilization().metricName).toBe('GPUMemoryUtilization');
    expect(endpoint.metricConcurrentRequestsPerModel().statistic).toBe('Maximum');
  });

  test('grantInvoke gives sagemaker:InvokeEndpoint on exactly this endpoint', () => {
    const { stack } = testStack();
    const endpoint = new LmiEndpoint(stack, 'Llm', FALCON_G5);
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    acknowledgeFixture(caller, 'NIST.800.53.R5-IAMNoInlinePolicy');
    endpoint.grantInvoke(caller);
    templateOf(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('Caller') }],
      PolicyDocument: { Statement: [{ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('Llm') } }] },
    });
  });

  test('an existing role is used and gets the grants; no role is created', () => {
    const { stack } = testStack();
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'test: ECR login and metrics need *' });
    acknowledgeFixture(role, 'NIST.800.53.R5-IAMNoInlinePolicy');
    const endpoint = new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, role });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
    expect(endpoint.role).toBe(role);
    template.hasResourceProperties('AWS::SageMaker::Model', { ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyRole'), 'Arn'] } });
  });

  test('explicit settings reach the container and the variant', () => {
    const { template } = synth({
      model: ZEPHYR_7B_BETA,
      instanceType: LmiInstanceType.of('ml.g5.12xlarge'),
      tensorParallelDegree: 2,
      dtype: LmiDtype.FP16,
      maxRollingBatchSize: 32,
      maxSequenceLength: 1024,
      modelLoadingTimeout: Duration.minutes(30),
      containerStartupHealthCheckTimeout: Duration.minutes(40),
      modelDataDownloadTimeout: Duration.minutes(20),
      instanceCount: 2,
      variantName: 'Blue',
      image: LmiImage.fromCatalog(LmiBackend.GPU, '0.33.0-lmi15.0.0-cu128'),
      environment: { OPTION_GPU_MEMORY_UTILIZATION: '0.85' },
    });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Environment: Match.objectLike({
          TENSOR_PARALLEL_DEGREE: '2', OPTION_DTYPE: 'fp16', OPTION_MAX_ROLLING_BATCH_SIZE: '32',
          OPTION_MAX_MODEL_LEN: '1024', OPTION_MODEL_LOADING_TIMEOUT: '1800', OPTION_GPU_MEMORY_UTILIZATION: '0.85',
        }),
        Image: { 'Fn::Join': ['', Match.arrayWith(['/djl-inference:0.33.0-lmi15.0.0-cu128'])] },
      },
    });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({
        VariantName: 'Blue', InitialInstanceCount: 2,
        ContainerStartupHealthCheckTimeoutInSeconds: 2400, ModelDataDownloadTimeoutInSeconds: 1200,
      })],
    });
  });

  test('lmi-dist is accepted on a 0.32.0 image', () => {
    const { template } = synth({ ...FALCON_G5, rollingBatch: RollingBatch.LMI_DIST, image: LmiImage.fromCatalog(LmiBackend.GPU, '0.32.0-lmi14.0.0-cu126') });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: { Environment: Match.objectLike({ OPTION_ROLLING_BATCH: 'lmi-dist' }) },
    });
  });

  test('a fixed endpoint name is passed through', () => {
    const { template } = synth({ ...FALCON_G5, endpointName: 'falcon-40b' });
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'falcon-40b' });
  });
});

describe('LmiEndpoint with deploy-time values', () => {
  test('token counts, bounds, timeouts, volume and revision are passed through unchecked', () => {
    const { stack } = testStack();
    const count = new CfnParameter(stack, 'Count', { type: 'Number', default: 1 }).valueAsNumber;
    const max = new CfnParameter(stack, 'Max', { type: 'Number', default: 2 }).valueAsNumber;
    const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number', default: 1800 }).valueAsNumber;
    const gib = new CfnParameter(stack, 'Gib', { type: 'Number', default: 256 }).valueAsNumber;
    const revision = new CfnParameter(stack, 'Revision', { default: ZEPHYR_7B_BETA.revision }).valueAsString;
    new LmiEndpoint(stack, 'Llm', {
      ...ZEPHYR_INF2,
      instanceCount: count,
      autoScaling: { minCapacity: count, maxCapacity: max },
      containerStartupHealthCheckTimeout: Duration.seconds(seconds),
      modelLoadingTimeout: Duration.seconds(seconds),
      volumeSize: Size.gibibytes(gib),
      weights: ModelWeights.fromHuggingFace({ revision }),
    });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({
        InitialInstanceCount: { Ref: 'Count' }, VolumeSizeInGB: { Ref: 'Gib' }, ContainerStartupHealthCheckTimeoutInSeconds: { Ref: 'Seconds' },
      })],
    });
    template.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { Environment: Match.objectLike({ HF_REVISION: { Ref: 'Revision' } }) } });
  });

  test('throws when a sizing input is a token', () => {
    const { stack } = testStack();
    const tp = new CfnParameter(stack, 'Tp', { type: 'Number' }).valueAsNumber;
    expect(() => new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, tensorParallelDegree: tp }))
      .toThrow(/tensorParallelDegree: must be a literal number, since the model is sized at synth time/);
  });
});

describe('LmiEndpoint refuses bad input at synth', () => {
  test.each([logs.RetentionDays.INFINITE, 42])('throws when logRetention is %p: logs are never kept forever', (days) => {
    expect(build({ ...FALCON_G5, logRetention: days })).toThrow(new RegExp(`logRetention: ${days} is not a logs\\.RetentionDays value .*INFINITE included`));
  });

  test('throws for fractional timeouts and volumes, naming the prop', () => {
    expect(build({ ...FALCON_G5, containerStartupHealthCheckTimeout: Duration.millis(90500), modelLoadingTimeout: Duration.seconds(60) }))
      .toThrow(/containerStartupHealthCheckTimeout: 90\.5 s must be a whole number of seconds/);
    expect(build({ ...ZEPHYR_INF2, volumeSize: Size.mebibytes(300000) })).toThrow(/volumeSize: 292\.96875 GiB must be a whole number of GiB/);
  });

  test('throws for a ModelWeights source whose bind gives the model no weights', () => {
    class Nowhere extends ModelWeights { public bind() { return {}; } }
    expect(build({ ...FALCON_G5, weights: new Nowhere() })).toThrow(/weights: the source gave neither an S3 prefix nor a Hub download/);
  });

  test('throws when Falcon is asked for on Inferentia2', () => {
    expect(build({ model: FALCON_40B, instanceType: LmiInstanceType.of('ml.inf2.48xlarge'), volumeSize: Size.gibibytes(512) }))
      .toThrow(/model: falcon-40b cannot be served on ml\.inf2\.48xlarge.*transformers-neuronx has no Falcon model/);
  });

  test('throws when the model does not fit the device memory, with the numbers', () => {
    expect(build({ model: FALCON_40B, instanceType: LmiInstanceType.of('ml.g5.12xlarge') }))
      .toThrow(/instanceType: falcon-40b does not fit ml\.g5\.12xlarge with tensor-parallel degree 4: needs \d+\.\d GiB \(weights 77\.9 \+ KV cache .* but 4 x NVIDIA A10G offer 80\.5 GiB.*cheapest gpu instance it fits is ml\.g6\.48xlarge/);
  });

  test('throws when the tensor-parallel degree does not divide the heads', () => {
    expect(build({ ...FALCON_G5, tensorParallelDegree: 3 }))
      .toThrow(/tensorParallelDegree: 3 is not valid for falcon-40b on ml\.g5\.48xlarge: it must divide the 128 attention heads.*\(valid: 1, 2, 4, 8\)/);
  });

  test('throws when the tensor-parallel degree exceeds the devices', () => {
    expect(build({ model: FALCON_7B, instanceType: LmiInstanceType.of('ml.g5.12xlarge'), tensorParallelDegree: 71 }))
      .toThrow(/tensorParallelDegree: 71 .*not exceed the 4 GPUs \(valid: 1\)/);
  });

  test('throws when a volume size is given on an NVMe instance', () => {
    expect(build({ ...FALCON_G5, volumeSize: Size.gibibytes(100) }))
      .toThrow(/volumeSize: ml\.g5\.48xlarge has local NVMe storage and SageMaker rejects VolumeSizeInGB/);
  });

  test('throws when a KMS key is given on an NVMe instance', () => {
    const { stack } = testStack();
    const key = new kms.Key(stack, 'Key');
    expect(() => new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, encryptionKey: key }))
      .toThrow(/encryptionKey: ml\.g5\.48xlarge has local NVMe storage and SageMaker rejects an endpoint-config KmsKeyId/);
  });

  test('throws when the volume is missing on inf2', () => {
    expect(build({ model: ZEPHYR_7B_BETA, instanceType: LmiInstanceType.of('ml.inf2.8xlarge') }))
      .toThrow(/volumeSize: ml\.inf2\.8xlarge is EBS-only and needs an ML storage volume of 14\.\.512 GiB/);
  });

  test('throws when the volume is outside 1..512 GiB or smaller than the weights', () => {
    expect(build({ ...ZEPHYR_INF2, volumeSize: Size.gibibytes(1024) })).toThrow(/volumeSize: 1024 GiB is outside SageMaker's 1\.\.512 GiB/);
    expect(build({ ...ZEPHYR_INF2, volumeSize: Size.gibibytes(8) })).toThrow(/volumeSize: 8 GiB cannot hold zephyr-7b-beta's 14 GiB of weights/);
  });

  test('throws when a timeout is outside 60..3600 s', () => {
    expect(build({ ...FALCON_G5, containerStartupHealthCheckTimeout: Duration.seconds(30), modelLoadingTimeout: Duration.seconds(20) }))
      .toThrow(/containerStartupHealthCheckTimeout: 30 s is outside SageMaker's 60\.\.3600 s/);
    expect(build({ ...FALCON_G5, modelDataDownloadTimeout: Duration.hours(2) }))
      .toThrow(/modelDataDownloadTimeout: 7200 s is outside SageMaker's 60\.\.3600 s/);
  });

  test('throws when the health check is shorter than the model loading timeout', () => {
    expect(build({ ...FALCON_G5, containerStartupHealthCheckTimeout: Duration.minutes(10), modelLoadingTimeout: Duration.minutes(20) }))
      .toThrow(/containerStartupHealthCheckTimeout: 600 s is shorter than modelLoadingTimeout 1200 s/);
  });

  test('throws for an unknown image tag, naming the supported ones', () => {
    expect(build({ ...FALCON_G5, image: LmiImage.fromCatalog(LmiBackend.GPU, '0.29.0-neuronx-sdk2.19.1') }))
      .toThrow(/image: '0\.29\.0-neuronx-sdk2\.19\.1' is not a supported gpu LMI tag; supported: 0\.36\.0-lmi27\.0\.0-cu130/);
    expect(build({ ...FALCON_G5, image: LmiImage.fromCatalog(LmiBackend.NEURON) }))
      .toThrow(/image: a neuron LMI image cannot run on ml\.g5\.48xlarge, a gpu instance; use LmiImage\.fromCatalog\(LmiBackend\.GPU\)/);
  });

  test('throws for lmi-dist on an image that no longer has it', () => {
    expect(build({ ...FALCON_G5, rollingBatch: RollingBatch.LMI_DIST }))
      .toThrow(/rollingBatch: 'lmi-dist' was removed after container 0\.32\.0, and the image is 0\.35\.0/);
  });

  test('throws for a GPU-only rolling batch on Neuron', () => {
    expect(build({ ...ZEPHYR_INF2, rollingBatch: RollingBatch.VLLM })).toThrow(/rollingBatch: 'vllm' does not run on neuron/);
  });

  test('throws when instance count and autoscaling bounds contradict', () => {
    expect(build({ ...FALCON_G5, instanceCount: 4, autoScaling: { minCapacity: 1, maxCapacity: 2 } }))
      .toThrow(/instanceCount: 4 must lie within autoScaling 1\.\.2/);
    expect(build({ ...FALCON_G5, autoScaling: { minCapacity: 3, maxCapacity: 2 } }))
      .toThrow(/autoScaling\.maxCapacity: 2 must be a whole number of at least minCapacity 3/);
    expect(build({ ...FALCON_G5, autoScaling: { minCapacity: 0, maxCapacity: 2 } }))
      .toThrow(/autoScaling\.minCapacity: 0 must be a whole number of at least 1/);
    expect(build({ ...FALCON_G5, instanceCount: 0 })).toThrow(/instanceCount: 0 must be a whole number of at least 1/);
  });

  test('throws for an instance type the catalog does not know', () => {
    expect(build({ model: FALCON_40B, instanceType: LmiInstanceType.of('ml.m5.large') })).toThrow(/instanceType: 'ml\.m5\.large' is not in the catalog; known: ml\.g5\.12xlarge.*LmiInstanceType\.of\(name, facts\)/);
  });

  test('throws for a gated model loaded from the Hub', () => {
    expect(build({ model: MISTRAL_7B_INSTRUCT_V02, instanceType: LmiInstanceType.of('ml.g5.12xlarge') }))
      .toThrow(/weights: mistralai\/Mistral-7B-Instruct-v0\.2 is gated .* ModelWeights\.fromS3Prefix/);
  });

  test('throws for network isolation with Hub weights', () => {
    expect(build({ ...FALCON_G5, networkIsolation: true })).toThrow(/networkIsolation: true blocks the container from downloading Hugging Face weights/);
  });

  test('throws for an S3 prefix that is not a folder', () => {
    const { stack } = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'my-weights');
    expect(() => new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, weights: ModelWeights.fromS3Prefix(bucket, '/falcon') }))
      .toThrow(/weights: S3 prefix '\/falcon' must be a folder key/);
  });

  test('throws for an unpinned or malformed revision', () => {
    expect(build({ ...FALCON_G5, weights: ModelWeights.fromHuggingFace({ revision: 'main' }) }))
      .toThrow(/weights: revision 'main' must be a 40-hex-digit Hub commit/);
  });

  test('throws for a sequence length beyond the model context and a bad batch size', () => {
    expect(build({ ...FALCON_G5, maxSequenceLength: 4096 })).toThrow(/maxSequenceLength: 4096 must be a whole number from 1 to falcon-40b's context length 2048/);
    expect(build({ ...FALCON_G5, maxRollingBatchSize: 0 })).toThrow(/maxRollingBatchSize: 0 must be a whole number of at least 1/);
  });

  test('throws when subnets or security groups come without a vpc', () => {
    const { stack } = testStack();
    const vpc = new ec2.Vpc(stack, 'Other', { maxAzs: 1 });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    expect(() => new LmiEndpoint(stack, 'A', { ...FALCON_G5, securityGroups: [sg] })).toThrow(/securityGroups: only used with vpc/);
    expect(() => new LmiEndpoint(stack, 'B', { ...FALCON_G5, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).toThrow(/vpcSubnets: only used with vpc/);
  });

  test('throws for invalid names and for environment keys set by typed props', () => {
    expect(build({ ...FALCON_G5, variantName: 'all_traffic' })).toThrow(/variantName: 'all_traffic' must match/);
    expect(build({ ...FALCON_G5, endpointName: 'x'.repeat(64) })).toThrow(/endpointName: 'x{64}' must match/);
    expect(build({ ...FALCON_G5, environment: { TENSOR_PARALLEL_DEGREE: '2' } })).toThrow(/environment: TENSOR_PARALLEL_DEGREE is set \(or overridden\) by a typed prop/);
    expect(build({ ...FALCON_G5, environment: { OPTION_TENSOR_PARALLEL_SIZE: '2' } })).toThrow(/environment: OPTION_TENSOR_PARALLEL_SIZE is set \(or overridden\)/);
    expect(build({ ...FALCON_G5, environment: { HF_TOKEN: 'hf_x' } })).toThrow(/environment: HF_TOKEN would put a secret in the template in plain text/);
  });

  test('throws for a custom model spec with an unknown dtype, backend or repository id', () => {
    const odd = { ...FALCON_7B, name: 'odd', dtype: 'fp8', backends: ['tpu'], huggingFaceId: 'falcon 7b' } as unknown as ModelSpec;
    expect(build({ model: odd, instanceType: LmiInstanceType.of('ml.g5.12xlarge') }))
      .toThrow(/model\.backends: 'tpu' is not one of gpu, neuron\n- model\.dtype: 'fp8' is not one of fp16, bf16\n- model\.huggingFaceId: 'falcon 7b' must be a Hugging Face repository id/);
  });

  test('throws for a custom model spec with impossible numbers, reporting every problem at once', () => {
    const broken: ModelSpec = { ...FALCON_7B, name: 'broken', kvHeads: 3, hiddenSize: 4545, revision: 'abc' };
    expect(build({ model: broken, instanceType: LmiInstanceType.of('ml.g5.12xlarge') }))
      .toThrow(/model\.kvHeads: 3 must divide attentionHeads 71\n- model\.hiddenSize: 4545 must be a multiple of attentionHeads 71\n- model\.revision: 'abc'/);
  });

  test('throws when a stack with a concrete region lacks the image', () => {
    expect(build(ZEPHYR_INF2, { region: 'af-south-1' }))
      .toThrow(/the neuron LMI image 0\.29\.0-neuronx-sdk2\.19\.1 is not published in af-south-1; regions with it: ap-northeast-1/);
  });
});

test('two endpoints in one stack do not collide', () => {
  const { stack } = testStack();
  new LmiEndpoint(stack, 'A', FALCON_G5);
  new LmiEndpoint(stack, 'B', { model: FALCON_7B, instanceType: LmiInstanceType.of('ml.g5.12xlarge') });
  const template = templateOf(stack);
  template.resourceCountIs('AWS::SageMaker::Endpoint', 2);
  const names = Object.values(template.findResources('AWS::SageMaker::Endpoint')).map((r) => (r as { Properties: { EndpointName: string } }).Properties.EndpointName);
  expect(new Set(names).size).toBe(2);
  template.resourceCountIs('AWS::Logs::LogGroup', 2);
  // Both serve the same GPU image: the stack holds one mapping and one region rule for them.
  expect(Object.keys(template.toJSON().Mappings)).toEqual(['LmiImageAccountsGpu']);
  expect(Object.keys(template.toJSON().Rules).filter((k) => k.startsWith('LmiImageRegions'))).toEqual(['LmiImageRegionsGpu0350lmi1700cu128']);
});

test('GPU and Neuron endpoints in one stack get one mapping and one rule each', () => {
  const { stack } = testStack();
  new LmiEndpoint(stack, 'A', FALCON_G5);
  new LmiEndpoint(stack, 'B', ZEPHYR_INF2);
  const json = templateOf(stack).toJSON();
  expect(Object.keys(json.Mappings).sort()).toEqual(['LmiImageAccountsGpu', 'LmiImageAccountsNeuron']);
  expect(Object.keys(json.Rules).filter((k) => k.startsWith('LmiImageRegions'))).toHaveLength(2);
});

test('endpoints of two stacks on one catalog image: each stack holds its own mapping, rule and repository ARN', () => {
  // GIVEN one image object bound in two stacks, the second with a literal region
  const image = LmiImage.fromCatalog(LmiBackend.GPU);
  const { stack: first } = testStack();
  const { stack: second } = testStack({ region: 'eu-west-1' });
  // WHEN
  new LmiEndpoint(first, 'A', { ...FALCON_G5, image });
  new LmiEndpoint(first, 'B', { ...FALCON_G5, image });
  new LmiEndpoint(second, 'A', { ...FALCON_G5, image });
  // THEN the first stack maps the account by region; the second names it literally
  const imageRules = (template: Template) => Object.keys(template.toJSON().Rules).filter((k) => k.startsWith('LmiImageRegions'));
  const mapped = templateOf(first);
  expect(Object.keys(mapped.toJSON().Mappings)).toEqual(['LmiImageAccountsGpu']);
  expect(imageRules(mapped)).toHaveLength(1);
  const pullResources = (template: Template) => Object.values(template.findResources('AWS::IAM::Role')).map((role) => {
    const statements = (role as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Sid?: string; Resource: unknown }> } }> } })
      .Properties.Policies[0].PolicyDocument.Statement;
    return statements.find((s) => s.Sid === 'PullLmiImage')?.Resource;
  });
  const [a, b] = pullResources(mapped);
  expect(JSON.stringify(a)).toContain('"Fn::FindInMap":["LmiImageAccountsGpu"');
  expect(b).toEqual(a);
  const literal = templateOf(second);
  expect(literal.toJSON().Mappings).toBeUndefined();
  expect(imageRules(literal)).toEqual([]);
  const tag = LMI_IMAGES[LmiBackend.GPU].defaultTag;
  expect(pullResources(literal)).toEqual([`arn:aws:ecr:eu-west-1:${imageAccount(LmiBackend.GPU, tag, 'eu-west-1')}:repository/${LMI_REPOSITORY}`]);
  const uri = imageUri(LmiBackend.GPU, tag, 'eu-west-1');
  expect(uri).toMatch(/^\d{12}\.dkr\.ecr\.eu-west-1\.amazonaws\.com\//);
  literal.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { Image: uri } });
});

test('throws when the stack already has a child with the ID of the shared image mapping', () => {
  const { stack } = testStack();
  new Construct(stack, 'LmiImageAccountsGpu');
  expect(() => new LmiEndpoint(stack, 'Llm', FALCON_G5)).toThrow(/already has a child 'LmiImageAccountsGpu' that is not a CfnMapping/);
});

describe('LmiEndpoint log group', () => {
  test('named after the endpoint, one-year retention, KMS-encrypted, deleted with the stack, and created before the endpoint', () => {
    const { template } = synth(FALCON_G5);
    const endpoints = template.findResources('AWS::SageMaker::Endpoint');
    const [endpointId] = Object.keys(endpoints);
    const endpointName = (endpoints[endpointId] as { Properties: { EndpointName: string } }).Properties.EndpointName;
    expect(endpointName).toMatch(/^teststack-llm-[0-9a-f]{8}$/);
    const groups = template.findResources('AWS::Logs::LogGroup');
    const [groupId] = Object.keys(groups);
    expect(groups[groupId]).toMatchObject({
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: { LogGroupName: `/aws/sagemaker/Endpoints/${endpointName}`, RetentionInDays: 365 },
    });
    expect((endpoints[endpointId] as { DependsOn: string[] }).DependsOn).toContain(groupId);
  });

  test('the key policy lets CloudWatch Logs use the key for exactly this log group', () => {
    const { template } = synth(FALCON_G5);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'CloudWatchLogsEndpointLogGroup',
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Action: ['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          Condition: {
            ArnEquals: {
              'kms:EncryptionContext:aws:logs:arn': {
                'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:/aws/sagemaker/Endpoints/teststack-llm-[0-9a-f]{8}$')])],
              },
            },
          },
        })]),
      },
    });
  });

  test('on an EBS-only instance the volume key also encrypts the logs', () => {
    const { template } = synth(ZEPHYR_INF2);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LlmVolumeKey'), 'Arn'] } });
  });

  test('logRetention, logEncryptionKey and endpointName are honoured', () => {
    const { stack } = testStack();
    const key = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true });
    new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, endpointName: 'team-falcon', logRetention: logs.RetentionDays.ONE_MONTH, logEncryptionKey: key });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'team-falcon' });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/sagemaker/Endpoints/team-falcon',
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'CloudWatchLogsEndpointLogGroup' })]) },
    });
  });

  test('the endpoint log group, whose name is fixed, is deleted with the stack unless logRemovalPolicy says otherwise', () => {
    const { stack } = testStack();
    new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, endpointName: 'a' });
    new LmiEndpoint(stack, 'Kept', { ...FALCON_G5, endpointName: 'b', logRemovalPolicy: RemovalPolicy.RETAIN });
    const groups = Object.values(templateOf(stack).findResources('AWS::Logs::LogGroup'));
    const policyOf = (name: string) => groups.find((g) => g.Properties.LogGroupName === `/aws/sagemaker/Endpoints/${name}`)?.DeletionPolicy;
    expect(policyOf('a')).toBe('Delete');
    expect(policyOf('b')).toBe('Retain');
  });

  test('an imported log key, whose policy cannot be extended, gets a warning', () => {
    const { stack } = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const endpoint = new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, logEncryptionKey: key });
    Annotations.fromStack(stack).hasWarning(`/${endpoint.node.path}`, Match.stringLikeRegexp('logEncryptionKey is imported'));
  });

  test('default endpoint names stay within 63 characters and differ between stacks of the same construct path', () => {
    const app = createRecipeApp();
    const long = new Stack(app, 'A'.repeat(80));
    const other = new Stack(app, 'Other', { stackName: 'Other-name' });
    const a = new LmiEndpoint(long, 'Endpoint-with-a-very-long-construct-id-indeed', FALCON_G5);
    const b = new LmiEndpoint(other, 'Endpoint-with-a-very-long-construct-id-indeed', FALCON_G5);
    const nameOf = (e: LmiEndpoint) => Stack.of(e).resolve(e.cfnEndpoint.endpointName) as string;
    for (const name of [nameOf(a), nameOf(b)]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
    }
    expect(nameOf(b)).toMatch(/^other-name-endpoint-with/);
    expect(nameOf(a)).not.toBe(nameOf(b));
  });
});
