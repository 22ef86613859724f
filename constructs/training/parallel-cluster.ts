import {
  Annotations, Aws, CfnOutput, CfnStack, CustomResource, Duration, Fn, Lazy, Names, Size, Stack, TagManager, TagType, Token,
  type ITaggable,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as fsx from 'aws-cdk-lib/aws-fsx';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { compareVersions, EFA_INSTANCE_TYPES, supportsEfa } from '../catalog';
import { PropErrors } from '../private/validation';

/** Operating system of the cluster nodes (ParallelCluster `Image.Os`): the official AMIs this construct offers. */
export enum ClusterOs {
  /** Ubuntu 22.04 (ParallelCluster 3.7.0 or later). */
  UBUNTU_2204 = 'ubuntu2204',
  /** Ubuntu 24.04 (ParallelCluster 3.13.0 or later). */
  UBUNTU_2404 = 'ubuntu2404',
  /** Amazon Linux 2023 (ParallelCluster 3.10.0 or later). */
  AMAZON_LINUX_2023 = 'alinux2023',
  /** Red Hat Enterprise Linux 9 (ParallelCluster 3.9.0 or later). */
  RHEL_9 = 'rhel9',
  /** Rocky Linux 9 (ParallelCluster 3.9.0 or later). */
  ROCKY_9 = 'rocky9',
}

/** The release that added each OS (aws-parallelcluster CHANGELOG.md). */
const OS_SINCE: Readonly<Record<string, string>> = {
  [ClusterOs.UBUNTU_2204]: '3.7.0',
  [ClusterOs.UBUNTU_2404]: '3.13.0',
  [ClusterOs.AMAZON_LINUX_2023]: '3.10.0',
  [ClusterOs.RHEL_9]: '3.9.0',
  [ClusterOs.ROCKY_9]: '3.9.0',
};

/** How a Slurm queue buys its instances (ParallelCluster `SlurmQueues/CapacityType`). */
export enum ClusterCapacityType {
  ON_DEMAND = 'ONDEMAND',
  SPOT = 'SPOT',
  /** EC2 Capacity Blocks for ML (ParallelCluster 3.8.0 or later): static nodes in a reservation. */
  CAPACITY_BLOCK = 'CAPACITY_BLOCK',
}

/** What a queue update does to running nodes (ParallelCluster `SlurmSettings/QueueUpdateStrategy`). */
export enum ClusterQueueUpdateStrategy {
  /** Nodes finish their jobs, then are replaced. */
  DRAIN = 'DRAIN',
  /** The update needs the compute fleet stopped. */
  COMPUTE_FLEET_STOP = 'COMPUTE_FLEET_STOP',
  /** Running jobs are stopped and the nodes replaced at once. */
  TERMINATE = 'TERMINATE',
}

/** What happens to the cluster when its custom resource is deleted (the provider's `DeletionPolicy` property). */
export enum ClusterDeletionPolicy {
  DELETE = 'Delete',
  RETAIN = 'Retain',
}

/** The level of ParallelCluster validation findings that fails the create or update. */
export enum ClusterValidationFailureLevel {
  INFO = 'INFO',
  WARNING = 'WARNING',
  ERROR = 'ERROR',
}

/** ParallelCluster version the provider template and configuration default to. */
export const DEFAULT_PCLUSTER_VERSION = '3.16.3';

/** Releases that introduced what this construct renders (aws-parallelcluster CHANGELOG.md). */
const SINCE = {
  customResource: '3.6.0',
  capacityBlocks: '3.8.0',
  suppressValidators: '3.10.0',
  p5: '3.7.1',
  // "Starting with ParallelCluster 3.15.0, Tag updates are supported" (user guide, Tags section).
  tagUpdates: '3.15.0',
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

/** The head node's default instance type. */
const DEFAULT_HEAD_NODE_INSTANCE_TYPE = new ec2.InstanceType('c5.4xlarge');
/** The head node's default root volume: builds and environments live on it. */
const DEFAULT_HEAD_NODE_ROOT_VOLUME = Size.gibibytes(200);

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
  /** An EC2 instance type, for example `new ec2.InstanceType('p5.48xlarge')`. */
  readonly instanceType: ec2.InstanceType;
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
  /** @default ClusterCapacityType.ON_DEMAND */
  readonly capacityType?: ClusterCapacityType;
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
  /** Managed policies for the compute nodes, for example `iam.ManagedPolicy.fromAwsManagedPolicyName(...)`. @default none */
  readonly additionalIamPolicies?: iam.IManagedPolicy[];
  /** Buckets the compute nodes may read. @default none */
  readonly s3Access?: ClusterS3Access[];
}

/** An S3 bucket the nodes may read (and, if set, write): ParallelCluster adds the grant to the nodes' role. */
export interface ClusterS3Access {
  /** The bucket: one of this stack, or an imported one (`s3.Bucket.fromBucketName`). */
  readonly bucket: s3.IBucket;
  /**
   * The object key (or key prefix) the nodes may reach; without it they reach the whole bucket.
   * @default the whole bucket
   */
  readonly keyName?: string;
  /** @default false */
  readonly enableWriteAccess?: boolean;
}

/** An FSx for Lustre file system the cluster mounts (ParallelCluster `SharedStorage`, `FsxLustre`). */
export interface ClusterLustreMount {
  /** The file system: a `TrainingStorage`, an `fsx.LustreFileSystem` or an imported one. */
  readonly fileSystem: fsx.IFileSystem;
  /** Absolute mount path on every node, for example `/fsx`. */
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
  /** @default ClusterOs.UBUNTU_2204 */
  readonly os?: ClusterOs;
  /**
   * A custom Linux AMI built for this ParallelCluster version (`pcluster build-image`), for example
   * `ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-...' })`.
   * @default the official AMI of `os`
   */
  readonly customAmi?: ec2.IMachineImage;
  /** @default c5.4xlarge */
  readonly headNodeInstanceType?: ec2.InstanceType;
  /** Size of the head node's root volume, whole GiB, at least 50. @default Size.gibibytes(200) (builds and environments live on the head node) */
  readonly headNodeRootVolumeSize?: Size;
  /** Run on the head node once it is configured. @default none */
  readonly headNodeOnNodeConfigured?: ClusterCustomAction;
  /** Managed policies for the head node, besides SSM Session Manager. @default none */
  readonly headNodeIamPolicies?: iam.IManagedPolicy[];
  /** Buckets the head node may read. @default none */
  readonly headNodeS3Access?: ClusterS3Access[];
  readonly queues: SlurmQueueOptions[];
  /** An existing FSx for Lustre file system to mount. @default none */
  readonly fsxLustre?: ClusterLustreMount;
  /** Idle time before dynamic nodes are terminated. @default 10 minutes (the ParallelCluster default) */
  readonly scaledownIdletime?: Duration;
  /** What a queue update does to running nodes. @default ClusterQueueUpdateStrategy.DRAIN */
  readonly queueUpdateStrategy?: ClusterQueueUpdateStrategy;
  /** Keep the cluster when the resource is deleted. @default ClusterDeletionPolicy.DELETE: data lives on the stack's FSx, not on the cluster */
  readonly deletionPolicy?: ClusterDeletionPolicy;
  /** Validators to suppress (`ALL` or `type:Name`); needs ParallelCluster 3.10.0. @default none */
  readonly suppressValidators?: string[];
  /** @default ClusterValidationFailureLevel.ERROR */
  readonly validationFailureLevel?: ClusterValidationFailureLevel;
  /**
   * Tags on the cluster's resources (ParallelCluster `Tags`), besides those `Tags.of(scope)` applies.
   * @default none
   */
  readonly tags?: { [key: string]: string };
  /**
   * Managed policy set as the permissions boundary of every role ParallelCluster creates for the
   * cluster (`Iam.PermissionsBoundary`).
   * @default none
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
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
   * Managed policies added to the provider's own role (the `AdditionalIamPolicies` parameter);
   * ignored by the provider when `providerRole` is set, so the two cannot be combined.
   * @default none
   */
  readonly providerAdditionalIamPolicies?: iam.IManagedPolicy[];
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
 *
 * The cluster is taggable: `Tags.of(scope).add(...)` reaches the configuration's `Tags`, which
 * ParallelCluster propagates to the cluster's resources, instances included. For a key this
 * construct does not render, `addConfigurationOverride(path, value)`.
 */
export class ParallelCluster extends Construct implements ITaggable {
  /** The ParallelCluster version the provider template and configuration default to. */
  public static readonly DEFAULT_VERSION = DEFAULT_PCLUSTER_VERSION;

  public readonly clusterName: string;
  public readonly version: string;
  /** Tags of the cluster configuration (rendered as its `Tags`), which `Tags.of(scope)` reaches. */
  public readonly tags: TagManager;
  /** The ParallelCluster provider's nested stack. */
  public readonly provider: CfnStack;
  /** The `Custom::PclusterCluster` resource. */
  public readonly resource: CustomResource;
  /** Head node instance ID (`headNode.instanceId`). */
  public readonly headNodeInstanceId: string;
  /** Head node private IP (`headNode.privateIpAddress`). */
  public readonly headNodePrivateIp: string;
  /** Validation messages ParallelCluster reported (`validationMessages`). */
  public readonly validationMessages: string;
  private readonly baseConfiguration: Record<string, unknown>;
  private readonly overrides: Array<{ path: string; segments: string[]; value: unknown }> = [];

  constructor(scope: Construct, id: string, props: ParallelClusterProps) {
    super(scope, id);
    this.version = props.version ?? DEFAULT_PCLUSTER_VERSION;
    this.clusterName = props.clusterName ?? defaultClusterName(this);
    // Once: an image may add a mapping or a context lookup to the tree.
    const image = props.customAmi?.getImage(this);
    const rootVolumeGiB = validate(this, props, this.version, this.clusterName, image);

    this.baseConfiguration = renderConfiguration(props, image, rootVolumeGiB);
    this.tags = new TagManager(TagType.KEY_VALUE, 'Custom::PclusterCluster', props.tags);
    // The provider template lives in ParallelCluster's regional bucket (ParallelCluster user guide,
    // "AWS CloudFormation custom resource"); it uses the SAM transform, so deploys need
    // CAPABILITY_AUTO_EXPAND, which the CDK CLI sends.
    const providerParameters: Record<string, string> = {};
    if (props.providerRole) providerParameters.CustomLambdaRole = props.providerRole.roleArn;
    if (props.providerAdditionalIamPolicies?.length) providerParameters.AdditionalIamPolicies = props.providerAdditionalIamPolicies.map((p) => p.managedPolicyArn).join(',');
    this.provider = new CfnStack(this, 'Provider', {
      ...(Object.keys(providerParameters).length > 0 ? { parameters: providerParameters } : {}),
      templateUrl: `https://${Aws.REGION}-aws-parallelcluster.s3.${Aws.REGION}.${Aws.URL_SUFFIX}/parallelcluster/${this.version}/templates/custom_resource/cluster.yaml`,
    });
    // Only properties the provider passes to pcluster are sent: anything else breaks the resource.
    const properties: Record<string, unknown> = {
      ClusterName: this.clusterName,
      // Rendered at synth, after aspects (Tags.of) have run and overrides were added.
      ClusterConfiguration: Lazy.any({ produce: () => this.renderConfiguration() }),
      DeletionPolicy: props.deletionPolicy ?? ClusterDeletionPolicy.DELETE,
      ValidationFailureLevel: props.validationFailureLevel ?? ClusterValidationFailureLevel.ERROR,
    };
    if (props.suppressValidators?.length) properties.SuppressValidators = props.suppressValidators;
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.getAtt('Outputs.ServiceToken').toString(),
      resourceType: 'Custom::PclusterCluster',
      properties,
    });
    this.node.addValidation({ validate: () => this.warnOnFixedTags() });
    this.headNodeInstanceId = this.resource.getAttString('headNode.instanceId');
    this.headNodePrivateIp = this.resource.getAttString('headNode.privateIpAddress');
    this.validationMessages = this.resource.getAttString('validationMessages');
  }

  /**
   * Sets a key of the cluster configuration this construct does not render, or replaces one it does
   * (ParallelCluster 3 key names): `path` is the keys from the top, separated by dots, with a number
   * for a list entry, for example `HeadNode.Imds.Secured` or `Scheduling.SlurmQueues.0.ComputeSettings.LocalStorage.RootVolume.Size`.
   * Missing objects on the way are created; `value` undefined removes the key. Overrides apply in
   * the order they were added, after the rendered configuration and its tags. ParallelCluster
   * validates the result at deploy; this construct's synth checks do not see overrides.
   */
  public addConfigurationOverride(path: string, value: unknown): void {
    const segments = overridePath(path);
    // Applied once to a copy now, so a path that crosses a value or a missing list entry fails here, naming it.
    applyOverride(this.renderConfiguration(), path, segments, value);
    this.overrides.push({ path, segments, value });
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

  /** Before 3.15.0 ParallelCluster refuses an update that changes Tags: say so once the tags are known (after aspects). */
  private warnOnFixedTags(): string[] {
    const released = /^\d+\.\d+\.\d+$/.test(this.version);
    if (released && compareVersions(this.version, SINCE.tagUpdates) < 0 && this.tags.hasTags()) {
      Annotations.of(this).addWarningV2('llm-recipes:ParallelCluster.tagUpdates',
        `ParallelCluster ${this.version} cannot change the cluster's Tags after creation (${SINCE.tagUpdates} can): a later tag change, `
        + 'Tags.of(stack) included, fails the stack update; use ParallelCluster 3.15.0 or later, or settle the tags before the first deploy');
    }
    return [];
  }

  /** The configuration sent to ParallelCluster: the rendered keys, the tags, then the overrides. */
  private renderConfiguration(): Record<string, unknown> {
    const config = deepCopy(this.baseConfiguration) as Record<string, unknown>;
    const tags = this.tags.renderTags() as unknown;
    if (tags !== undefined) config.Tags = tags;
    for (const o of this.overrides) applyOverride(config, o.path, o.segments, o.value);
    return config;
  }
}

/** A copy of the plain objects and lists of a configuration; strings, numbers and tokens are shared. */
function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopy(v)]));
  }
  return value;
}

