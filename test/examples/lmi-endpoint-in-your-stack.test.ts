import { Match, Template } from 'aws-cdk-lib/assertions';
import { TeamInferenceStack } from '../../examples/lmi-endpoint-in-your-stack';
import { unitTestApp } from '../util/synth';

describe('example: an LmiEndpoint in a team stack', () => {
  // cdk-nag on, CloudFormation Validate off: test/lib/recipes.test.ts validates this example's
  // template once, in the file whose engine is already started.
  const app = unitTestApp();
  const stack = new TeamInferenceStack(app, 'TeamInference');
  // Synthesis runs cdk-nag: it throws on any unacknowledged finding.
  const template = Template.fromStack(stack);

  test('uses the team VPC private subnets and its own role', () => {
    template.hasResourceProperties('AWS::SageMaker::Model', {
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExecutionRole'), 'Arn'] },
      EnableNetworkIsolation: true,
      VpcConfig: { Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('VpcprivateSubnet1') }]) },
      PrimaryContainer: { ModelDataSource: { S3DataSource: Match.objectLike({ S3DataType: 'S3Prefix', CompressionType: 'None' }) } },
    });
    const sagemakerRoles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] } },
    });
    expect(Object.keys(sagemakerRoles)).toEqual([expect.stringMatching(/^ExecutionRole/)]);
  });

  test('the application role may invoke exactly this endpoint', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ApplicationRole') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sagemaker:InvokeEndpoint', Resource: { Ref: Match.stringLikeRegexp('Falcon40b') } })] },
    });
  });

  test('scales between 1 and 2 instances, down to 1 at night', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1, MaxCapacity: 2,
      ScheduledActions: Match.arrayWith([Match.objectLike({ ScheduledActionName: Match.stringLikeRegexp('NightlyMinimum'), ScalableTargetAction: { MaxCapacity: 1 } })]),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ ScaleInCooldown: 600 }),
    });
  });

  test('both alarms notify the team topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ 'Fn::Join': ['', Match.arrayWith([':team-ops-alarms'])] }],
    });
  });

  test('a grant to the endpoint lands on its execution role', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ExecutionRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ssm:GetParameter']) })]) },
    });
  });

  test('outputs the endpoint name, as the stack asks for them', () => {
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Falcon40b'), 'EndpointName'] } });
  });

  test('the endpoint logs to its own encrypted log group, deleted with the stack (its name is fixed)', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Delete',
      Properties: { LogGroupName: Match.stringLikeRegexp('^/aws/sagemaker/Endpoints/teaminference-falcon40b-'), KmsKeyId: Match.anyValue() },
    });
  });
});
