import { type Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PrivateVpc, type PrivateVpcProps } from '../../constructs';
import { PRIVATE_VPC_MAX_PREFIX_LENGTH } from '../../constructs/network/private-vpc';
import { templateOf, testStack } from '../util/synth';
import { acknowledgeFixture, NIST_DEFAULT_VPC } from '../util/nag-fixtures';

/** `Network/Resource` takes the logical ID of `Network`: the name and an 8-digit hash. */
const VPC_LOGICAL_ID = /^Network[0-9A-F]{8}$/;

function synth(props?: PrivateVpcProps) {
  const { stack } = testStack();
  const network = new PrivateVpc(stack, 'Network', props);
  return { stack, network, template: templateOf(stack) };
}

/** An existing VPC as a user would have it: two AZs of public and private-with-egress subnets, with a flow log. */
function existingVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Existing', { maxAzs: 2, natGateways: 1 });
  vpc.addFlowLog('FlowLog');
  acknowledgeFixture(vpc, ...NIST_DEFAULT_VPC);
  return vpc;
}

describe('PrivateVpc: a new VPC', () => {
  test('one AZ: one public and one private (compute) subnet, one NAT gateway', () => {
    const { template, network } = synth();
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.hasResourceProperties('AWS::EC2::Subnet', {
      MapPublicIpOnLaunch: false,
      Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Public' }]),
    });
    template.hasResourceProperties('AWS::EC2::Subnet', {
      MapPublicIpOnLaunch: false,
      CidrBlock: Match.stringLikeRegexp('/18$'),
      Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: 'compute' }, { Key: 'aws-cdk:subnet-type', Value: 'Private' }]),
    });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    expect(network.vpc.availabilityZones).toHaveLength(1);
    expect(network.vpc.privateSubnets).toHaveLength(1);
    expect(network.computeSubnet).toBe(network.vpc.privateSubnets[0]);
  });

  test('the VPC is the Resource child, so its logical ID is the construct\'s (stable)', () => {
    const { network, template } = synth();
    expect(network.vpc.node.id).toBe('Resource');
    expect(Object.keys(template.findResources('AWS::EC2::VPC'))).toEqual([expect.stringMatching(VPC_LOGICAL_ID)]);
  });

  test('an S3 gateway endpoint on the private route table', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      RouteTableIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('computeSubnet1RouteTable') }]),
    });
  });

  test('flow logs of all traffic to a retained CloudWatch Logs group kept one year', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('^NetworkFlowLogs') },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('flowLogRetention sets the retention of a new VPC', () => {
    const { template } = synth({ flowLogRetention: logs.RetentionDays.THREE_MONTHS });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('the default-security-group restriction function logs to a group made first, with retention and KMS, one per stack', () => {
    const { stack } = testStack();
    new PrivateVpc(stack, 'Network', { flowLogRetention: logs.RetentionDays.THREE_MONTHS });
    new PrivateVpc(stack, 'Second');
    const template = templateOf(stack);
    const groups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: Match.stringLikeRegexp('^CustomVpcRestrictDefaultSGCustomResourceProviderHandler') }]] } },
    });
    const [groupId] = Object.keys(groups);
    expect(Object.keys(groups)).toHaveLength(1);
    expect(groups[groupId].Properties).toMatchObject({ RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': ['NetworkFlowLogsKey9F917D90', 'Arn'] } });
    const restrictions = Object.values(template.findResources('Custom::VpcRestrictDefaultSG'));
    expect(restrictions).toHaveLength(2);
    for (const r of restrictions) expect(r.DependsOn).toContain(groupId);
  });

  test('ipAddresses sets the range of a new VPC', () => {
    const { template } = synth({ ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16') });
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.42.0.0/16' });
  });

  test('a cluster security group allowing all traffic from itself, all outbound', () => {
    const { template, stack, network } = synth();
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: { Ref: Match.stringLikeRegexp(VPC_LOGICAL_ID.source) },
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }],
    });
    const groupId = stack.resolve(network.clusterSecurityGroup.securityGroupId) as unknown;
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: '-1',
      GroupId: groupId,
      SourceSecurityGroupId: groupId,
    });
  });
});