function overridePath(path: string): string[] {
  if (typeof path !== 'string' || Token.isUnresolved(path)) {
    throw new Error('ParallelCluster.addConfigurationOverride: path must be a literal string of keys separated by dots, such as HeadNode.Imds.Secured');
  }
  const segments = path.split('.');
  if (segments.some((s) => s === '')) {
    throw new Error(`ParallelCluster.addConfigurationOverride: path '${path}' has an empty key; use keys separated by single dots, such as HeadNode.Imds.Secured`);
  }
  return segments;
}

function applyOverride(config: Record<string, unknown>, path: string, segments: string[], value: unknown): void {
  let node: unknown = config;
  for (const [i, key] of segments.entries()) {
    const last = i === segments.length - 1;
    const where = segments.slice(0, i).join('.') || '(top)';
    if (Array.isArray(node)) {
      const index = Number(key);
      if (!/^\d+$/.test(key) || index >= node.length) {
        throw new Error(`ParallelCluster.addConfigurationOverride: '${path}': ${where} is a list of ${node.length}; '${key}' is not an index of it (0 to ${node.length - 1})`);
      }
      if (last) {
        if (value === undefined) node.splice(index, 1);
        else node[index] = value;
        return;
      }
      node = node[index];
      continue;
    }
    if (typeof node !== 'object' || node === null) {
      throw new Error(`ParallelCluster.addConfigurationOverride: '${path}': ${where} is a value, not an object with keys`);
    }
    const obj = node as Record<string, unknown>;
    if (last) {
      if (value === undefined) delete obj[key];
      else obj[key] = value;
      return;
    }
    if (obj[key] === undefined) obj[key] = {};
    node = obj[key];
  }
}

