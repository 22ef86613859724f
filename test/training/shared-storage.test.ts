import { CfnParameter, Duration, Size, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  PrivateVpc, TrainingStorage, type TrainingStorageProps,
} from '../../constructs';
import { DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS, isValidLustreCapacity, LUSTRE_THROUGHPUT_TIERS } from '../../constructs/training/shared-storage';
import { templateOf, testStack } from '../util/synth';

type StorageOptions = Omit<TrainingStorageProps, 'vpc' | 'subnet' | 'clientSecurityGroup'>;

function withNetwork(stack: Stack, options: StorageOptions = {}) {
  const network = new PrivateVpc(stack, 'Network');
  const storage = new TrainingStorage(stack, 'Storage', {
    vpc: network.vpc, subnet: network.computeSubnet, clientSecurityGroup: network.clusterSecurityGroup, ...options,
  });
  return { network, storage };
}

function synth(options: StorageOptions = {}) {
  const { stack } = testStack();
  const { network, storage } = withNetwork(stack, options);
  return { stack, network, storage, template: templateOf(stack) };
}

function build(options: StorageOptions) {
  const { stack } = testStack();
  return () => withNetwork(stack, options);
}

function onlyResource(template: Template, type: string): { logicalId: string; resource: { Properties: Record<string, unknown> } } {
  const found = template.findResources(type);
  const ids = Object.keys(found);
  expect(ids).toHaveLength(1);
  return { logicalId: ids[0], resource: found[ids[0]] as { Properties: Record<string, unknown> } };
}

describe('isValidLustreCapacity', () => {
  test.each([1200, 2400, 4800, 7200, 2400 * 100])('%d GiB is a PERSISTENT_2 capacity', (gib) => {
    expect(isValidLustreCapacity(gib)).toBe(true);
  });

  test.each([0, -2400, 1000, 1800, 3600, 6000, 1200.5, Number.NaN])('%d GiB is not', (gib) => {
    expect(isValidLustreCapacity(gib)).toBe(false);
  });

  test('throughput tiers are 125, 250, 500 and 1000 MB/s/TiB', () => {
    expect([...LUSTRE_THROUGHPUT_TIERS]).toEqual([125, 250, 500, 1000]);
  });
});

describe('TrainingStorage defaults', () => {
  test('FSx for Lustre PERSISTENT_2, 1200 GiB, 250 MB/s/TiB, LZ4, KMS, Lustre 2.15, retained', () => {
    const { template, stack, storage, network } = synth();
    const { resource } = onlyResource(template, 'AWS::FSx::FileSystem');
    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::FSx::FileSystem', {
      FileSystemType: 'LUSTRE',
      FileSystemTypeVersion: '2.15',
      StorageCapacity: 1200,
      KmsKeyId: { Ref: Match.stringLikeRegexp('^StorageKey') },
      SubnetIds: [stack.resolve(network.computeSubnet.subnetId) as unknown],
      SecurityGroupIds: [stack.resolve(storage.securityGroup.securityGroupId) as unknown],
      LustreConfiguration: {
        DeploymentType: 'PERSISTENT_2',
        PerUnitStorageThroughput: 250,
        DataCompressionType: 'LZ4',
      },
    });
    expect(stack.resolve(storage.fileSystemId)).toEqual(stack.resolve(storage.fileSystem.fileSystemId));
  });

  test('a rotating, retained KMS key', () => {
    const { template } = synth();
    // The other key is the PrivateVpc's flow-log key.
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, Description: Match.not(Match.stringLikeRegexp('flow logs')) },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('a data repository association at /s3 that imports metadata and syncs new, changed and deleted files both ways', () => {
    const { template, stack, storage } = synth();
    template.resourceCountIs('AWS::FSx::DataRepositoryAssociation', 1);
    template.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      FileSystemId: stack.resolve(storage.fileSystemId) as unknown,
      FileSystemPath: '/s3',
      DataRepositoryPath: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageDataBucket') }]] },
      BatchImportMetaDataOnCreate: true,
      S3: {
        AutoImportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] },
        AutoExportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] },
      },
    });
    expect(storage.fileSystemPath).toBe('/s3');
  });

  test('the data bucket: KMS with the storage key, versioned, private, access-logged, retained', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
            },
          }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('^StorageAccessLogs') },
          LogFilePrefix: 'data-bucket/',
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the access-log bucket: SSE-S3, retained, expires logs after a year', () => {
    const { template } = synth();
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })] },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the key policy lets the FSx S3-access service-linked role use the key through S3 only', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'FsxDataRepositoryAccess',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': {
                'Fn::Join': ['', [
                  'arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' },
                  ':role/aws-service-role/s3.data-source.lustre.fsx.amazonaws.com/AWSServiceRoleForFSxS3Access_*',
                ]],
              },
            },
            StringEquals: {
              'kms:CallerAccount': { Ref: 'AWS::AccountId' },
              'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
            },
          },
        })]),
      },
    });
  });

  test('the file system security group admits the cluster and itself on TCP 988 and 1018-1023 only', () => {
    const { template, stack, storage, network } = synth();
    const client = stack.resolve(network.clusterSecurityGroup.securityGroupId) as unknown;
    const self = stack.resolve(storage.securityGroup.securityGroupId) as unknown;
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: self } }))
      .map((r) => (r as { Properties: Record<string, unknown> }).Properties)
      .map((p) => ({ source: p.SourceSecurityGroupId, protocol: p.IpProtocol, from: p.FromPort, to: p.ToPort }));
    // From the cluster: exactly the Lustre ports.
    expect(ingress.filter((r) => JSON.stringify(r.source) === JSON.stringify(client))).toEqual([
      { source: client, protocol: 'tcp', from: 988, to: 988 },
      { source: client, protocol: 'tcp', from: 1018, to: 1023 },
    ]);
    // From the file servers themselves: the same (the LustreFileSystem L2 also adds its own 988-1023 rule).
    expect(ingress).toEqual(expect.arrayContaining([
      { source: self, protocol: 'tcp', from: 988, to: 988 },
      { source: self, protocol: 'tcp', from: 1018, to: 1023 },
    ]));
    // Nothing else reaches the file system: every source is the cluster or the file system, every rule TCP within 988-1023.
    for (const rule of ingress) {
      expect([client, self]).toContainEqual(rule.source);
      expect(rule.protocol).toBe('tcp');
      expect(rule.from).toBeGreaterThanOrEqual(988);
      expect(rule.to).toBeLessThanOrEqual(1023);
    }
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { SourceSecurityGroupId: client, GroupId: self }, 2);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress', { Properties: { GroupId: self } }))
      .map((r) => (r as { Properties: Record<string, unknown> }).Properties)
      .map((p) => ({ dest: p.DestinationSecurityGroupId, protocol: p.IpProtocol, from: p.FromPort, to: p.ToPort }));
    expect(egress).toEqual(expect.arrayContaining([
      { dest: self, protocol: 'tcp', from: 988, to: 988 },
      { dest: self, protocol: 'tcp', from: 1018, to: 1023 },
    ]));
    // No allow-all egress on the file system's group.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^FSx for Lustre'),
      SecurityGroupEgress: Match.absent(),
    });
  });
});