describe('PrivateVpc: an existing VPC', () => {
  test('uses the first private subnet with egress and creates no VPC, NAT or flow log of its own', () => {
    const { stack } = testStack();
    const vpc = existingVpc(stack);
    const network = new PrivateVpc(stack, 'Network', { vpc });
    const template = templateOf(stack);
    expect(network.vpc).toBe(vpc);
    expect(network.computeSubnet).toBe(vpc.privateSubnets[0]);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(network.node.tryFindChild('Resource')).toBeUndefined();
    expect(network.node.tryFindChild('FlowLogs')).toBeUndefined();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('all traffic between members'),
      VpcId: stack.resolve(vpc.vpcId) as unknown,
    });
  });

  test('computeSubnet picks another subnet of the VPC', () => {
    const { stack } = testStack();
    const vpc = existingVpc(stack);
    const network = new PrivateVpc(stack, 'Network', { vpc, computeSubnet: vpc.privateSubnets[1] });
    templateOf(stack);
    expect(network.computeSubnet).toBe(vpc.privateSubnets[1]);
  });

  test('throws when both vpc and ipAddresses are given', () => {
    const { stack } = testStack();
    const vpc = existingVpc(stack);
    expect(() => new PrivateVpc(stack, 'Network', { vpc, ipAddresses: ec2.IpAddresses.cidr('10.1.0.0/16') }))
      .toThrow(/either vpc .* or ipAddresses .*not both/);
  });

  test('throws when computeSubnet is given without vpc', () => {
    const { stack } = testStack();
    const vpc = existingVpc(stack);
    expect(() => new PrivateVpc(stack, 'Network', { computeSubnet: vpc.privateSubnets[0] }))
      .toThrow(/computeSubnet needs the vpc/);
  });

  test('throws when flowLogRetention is INFINITE: flow logs are never kept forever', () => {
    const { stack } = testStack();
    expect(() => new PrivateVpc(stack, 'Network', { flowLogRetention: logs.RetentionDays.INFINITE }))
      .toThrow(/^PrivateVpc: flowLogRetention: 9999 is not a logs\.RetentionDays value/);
  });

  test('throws when flowLogRetention is given with an existing vpc', () => {
    const { stack } = testStack();
    const vpc = existingVpc(stack);
    expect(() => new PrivateVpc(stack, 'Network', { vpc, flowLogRetention: logs.RetentionDays.ONE_MONTH }))
      .toThrow(/flowLogRetention applies to a new VPC only/);
  });

  test('throws when the existing VPC has no private subnet with egress', () => {
    const { stack } = testStack();
    const vpc = new ec2.Vpc(stack, 'Isolated', {
      maxAzs: 1,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    expect(() => new PrivateVpc(stack, 'Network', { vpc })).toThrow(/has no private subnet with egress/);
  });
});

describe('PrivateVpc availabilityZone', () => {
  test('puts a new VPC in the given zone', () => {
    const { stack } = testStack();
    new PrivateVpc(stack, 'Network', { availabilityZone: 'us-east-1d' });
    templateOf(stack).hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'us-east-1d', MapPublicIpOnLaunch: false });
  });

  test('throws when the zone is not a zone name, or comes with an existing VPC', () => {
    const { stack } = testStack();
    expect(() => new PrivateVpc(stack, 'A', { availabilityZone: 'us-east-1' })).toThrow(/availabilityZone 'us-east-1' is not an Availability Zone name such as us-east-1a/);
    const vpc = new ec2.Vpc(stack, 'Existing', { maxAzs: 1 });
    expect(() => new PrivateVpc(stack, 'B', { vpc, availabilityZone: 'us-east-1a' })).toThrow(/availabilityZone applies to a new VPC only/);
  });
});


describe('PrivateVpc address range', () => {
  test('a /17 holds the public /24 and the compute /18', () => {
    const { template } = synth({ ipAddresses: ec2.IpAddresses.cidr('10.1.0.0/17') });
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.1.64.0/18' });
    expect(PRIVATE_VPC_MAX_PREFIX_LENGTH).toBe(17);
  });

  test('throws in its own words when the range is smaller than a /17', () => {
    const { stack } = testStack();
    expect(() => new PrivateVpc(stack, 'Network', { ipAddresses: ec2.IpAddresses.cidr('10.1.0.0/18') }))
      .toThrow(/^PrivateVpc: ipAddresses 10\.1\.0\.0\/18 is too small; the public \/24 and compute \/18 subnets need a \/17 or larger \(prefix length 17 or less\)/);
  });

  test('throws when the range is larger than a VPC can be (a /15), and accepts a /16 and a /17', () => {
    const { stack } = testStack();
    expect(() => new PrivateVpc(stack, 'Network', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/15') }))
      .toThrow(/^PrivateVpc: ipAddresses 10\.0\.0\.0\/15 is larger than a VPC can be; use a \/16 or \/17/);
    expect(() => new PrivateVpc(stack, 'Sixteen', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16') })).not.toThrow();
    expect(() => new PrivateVpc(stack, 'Seventeen', { ipAddresses: ec2.IpAddresses.cidr('10.1.0.0/17') })).not.toThrow();
  });
});