function defaultClusterName(scope: Construct): string {
  // Stable across deploys (the cluster name cannot change) and distinct from the stack name.
  const unique = Names.uniqueResourceName(scope, { maxLength: CLUSTER_NAME_MAX - 4, separator: '-', allowedSpecialCharacters: '-' });
  return `pc-${unique}`.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, CLUSTER_NAME_MAX);
}

/** The values of an enum, for a check of what a JavaScript caller passed. */
function enumProblem(what: string, value: unknown, enumName: string, values: Record<string, string>): string | undefined {
  if (value === undefined || Object.values(values).includes(value as string)) return undefined;
  return `${what}: '${String(value)}' is not a ${enumName}; use ${Object.keys(values).map((k) => `${enumName}.${k}`).join(', ')}`;
}

/** Checks the props; returns the head node's root volume in GiB (a number or a token). */
function validate(scope: Construct, props: ParallelClusterProps, version: string, clusterName: string, image: ec2.MachineImageConfig | undefined): number {
  const errors = new PropErrors(`ParallelCluster ${scope.node.path}`);
  errors.addMessage(
    enumProblem('os', props.os, 'ClusterOs', ClusterOs),
    enumProblem('queueUpdateStrategy', props.queueUpdateStrategy, 'ClusterQueueUpdateStrategy', ClusterQueueUpdateStrategy),
    enumProblem('deletionPolicy', props.deletionPolicy, 'ClusterDeletionPolicy', ClusterDeletionPolicy),
    enumProblem('validationFailureLevel', props.validationFailureLevel, 'ClusterValidationFailureLevel', ClusterValidationFailureLevel),
    ...props.queues.map((q) => enumProblem(`queue ${q.name} capacityType`, q.capacityType, 'ClusterCapacityType', ClusterCapacityType)),
  );
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    errors.addMessage(`version: '${version}' must be a ParallelCluster release such as ${DEFAULT_PCLUSTER_VERSION}`);
  } else if (compareVersions(version, SINCE.customResource) < 0) {
    errors.addMessage(`version: ${version} has no CloudFormation custom resource; use ${SINCE.customResource} or later`);
  }
  const newEnough = (since: string) => !/^\d+\.\d+\.\d+$/.test(version) || compareVersions(version, since) >= 0;

  if (!Token.isUnresolved(clusterName)) {
    if (!CLUSTER_NAME.test(clusterName) || clusterName.length > CLUSTER_NAME_MAX) {
      errors.addMessage(`clusterName: '${clusterName}' must match ${CLUSTER_NAME.source} with at most ${CLUSTER_NAME_MAX} characters`);
    }
    if (clusterName === Stack.of(scope).stackName) {
      errors.addMessage(`clusterName: '${clusterName}' equals the stack name; ParallelCluster creates a stack of that name, so they must differ`);
    }
  }
  const os = props.os ?? ClusterOs.UBUNTU_2204;
  const osSince = OS_SINCE[os];
  if (osSince && !newEnough(osSince)) errors.addMessage(`os: ${os} needs ParallelCluster ${osSince} or later (version is ${version})`);
  for (const v of props.suppressValidators ?? []) {
    if (v !== 'ALL' && !/^type:[A-Za-z0-9]+$/.test(v)) errors.addMessage(`suppressValidators: '${v}' must be 'ALL' or 'type:<ValidatorName>'`);
  }
  if (image && !Token.isUnresolved(image.imageId) && !/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/.test(image.imageId)) {
    errors.addMessage(`customAmi: '${image.imageId}' is not an AMI ID such as ami-0123456789abcdef0`);
  }
  if (image && image.osType !== ec2.OperatingSystemType.LINUX) {
    errors.addMessage(`customAmi: a ${ec2.OperatingSystemType[image.osType]} image; ParallelCluster runs Linux AMIs only (ec2.MachineImage.genericLinux(...))`);
  }
  if (props.suppressValidators?.length && !newEnough(SINCE.suppressValidators)) {
    errors.addMessage(`suppressValidators: needs ParallelCluster ${SINCE.suppressValidators} or later in the custom resource (version is ${version})`);
  }
  const idle = props.scaledownIdletime;
  if (idle !== undefined && !idle.isUnresolved()) {
    const minutes = idle.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) errors.addMessage(`scaledownIdletime: ${idle.toHumanString()} must be a whole number of minutes, at least 1`);
  }
  const rootSize = props.headNodeRootVolumeSize ?? DEFAULT_HEAD_NODE_ROOT_VOLUME;
  let root: number | undefined;
  try {
    root = rootSize.toGibibytes();
  } catch {
    errors.addMessage(`headNodeRootVolumeSize: ${rootSize.toHumanString()} is not a whole number of GiB; give it as Size.gibibytes(n)`);
  }
  if (root !== undefined && !Token.isUnresolved(root) && (!Number.isInteger(root) || root < 50)) {
    // The official AMIs' root volume is 50 GiB since 3.16.2 (35-45 before); it cannot shrink.
    errors.addMessage(`headNodeRootVolumeSize: ${root} GiB must be a whole number of at least 50 GiB`);
  }
  if (props.queues.length === 0) errors.addMessage('queues: a cluster needs at least one queue');

  const known = (v: string | undefined): v is string => v !== undefined && !Token.isUnresolved(v);
  const checkPattern = (what: string, value: string | undefined, re: RegExp, allowed: string) => {
    if (known(value) && !re.test(value)) errors.add(what, value, allowed);
  };
  const checkPolicies = (what: string, policies: iam.IManagedPolicy[] | undefined) => {
    for (const policy of policies ?? []) {
      if (typeof policy !== 'object' || policy === null || typeof policy.managedPolicyArn !== 'string') {
        errors.addMessage(`${what}: ${typeof policy === 'string' ? `'${policy}'` : typeof policy} is not an iam.IManagedPolicy; use iam.ManagedPolicy.fromManagedPolicyArn(...) or fromAwsManagedPolicyName(...)`);
        continue;
      }
      checkPattern(what, policy.managedPolicyArn, POLICY_ARN, 'is not an IAM policy ARN such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess (ParallelCluster takes ARNs, not policy names)');
    }
  };
  const checkScript = (what: string, action: ClusterCustomAction | undefined) => {
    checkPattern(`${what}.script`, action?.script, SCRIPT_URL, 'must be an s3:// or https:// URL of the script');
  };
  const checkS3Access = (what: string, access: ClusterS3Access[] | undefined) => {
    for (const a of access ?? []) {
      if (typeof a.bucket !== 'object' || a.bucket === null || typeof a.bucket.bucketName !== 'string') {
        errors.addMessage(`${what}: bucket must be an s3.IBucket (a Bucket, or s3.Bucket.fromBucketName(...)), got ${typeof a.bucket}`);
        continue;
      }
      checkPattern(`${what} bucket`, a.bucket.bucketName, BUCKET_NAME, 'must be named as a bucket (3 to 63 lowercase letters, digits, dots and hyphens, not an IP address), not an s3:// URL or an ARN');
    }
  };
  const checkInstanceType = (what: string, instanceType: ec2.InstanceType) => {
    const type = String(instanceType);
    if (!known(type)) return;
    if (type.startsWith('ml.')) errors.addMessage(`${what}: '${type}' is a SageMaker instance type; ParallelCluster needs an EC2 type such as p5.48xlarge`);
    else if (!EC2_INSTANCE_TYPE.test(type)) errors.addMessage(`${what}: '${type}' is not an EC2 instance type such as p5.48xlarge`);
  };
  checkPattern('subnet', props.subnet.subnetId, SUBNET_ID, 'has no subnet ID such as subnet-0123456789abcdef0');
  checkInstanceType('headNodeInstanceType', props.headNodeInstanceType ?? DEFAULT_HEAD_NODE_INSTANCE_TYPE);
  checkScript('headNodeOnNodeConfigured', props.headNodeOnNodeConfigured);
  checkPolicies('headNodeIamPolicies', props.headNodeIamPolicies);
  checkS3Access('headNodeS3Access', props.headNodeS3Access);
  checkPolicies('providerAdditionalIamPolicies', props.providerAdditionalIamPolicies);
  if (props.providerRole && props.providerAdditionalIamPolicies?.length) {
    errors.addMessage('providerAdditionalIamPolicies: the provider ignores them when providerRole is set; attach them to providerRole instead');
  }
  checkPattern('permissionsBoundary', props.permissionsBoundary?.managedPolicyArn, POLICY_ARN, 'is not an IAM policy ARN such as arn:aws:iam::123456789012:policy/Boundary');
  if (known(props.resourcePrefix) && (props.resourcePrefix === '' || props.resourcePrefix.length > 512 || !RESOURCE_PREFIX.test(props.resourcePrefix))) {
    errors.addMessage(`resourcePrefix: '${props.resourcePrefix}' must be a name of at most 30 characters without '/', a path that starts and ends with '/' such as /parallelcluster/llm-recipes/, or a path followed by such a name`);
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
      errors.addMessage(`${what}: '${name}' must match ${RESOURCE_NAME.source}, have at most ${RESOURCE_NAME_MAX} characters and not be 'default'`);
    }
  };
  const queueNames = new Set<string>();
  for (const q of props.queues) {
    checkName('queue name', q.name);
    if (queueNames.has(q.name)) errors.addMessage(`queue name: '${q.name}' is used twice`);
    queueNames.add(q.name);
    if (q.computeResources.length === 0) errors.addMessage(`queue ${q.name}: needs at least one compute resource`);
    const { reserved, placement } = queuePlacement(q);
    if (q.capacityType === ClusterCapacityType.CAPACITY_BLOCK) {
      if (q.placementGroup === true) errors.addMessage(`queue ${q.name}: placementGroup cannot be used with CAPACITY_BLOCK capacity`);
      if (!newEnough(SINCE.capacityBlocks)) errors.addMessage(`queue ${q.name}: CAPACITY_BLOCK needs ParallelCluster ${SINCE.capacityBlocks} or later (version is ${version})`);
      for (const c of q.computeResources) {
        if (!c.capacityReservationId || (c.minCount ?? 0) !== c.maxCount) {
          errors.addMessage(`queue ${q.name} compute resource ${c.name}: a Capacity Block needs capacityReservationId and minCount equal to maxCount (static nodes)`);
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
      if (minKnown && (!Number.isInteger(min) || min < 0)) errors.addMessage(`${where}: minCount ${min} must be a whole number of at least 0`);
      if (maxKnown && (!Number.isInteger(c.maxCount) || c.maxCount < 1)) errors.addMessage(`${where}: maxCount ${c.maxCount} must be a whole number of at least 1`);
      else if (minKnown && maxKnown && min > c.maxCount) errors.addMessage(`${where}: minCount ${min} is above maxCount ${c.maxCount}`);
      const instanceType = String(c.instanceType);
      const efaCapable = supportsEfa(instanceType);
      if (c.efa === true && !efaCapable && known(instanceType)) {
        const family = instanceType.split('.')[0];
        if (EFA_INSTANCE_TYPES.some((t) => t.startsWith(`${family}.`))) {
          errors.addMessage(`${where}: efa is set but ${instanceType} has no EFA; ${family} sizes with EFA: ${EFA_INSTANCE_TYPES.filter((t) => t.startsWith(`${family}.`)).join(', ')}`);
        } else {
          // A family the catalog's DescribeInstanceTypes data does not list with EFA may be newer or regional: ParallelCluster decides.
          Annotations.of(scope).addWarningV2('llm-recipes:ParallelCluster.efaUnknown',
            `${where}: efa is set but ${instanceType} is not in the catalog's EFA instance types (EFA_INSTANCE_TYPES); ParallelCluster's validator checks it at deploy`);
        }
      }
      if ((c.efa ?? efaCapable) && !placement && !reserved) {
        const why = c.efa === undefined ? `EFA is on by default for ${instanceType}, and it` : 'EFA';
        errors.addMessage(`queue ${q.name} compute resource ${c.name}: ${why} needs a placement group or a capacity reservation; set placementGroup or capacityReservationId${c.efa === undefined ? ', or efa: false' : ''}`);
      }
      if (instanceType.startsWith('p5.') && !newEnough(SINCE.p5)) {
        errors.addMessage(`queue ${q.name} compute resource ${c.name}: ${instanceType} needs ParallelCluster ${SINCE.p5} or later (version is ${version})`);
      }
    }
  }
  const fsx = props.fsxLustre;
  checkPattern('fsxLustre.fileSystem', fsx?.fileSystem.fileSystemId, FILE_SYSTEM_ID, 'is not an FSx file system ID such as fs-0123456789abcdef0');
  if (fsx && !Token.isUnresolved(fsx.mountDir) && !/^\/[A-Za-z0-9_./-]+$/.test(fsx.mountDir)) {
    errors.addMessage(`fsxLustre.mountDir: '${fsx.mountDir}' must be an absolute path such as /fsx`);
  }
  errors.throwIfAny();
  return root ?? DEFAULT_HEAD_NODE_ROOT_VOLUME.toGibibytes();
}

/**
 * Whether the queue launches into reserved capacity (a Capacity Block or a capacity reservation,
 * which come with their own placement) and whether it gets a cluster placement group.
 */
function queuePlacement(q: SlurmQueueOptions): { reserved: boolean; placement: boolean } {
  const reserved = q.capacityType === ClusterCapacityType.CAPACITY_BLOCK || q.computeResources.some((c) => c.capacityReservationId !== undefined);
  return { reserved, placement: q.placementGroup ?? !reserved };
}

function customAction(action: ClusterCustomAction | undefined): Record<string, unknown> | undefined {
  if (!action) return undefined;
  return { OnNodeConfigured: { Script: action.script, ...(action.args?.length ? { Args: action.args } : {}) } };
}

function policyArns(policies: iam.IManagedPolicy[] | undefined): string[] {
  return (policies ?? []).map((p) => p.managedPolicyArn);
}

function renderConfiguration(props: ParallelClusterProps, image: ec2.MachineImageConfig | undefined, rootVolumeGiB: number): Record<string, unknown> {
  const securityGroupIds = props.securityGroups.map((sg) => sg.securityGroupId);
  const ssmPolicy = `arn:${Aws.PARTITION}:iam::aws:policy/AmazonSSMManagedInstanceCore`;
  const config: Record<string, unknown> = {
    Image: { Os: props.os ?? ClusterOs.UBUNTU_2204, ...(image ? { CustomAmi: image.imageId } : {}) },
    Imds: { ImdsSupport: 'v2.0' },
    HeadNode: {
      InstanceType: String(props.headNodeInstanceType ?? DEFAULT_HEAD_NODE_INSTANCE_TYPE),
      Networking: { SubnetId: props.subnet.subnetId, AdditionalSecurityGroups: securityGroupIds },
      // No key pair: SSH is not the way in. Port 22 is still limited to the VPC.
      Ssh: { AllowedIps: props.vpc.vpcCidrBlock },
      LocalStorage: { RootVolume: { Size: rootVolumeGiB, Encrypted: true } },
      Imds: { Secured: true },
      Iam: {
        AdditionalIamPolicies: [ssmPolicy, ...policyArns(props.headNodeIamPolicies)].map((Policy) => ({ Policy })),
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
        QueueUpdateStrategy: props.queueUpdateStrategy ?? ClusterQueueUpdateStrategy.DRAIN,
      },
      SlurmQueues: props.queues.map((q) => renderQueue(q, props, securityGroupIds, ssmPolicy)),
    },
  };
  if (props.fsxLustre) {
    config.SharedStorage = [{
      Name: 'fsx',
      StorageType: 'FsxLustre',
      MountDir: props.fsxLustre.mountDir,
      FsxLustreSettings: { FileSystemId: props.fsxLustre.fileSystem.fileSystemId },
    }];
  }
  if (props.permissionsBoundary || props.resourcePrefix) {
    config.Iam = {
      ...(props.permissionsBoundary ? { PermissionsBoundary: props.permissionsBoundary.managedPolicyArn } : {}),
      ...(props.resourcePrefix ? { ResourcePrefix: props.resourcePrefix } : {}),
    };
  }
  return config;
}

function renderQueue(q: SlurmQueueOptions, props: ParallelClusterProps, securityGroupIds: string[], ssmPolicy: string): Record<string, unknown> {
  const { placement } = queuePlacement(q);
  return {
    Name: q.name,
    CapacityType: q.capacityType ?? ClusterCapacityType.ON_DEMAND,
    JobExclusiveAllocation: q.jobExclusiveAllocation ?? true,
    Networking: {
      SubnetIds: [props.subnet.subnetId],
      AdditionalSecurityGroups: securityGroupIds,
      PlacementGroup: { Enabled: placement },
    },
    ComputeResources: q.computeResources.map((c) => ({
      Name: c.name,
      InstanceType: String(c.instanceType),
      MinCount: c.minCount ?? 0,
      MaxCount: c.maxCount,
      Efa: { Enabled: c.efa ?? supportsEfa(String(c.instanceType)) },
      DisableSimultaneousMultithreading: c.disableSimultaneousMultithreading ?? false,
      ...(c.capacityReservationId ? { CapacityReservationTarget: { CapacityReservationId: c.capacityReservationId } } : {}),
    })),
    Iam: {
      AdditionalIamPolicies: [ssmPolicy, ...policyArns(q.additionalIamPolicies)].map((Policy) => ({ Policy })),
      ...(q.s3Access?.length ? { S3Access: renderS3Access(q.s3Access) } : {}),
    },
    ...(q.onNodeConfigured ? { CustomActions: customAction(q.onNodeConfigured) } : {}),
  };
}

function renderS3Access(access: ClusterS3Access[]): Array<Record<string, unknown>> {
  return access.map((a) => ({ BucketName: a.bucket.bucketName, ...(a.keyName ? { KeyName: a.keyName } : {}), EnableWriteAccess: a.enableWriteAccess ?? false }));
}
