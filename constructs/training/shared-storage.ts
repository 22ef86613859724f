import { Aws, Duration, RemovalPolicy, Size, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { retainedBucket } from '../private/retained-bucket';
import { PropErrors } from '../private/validation';

/** PERSISTENT_2 throughput tiers in MB/s per TiB (FSx for Lustre API, PerUnitStorageThroughput). */
export const LUSTRE_THROUGHPUT_TIERS = [125, 250, 500, 1000] as const;

/** PERSISTENT_2 capacity: 1200 GiB, or a multiple of 2400 GiB (FSx for Lustre API, StorageCapacity). */
export function isValidLustreCapacity(gib: number): boolean {
  return Number.isInteger(gib) && (gib === 1200 || (gib > 0 && gib % 2400 === 0));
}

/**
 * Days the data bucket keeps a replaced or deleted object version (old checkpoints): long enough to
 * recover from a bad run or an accidental delete, short enough not to keep every checkpoint ever written.
 */
export const DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS = 30;

/** Properties of a {@link TrainingStorage}. */
export interface TrainingStorageProps {
  readonly vpc: ec2.IVpc;
  /** Subnet of the file system: the compute nodes' subnet, in the same Availability Zone. */
  readonly subnet: ec2.ISubnet;
  /** Security group of the cluster nodes that mount the file system. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /**
   * 1200 GiB or a multiple of 2400 GiB. A token (a CloudFormation parameter) is checked by FSx at
   * deploy; give it in GiB (`Size.gibibytes(param.valueAsNumber)`).
   * @default Size.gibibytes(1200)
   */
  readonly storageCapacity?: Size;
  /** MB/s per TiB: 125, 250, 500 or 1000. @default 250 (the FSDP reference cluster) */
  readonly perUnitStorageThroughput?: number;
  /**
   * Bucket linked to the file system for datasets and checkpoints.
   * @default a new retained, KMS-encrypted, versioned bucket
   */
  readonly dataBucket?: s3.IBucket;
  /** Key of the file system and of a new data bucket. @default a new rotating, retained key */
  readonly encryptionKey?: kms.IKey;
  /** Where the bucket appears in the file system. @default '/s3' */
  readonly fileSystemPath?: string;
  /**
   * How long a new data bucket keeps noncurrent object versions (overwritten or deleted
   * checkpoints and data) before S3 expires them; whole days. Ignored for a `dataBucket` you pass.
   * @default Duration.days(DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS) (30 days)
   */
  readonly noncurrentVersionExpiration?: Duration;
}

/**
 * Shared storage for training clusters, created by the stack rather than by the cluster so that it
 * outlives any cluster rebuild: FSx for Lustre PERSISTENT_2 (LZ4 compression, KMS-encrypted,
 * retained) linked through a data repository association to an S3 bucket that imports and exports
 * new, changed and deleted files automatically. Its security group admits the cluster on the Lustre
 * ports only.
 *
 * It is an `fsx.IFileSystem` (and so `ec2.IConnectable`): pass it where a file system is expected,
 * such as a training recipe's `fileSystem`, and `storage.connections.allowDefaultPortFrom(peer)` to
 * admit another client.
 */
export class TrainingStorage extends Construct implements fsx.IFileSystem {
  /** The FSx for Lustre file system (L2; `fileSystem.node.defaultChild` is its `CfnFileSystem`). */
  public readonly fileSystem: fsx.LustreFileSystem;
  public readonly dataBucket: s3.IBucket;
  public readonly encryptionKey: kms.IKey;
  /** The file system's security group. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The data repository association (L1) that links `fileSystemPath` to the data bucket. */
  public readonly dataRepositoryAssociation: fsx.CfnDataRepositoryAssociation;
  /** Path inside the file system where the bucket's objects appear. */
  public readonly fileSystemPath: string;

  constructor(scope: Construct, id: string, props: TrainingStorageProps) {
    super(scope, id);
    const throughput = props.perUnitStorageThroughput ?? 250;
    const errors = new PropErrors('TrainingStorage');
    const size = props.storageCapacity ?? Size.gibibytes(1200);
    let capacity = 1200;
    try {
      capacity = size.toGibibytes();
    } catch {
      errors.addMessage(`storageCapacity: ${size.toHumanString()} is not a whole number of GiB; use Size.gibibytes(1200) or a multiple of 2400 GiB`);
    }
    if (!Token.isUnresolved(capacity) && !isValidLustreCapacity(capacity)) {
      errors.addMessage(`storageCapacity: ${capacity} GiB is not a PERSISTENT_2 capacity; use 1200 or a multiple of 2400 GiB`);
    }
    if (!Token.isUnresolved(throughput) && !(LUSTRE_THROUGHPUT_TIERS as readonly number[]).includes(throughput)) {
      errors.addMessage(`perUnitStorageThroughput: ${throughput} MB/s/TiB is not offered; use one of ${LUSTRE_THROUGHPUT_TIERS.join(', ')}`);
    }
    this.fileSystemPath = props.fileSystemPath ?? '/s3';
    if (!Token.isUnresolved(this.fileSystemPath) && !/^\/[A-Za-z0-9_.\-/]*[A-Za-z0-9_.-]$/.test(this.fileSystemPath)) {
      errors.addMessage(`fileSystemPath: '${this.fileSystemPath}' must be an absolute path such as '/s3', not '/' or ending in '/'`);
    }
    const noncurrent = props.noncurrentVersionExpiration ?? Duration.days(DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS);
    if (props.noncurrentVersionExpiration !== undefined && props.dataBucket) {
      errors.addMessage('noncurrentVersionExpiration: applies to the bucket TrainingStorage creates; set a lifecycle rule on the dataBucket you pass instead');
    } else if (!noncurrent.isUnresolved()) {
      const days = noncurrent.toDays({ integral: false });
      if (!Number.isInteger(days) || days < 1) errors.addMessage(`noncurrentVersionExpiration: ${noncurrent.toHumanString()} must be a whole number of days, at least 1 (S3 lifecycle NoncurrentDays)`);
    }
    errors.throwIfAny();

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: 'Training data: FSx for Lustre and its S3 data repository',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    if (props.dataBucket) {
      this.dataBucket = props.dataBucket;
    } else {
      const bucket = retainedBucket(this, 'DataBucket', this.encryptionKey, 'data-bucket/');
      bucket.addLifecycleRule({ id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: noncurrent });
      this.dataBucket = bucket;
    }
    // FSx reads and writes a KMS-encrypted bucket as its per-file-system service-linked role
    // AWSServiceRoleForFSxS3Access_<fs-id>, which exists only once the association is created, so
    // the key policy names it by pattern rather than as a principal (FSx for Lustre guide, "Working
    // with server-side encrypted Amazon S3 buckets"; role path from FSxDeleteServiceLinkedRoleAccess).
    const fsxRoleStatement = new iam.PolicyStatement({
      sid: 'FsxDataRepositoryAccess',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_*` },
        StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID, 'kms:ViaService': `s3.${Aws.REGION}.${Aws.URL_SUFFIX}` },
      },
    });
    this.encryptionKey.addToResourcePolicy(fsxRoleStatement);
    const bucketKey = props.dataBucket?.encryptionKey;
    if (bucketKey && bucketKey !== this.encryptionKey && !bucketKey.addToResourcePolicy(fsxRoleStatement).statementAdded) {
      throw new Error(`TrainingStorage: dataBucket is encrypted with the imported key ${bucketKey.node.path}, whose policy this stack cannot change; pass that key as encryptionKey after granting the FSx service-linked role (AWSServiceRoleForFSxS3Access_*) kms:Decrypt, Encrypt, ReEncrypt*, GenerateDataKey* and DescribeKey on it, or use a bucket with SSE-S3`);
    }

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'FSx for Lustre: Lustre traffic from the cluster and between file servers',
      allowAllOutbound: false,
    });
    this.securityGroup = securityGroup;
    // Lustre uses TCP 988 and 1018-1023 between clients and file servers in both directions, and
    // between the file servers themselves (FSx for Lustre guide, "File system access control with
    // Amazon VPC"). ParallelCluster's validator checks the file system group's inbound and outbound
    // rules against the cluster's groups before it creates the cluster.
    const lustrePorts = [ec2.Port.tcp(988), ec2.Port.tcpRange(1018, 1023)];
    for (const port of lustrePorts) {
      for (const peer of [props.clientSecurityGroup, securityGroup]) {
        securityGroup.addIngressRule(peer, port, 'Lustre');
        securityGroup.addEgressRule(peer, port, 'Lustre');
      }
      props.clientSecurityGroup.addIngressRule(securityGroup, port, 'Lustre from the file servers');
    }

    // aws-cdk-lib checks capacity and tier at synth even for tokens, so a token goes in through the
    // L1 after a valid placeholder; FSx checks the deployed value.
    this.fileSystem = new fsx.LustreFileSystem(this, 'FileSystem', {
      vpc: props.vpc,
      vpcSubnet: props.subnet,
      securityGroup,
      storageCapacityGiB: Token.isUnresolved(capacity) ? 1200 : capacity,
      kmsKey: this.encryptionKey,
      fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_15,
      removalPolicy: RemovalPolicy.RETAIN,
      lustreConfiguration: {
        deploymentType: fsx.LustreDeploymentType.PERSISTENT_2,
        perUnitStorageThroughput: Token.isUnresolved(throughput) ? LUSTRE_THROUGHPUT_TIERS[0] : throughput,
        dataCompressionType: fsx.LustreDataCompressionType.LZ4,
      },
    });

    const cfnFileSystem = this.fileSystem.node.defaultChild as fsx.CfnFileSystem;
    if (Token.isUnresolved(capacity)) cfnFileSystem.addPropertyOverride('StorageCapacity', capacity);
    if (Token.isUnresolved(throughput)) cfnFileSystem.addPropertyOverride('LustreConfiguration.PerUnitStorageThroughput', throughput);

    this.dataRepositoryAssociation = new fsx.CfnDataRepositoryAssociation(this, 'DataRepositoryAssociation', {
      fileSystemId: this.fileSystem.fileSystemId,
      fileSystemPath: this.fileSystemPath,
      dataRepositoryPath: this.dataBucket.s3UrlForObject(),
      batchImportMetaDataOnCreate: true,
      s3: {
        autoImportPolicy: { events: ['NEW', 'CHANGED', 'DELETED'] },
        autoExportPolicy: { events: ['NEW', 'CHANGED', 'DELETED'] },
      },
    });
  }

  /** The file system ID, for ParallelCluster's SharedStorage FsxLustreSettings.FileSystemId. */
  public get fileSystemId(): string {
    return this.fileSystem.fileSystemId;
  }

  /** The file system's connections: its security group, default port the Lustre range (TCP 988-1023). */
  public get connections(): ec2.Connections {
    return this.fileSystem.connections;
  }
}