describe('TrainingStorage options', () => {
  test.each([
    [2400, 125],
    [4800, 1000],
  ])('capacity %d GiB at %d MB/s/TiB', (capacity, throughput) => {
    const { template } = synth({ storageCapacity: Size.gibibytes(capacity), perUnitStorageThroughput: throughput });
    template.hasResourceProperties('AWS::FSx::FileSystem', {
      StorageCapacity: capacity,
      LustreConfiguration: Match.objectLike({ PerUnitStorageThroughput: throughput }),
    });
  });

  test('an existing bucket is linked instead of creating one', () => {
    const { stack } = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-training-data');
    const { storage } = withNetwork(stack, { dataBucket: bucket });
    const template = templateOf(stack);
    expect(storage.dataBucket).toBe(bucket);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      DataRepositoryPath: 's3://my-training-data',
    });
  });

  test('fileSystemPath places the bucket elsewhere in the file system', () => {
    const { template, storage } = synth({ fileSystemPath: '/data/s3' });
    expect(storage.fileSystemPath).toBe('/data/s3');
    template.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', { FileSystemPath: '/data/s3' });
  });

  test.each([1000, 3600])('throws when storageCapacity is %d GiB', (capacity) => {
    expect(build({ storageCapacity: Size.gibibytes(capacity) }))
      .toThrow(new RegExp(`storageCapacity: ${capacity} GiB is not a PERSISTENT_2 capacity; use 1200 or a multiple of 2400`));
  });

  test('takes the capacity in any unit that is a whole number of GiB', () => {
    synth({ storageCapacity: Size.tebibytes(2.34375) }).template.hasResourceProperties('AWS::FSx::FileSystem', { StorageCapacity: 2400 });
  });

  test('throws when the capacity is not a whole number of GiB', () => {
    expect(build({ storageCapacity: Size.mebibytes(1500) })).toThrow(/storageCapacity: 1\.46 GiB is not a whole number of GiB; use Size\.gibibytes\(1200\)/);
  });

  test('throws when perUnitStorageThroughput is 200', () => {
    expect(build({ perUnitStorageThroughput: 200 })).toThrow(/perUnitStorageThroughput: 200 MB\/s\/TiB is not offered; use one of 125, 250, 500, 1000/);
  });

  test("throws when fileSystemPath is '/'", () => {
    expect(build({ fileSystemPath: '/' })).toThrow(/fileSystemPath: '\/' must be an absolute path/);
  });

  test("throws when fileSystemPath is 'relative'", () => {
    expect(build({ fileSystemPath: 'relative' })).toThrow(/fileSystemPath: 'relative' must be an absolute path/);
  });

  test("throws when fileSystemPath ends in '/'", () => {
    expect(build({ fileSystemPath: '/s3/' })).toThrow(/fileSystemPath: '\/s3\/'/);
  });

  test('throws once, naming every bad prop', () => {
    expect(build({ storageCapacity: Size.gibibytes(1000), perUnitStorageThroughput: 200 }))
      .toThrow(/storageCapacity: 1000 GiB[\s\S]*perUnitStorageThroughput: 200/);
  });
});

