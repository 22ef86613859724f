/** What LmiEndpoint's execution role needs, written into the role's one inline policy. */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';

/**
 * The grantee that image and weights sources are bound with when the endpoint owns its role: their
 * grants go into the role's inline `Execution` policy (no separate AWS::IAM::Policy per endpoint),
 * in the order they are made. Everything else is the role's.
 */
export class InlinePolicyGrantee implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;

  constructor(private readonly role: iam.IRole, private readonly document: iam.PolicyDocument) {}

  public get assumeRoleAction(): string {
    return this.role.assumeRoleAction;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  public get principalAccount(): string | undefined {
    return this.role.principalAccount;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this.role };
  }
}

/** Logs, metrics and (in a VPC) the network-interface actions; the image and weights grant their own. */
export function executionStatements(logGroupArn: string, logGroup: logs.ILogGroup): iam.PolicyStatement[] {
  return [new iam.PolicyStatement({
    sid: 'EndpointLogs',
    // CreateLogGroup as SageMaker's CreateModel execution-role permissions list it, on the group
    // that already exists; the stream actions on that group's streams (its GetAtt Arn, `...:*`).
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
    resources: [logGroupArn, logGroup.logGroupArn],
  }), new iam.PolicyStatement({
    sid: 'EndpointMetrics',
    // PutMetricData rejects namespaces starting with AWS/, so the container's own is the only one.
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' } },
  })];
}

/**
 * The ENI actions SageMaker needs to place the container in a VPC take no resource ARNs (SageMaker
 * developer guide, "Give SageMaker Hosted Endpoints Access to Resources in Your VPC").
 */
export function vpcStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ModelInVpc',
    actions: [
      'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
      'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs',
    ],
    resources: ['*'],
  });
}
