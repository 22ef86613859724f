/**
 * How a team puts an LmiEndpoint into its own stack: its own VPC (private subnets, flow logs),
 * its own execution role, weights it staged in its own bucket, a caller role that may invoke, and
 * the endpoint's outputs.
 * Imports only the public entry point, as an installed package would.
 */
import { App, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { LmiEndpoint, LmiInstanceType, ModelPreset, ModelWeights } from '../constructs';

export class TeamInferenceStack extends Stack {
  public readonly endpoint: LmiEndpoint;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
      flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.ALL } },
    });
    // cdk-nag NIST 800-53 R5 findings of the VPC that this example accepts; a production VPC would
    // rather encrypt its flow-log group with a KMS key of its own.
    for (const subnet of vpc.publicSubnets) {
      Validations.of(subnet).acknowledge({ id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', reason: 'Public subnets hold only the NAT gateway; the endpoint runs in the private subnets.' });
    }
    Validations.of(vpc.node.findChild('all')).acknowledge(
      { id: 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', reason: 'Example: the flow-log group keeps CloudWatch Logs default encryption.' },
      { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'The flow-log role is the VPC\'s own, scoped to its log group.' },
    );

    // Weights copied once with `aws s3 sync` from a Hugging Face snapshot: the endpoint then runs
    // network isolated and starts without reaching the Hub.
    const weights = s3.Bucket.fromBucketName(this, 'Weights', 'my-team-model-weights');

    const role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'SageMaker execution role for the team Falcon-40B endpoint',
    });
    // The endpoint adds its grants to this role; with a role of our own, we acknowledge them.
    Validations.of(role).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'The endpoint\'s grants are scoped to its image, weights and logs.' });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken and the VPC network-interface actions support no resource-level permissions; PutMetricData is limited by namespace.',
    });
    // The weights source acknowledges the read on its own prefix (my-team-model-weights/falcon-40b/*) itself.

    this.endpoint = new LmiEndpoint(this, 'Falcon40b', {
      model: ModelPreset.FALCON_40B,
      instanceType: LmiInstanceType.G5_48XLARGE,
      weights: ModelWeights.fromS3Prefix(weights, 'falcon-40b/'),
      vpc,
      role,
    });
    // Scale on concurrent requests, and keep one instance at night.
    const scaling = this.endpoint.autoScaleInstanceCount({ maxCapacity: 2 });
    scaling.scaleOnConcurrentRequests('ConcurrencyTracking', { scaleInCooldown: Duration.minutes(10) });
    scaling.scaleOnSchedule('NightlyMinimum', { schedule: appscaling.Schedule.cron({ hour: '20', minute: '0' }), maxCapacity: 1 });
    scaling.scaleOnSchedule('MorningRange', { schedule: appscaling.Schedule.cron({ hour: '7', minute: '0' }), maxCapacity: 2 });

    // Alarms on 5xx errors and latency, e-mailed through the team's existing (encrypted) topic.
    const topic = sns.Topic.fromTopicArn(this, 'OpsTopic', Stack.of(this).formatArn({ service: 'sns', resource: 'team-ops-alarms' }));
    this.endpoint.addAlarms({ actions: [new actions.SnsAction(topic)] });

    // The endpoint is the principal of its execution role: grant it more as you would a function.
    ssm.StringParameter.fromStringParameterName(this, 'SystemPrompt', '/team/llm/system-prompt').grantRead(this.endpoint);

    const caller = new iam.Role(this, 'ApplicationRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The application that calls the model',
    });
    this.endpoint.grantInvoke(caller);
    Validations.of(caller).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'The caller\'s grant is sagemaker:InvokeEndpoint on this endpoint only.' });

    // The endpoint name and an invoke command as stack outputs: nothing is output unless asked for.
    this.endpoint.addOutputs();
  }
}

/** Synthesizes the example on its own: `npx ts-node --transpile-only examples/lmi-endpoint-in-your-stack.ts`. */
if (require.main === module) {
  const app = new App();
  new TeamInferenceStack(app, 'TeamInference');
  app.synth();
}