describe('TrainingStorage: old versions and tokens', () => {
  test('the data bucket expires noncurrent versions after 30 days by default', () => {
    const { template, storage } = synth();
    expect(DEFAULT_NONCURRENT_VERSION_EXPIRATION_DAYS).toBe(30);
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [{ Id: 'ExpireNoncurrentVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }] },
    });
    expect(storage.dataBucket.bucketName).toBeDefined();
  });

  test('noncurrentVersionExpiration changes the days', () => {
    const { template } = synth({ noncurrentVersionExpiration: Duration.days(7) });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 7 } })] },
    });
  });

  test('throws when noncurrentVersionExpiration is not whole days, or comes with an existing bucket', () => {
    expect(build({ noncurrentVersionExpiration: Duration.hours(36) })).toThrow(/noncurrentVersionExpiration: 1 day 12 hours must be a whole number of days, at least 1/);
    const { stack } = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Existing', 'my-data');
    const network = new PrivateVpc(stack, 'Network');
    expect(() => new TrainingStorage(stack, 'Storage', {
      vpc: network.vpc, subnet: network.computeSubnet, clientSecurityGroup: network.clusterSecurityGroup, dataBucket: bucket, noncurrentVersionExpiration: Duration.days(7),
    })).toThrow(/noncurrentVersionExpiration: applies to the bucket TrainingStorage creates/);
  });

  test('storage capacity and throughput from CloudFormation parameters are accepted and passed to FSx', () => {
    const { stack } = testStack();
    const capacity = new CfnParameter(stack, 'Capacity', { type: 'Number' }).valueAsNumber;
    const throughput = new CfnParameter(stack, 'Throughput', { type: 'Number' }).valueAsNumber;
    const network = new PrivateVpc(stack, 'Network');
    new TrainingStorage(stack, 'Storage', {
      vpc: network.vpc, subnet: network.computeSubnet, clientSecurityGroup: network.clusterSecurityGroup,
      storageCapacity: Size.gibibytes(capacity), perUnitStorageThroughput: throughput,
    });
    templateOf(stack).hasResourceProperties('AWS::FSx::FileSystem', {
      StorageCapacity: { Ref: 'Capacity' },
      LustreConfiguration: Match.objectLike({ PerUnitStorageThroughput: { Ref: 'Throughput' } }),
    });
  });
});

describe('TrainingStorage as a file system', () => {
  test('is an fsx.IFileSystem and ec2.IConnectable: another client is admitted on the Lustre ports', () => {
    const { stack } = testStack();
    const { network, storage } = withNetwork(stack);
    const other = new ec2.SecurityGroup(stack, 'Other', { vpc: network.vpc, allowAllOutbound: false });
    const fileSystem: fsx.IFileSystem = storage;
    fileSystem.connections.allowDefaultPortFrom(other);
    templateOf(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 988, ToPort: 1023,
      GroupId: stack.resolve(storage.securityGroup.securityGroupId),
      SourceSecurityGroupId: stack.resolve(other.securityGroupId),
    });
    expect(stack.resolve(fileSystem.fileSystemId)).toEqual({ Ref: 'StorageFileSystemFFD87EE1' });
  });

  test('exposes the data repository association for adjustments', () => {
    const { stack } = testStack();
    const { storage } = withNetwork(stack);
    storage.dataRepositoryAssociation.importedFileChunkSize = 2048;
    templateOf(stack).hasResourceProperties('AWS::FSx::DataRepositoryAssociation', { ImportedFileChunkSize: 2048, FileSystemPath: '/s3' });
  });

  test('the stateful resources keep their logical IDs (file system, key, data bucket)', () => {
    const { template } = synth();
    template.templateMatches({
      Resources: {
        StorageFileSystemFFD87EE1: Match.objectLike({ Type: 'AWS::FSx::FileSystem', DeletionPolicy: 'Retain' }),
        StorageKeyBAA9457B: Match.objectLike({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain' }),
        StorageDataBucketB1B922FA: Match.objectLike({ Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' }),
        StorageDataRepositoryAssociationD324E1AA: Match.objectLike({ Type: 'AWS::FSx::DataRepositoryAssociation' }),
      },
    });
  });
});
