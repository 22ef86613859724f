import { type CfnResource, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { logRetentionProblem, logsKey } from '../private/logs-key';

/** Prefix length of the public and compute subnets of a new VPC. */
const PUBLIC_SUBNET_MASK = 24;
/** A /18 holds 16k addresses: EFA instances take one address per network card. */
const COMPUTE_SUBNET_MASK = 18;
/**
 * Longest VPC prefix that holds both subnets: aws-cdk-lib allocates the /24 first and aligns the /18
 * after it, so a /18 VPC is too small and a /17 fits.
 */
export const PRIVATE_VPC_MAX_PREFIX_LENGTH = 17;
/** The largest IPv4 block a VPC may have: a /16 (Amazon VPC user guide, "VPC CIDR blocks": /16 to /28). */
const VPC_MIN_PREFIX_LENGTH = 16;

/** Properties of a {@link PrivateVpc}. */
export interface PrivateVpcProps {
  /**
   * Use this VPC instead of creating one. Its first private subnet with egress becomes the compute
   * subnet unless `computeSubnet` names another.
   * @default a new VPC
   */
  readonly vpc?: ec2.IVpc;
  /** @default the first private subnet with egress of the VPC */
  readonly computeSubnet?: ec2.ISubnet;
  /**
   * Address range of a new VPC: a /17 or larger (prefix length at most 17), which holds the public
   * /24 and the compute /18.
   * @default 10.0.0.0/16
   */
  readonly ipAddresses?: ec2.IIpAddresses;
  /** Retention of a new VPC's flow logs. @default one year */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * The Availability Zone of a new VPC, for example one where p5 or trn1 capacity is offered.
   * @default the region's first Availability Zone
   */
  readonly availabilityZone?: string;
}

/**
 * The network the training recipes share: one Availability Zone (a cluster placement group and
 * FSx for Lustre live in one), a private compute subnet behind a NAT gateway (p4d, p5 and trn1
 * have several network cards and take no public IP), an S3 gateway endpoint so data and
 * checkpoints bypass the NAT, VPC flow logs, and a cluster security group that allows all traffic
 * between its members (EFA requires it).
 */
export class PrivateVpc extends Construct {
  public readonly vpc: ec2.IVpc;
  /** The private subnet with egress that compute nodes, the head node and FSx use. */
  public readonly computeSubnet: ec2.ISubnet;
  /** Allows all traffic from itself: attach it to every cluster node and storage client. */
  public readonly clusterSecurityGroup: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: PrivateVpcProps = {}) {
    super(scope, id);
    if (props.vpc && props.ipAddresses) {
      throw new Error('PrivateVpc: pass either vpc (an existing VPC) or ipAddresses (for a new one), not both');
    }
    if (props.computeSubnet && !props.vpc) {
      throw new Error('PrivateVpc: computeSubnet needs the vpc it belongs to');
    }
    if (props.vpc && props.availabilityZone !== undefined) {
      throw new Error('PrivateVpc: availabilityZone applies to a new VPC only; pass computeSubnet to choose a subnet of an existing VPC');
    }
    if (props.availabilityZone !== undefined && !Token.isUnresolved(props.availabilityZone) && !/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(props.availabilityZone)) {
      throw new Error(`PrivateVpc: availabilityZone '${props.availabilityZone}' is not an Availability Zone name such as us-east-1a`);
    }
    const retentionProblem = logRetentionProblem('flowLogRetention', props.flowLogRetention);
    if (retentionProblem) throw new Error(`PrivateVpc: ${retentionProblem}`);
    if (props.vpc && props.flowLogRetention !== undefined) {
      throw new Error('PrivateVpc: flowLogRetention applies to a new VPC only; an existing VPC keeps its own flow logs');
    }

    if (props.ipAddresses) {
      const { cidrBlock, ipv4NetmaskLength } = props.ipAddresses.allocateVpcCidr();
      const prefix = cidrBlock !== undefined && !Token.isUnresolved(cidrBlock) ? Number(cidrBlock.split('/')[1]) : ipv4NetmaskLength;
      if (prefix !== undefined && !Token.isUnresolved(prefix) && prefix < VPC_MIN_PREFIX_LENGTH) {
        const shown = cidrBlock !== undefined && !Token.isUnresolved(cidrBlock) ? cidrBlock : `a /${prefix} from IPAM`;
        throw new Error(`PrivateVpc: ipAddresses ${shown} is larger than a VPC can be; use a /${VPC_MIN_PREFIX_LENGTH} or /${PRIVATE_VPC_MAX_PREFIX_LENGTH} (a VPC takes /${VPC_MIN_PREFIX_LENGTH} to /28, and the subnets here need at least a /${PRIVATE_VPC_MAX_PREFIX_LENGTH}), such as 10.0.0.0/16`);
      }
      if (prefix !== undefined && !Token.isUnresolved(prefix) && prefix > PRIVATE_VPC_MAX_PREFIX_LENGTH) {
        const shown = cidrBlock !== undefined && !Token.isUnresolved(cidrBlock) ? cidrBlock : `a /${prefix} from IPAM`;
        throw new Error(`PrivateVpc: ipAddresses ${shown} is too small; the public /${PUBLIC_SUBNET_MASK} and compute /${COMPUTE_SUBNET_MASK} subnets need a /${PRIVATE_VPC_MAX_PREFIX_LENGTH} or larger (prefix length ${PRIVATE_VPC_MAX_PREFIX_LENGTH} or less), such as 10.0.0.0/16`);
      }
    }

    if (props.vpc) {
      this.vpc = props.vpc;
    } else {
      const retention = props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR;
      const key = logsKey(this, 'FlowLogsKey', 'VPC flow logs of the training network');
      const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', { retention, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: key });
      this.vpc = new ec2.Vpc(this, 'Resource', {
        ipAddresses: props.ipAddresses ?? ec2.IpAddresses.cidr('10.0.0.0/16'),
        ...(props.availabilityZone ? { availabilityZones: [props.availabilityZone] } : { maxAzs: 1 }),
        natGateways: 1,
        subnetConfiguration: [
          // The public subnet holds only the NAT gateway, whose Elastic IP needs no auto-assigned address.
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: PUBLIC_SUBNET_MASK, mapPublicIpOnLaunch: false },
          { name: 'compute', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: COMPUTE_SUBNET_MASK },
        ],
        gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
        flowLogs: {
          all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL },
        },
      });
      this.logRestrictDefaultSecurityGroup(retention, key);
    }

    // Filter rather than select by type: selectSubnets throws its own message when the group is missing.
    const subnet = props.computeSubnet ?? this.vpc.privateSubnets[0];
    if (!subnet) {
      throw new Error(`PrivateVpc: vpc ${this.vpc.node.path} has no private subnet with egress; compute nodes need one (NAT or egress route) since they take no public IP`);
    }
    this.computeSubnet = subnet;

    const clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      description: 'Cluster nodes and their storage: all traffic between members (EFA needs it)',
      allowAllOutbound: true,
    });
    clusterSecurityGroup.addIngressRule(clusterSecurityGroup, ec2.Port.allTraffic(), 'All traffic between cluster members (EFA, Slurm, MPI)');
    this.clusterSecurityGroup = clusterSecurityGroup;
    this.acknowledgeFindings(props);
  }

  /**
   * The Lambda function behind aws-cdk-lib's default-security-group restriction (a custom resource
   * provider, one per stack) would log to a `/aws/lambda/<function>` group it creates itself, with
   * no retention: create that group first, with retention and the flow logs' key.
   */
  private logRestrictDefaultSecurityGroup(retention: logs.RetentionDays, key: kms.IKey): void {
    const provider = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    const handler = provider?.node.tryFindChild('Handler') as CfnResource | undefined;
    const restriction = this.vpc.node.tryFindChild('RestrictDefaultSecurityGroupCustomResource');
    if (!provider || !handler || !restriction) return;
    // One function per stack, so one group, kept beside it for every PrivateVpc of the stack.
    const group = provider.node.tryFindChild('Logs') ?? new logs.LogGroup(provider, 'Logs', {
      logGroupName: `/aws/lambda/${handler.ref}`, retention, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: key,
    });
    // The group must exist before the function first runs, or the function creates it.
    restriction.node.addDependency(group);
  }

  private acknowledgeFindings(props: PrivateVpcProps): void {
    Validations.of(this.clusterSecurityGroup).acknowledge({
      id: 'NIST.800.53.R5-EC2RestrictedCommonPorts',
      reason: 'The only rule is all traffic from the group itself: EFA requires a security group that allows all inbound and outbound traffic to and from itself, and no address outside the group is allowed in.',
    });
    if (props.vpc) return;
    for (const subnet of this.vpc.publicSubnets) {
      Validations.of(subnet).acknowledge({
        id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        reason: 'The public subnet holds only the NAT gateway, which needs the 0.0.0.0/0 route to the internet gateway; compute, head node and FSx are in the private subnet without it.',
      });
    }
    const flowLogRole = this.node.tryFindChild('Resource')?.node.tryFindChild('all')?.node.tryFindChild('IAMRole');
    if (flowLogRole) {
      Validations.of(flowLogRole).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'The flow-log delivery role is this VPC\'s alone: its grant is scoped to the flow-log group and lives and dies with the role; a managed policy would be reusable by other principals.',
      });
    }
  }
}
