import { type CfnElement, Duration, Lazy, Size } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { LmiBackend, LmiEndpoint, LmiImage, LmiInstanceType, ModelWeights, type ILmiEndpoint, type LmiEndpointProps, type ModelWeightsConfig } from '../../constructs';
import { FALCON_40B, ZEPHYR_7B_BETA } from '../../constructs/catalog';
import { PropErrors } from '../../constructs/private/validation';
import { templateOf, testStack } from '../util/synth';
import { acknowledgeFixture } from '../util/nag-fixtures';

const FALCON_G5: LmiEndpointProps = { model: FALCON_40B, instanceType: LmiInstanceType.G5_48XLARGE };

function executionPolicyStatements(template: Template): Array<Record<string, unknown>> {
  const roles = template.findResources('AWS::IAM::Role', { Properties: { Policies: [Match.objectLike({ PolicyName: 'Execution' })] } });
  const [role] = Object.values(roles) as Array<{ Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<Record<string, unknown>> } }> } }>;
  return role.Properties.Policies[0].PolicyDocument.Statement;
}

describe('importers', () => {
  test('fromEndpointName builds the ARN in the stack account and region; metrics and grants work', () => {
    const { stack } = testStack({ region: 'us-west-2', account: '111122223333' });
    const endpoint: ILmiEndpoint = LmiEndpoint.fromEndpointName(stack, 'Imported', 'team-llm');
    expect(endpoint.endpointArn).toBe('arn:aws:sagemaker:us-west-2:111122223333:endpoint/team-llm');
    expect(endpoint.variantName).toBe('AllTraffic');
    expect(stack.resolve(endpoint.metricInvocations().dimensions)).toEqual({ EndpointName: 'team-llm', VariantName: 'AllTraffic' });
    expect(endpoint.metricGpuUtilization().metricName).toBe('GPUUtilization');
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    acknowledgeFixture(caller, 'NIST.800.53.R5-IAMNoInlinePolicy');
    endpoint.grantInvoke(caller);
    templateOf(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sagemaker:InvokeEndpoint', Resource: 'arn:aws:sagemaker:us-west-2:111122223333:endpoint/team-llm' })] },
    });
  });

  test('fromEndpointArn reads the name from the ARN; fromEndpointAttributes takes variant and backend', () => {
    const { stack } = testStack();
    const byArn = LmiEndpoint.fromEndpointArn(stack, 'ByArn', 'arn:aws:sagemaker:eu-west-1:111122223333:endpoint/other-llm');
    expect(byArn.endpointName).toBe('other-llm');
    expect(byArn.env.region).toBe('eu-west-1');
    const inf2 = LmiEndpoint.fromEndpointAttributes(stack, 'Inf2', { endpointName: 'Inf2-LLM', variantName: 'Blue', backend: LmiBackend.NEURON });
    expect(inf2.variantName).toBe('Blue');
    expect(inf2.metricCpuUtilization().namespace).toBe('/aws/sagemaker/Endpoints');
    expect(() => inf2.metricGpuUtilization()).toThrow(/GPUUtilization is not published for Inferentia2 endpoints/);
  });

  test('throws when neither a name nor an ARN is given', () => {
    const { stack } = testStack();
    expect(() => LmiEndpoint.fromEndpointAttributes(stack, 'Nothing', {})).toThrow(/endpointName: give endpointName or endpointArn/);
  });

  test('an imported endpoint is an aws-cdk-lib IEndpoint with an endpointRef', () => {
    const { stack } = testStack();
    const endpoint: sagemaker.IEndpoint = LmiEndpoint.fromEndpointName(stack, 'Imported', 'team-llm');
    expect(stack.resolve(endpoint.endpointRef.endpointArn)).toEqual(stack.resolve(endpoint.endpointArn));
  });
});

