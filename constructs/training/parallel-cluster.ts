import { Annotations, Aws, CfnOutput, CfnStack, CustomResource, Duration, Fn, Names, Stack, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { compareVersions, EFA_INSTANCE_TYPES, supportsEfa } from '../catalog';

/** Operating systems of the official ParallelCluster AMIs this construct offers, with the release that added each. */
export const PCLUSTER_OS_SINCE: Readonly<Record<ClusterOs, string>> = {
  ubuntu2204: '3.7.0',
  ubuntu2404: '3.13.0',
  alinux2023: '3.10.0',
  rhel9: '3.9.0',
  rocky9: '3.9.0',
};

/** Operating system of the cluster nodes (ParallelCluster `Image.Os`). */
export type ClusterOs = 'ubuntu2204' | 'ubuntu2404' | 'alinux2023' | 'rhel9' | 'rocky9';

/** ParallelCluster version the provider template and configuration default to. */
export const DEFAULT_PCLUSTER_VERSION = '3.16.3';

/** Releases that introduced what this construct renders (aws-parallelcluster CHANGELOG.md). */
const SINCE = {
  customResource: '3.6.0',
  capacityBlocks: '3.8.0',
  suppressValidators: '3.10.0',
  p5: '3.7.1',
} as const;

/** Queue and compute-resource names: `^[a-z][a-z0-9-]*$`, at most 25 characters, not `default` (cluster_schema.py). */
const RESOURCE_NAME = /^[a-z][a-z0-9-]*$/;
const RESOURCE_NAME_MAX = 25;
/** Cluster names: `^[a-zA-Z][a-zA-Z0-9-]*$`, at most 60 characters (cluster_schema.py). */
const CLUSTER_NAME = /^[a-zA-Z][a-zA-Z0-9-]*$/;
const CLUSTER_NAME_MAX = 60;

/** IAM managed policy ARNs, as pcluster's validators require (names are refused). */
const POLICY_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;
/**
 * S3 bucket names (S3 User Guide, "General purpose bucket naming rules"): 3 to 63 lowercase letters,
 * digits, dots and hyphens, starting and ending with a letter or digit, no two adjacent dots, not
 * formatted as an IP address.
 */
const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SCRIPT_URL = /^(s3|https):\/\/\S+$/;
const CAPACITY_RESERVATION_ID = /^cr-[0-9a-f]{17}$/;
const FILE_SYSTEM_ID = /^fs-[0-9a-f]{17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8}([0-9a-f]{9})?$/;
/** EC2 instance types (`family.size`); SageMaker's `ml.` types are not EC2 types. */
const EC2_INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
/**
 * Iam.ResourcePrefix: a name of at most 30 characters without `/`, a path `/a/b/` of at most 512,
 * or a path followed by a name; `/name` alone is refused (ParallelCluster user guide, "Iam section").
 */
const RESOURCE_PREFIX = /^(\/([\w+=,.@-]+\/)+)?[\w+=,.@-]{0,30}$/;

/** A custom action script: an `s3://` or `https://` URL of a script, with its arguments. */
export interface ClusterCustomAction {
  readonly script: string;
  /** @default none */
  readonly args?: string[];
}

/** One compute resource (a group of identical instances) of a Slurm queue. */
export interface ComputeResourceOptions {
  /** `^[a-z][a-z0-9-]*$`, at most 25 characters, not `default`. */
  readonly name: string;
  readonly instanceType: string;
  /** Static nodes kept running. @default 0 */
  readonly minCount?: number;
  /** Most nodes. */
  readonly maxCount: number;
  /** Enable EFA on the nodes. @default true where the instance type supports it */
  readonly efa?: boolean;
  /** Launch into this On-Demand Capacity Reservation or Capacity Block. @default none */
  readonly capacityReservationId?: string;
  /** @default false */
  readonly disableSimultaneousMultithreading?: boolean;
}

/** A Slurm queue. */
export interface SlurmQueueOptions {
  /** `^[a-z][a-z0-9-]*$`, at most 25 characters, not `default`. */
  readonly name: string;
  readonly computeResources: ComputeResourceOptions[];
  /** `ONDEMAND`, `SPOT` or `CAPACITY_BLOCK`. @default 'ONDEMAND' */
  readonly capacityType?: 'ONDEMAND' | 'SPOT' | 'CAPACITY_BLOCK';
  /**
   * A cluster placement group for the queue's nodes. AWS-provided capacity reservations and
   * Capacity Blocks come with their own placement and take none.
   * @default true unless a compute resource uses a capacity reservation or the queue uses capacity blocks
   */
  readonly placementGroup?: boolean;
  /** Give each job whole nodes. @default true */
  readonly jobExclusiveAllocation?: boolean;
  /** Run on every compute node once it is configured. @default none */
  readonly onNodeConfigured?: ClusterCustomAction;
  /** IAM policy ARNs for the compute nodes. @default none */
  readonly additionalIamPolicies?: string[];
  /** Buckets the compute nodes may read. @default none */
  readonly s3Access?: ClusterS3Access[];
}

/** An S3 bucket the nodes may read (and, if set, write). */
export interface ClusterS3Access {
  /** A bucket name, not an `s3://` URL. */
  readonly bucketName: string;
  /**
   * The object key (or key prefix) the nodes may reach; without it they reach the whole bucket.
   * @default the whole bucket
   */
  readonly keyName?: string;
  /** @default false */
  readonly enableWriteAccess?: boolean;
}

/** An existing FSx for Lustre file system the cluster mounts. */
export interface ClusterFsxLustreOptions {
  /** The file system's ID, for example `fs-0123456789abcdef0`. */
  readonly fileSystemId: string;
  /** Where the nodes mount it, for example `/fsx`. */
  readonly mountDir: string;
}

/** Properties of a {@link ParallelCluster}. */
export interface ParallelClusterProps {
  /** @default DEFAULT_PCLUSTER_VERSION */
  readonly version?: string;
  /**
   * `^[a-zA-Z][a-zA-Z0-9-]*$`, at most 60 characters, different from the stack name. It cannot
   * change: the provider refuses the update, so keep the construct path stable or set it.
   * @default a name derived from the construct path
   */
  readonly clusterName?: string;
  readonly vpc: ec2.IVpc;
  /** The private subnet of the head node and every queue (a placement group needs one subnet). */
  readonly subnet: ec2.ISubnet;
  /** Groups added to the head node and every queue (ParallelCluster `AdditionalSecurityGroups`). */
  readonly securityGroups: ec2.ISecurityGroup[];
  /** @default 'ubuntu2204' */
  readonly os?: ClusterOs;
  /** A custom AMI built for this ParallelCluster version (`pcluster build-image`). @default the official AMI */
  readonly customAmi?: string;
  /** @default 'c5.4xlarge' */
  readonly headNodeInstanceType?: string;
  /** @default 200 GiB (builds and environments live on the head node) */
  readonly headNodeRootVolumeGiB?: number;
  /** Run on the head node once it is configured. @default none */
  readonly headNodeOnNodeConfigured?: ClusterCustomAction;
  /** IAM policy ARNs for the head node, besides SSM Session Manager. @default none */
  readonly headNodeIamPolicies?: string[];
  /** Buckets the head node may read. @default none */
  readonly headNodeS3Access?: ClusterS3Access[];
  readonly queues: SlurmQueueOptions[];
  /** An existing FSx for Lustre file system to mount. @default none */
  readonly fsxLustre?: ClusterFsxLustreOptions;
  /** Idle time before dynamic nodes are terminated. @default 10 minutes (the ParallelCluster default) */
  readonly scaledownIdletime?: Duration;
  /** What a queue update does to running nodes. @default 'DRAIN' */
  readonly queueUpdateStrategy?: 'DRAIN' | 'COMPUTE_FLEET_STOP' | 'TERMINATE';
  /** Keep the cluster when the resource is deleted. @default 'Delete': data lives on the stack's FSx, not on the cluster */
  readonly deletionPolicy?: 'Delete' | 'Retain';
  /** Validators to suppress (`ALL` or `type:Name`); needs ParallelCluster 3.10.0. @default none */
  readonly suppressValidators?: string[];
  /** @default 'ERROR' */
  readonly validationFailureLevel?: 'INFO' | 'WARNING' | 'ERROR';
  /** Tags on the cluster's resources. @default none */
  readonly tags?: Record<string, string>;
  /**
   * IAM policy ARN set as the permissions boundary of every role ParallelCluster creates for the
   * cluster (`Iam.PermissionsBoundary`).
   * @default none
   */
  readonly permissionsBoundary?: string;
  /**
   * Path and/or name prefix of the IAM roles, instance profiles and policies ParallelCluster
   * creates (`Iam.ResourcePrefix`), so that a boundary or an operator's policy can scope them, for
   * example `/parallelcluster/llm-recipes/` or `/parallelcluster/llm-recipes/fsdp-`; a path outside
   * `/parallelcluster/` without a `providerRole` is a synth warning.
   * @default none (ParallelCluster's own names)
   */
  readonly resourcePrefix?: string;
  /**
   * Role of the provider's Lambda functions (the provider template's `CustomLambdaRole`
   * parameter). Lambda must be allowed to assume it; it needs the permissions ParallelCluster
   * documents for creating and deleting clusters.
   * @default the provider creates its own role with ParallelCluster's default cluster policies
   */
  readonly providerRole?: iam.IRole;
  /**
   * IAM policy ARNs added to the provider's own role (the `AdditionalIamPolicies` parameter);
   * ignored by the provider when `providerRole` is set, so the two cannot be combined.
   * @default none
   */
  readonly providerAdditionalIamPolicies?: string[];
}

/**
 * An AWS ParallelCluster Slurm cluster, created through ParallelCluster's official CloudFormation
 * support: the provider nested stack (`Provider`) and a `Custom::PclusterCluster` resource.
 * ParallelCluster itself creates the head node, the queues and their IAM roles; this construct
 * renders the cluster configuration with ParallelCluster 3 key names and validates it at synth.
 * The head node is reached with SSM Session Manager; no SSH key is configured.
 *
 * What the provider may do: its Lambda role (unless `providerRole` replaces it) carries
 * ParallelCluster's default cluster policies, which create and delete the cluster's CloudFormation
 * stack, EC2 instances, launch templates, security groups, Route 53 zones, DynamoDB table, Lambda
 * functions and IAM roles and instance profiles, and attach IAM policies to those roles
 * (ParallelCluster user guide, "AWS ParallelCluster IAM roles" and "Provider stack hosted by AWS
 * ParallelCluster"). The roles it creates get the policies this construct names (SSM Session
 * Manager, `headNodeIamPolicies`, queue `additionalIamPolicies`, S3 access by object key). Set
 * `permissionsBoundary` to cap what those roles can do, `resourcePrefix` to confine their names to
 * a path, and `providerRole` to run the provider under a role you scoped yourself.
 */
export class ParallelCluster extends Construct {
  public readonly clusterName: string;
  public readonly version: string;
  /** The cluster configuration sent to ParallelCluster (ParallelCluster 3 YAML keys, as an object). */
  public readonly configuration: Record<string, unknown>;
  public readonly provider: CfnStack;
  public readonly resource: CustomResource;
  /** Head node instance ID (`headNode.instanceId`). */
  public readonly headNodeInstanceId: string;
  /** Head node private IP (`headNode.privateIpAddress`). */
  public readonly headNodePrivateIp: string;
  /** Validation messages ParallelCluster reported (`validationMessages`). */
  public readonly validationMessages: string;

  constructor(scope: Construct, id: string, props: ParallelClusterProps) {
    super(scope, id);
    this.version = props.version ?? DEFAULT_PCLUSTER_VERSION;
    this.clusterName = props.clusterName ?? defaultClusterName(this);
    validate(this, props, this.version, this.clusterName);

    this.configuration = renderConfiguration(props);
    // The provider template lives in ParallelCluster's regional bucket (ParallelCluster user guide,
    // "AWS CloudFormation custom resource"); it uses the SAM transform, so deploys need
    // CAPABILITY_AUTO_EXPAND, which the CDK CLI sends.
    const providerParameters: Record<string, string> = {};
    if (props.providerRole) providerParameters.CustomLambdaRole = props.providerRole.roleArn;
    if (props.providerAdditionalIamPolicies?.length) providerParameters.AdditionalIamPolicies = props.providerAdditionalIamPolicies.join(',');
    this.provider = new CfnStack(this, 'Provider', {
      ...(Object.keys(providerParameters).length > 0 ? { parameters: providerParameters } : {}),
      templateUrl: `https://${Aws.REGION}-aws-parallelcluster.s3.${Aws.REGION}.${Aws.URL_SUFFIX}/parallelcluster/${this.version}/templates/custom_resource/cluster.yaml`,
    });
    // Only properties the provider passes to pcluster are sent: anything else breaks the resource.
    const properties: Record<string, unknown> = {
      ClusterName: this.clusterName,
      ClusterConfiguration: this.configuration,
      DeletionPolicy: props.deletionPolicy ?? 'Delete',
      ValidationFailureLevel: props.validationFailureLevel ?? 'ERROR',
    };
    if (props.suppressValidators?.length) properties.SuppressValidators = props.suppressValidators;
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.getAtt('Outputs.ServiceToken').toString(),
      resourceType: 'Custom::PclusterCluster',
      properties,
    });
    this.headNodeInstanceId = this.resource.getAttString('headNode.instanceId');
    this.headNodePrivateIp = this.resource.getAttString('headNode.privateIpAddress');
    this.validationMessages = this.resource.getAttString('validationMessages');
  }

  /** Adds stack outputs: head node, the SSM command to reach it, validation messages. */
  public addOutputs(): void {
    new CfnOutput(this, 'HeadNodeInstanceId', { description: `Head node of ParallelCluster ${this.clusterName}`, value: this.headNodeInstanceId });
    new CfnOutput(this, 'ConnectCommand', { description: 'Open a shell on the head node (Session Manager; no SSH)', value: this.connectCommand });
    new CfnOutput(this, 'ValidationMessages', { description: 'ParallelCluster validation messages', value: this.validationMessages });
  }

  /** An AWS CLI command that opens a shell on the head node through Session Manager (no SSH). */
  public get connectCommand(): string {
    return Fn.join('', ['aws ssm start-session --target ', this.headNodeInstanceId, ' --region ', Aws.REGION]);
  }
}

function defaultClusterName(scope: Construct): string {
  // Stable across deploys (the cluster name cannot change) and distinct from the stack name.
  const unique = Names.uniqueResourceName(scope, { maxLength: CLUSTER_NAME_MAX - 4, separator: '-', allowedSpecialCharacters: '-' });
  return `pc-${unique}`.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, CLUSTER_NAME_MAX);
}

function validate(scope: Construct, props: ParallelClusterProps, version: string, clusterName: string): void {
  const errors: string[] = [];
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    errors.push(`version: '${version}' must be a ParallelCluster release such as ${DEFAULT_PCLUSTER_VERSION}`);
  } else if (compareVersions(version, SINCE.customResource) < 0) {
    errors.push(`version: ${version} has no CloudFormation custom resource; use ${SINCE.customResource} or later`);
  }
  const newEnough = (since: string) => !/^\d+\.\d+\.\d+$/.test(version) || compareVersions(version, since) >= 0;

  if (!Token.isUnresolved(clusterName)) {
    if (!CLUSTER_NAME.test(clusterName) || clusterName.length > CLUSTER_NAME_MAX) {
      errors.push(`clusterName: '${clusterName}' must match ${CLUSTER_NAME.source} with at most ${CLUSTER_NAME_MAX} characters`);
    }
    if (clusterName === Stack.of(scope).stackName) {
      errors.push(`clusterName: '${clusterName}' equals the stack name; ParallelCluster creates a stack of that name, so they must differ`);
    }
  }
  const os = props.os ?? 'ubuntu2204';
  if (!newEnough(PCLUSTER_OS_SINCE[os])) errors.push(`os: ${os} needs ParallelCluster ${PCLUSTER_OS_SINCE[os]} or later (version is ${version})`);
  for (const v of props.suppressValidators ?? []) {
    if (v !== 'ALL' && !/^type:[A-Za-z0-9]+$/.test(v)) errors.push(`suppressValidators: '${v}' must be 'ALL' or 'type:<ValidatorName>'`);
  }
  if (props.customAmi !== undefined && !Token.isUnresolved(props.customAmi) && !/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/.test(props.customAmi)) {
    errors.push(`customAmi: '${props.customAmi}' is not an AMI ID such as ami-0123456789abcdef0`);
  }
  if (props.suppressValidators?.length && !newEnough(SINCE.suppressValidators)) {
    errors.push(`suppressValidators: needs ParallelCluster ${SINCE.suppressValidators} or later in the custom resource (version is ${version})`);
  }
  const idle = props.scaledownIdletime;
  if (idle !== undefined && !idle.isUnresolved()) {
    const minutes = idle.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) errors.push(`scaledownIdletime: ${idle.toHumanString()} must be a whole number of minutes, at least 1`);
  }
  const root = props.headNodeRootVolumeGiB;
  if (root !== undefined && !Token.isUnresolved(root) && (!Number.isInteger(root) || root < 50)) {
    // The official AMIs' root volume is 50 GiB since 3.16.2 (35-45 before); it cannot shrink.
    errors.push(`headNodeRootVolumeGiB: ${root} must be a whole number of at least 50`);
  }
  if (props.queues.length === 0) errors.push('queues: a cluster needs at least one queue');

  const known = (v: string | undefined): v is string => v !== undefined && !Token.isUnresolved(v);
  const checkPattern = (what: string, value: string | undefined, re: RegExp, allowed: string) => {
    if (known(value) && !re.test(value)) errors.push(`${what}: '${value}' ${allowed}`);
  };
  const checkPolicies = (what: string, arns: string[] | undefined) => {
    for (const arn of arns ?? []) {
      checkPattern(what, arn, POLICY_ARN, 'is not an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess (ParallelCluster takes ARNs, not policy names)');
    }
  };
  const checkScript = (what: string, action: ClusterCustomAction | undefined) => {
    checkPattern(`${what}.script`, action?.script, SCRIPT_URL, 'must be an s3:// or https:// URL of the script');
  };
  const checkS3Access = (what: string, access: ClusterS3Access[] | undefined) => {
    for (const a of access ?? []) {
      checkPattern(`${what} bucketName`, a.bucketName, BUCKET_NAME, 'must be a bucket name (3 to 63 lowercase letters, digits, dots and hyphens, not an IP address), not an s3:// URL or an ARN');
    }
  };
  const checkInstanceType = (what: string, type: string) => {
    if (!known(type)) return;
    if (type.startsWith('ml.')) errors.push(`${what}: '${type}' is a SageMaker instance type; ParallelCluster needs an EC2 type such as p5.48xlarge`);
    else if (!EC2_INSTANCE_TYPE.test(type)) errors.push(`${what}: '${type}' is not an EC2 instance type such as p5.48xlarge`);
  };
  checkPattern('subnet', props.subnet.subnetId, SUBNET_ID, 'has no subnet ID such as subnet-0123456789abcdef0');
  checkInstanceType('headNodeInstanceType', props.headNodeInstanceType ?? 'c5.4xlarge');
  checkScript('headNodeOnNodeConfigured', props.headNodeOnNodeConfigured);
  checkPolicies('headNodeIamPolicies', props.headNodeIamPolicies);
  checkS3Access('headNodeS3Access', props.headNodeS3Access);
  checkPolicies('providerAdditionalIamPolicies', props.providerAdditionalIamPolicies);
  if (props.providerRole && props.providerAdditionalIamPolicies?.length) {
    errors.push('providerAdditionalIamPolicies: the provider ignores them when providerRole is set; attach them to providerRole instead');
  }
  checkPattern('permissionsBoundary', props.permissionsBoundary, POLICY_ARN, 'is not an IAM policy ARN such as arn:aws:iam::123456789012:policy/Boundary');
  if (known(props.resourcePrefix) && (props.resourcePrefix === '' || props.resourcePrefix.length > 512 || !RESOURCE_PREFIX.test(props.resourcePrefix))) {
    errors.push(`resourcePrefix: '${props.resourcePrefix}' must be a name of at most 30 characters without '/', a path that starts and ends with '/' such as /parallelcluster/llm-recipes/, or a path followed by such a name`);
  } else if (known(props.resourcePrefix) && !props.providerRole && !props.resourcePrefix.startsWith('/parallelcluster/')) {
    // ParallelCluster's example policies for managing IAM resources scope role and instance-profile
    // actions to the parallelcluster/ path (ParallelCluster user guide, "AWS Identity and Access
    // Management permissions in AWS ParallelCluster"); not verified against a deployment.
    Annotations.of(scope).addWarningV2('llm-recipes:ParallelCluster.resourcePrefix',
      `resourcePrefix '${props.resourcePrefix}' is outside /parallelcluster/: the provider's default role may not be allowed to create roles there; `
      + 'use a path such as /parallelcluster/llm-recipes/, or pass a providerRole allowed to manage that path');
  }

  const checkName = (what: string, name: string) => {
    if (!RESOURCE_NAME.test(name) || name.length > RESOURCE_NAME_MAX || name === 'default') {
      errors.push(`${what}: '${name}' must match ${RESOURCE_NAME.source}, have at most ${RESOURCE_NAME_MAX} characters and not be 'default'`);
    }
  };
  const queueNames = new Set<string>();
  for (const q of props.queues) {
    checkName('queue name', q.name);
    if (queueNames.has(q.name)) errors.push(`queue name: '${q.name}' is used twice`);
    queueNames.add(q.name);
    if (q.computeResources.length === 0) errors.push(`queue ${q.name}: needs at least one compute resource`);
    const { reserved, placement } = queuePlacement(q);
    if (q.capacityType === 'CAPACITY_BLOCK') {
      if (q.placementGroup === true) errors.push(`queue ${q.name}: placementGroup cannot be used with CAPACITY_BLOCK capacity`);
      if (!newEnough(SINCE.capacityBlocks)) errors.push(`queue ${q.name}: CAPACITY_BLOCK needs ParallelCluster ${SINCE.capacityBlocks} or later (version is ${version})`);
      for (const c of q.computeResources) {
        if (!c.capacityReservationId || (c.minCount ?? 0) !== c.maxCount) {
          errors.push(`queue ${q.name} compute resource ${c.name}: a Capacity Block needs capacityReservationId and minCount equal to maxCount (static nodes)`);
        }
      }
    }
    checkScript(`queue ${q.name} onNodeConfigured`, q.onNodeConfigured);
    checkPolicies(`queue ${q.name} additionalIamPolicies`, q.additionalIamPolicies);
    checkS3Access(`queue ${q.name} s3Access`, q.s3Access);
    for (const c of q.computeResources) {
      checkName(`queue ${q.name} compute resource name`, c.name);
      const where = `queue ${q.name} compute resource ${c.name}`;
      checkInstanceType(`${where}: instanceType`, c.instanceType);
      checkPattern(`${where}: capacityReservationId`, c.capacityReservationId, CAPACITY_RESERVATION_ID, 'is not a capacity reservation ID such as cr-0123456789abcdef0');
      // Counts may be tokens (a CloudFormation parameter): ParallelCluster checks them at deploy.
      const min = c.minCount ?? 0;
      const minKnown = !Token.isUnresolved(min);
      const maxKnown = !Token.isUnresolved(c.maxCount);
      if (minKnown && (!Number.isInteger(min) || min < 0)) errors.push(`${where}: minCount ${min} must be a whole number of at least 0`);
      if (maxKnown && (!Number.isInteger(c.maxCount) || c.maxCount < 1)) errors.push(`${where}: maxCount ${c.maxCount} must be a whole number of at least 1`);
      else if (minKnown && maxKnown && min > c.maxCount) errors.push(`${where}: minCount ${min} is above maxCount ${c.maxCount}`);
      const efaCapable = supportsEfa(c.instanceType);
      if (c.efa === true && !efaCapable && known(c.instanceType)) {
        const family = c.instanceType.split('.')[0];
        if (EFA_INSTANCE_TYPES.some((t) => t.startsWith(`${family}.`))) {
          errors.push(`${where}: efa is set but ${c.instanceType} has no EFA; ${family} sizes with EFA: ${EFA_INSTANCE_TYPES.filter((t) => t.startsWith(`${family}.`)).join(', ')}`);
        } else {
          // A family the catalog's DescribeInstanceTypes data does not list with EFA may be newer or regional: ParallelCluster decides.
          Annotations.of(scope).addWarningV2('llm-recipes:ParallelCluster.efaUnknown',
            `${where}: efa is set but ${c.instanceType} is not in the catalog's EFA instance types (EFA_INSTANCE_TYPES); ParallelCluster's validator checks it at deploy`);
        }
      }
      if ((c.efa ?? efaCapable) && !placement && !reserved) {
        const why = c.efa === undefined ? `EFA is on by default for ${c.instanceType}, and it` : 'EFA';
        errors.push(`queue ${q.name} compute resource ${c.name}: ${why} needs a placement group or a capacity reservation; set placementGroup or capacityReservationId${c.efa === undefined ? ', or efa: false' : ''}`);
      }
      if (c.instanceType.startsWith('p5.') && !newEnough(SINCE.p5)) {
        errors.push(`queue ${q.name} compute resource ${c.name}: ${c.instanceType} needs ParallelCluster ${SINCE.p5} or later (version is ${version})`);
      }
    }
  }
  const fsx = props.fsxLustre;
  checkPattern('fsxLustre.fileSystemId', fsx?.fileSystemId, FILE_SYSTEM_ID, 'is not an FSx file system ID such as fs-0123456789abcdef0');
  if (fsx && !Token.isUnresolved(fsx.mountDir) && !/^\/[A-Za-z0-9_./-]+$/.test(fsx.mountDir)) {
    errors.push(`fsxLustre.mountDir: '${fsx.mountDir}' must be an absolute path such as /fsx`);
  }
  if (errors.length > 0) throw new Error(`ParallelCluster ${scope.node.path}: invalid props:\n- ${errors.join('\n- ')}`);
}