describe('LmiEndpoint as a principal and its attributes', () => {
  const { stack } = testStack();
  const endpoint = new LmiEndpoint(stack, 'Llm', FALCON_G5);
  const prompts = s3.Bucket.fromBucketName(stack, 'Prompts', 'team-prompts');
  prompts.grantRead(endpoint, 'templates/*');
  // The test's own grant, with the wildcards grantRead writes.
  acknowledgeFixture(endpoint.role, 'AwsSolutions-IAM5[Action::s3:GetBucket*]', 'AwsSolutions-IAM5[Action::s3:GetObject*]',
    'AwsSolutions-IAM5[Action::s3:List*]', 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::team-prompts/templates/*]');
  const template = templateOf(stack);

  test('bucket.grantRead(endpoint) grants its execution role', () => {
    expect(endpoint.grantPrincipal).toBe(endpoint.role);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.resolve((endpoint.role.node.defaultChild as iam.CfnRole).logicalId) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })] },
    });
  });

  test('model, endpoint config and endpoint attributes resolve to the L1s', () => {
    expect(stack.resolve(endpoint.modelName)).toEqual({ 'Fn::GetAtt': ['LlmModel23CEEB0C', 'ModelName'] });
    expect(stack.resolve(endpoint.modelArn)).toEqual({ Ref: 'LlmModel23CEEB0C' });
    expect(stack.resolve(endpoint.endpointConfigName)).toEqual({ 'Fn::GetAtt': ['LlmEndpointConfigE9BDA6B9', 'EndpointConfigName'] });
    expect(stack.resolve(endpoint.endpointConfigArn)).toEqual({ Ref: 'LlmEndpointConfigE9BDA6B9' });
    expect(stack.resolve(endpoint.endpointArn)).toEqual({ Ref: 'Llm20BDA581' });
  });

  test('every metric says its namespace and default statistic', () => {
    const cases: Array<[string, ReturnType<LmiEndpoint['metric']>, string, string]> = [
      ['InvocationsPerInstance', endpoint.metricInvocationsPerInstance(), 'AWS/SageMaker', 'Sum'],
      ['OverheadLatency', endpoint.metricOverheadLatency(), 'AWS/SageMaker', 'Average'],
      ['Invocation5XXErrors', endpoint.metricInvocation5xxErrors(), 'AWS/SageMaker', 'Sum'],
      ['MemoryUtilization', endpoint.metricMemoryUtilization(), '/aws/sagemaker/Endpoints', 'Average'],
      ['DiskUtilization', endpoint.metricDiskUtilization(), '/aws/sagemaker/Endpoints', 'Average'],
      ['CPUUtilization', endpoint.metricCpuUtilization(), '/aws/sagemaker/Endpoints', 'Average'],
    ];
    for (const [name, metric, namespace, statistic] of cases) {
      expect([metric.metricName, metric.namespace, metric.statistic]).toEqual([name, namespace, statistic]);
      expect(metric.period.toMinutes()).toBe(5);
    }
  });
});

describe('addAlarms', () => {
  test('actions go to both alarms for alarm and OK; thresholds are honoured', () => {
    const { stack } = testStack();
    const endpoint = new LmiEndpoint(stack, 'Llm', FALCON_G5);
    const topic = sns.Topic.fromTopicArn(stack, 'Ops', 'arn:aws:sns:us-east-1:111122223333:ops');
    const alarms = endpoint.addAlarms({ actions: [new actions.SnsAction(topic)], errorThreshold: 5, latencyThreshold: Duration.seconds(30), latencyEvaluationPeriods: 2 });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocation5XXErrors', Threshold: 5, AlarmActions: ['arn:aws:sns:us-east-1:111122223333:ops'], OKActions: ['arn:aws:sns:us-east-1:111122223333:ops'],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ModelLatency', Threshold: 30_000_000, EvaluationPeriods: 2 });
    // Pinned: alarms keep the logical IDs the alarms flag gave them.
    expect(stack.getLogicalId(alarms.errorAlarm.node.defaultChild as CfnElement)).toBe('LlmErrorAlarmE84DBB95');
    expect(stack.getLogicalId(alarms.latencyAlarm.node.defaultChild as CfnElement)).toBe('LlmLatencyAlarmA82BE0ED');
  });

  test('throws for bad thresholds and a second call', () => {
    const { stack } = testStack();
    const endpoint = new LmiEndpoint(stack, 'Llm', FALCON_G5);
    expect(() => endpoint.addAlarms({ errorThreshold: 0, latencyThreshold: Duration.seconds(90), latencyEvaluationPeriods: 0.5 }))
      .toThrow(/errorThreshold: 0 must be at least 1\n- latencyThreshold: 1 minute 30 seconds must be above 0 and at most the 60 s invocation limit\n- latencyEvaluationPeriods: 0\.5/);
    endpoint.addAlarms();
    expect(() => endpoint.addAlarms()).toThrow(/addAlarms: called twice/);
  });
});

describe('autoScaleInstanceCount', () => {
  test('returns a scalable attribute for concurrency tracking and schedules', () => {
    const { stack } = testStack();
    const endpoint = new LmiEndpoint(stack, 'Llm', FALCON_G5);
    const scaling = endpoint.autoScaleInstanceCount({ maxCapacity: 4 });
    scaling.scaleOnConcurrentRequests('Concurrency', { targetConcurrentRequestsPerModel: 20 });
    scaling.scaleOnSchedule('Night', { schedule: appscaling.Schedule.cron({ hour: '20', minute: '0' }), maxCapacity: 1 });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1, MaxCapacity: 4,
      ScheduledActions: [Match.objectLike({ ScalableTargetAction: { MaxCapacity: 1 }, Schedule: 'cron(0 20 * * ? *)' })],
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' }, TargetValue: 20,
      }),
    });
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { RetainAllVariantProperties: true });
    expect(Object.keys(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'))).toEqual(['LlmInstanceCountTarget4129DB44']);
  });

  test('throws for a bad range, a bad target and a second call', () => {
    const { stack } = testStack();
    const endpoint = new LmiEndpoint(stack, 'Llm', FALCON_G5);
    expect(() => endpoint.autoScaleInstanceCount({ minCapacity: 0, maxCapacity: 2 })).toThrow(/minCapacity: 0 must be a whole number of at least 1/);
    const scaling = endpoint.autoScaleInstanceCount({ maxCapacity: 2 });
    expect(() => scaling.scaleOnConcurrentRequests('Bad', { targetConcurrentRequestsPerModel: 0 })).toThrow(/targetConcurrentRequestsPerModel: 0 must be above 0/);
    expect(() => endpoint.autoScaleInstanceCount({ maxCapacity: 3 })).toThrow(/autoScaleInstanceCount: called twice/);
  });
});

describe('typed choices', () => {
  test('LmiInstanceType: catalog members carry the facts; of() looks the catalog up first', () => {
    expect(LmiInstanceType.G5_48XLARGE.instanceType).toBe('ml.g5.48xlarge');
    expect(LmiInstanceType.INF2_48XLARGE.backend).toBe(LmiBackend.NEURON);
    expect(LmiInstanceType.of('ml.g5.48xlarge').backend).toBe(LmiBackend.GPU);
    expect(LmiInstanceType.of('ml.x.large').hasFacts).toBe(false);
    expect(LmiInstanceType.all().map((t) => t.instanceType)).toContain('ml.p5.48xlarge');
  });

  test('LmiInstanceType.of with facts serves a type the catalog lacks', () => {
    const { stack } = testStack();
    const h200 = LmiInstanceType.of('ml.p5e.48xlarge', {
      backend: LmiBackend.GPU, accelerator: 'NVIDIA H200', acceleratorCount: 8, devices: 8, deviceMemoryMiB: 141 * 1024, localNvme: true,
    });
    const endpoint = new LmiEndpoint(stack, 'Llm', { model: FALCON_40B, instanceType: h200 });
    expect(endpoint.tensorParallelDegree).toBe(8);
    templateOf(stack).hasResourceProperties('AWS::SageMaker::EndpointConfig', { ProductionVariants: [Match.objectLike({ InstanceType: 'ml.p5e.48xlarge' })] });
  });

  test('LmiImage.fromEcrRepository: the mirror URI, pull on that repository only, backend and version checked', () => {
    const { stack } = testStack();
    const repository = new ecr.Repository(stack, 'Mirror', { imageScanOnPush: true });
    new LmiEndpoint(stack, 'Llm', { ...FALCON_G5, image: LmiImage.fromEcrRepository(repository, '0.35.0-lmi17.0.0-cu128', { backend: LmiBackend.GPU, containerVersion: '0.35.0' }) });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: { Image: { 'Fn::Join': ['', Match.arrayWith([':0.35.0-lmi17.0.0-cu128'])] } },
    });
    // No catalog image: no region mapping, and no pull on AWS's djl-inference repository.
    expect(template.toJSON().Mappings).toBeUndefined();
    expect(JSON.stringify(executionPolicyStatements(template))).not.toMatch(/djl-inference/);
    expect(executionPolicyStatements(template)).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['ecr:BatchGetImage']), Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Mirror/), 'Arn'] },
    }));
    expect(() => new LmiEndpoint(stack, 'Neuron', {
      ...FALCON_G5, image: LmiImage.fromEcrRepository(repository, 'x', { backend: LmiBackend.NEURON, containerVersion: 'latest' }),
    })).toThrow(/image: containerVersion 'latest' must be a dotted version.*\n- image: a neuron LMI image cannot run on ml\.g5\.48xlarge/);
  });

  test('ModelWeights is open for extension: a source of your own binds with the execution role', () => {
    class Staged extends ModelWeights {
      public grantee?: iam.IGrantable;
      public bind(_scope: Construct, grantee: iam.IGrantable): ModelWeightsConfig {
        this.grantee = grantee;
        grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'Staged', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::staged/model/*'] }));
        return { s3PrefixUri: 's3://staged/model/' };
      }
    }
    const { stack } = testStack();
    const weights = new Staged();
    const endpoint = new LmiEndpoint(stack, 'Llm', { model: ZEPHYR_7B_BETA, instanceType: LmiInstanceType.G5_12XLARGE, weights });
    acknowledgeFixture(endpoint, 'AwsSolutions-IAM5[Resource::arn:aws:s3:::staged/model/*]');
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      PrimaryContainer: { ModelDataSource: { S3DataSource: { S3Uri: 's3://staged/model/', S3DataType: 'S3Prefix', CompressionType: 'None' } } },
    });
    expect(executionPolicyStatements(template)).toContainEqual(expect.objectContaining({ Sid: 'Staged' }));
    expect(weights.grantee).toBeDefined();
  });
});

describe('PropErrors', () => {
  test('gathers every problem into one error naming prop, value and what is allowed; tokens in words', () => {
    const errors = new PropErrors('Thing');
    expect(() => errors.throwIfAny()).not.toThrow();
    errors.add('size', 3, 'must be even');
    errors.add('name', Lazy.string({ produce: () => 'late' }), 'must be short');
    errors.add('mode', 'fast', 'is not one of slow, safe');
    expect(() => errors.throwIfAny()).toThrow("Thing: invalid props:\n- size: 3 must be even\n- name: a deploy-time value must be short\n- mode: 'fast' is not one of slow, safe");
  });

  test('names objects and functions by type, skips undefined messages, keeps the order', () => {
    const errors = new PropErrors('Thing');
    errors.add('bucket', { bucketName: 'b' }, 'must be an s3.IBucket');
    errors.add('hook', () => 1, 'must be a string');
    errors.add('flag', null, 'must be true or false');
    errors.add('count', Lazy.number({ produce: () => 1 }), 'must be a literal');
    errors.addMessage(undefined, 'a: first', undefined, 'b: second');
    expect(errors.messages).toEqual([
      'bucket: object must be an s3.IBucket', 'hook: function must be a string', 'flag: null must be true or false',
      'count: a deploy-time value must be a literal', 'a: first', 'b: second',
    ]);
  });
});

test('logical IDs of the endpoint\'s stateful children are pinned', () => {
  const { stack } = testStack();
  const endpoint = new LmiEndpoint(stack, 'Llm', { model: ZEPHYR_7B_BETA, instanceType: LmiInstanceType.INF2_8XLARGE, volumeSize: Size.gibibytes(256) });
  expect([
    stack.getLogicalId(endpoint.cfnEndpoint),
    stack.getLogicalId(endpoint.logGroup.node.defaultChild as CfnElement),
    stack.getLogicalId(endpoint.encryptionKey!.node.defaultChild as CfnElement),
  ]).toEqual(['Llm20BDA581', 'LlmLogs53EC9D67', 'LlmVolumeKey896C39E7']);
});