/**
 * Whether the queue launches into reserved capacity (a Capacity Block or a capacity reservation,
 * which come with their own placement) and whether it gets a cluster placement group.
 */
function queuePlacement(q: SlurmQueueOptions): { reserved: boolean; placement: boolean } {
  const reserved = q.capacityType === 'CAPACITY_BLOCK' || q.computeResources.some((c) => c.capacityReservationId !== undefined);
  return { reserved, placement: q.placementGroup ?? !reserved };
}

function customAction(action: ClusterCustomAction | undefined): Record<string, unknown> | undefined {
  if (!action) return undefined;
  return { OnNodeConfigured: { Script: action.script, ...(action.args?.length ? { Args: action.args } : {}) } };
}

function renderConfiguration(props: ParallelClusterProps): Record<string, unknown> {
  const securityGroupIds = props.securityGroups.map((sg) => sg.securityGroupId);
  const ssmPolicy = `arn:${Aws.PARTITION}:iam::aws:policy/AmazonSSMManagedInstanceCore`;
  const config: Record<string, unknown> = {
    Image: { Os: props.os ?? 'ubuntu2204', ...(props.customAmi ? { CustomAmi: props.customAmi } : {}) },
    Imds: { ImdsSupport: 'v2.0' },
    HeadNode: {
      InstanceType: props.headNodeInstanceType ?? 'c5.4xlarge',
      Networking: { SubnetId: props.subnet.subnetId, AdditionalSecurityGroups: securityGroupIds },
      // No key pair: SSH is not the way in. Port 22 is still limited to the VPC.
      Ssh: { AllowedIps: props.vpc.vpcCidrBlock },
      LocalStorage: { RootVolume: { Size: props.headNodeRootVolumeGiB ?? 200, Encrypted: true } },
      Imds: { Secured: true },
      Iam: {
        AdditionalIamPolicies: [ssmPolicy, ...(props.headNodeIamPolicies ?? [])].map((Policy) => ({ Policy })),
        ...(props.headNodeS3Access?.length ? {
          S3Access: renderS3Access(props.headNodeS3Access),
        } : {}),
      },
      ...(props.headNodeOnNodeConfigured ? { CustomActions: customAction(props.headNodeOnNodeConfigured) } : {}),
    },
    Scheduling: {
      Scheduler: 'slurm',
      SlurmSettings: {
        ScaledownIdletime: (props.scaledownIdletime ?? Duration.minutes(10)).toMinutes(),
        QueueUpdateStrategy: props.queueUpdateStrategy ?? 'DRAIN',
      },
      SlurmQueues: props.queues.map((q) => renderQueue(q, props, securityGroupIds, ssmPolicy)),
    },
  };
  if (props.fsxLustre) {
    config.SharedStorage = [{
      Name: 'fsx',
      StorageType: 'FsxLustre',
      MountDir: props.fsxLustre.mountDir,
      FsxLustreSettings: { FileSystemId: props.fsxLustre.fileSystemId },
    }];
  }
  if (props.permissionsBoundary || props.resourcePrefix) {
    config.Iam = {
      ...(props.permissionsBoundary ? { PermissionsBoundary: props.permissionsBoundary } : {}),
      ...(props.resourcePrefix ? { ResourcePrefix: props.resourcePrefix } : {}),
    };
  }
  if (props.tags && Object.keys(props.tags).length > 0) {
    config.Tags = Object.entries(props.tags).map(([Key, Value]) => ({ Key, Value }));
  }
  return config;
}

function renderQueue(q: SlurmQueueOptions, props: ParallelClusterProps, securityGroupIds: string[], ssmPolicy: string): Record<string, unknown> {
  const { placement } = queuePlacement(q);
  return {
    Name: q.name,
    CapacityType: q.capacityType ?? 'ONDEMAND',
    JobExclusiveAllocation: q.jobExclusiveAllocation ?? true,
    Networking: {
      SubnetIds: [props.subnet.subnetId],
      AdditionalSecurityGroups: securityGroupIds,
      PlacementGroup: { Enabled: placement },
    },
    ComputeResources: q.computeResources.map((c) => ({
      Name: c.name,
      InstanceType: c.instanceType,
      MinCount: c.minCount ?? 0,
      MaxCount: c.maxCount,
      Efa: { Enabled: c.efa ?? supportsEfa(c.instanceType) },
      DisableSimultaneousMultithreading: c.disableSimultaneousMultithreading ?? false,
      ...(c.capacityReservationId ? { CapacityReservationTarget: { CapacityReservationId: c.capacityReservationId } } : {}),
    })),
    Iam: {
      AdditionalIamPolicies: [ssmPolicy, ...(q.additionalIamPolicies ?? [])].map((Policy) => ({ Policy })),
      ...(q.s3Access?.length ? { S3Access: renderS3Access(q.s3Access) } : {}),
    },
    ...(q.onNodeConfigured ? { CustomActions: customAction(q.onNodeConfigured) } : {}),
  };
}

function renderS3Access(access: ClusterS3Access[]): Array<Record<string, unknown>> {
  return access.map((a) => ({ BucketName: a.bucketName, ...(a.keyName ? { KeyName: a.keyName } : {}), EnableWriteAccess: a.enableWriteAccess ?? false }));
}
