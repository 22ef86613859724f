import { CfnParameter, Duration, Size, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import {
  ClusterCapacityType, ClusterDeletionPolicy, ClusterOs, ClusterQueueUpdateStrategy, ClusterValidationFailureLevel,
  ParallelCluster, PrivateVpc, type ComputeResourceOptions, type ParallelClusterProps, type SlurmQueueOptions,
} from '../../constructs';
import { DEFAULT_PCLUSTER_VERSION } from '../../constructs/training/parallel-cluster';
import { templateOf, testStack } from '../util/synth';

const FSX_ID = 'fs-0123456789abcdef0';
const RESERVATION = 'cr-0123456789abcdef0';

// Resources made elsewhere, as a team's app would import them; only their names and IDs reach the configuration.
const policy = (arn: string): iam.IManagedPolicy => iam.ManagedPolicy.fromManagedPolicyArn(new Stack(), 'Policy', arn);
const bucket = (name: string): s3.IBucket => s3.Bucket.fromBucketName(new Stack(), 'Bucket', name);
const lustre = (fileSystemId: string): fsx.IFileSystem => {
  const scope = new Stack();
  return fsx.LustreFileSystem.fromLustreFileSystemAttributes(scope, 'Lustre', {
    fileSystemId, dnsName: `${fileSystemId}.fsx.us-east-1.amazonaws.com`, securityGroup: ec2.SecurityGroup.fromSecurityGroupId(scope, 'Sg', 'sg-0123456789abcdef0'),
  });
};
/** A custom AMI by ID, as a team's own `ec2.IMachineImage` gives it. */
const ami = (imageId: string): ec2.IMachineImage => ({ getImage: () => ({ imageId, osType: ec2.OperatingSystemType.LINUX, userData: ec2.UserData.forLinux() }) });

type ClusterOptions = Omit<ParallelClusterProps, 'vpc' | 'subnet' | 'securityGroups' | 'queues'> & { readonly queues?: SlurmQueueOptions[] };

const P5: ComputeResourceOptions = { name: 'p5', instanceType: new ec2.InstanceType('p5.48xlarge'), minCount: 2, maxCount: 2 };
const GPU_QUEUE: SlurmQueueOptions = { name: 'gpu', computeResources: [P5] };

function withCluster(stack: Stack, options: ClusterOptions = {}) {
  const network = new PrivateVpc(stack, 'Network');
  const cluster = new ParallelCluster(stack, 'Cluster', {
    vpc: network.vpc,
    subnet: network.computeSubnet,
    securityGroups: [network.clusterSecurityGroup],
    queues: [GPU_QUEUE],
    ...options,
  });
  return { network, cluster };
}

function synth(options: ClusterOptions = {}) {
  const { stack } = testStack();
  const { network, cluster } = withCluster(stack, options);
  return { stack, network, cluster, template: templateOf(stack) };
}

function build(options: ClusterOptions) {
  const { stack } = testStack();
  return () => withCluster(stack, options);
}

/** The single Custom::PclusterCluster resource: logical ID and properties. */
function clusterResource(template: Template): { logicalId: string; properties: Record<string, unknown> } {
  const found = template.findResources('Custom::PclusterCluster');
  const ids = Object.keys(found);
  expect(ids).toHaveLength(1);
  return { logicalId: ids[0], properties: (found[ids[0]] as { Properties: Record<string, unknown> }).Properties };
}

/** The rendered cluster configuration as it appears in the template. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form YAML document read by key in assertions
function configOf(template: Template): any {
  return clusterResource(template).properties.ClusterConfiguration;
}

describe('ParallelCluster: provider and resource', () => {
  test('the provider nested stack is the official template of the default version in the regional bucket', () => {
    const { template, cluster } = synth();
    expect(DEFAULT_PCLUSTER_VERSION).toBe('3.16.3');
    expect(cluster.version).toBe('3.16.3');
    template.resourceCountIs('AWS::CloudFormation::Stack', 1);
    template.hasResourceProperties('AWS::CloudFormation::Stack', {
      TemplateURL: {
        'Fn::Join': ['', [
          'https://', { Ref: 'AWS::Region' }, '-aws-parallelcluster.s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' },
          '/parallelcluster/3.16.3/templates/custom_resource/cluster.yaml',
        ]],
      },
    });
  });

  test('version selects the provider template', () => {
    const { template } = synth({ version: '3.13.2' });
    template.hasResourceProperties('AWS::CloudFormation::Stack', {
      TemplateURL: { 'Fn::Join': ['', Match.arrayWith(['/parallelcluster/3.13.2/templates/custom_resource/cluster.yaml'])] },
    });
  });

  test('the resource sends only ServiceToken, ClusterName, ClusterConfiguration, DeletionPolicy and ValidationFailureLevel', () => {
    const { template, cluster, stack } = synth();
    const { properties } = clusterResource(template);
    expect(Object.keys(properties).sort()).toEqual(['ClusterConfiguration', 'ClusterName', 'DeletionPolicy', 'ServiceToken', 'ValidationFailureLevel']);
    expect(properties.ServiceToken).toEqual({ 'Fn::GetAtt': [stack.resolve(cluster.provider.logicalId), 'Outputs.ServiceToken'] });
    expect(properties.ClusterName).toBe(cluster.clusterName);
    expect(properties.DeletionPolicy).toBe('Delete');
    expect(properties.ValidationFailureLevel).toBe('ERROR');
  });

  test('SuppressValidators is sent only when set', () => {
    const { template } = synth({ suppressValidators: ['type:InstanceTypeBaseAMICompatibleValidator'], deletionPolicy: ClusterDeletionPolicy.RETAIN, validationFailureLevel: ClusterValidationFailureLevel.WARNING });
    const { properties } = clusterResource(template);
    expect(Object.keys(properties).sort())
      .toEqual(['ClusterConfiguration', 'ClusterName', 'DeletionPolicy', 'ServiceToken', 'SuppressValidators', 'ValidationFailureLevel']);
    expect(properties.SuppressValidators).toEqual(['type:InstanceTypeBaseAMICompatibleValidator']);
    expect(properties.DeletionPolicy).toBe('Retain');
    expect(properties.ValidationFailureLevel).toBe('WARNING');
  });

  test('the default cluster name is valid, stable and differs from the stack name', () => {
    const first = synth().cluster;
    const second = synth().cluster;
    expect(first.clusterName).toMatch(/^pc-[a-zA-Z][a-zA-Z0-9-]*$/);
    expect(first.clusterName.length).toBeLessThanOrEqual(60);
    expect(first.clusterName).not.toBe('TestStack');
    expect(second.clusterName).toBe(first.clusterName);
  });

  test('clusterName is used as given', () => {
    const { template } = synth({ clusterName: 'llm-training' });
    expect(clusterResource(template).properties.ClusterName).toBe('llm-training');
  });

  test('attributes are GetAtt of the describe-cluster fields', () => {
    const { template, cluster, stack } = synth();
    const { logicalId } = clusterResource(template);
    expect(stack.resolve(cluster.headNodeInstanceId)).toEqual({ 'Fn::GetAtt': [logicalId, 'headNode.instanceId'] });
    expect(stack.resolve(cluster.headNodePrivateIp)).toEqual({ 'Fn::GetAtt': [logicalId, 'headNode.privateIpAddress'] });
    expect(stack.resolve(cluster.validationMessages)).toEqual({ 'Fn::GetAtt': [logicalId, 'validationMessages'] });
  });

  test('addOutputs adds the head node, the SSM start-session command and the validation messages', () => {
    const { stack } = testStack();
    const { cluster } = withCluster(stack);
    cluster.addOutputs();
    const template = templateOf(stack);
    const { logicalId } = clusterResource(template);
    template.hasOutput('*', {
      Description: Match.stringLikeRegexp('Session Manager'),
      Value: {
        'Fn::Join': ['', [
          'aws ssm start-session --target ', { 'Fn::GetAtt': [logicalId, 'headNode.instanceId'] }, ' --region ', { Ref: 'AWS::Region' },
        ]],
      },
    });
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [logicalId, 'headNode.instanceId'] } });
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [logicalId, 'validationMessages'] } });
    expect(Object.keys(template.findOutputs('*'))).toHaveLength(3);
  });
});

describe('ParallelCluster: rendered configuration', () => {
  test('image, IMDS, head node: Ubuntu 22.04, IMDSv2, no key pair, SSH only from the VPC, encrypted root, SSM', () => {
    const { template, stack, network } = synth();
    const config = configOf(template);
    expect(config.Image).toEqual({ Os: 'ubuntu2204' });
    expect(config.Imds).toEqual({ ImdsSupport: 'v2.0' });
    const head = config.HeadNode;
    expect(head.InstanceType).toBe('c5.4xlarge');
    expect(head.Networking).toEqual({
      SubnetId: stack.resolve(network.computeSubnet.subnetId),
      AdditionalSecurityGroups: [stack.resolve(network.clusterSecurityGroup.securityGroupId)],
    });
    expect(head.Ssh).toEqual({ AllowedIps: stack.resolve(network.vpc.vpcCidrBlock) });
    expect(head.Ssh.KeyName).toBeUndefined();
    expect(head.LocalStorage).toEqual({ RootVolume: { Size: 200, Encrypted: true } });
    expect(head.Imds).toEqual({ Secured: true });
    expect(head.Iam.AdditionalIamPolicies).toEqual([
      { Policy: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] } },
    ]);
    expect(head.Iam.S3Access).toBeUndefined();
    expect(head.CustomActions).toBeUndefined();
  });

  test('Slurm settings: DRAIN updates, 10-minute scale-down', () => {
    const config = configOf(synth().template);
    expect(config.Scheduling.Scheduler).toBe('slurm');
    expect(config.Scheduling.SlurmSettings).toEqual({ ScaledownIdletime: 10, QueueUpdateStrategy: 'DRAIN' });
  });

  test('a p5.48xlarge queue: one subnet, placement group, EFA, exclusive nodes, SSM policy', () => {
    const { template, stack, network } = synth();
    const queues = configOf(template).Scheduling.SlurmQueues;
    expect(queues).toHaveLength(1);
    const queue = queues[0];
    expect(queue.Name).toBe('gpu');
    expect(queue.CapacityType).toBe('ONDEMAND');
    expect(queue.JobExclusiveAllocation).toBe(true);
    expect(queue.Networking).toEqual({
      SubnetIds: [stack.resolve(network.computeSubnet.subnetId)],
      AdditionalSecurityGroups: [stack.resolve(network.clusterSecurityGroup.securityGroupId)],
      PlacementGroup: { Enabled: true },
    });
    expect(queue.ComputeResources).toEqual([{
      Name: 'p5', InstanceType: 'p5.48xlarge', MinCount: 2, MaxCount: 2, Efa: { Enabled: true }, DisableSimultaneousMultithreading: false,
    }]);
    expect(queue.Iam.AdditionalIamPolicies).toHaveLength(1);
    expect(JSON.stringify(queue.Iam.AdditionalIamPolicies)).toContain('AmazonSSMManagedInstanceCore');
  });

  test('a capacity reservation sets the target and turns the placement group off', () => {
    const config = configOf(synth({
      queues: [{ name: 'gpu', computeResources: [{ ...P5, capacityReservationId: RESERVATION }] }],
    }).template);
    const queue = config.Scheduling.SlurmQueues[0];
    expect(queue.Networking.PlacementGroup).toEqual({ Enabled: false });
    expect(queue.ComputeResources[0].CapacityReservationTarget).toEqual({ CapacityReservationId: RESERVATION });
    expect(queue.ComputeResources[0].Efa).toEqual({ Enabled: true });
  });

  test('a Capacity Block queue takes no placement group', () => {
    const config = configOf(synth({
      queues: [{ name: 'gpu', capacityType: ClusterCapacityType.CAPACITY_BLOCK, computeResources: [{ ...P5, capacityReservationId: RESERVATION }] }],
    }).template);
    const queue = config.Scheduling.SlurmQueues[0];
    expect(queue.CapacityType).toBe('CAPACITY_BLOCK');
    expect(queue.Networking.PlacementGroup).toEqual({ Enabled: false });
  });

  test('an instance without EFA gets EFA off and still a placement group by default', () => {
    const config = configOf(synth({
      queues: [{ name: 'cpu', jobExclusiveAllocation: false, computeResources: [{ name: 'c5', instanceType: new ec2.InstanceType('c5.4xlarge'), maxCount: 4 }] }],
    }).template);
    const queue = config.Scheduling.SlurmQueues[0];
    expect(queue.JobExclusiveAllocation).toBe(false);
    expect(queue.ComputeResources[0]).toMatchObject({ MinCount: 0, MaxCount: 4, Efa: { Enabled: false } });
    expect(queue.ComputeResources[0].CapacityReservationTarget).toBeUndefined();
  });

  test('shared storage mounts the FSx for Lustre file system by ID', () => {
    const config = configOf(synth({ fsxLustre: { fileSystem: lustre(FSX_ID), mountDir: '/fsx' } }).template);
    expect(config.SharedStorage).toEqual([{
      Name: 'fsx', StorageType: 'FsxLustre', MountDir: '/fsx', FsxLustreSettings: { FileSystemId: FSX_ID },
    }]);
  });

  test('no shared storage, no tags and no custom AMI unless asked', () => {
    const config = configOf(synth().template);
    expect(config.SharedStorage).toBeUndefined();
    expect(config.Tags).toBeUndefined();
    expect(config.Image.CustomAmi).toBeUndefined();
  });

  test('options reach their ParallelCluster keys', () => {
    const config = configOf(synth({
      os: ClusterOs.AMAZON_LINUX_2023,
      customAmi: ami('ami-0123456789abcdef0'),
      headNodeInstanceType: new ec2.InstanceType('m5.8xlarge'),
      headNodeRootVolumeSize: Size.gibibytes(500),
      headNodeIamPolicies: [policy('arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy')],
      headNodeS3Access: [{ bucket: bucket('my-bucket') }, { bucket: bucket('my-other-bucket'), enableWriteAccess: true }],
      headNodeOnNodeConfigured: { script: 's3://my-bucket/setup.sh', args: ['a', 'b'] },
      scaledownIdletime: Duration.minutes(30),
      queueUpdateStrategy: ClusterQueueUpdateStrategy.TERMINATE,
      tags: { project: 'llm' },
      queues: [{
        name: 'gpu',
        computeResources: [{ ...P5, disableSimultaneousMultithreading: true }],
        onNodeConfigured: { script: 'https://example.com/compute.sh' },
        additionalIamPolicies: [policy('arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess')],
        s3Access: [{ bucket: bucket('my-data'), enableWriteAccess: true }],
      }],
    }).template);
    expect(config.Image).toEqual({ Os: 'alinux2023', CustomAmi: 'ami-0123456789abcdef0' });
    expect(config.HeadNode.InstanceType).toBe('m5.8xlarge');
    expect(config.HeadNode.LocalStorage.RootVolume).toEqual({ Size: 500, Encrypted: true });
    expect(config.HeadNode.Iam.AdditionalIamPolicies).toHaveLength(2);
    expect(config.HeadNode.Iam.AdditionalIamPolicies[1]).toEqual({ Policy: 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy' });
    expect(config.HeadNode.Iam.S3Access).toEqual([
      { BucketName: 'my-bucket', EnableWriteAccess: false },
      { BucketName: 'my-other-bucket', EnableWriteAccess: true },
    ]);
    expect(config.HeadNode.CustomActions).toEqual({ OnNodeConfigured: { Script: 's3://my-bucket/setup.sh', Args: ['a', 'b'] } });
    expect(config.Scheduling.SlurmSettings).toEqual({ ScaledownIdletime: 30, QueueUpdateStrategy: 'TERMINATE' });
    expect(config.Tags).toEqual([{ Key: 'project', Value: 'llm' }]);
    const queue = config.Scheduling.SlurmQueues[0];
    expect(queue.CustomActions).toEqual({ OnNodeConfigured: { Script: 'https://example.com/compute.sh' } });
    expect(queue.Iam.AdditionalIamPolicies[1]).toEqual({ Policy: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' });
    expect(queue.ComputeResources[0].DisableSimultaneousMultithreading).toBe(true);
    expect(queue.Iam.S3Access).toEqual([{ BucketName: 'my-data', EnableWriteAccess: true }]);
  });

  test('queues get no S3Access unless asked', () => {
    const queue = configOf(synth().template).Scheduling.SlurmQueues[0];
    expect(queue.Iam.S3Access).toBeUndefined();
  });

});

describe('ParallelCluster: bad input', () => {
  const queueNamed = (name: string): SlurmQueueOptions => ({ ...GPU_QUEUE, name });

  test("throws when a queue name has capitals ('GPU')", () => {
    expect(build({ queues: [queueNamed('GPU')] })).toThrow(/queue name: 'GPU' must match \^\[a-z\]\[a-z0-9-\]\*\$/);
  });

  test("throws when a queue is named 'default'", () => {
    expect(build({ queues: [queueNamed('default')] })).toThrow(/queue name: 'default' .*not be 'default'/);
  });

  test('throws when a queue name has 26 characters', () => {
    const name = 'q'.repeat(26);
    expect(build({ queues: [queueNamed(name)] })).toThrow(new RegExp(`queue name: '${name}' .*at most 25 characters`));
  });

  test('accepts a queue name of 25 characters', () => {
    expect(build({ queues: [queueNamed('q'.repeat(25))] })).not.toThrow();
  });

  test('throws when two queues share a name', () => {
    expect(build({ queues: [GPU_QUEUE, GPU_QUEUE] })).toThrow(/queue name: 'gpu' is used twice/);
  });

  test('throws when a compute resource name is invalid', () => {
    expect(build({ queues: [{ name: 'gpu', computeResources: [{ ...P5, name: 'P5_nodes' }] }] }))
      .toThrow(/queue gpu compute resource name: 'P5_nodes' must match/);
  });

  test('throws when the cluster name has an underscore', () => {
    expect(build({ clusterName: 'llm_training' })).toThrow(/clusterName: 'llm_training' must match/);
  });

  test('throws when the cluster name has 61 characters', () => {
    const name = `c${'a'.repeat(60)}`;
    expect(build({ clusterName: name })).toThrow(new RegExp(`clusterName: '${name}' must match .* at most 60 characters`));
  });

  test('accepts a cluster name of 60 characters', () => {
    expect(build({ clusterName: `c${'a'.repeat(59)}` })).not.toThrow();
  });

  test('throws when the cluster name equals the stack name', () => {
    expect(build({ clusterName: 'TestStack' })).toThrow(/clusterName: 'TestStack' equals the stack name/);
  });

  test('throws when minCount is above maxCount', () => {
    expect(build({ queues: [{ name: 'gpu', computeResources: [{ ...P5, minCount: 4, maxCount: 2 }] }] }))
      .toThrow(/compute resource p5: minCount 4 is above maxCount 2/);
  });

  test('throws when maxCount is 0', () => {
    expect(build({ queues: [{ name: 'gpu', computeResources: [{ ...P5, minCount: 0, maxCount: 0 }] }] }))
      .toThrow(/compute resource p5: maxCount 0 must be a whole number of at least 1/);
  });

  test('throws when minCount is negative', () => {
    expect(build({ queues: [{ name: 'gpu', computeResources: [{ ...P5, minCount: -1 }] }] }))
      .toThrow(/compute resource p5: minCount -1 must be a whole number of at least 0/);
  });

  test('throws when efa is set on a size without EFA of an EFA family (g5.xlarge), naming the sizes with EFA', () => {
    expect(build({ queues: [{ name: 'gpu', placementGroup: true, computeResources: [{ name: 'g5', instanceType: new ec2.InstanceType('g5.xlarge'), maxCount: 2, efa: true }] }] }))
      .toThrow(/compute resource g5: efa is set but g5\.xlarge has no EFA; g5 sizes with EFA: g5\.8xlarge, g5\.12xlarge, g5\.16xlarge, g5\.24xlarge, g5\.48xlarge/);
  });

  test('warns, and leaves it to ParallelCluster, when efa is set on a family the catalog does not list with EFA (c5.4xlarge)', () => {
    const { stack } = testStack();
    withCluster(stack, { queues: [{ name: 'cpu', placementGroup: true, computeResources: [{ name: 'c5', instanceType: new ec2.InstanceType('c5.4xlarge'), maxCount: 2, efa: true }] }] });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('compute resource c5: efa is set but c5\\.4xlarge is not in the catalog\'s EFA instance types'));
  });

  test('throws when EFA runs without a placement group or a capacity reservation', () => {
    expect(build({ queues: [{ ...GPU_QUEUE, placementGroup: false }] }))
      .toThrow(/compute resource p5: EFA is on by default for p5\.48xlarge, and it needs a placement group or a capacity reservation; set placementGroup or capacityReservationId, or efa: false/);
  });

  test('throws when a placement group is asked for with CAPACITY_BLOCK', () => {
    expect(build({ queues: [{ ...GPU_QUEUE, capacityType: ClusterCapacityType.CAPACITY_BLOCK, placementGroup: true }] }))
      .toThrow(/queue gpu: placementGroup cannot be used with CAPACITY_BLOCK/);
  });

  test('throws when the version has no custom resource (3.5.0)', () => {
    expect(build({ version: '3.5.0' })).toThrow(/version: 3\.5\.0 has no CloudFormation custom resource; use 3\.6\.0 or later/);
  });

  test("throws when the version is not a release ('latest')", () => {
    expect(build({ version: 'latest' })).toThrow(/version: 'latest' must be a ParallelCluster release such as 3\.16\.3/);
  });

  test('throws when ubuntu2404 is asked of 3.12.0', () => {
    expect(build({ version: '3.12.0', os: ClusterOs.UBUNTU_2404 })).toThrow(/os: ubuntu2404 needs ParallelCluster 3\.13\.0 or later \(version is 3\.12\.0\)/);
  });

  test('throws when suppressValidators is asked of 3.9.0', () => {
    expect(build({ version: '3.9.0', suppressValidators: ['ALL'] })).toThrow(/suppressValidators: needs ParallelCluster 3\.10\.0 or later/);
  });

  test('throws when p5.48xlarge is asked of 3.7.0', () => {
    expect(build({ version: '3.7.0' })).toThrow(/p5\.48xlarge needs ParallelCluster 3\.7\.1 or later \(version is 3\.7\.0\)/);
  });

  test('accepts p5.48xlarge on 3.7.1', () => {
    expect(build({ version: '3.7.1' })).not.toThrow();
  });

  test('throws when the head node root volume is 20 GiB', () => {
    expect(build({ headNodeRootVolumeSize: Size.gibibytes(20) })).toThrow(/headNodeRootVolumeSize: 20 GiB must be a whole number of at least 50 GiB/);
  });

  test('throws when the head node root volume is not a whole number of GiB', () => {
    expect(build({ headNodeRootVolumeSize: Size.mebibytes(60000) })).toThrow(/headNodeRootVolumeSize: 58\.59 GiB is not a whole number of GiB; give it as Size\.gibibytes\(n\)/);
  });

  test('throws when a Capacity Block queue lacks a reservation or static nodes, or the version predates it', () => {
    expect(build({ queues: [{ name: 'gpu', capacityType: ClusterCapacityType.CAPACITY_BLOCK, computeResources: [{ name: 'p5', instanceType: new ec2.InstanceType('p5.48xlarge'), minCount: 0, maxCount: 2 }] }] }))
      .toThrow(/compute resource p5: a Capacity Block needs capacityReservationId and minCount equal to maxCount/);
    expect(build({ version: '3.7.2', queues: [{ name: 'gpu', capacityType: ClusterCapacityType.CAPACITY_BLOCK, computeResources: [{ name: 'p5', instanceType: new ec2.InstanceType('p5.48xlarge'), minCount: 2, maxCount: 2, capacityReservationId: 'cr-0123456789abcdef0' }] }] }))
      .toThrow(/queue gpu: CAPACITY_BLOCK needs ParallelCluster 3\.8\.0 or later \(version is 3\.7\.2\)/);
  });

  test('throws for a custom AMI that is not an AMI ID and a malformed validator to suppress', () => {
    expect(build({ customAmi: ami('ubuntu-neuron') })).toThrow(/customAmi: 'ubuntu-neuron' is not an AMI ID such as ami-0123456789abcdef0/);
    expect(build({ customAmi: ec2.MachineImage.latestWindows(ec2.WindowsVersion.WINDOWS_SERVER_2022_ENGLISH_FULL_BASE) }))
      .toThrow(/customAmi: a WINDOWS image; ParallelCluster runs Linux AMIs only/);
    expect(build({ suppressValidators: ['EfaValidator'] })).toThrow(/suppressValidators: 'EfaValidator' must be 'ALL' or 'type:<ValidatorName>'/);
    expect(build({ suppressValidators: ['type:EfaValidator'], customAmi: ami('ami-0123456789abcdef0') })).not.toThrow();
  });

  test('throws when there are no queues', () => {
    expect(build({ queues: [] })).toThrow(/queues: a cluster needs at least one queue/);
  });

  test('throws when a queue has no compute resources', () => {
    expect(build({ queues: [{ name: 'gpu', computeResources: [] }] })).toThrow(/queue gpu: needs at least one compute resource/);
  });

  test("throws when fsxLustre.mountDir is relative ('fsx')", () => {
    expect(build({ fsxLustre: { fileSystem: lustre(FSX_ID), mountDir: 'fsx' } })).toThrow(/fsxLustre\.mountDir: 'fsx' must be an absolute path/);
  });

  test('throws when scaledownIdletime is not a whole number of minutes, naming the prop', () => {
    expect(build({ scaledownIdletime: Duration.seconds(90) })).toThrow(/scaledownIdletime/);
  });

  test('reports every problem at once, naming the construct', () => {
    expect(build({ clusterName: 'bad_name', headNodeRootVolumeSize: Size.gibibytes(20), queues: [queueNamed('GPU')] }))
      .toThrow(/ParallelCluster TestStack\/Cluster: invalid props:\n- clusterName[\s\S]*\n- headNodeRootVolumeSize[\s\S]*\n- queue name: 'GPU'/);
  });
});

describe('ParallelCluster: tokens for counts', () => {
  test('minCount and maxCount from a CloudFormation parameter are accepted and rendered as references', () => {
    const { stack } = testStack();
    const nodes = new CfnParameter(stack, 'Nodes', { type: 'Number' }).valueAsNumber;
    withCluster(stack, { queues: [{ name: 'gpu', computeResources: [{ ...P5, minCount: nodes, maxCount: nodes }] }] });
    const resource = configOf(templateOf(stack)).Scheduling.SlurmQueues[0].ComputeResources[0];
    expect(resource.MinCount).toEqual({ Ref: 'Nodes' });
    expect(resource.MaxCount).toEqual({ Ref: 'Nodes' });
  });

  test('a literal minCount above a token maxCount is left to ParallelCluster, and no message prints a token', () => {
    const { stack } = testStack();
    const max = new CfnParameter(stack, 'Max', { type: 'Number' }).valueAsNumber;
    expect(() => withCluster(stack, { queues: [{ name: 'gpu', computeResources: [{ ...P5, minCount: 3, maxCount: max }] }] })).not.toThrow();
  });
});

describe('ParallelCluster: values passed through to ParallelCluster', () => {
  const queue = (extra: Partial<SlurmQueueOptions>, resource: Partial<ComputeResourceOptions> = {}): SlurmQueueOptions => ({
    ...GPU_QUEUE, ...extra, computeResources: [{ ...P5, ...resource }],
  });

  test('throws when a head node policy is a name rather than an ARN', () => {
    expect(build({ headNodeIamPolicies: [policy('AmazonS3ReadOnlyAccess')] }))
      .toThrow(/headNodeIamPolicies: 'AmazonS3ReadOnlyAccess' is not an IAM policy ARN .*not policy names/);
  });

  test('throws when a queue policy is a role ARN', () => {
    expect(build({ queues: [queue({ additionalIamPolicies: [policy('arn:aws:iam::123456789012:role/x')] })] }))
      .toThrow(/queue gpu additionalIamPolicies: 'arn:aws:iam::123456789012:role\/x' is not an IAM policy ARN/);
  });

  test('accepts AWS managed and customer policy ARNs in any partition', () => {
    expect(build({
      headNodeIamPolicies: [policy('arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'), policy('arn:aws-us-gov:iam::123456789012:policy/team/Read')],
    })).not.toThrow();
  });

  test('throws when a script is neither s3:// nor https://', () => {
    expect(build({ headNodeOnNodeConfigured: { script: '/home/ubuntu/setup.sh' } }))
      .toThrow(/headNodeOnNodeConfigured\.script: '\/home\/ubuntu\/setup\.sh' must be an s3:\/\/ or https:\/\/ URL/);
    expect(build({ queues: [queue({ onNodeConfigured: { script: 'http://example.com/x.sh' } })] }))
      .toThrow(/queue gpu onNodeConfigured\.script: 'http:\/\/example\.com\/x\.sh' must be an s3:\/\/ or https:\/\/ URL/);
  });

  test('throws when an S3 access bucket is named against the rules', () => {
    // s3.Bucket.fromBucketName refuses URLs, IP addresses and '..' itself; a legacy name with capitals passes it.
    expect(build({ queues: [queue({ s3Access: [{ bucket: bucket('My_Bucket') }] })] }))
      .toThrow(/queue gpu s3Access bucket: 'My_Bucket' must be named as a bucket/);
    expect(build({ headNodeS3Access: [{ bucket: bucket('my.data-2024') }] })).not.toThrow();
  });

  test('throws when a JavaScript caller passes a bucket name or a policy ARN as a string', () => {
    expect(build({ headNodeS3Access: [{ bucketName: 'my-bucket' }] } as unknown as ClusterOptions))
      .toThrow(/headNodeS3Access: bucket must be an s3\.IBucket \(a Bucket, or s3\.Bucket\.fromBucketName\(\.\.\.\)\), got undefined/);
    expect(build({ headNodeIamPolicies: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] } as unknown as ClusterOptions))
      .toThrow(/headNodeIamPolicies: 'arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess' is not an iam\.IManagedPolicy; use iam\.ManagedPolicy\.fromManagedPolicyArn/);
    expect(build({ os: 'windows' } as unknown as ClusterOptions)).toThrow(/os: 'windows' is not a ClusterOs; use ClusterOs\.UBUNTU_2204, /);
  });

  test('takes the old string values of the enums from JavaScript callers', () => {
    expect(build({ os: 'alinux2023', queueUpdateStrategy: 'DRAIN', deletionPolicy: 'Retain' } as unknown as ClusterOptions)).not.toThrow();
  });

  test('renders KeyName when an S3 access entry names an object', () => {
    const { template } = synth({ headNodeS3Access: [{ bucket: bucket('my-bucket'), keyName: 'scripts/setup.sh' }] });
    expect(configOf(template).HeadNode.Iam.S3Access).toEqual([{ BucketName: 'my-bucket', KeyName: 'scripts/setup.sh', EnableWriteAccess: false }]);
  });

  test('throws when the capacity reservation, file system or subnet ID has the wrong shape', () => {
    expect(build({ queues: [queue({}, { capacityReservationId: 'cr-123' })] }))
      .toThrow(/queue gpu compute resource p5: capacityReservationId: 'cr-123' is not a capacity reservation ID/);
    expect(build({ fsxLustre: { fileSystem: lustre('fsx-0123'), mountDir: '/fsx' } }))
      .toThrow(/fsxLustre\.fileSystem: 'fsx-0123' is not an FSx file system ID such as fs-0123456789abcdef0/);
    const { stack } = testStack();
    const network = new PrivateVpc(stack, 'Network');
    const subnet = ec2.Subnet.fromSubnetAttributes(stack, 'Imported', { subnetId: 'my-subnet', availabilityZone: 'us-east-1a' });
    expect(() => new ParallelCluster(stack, 'Cluster', {
      vpc: network.vpc, subnet, securityGroups: [network.clusterSecurityGroup], queues: [GPU_QUEUE],
    })).toThrow(/subnet: 'my-subnet' has no subnet ID such as subnet-0123456789abcdef0/);
  });

  test('throws when an instance type is a SageMaker ml. type or no EC2 type', () => {
    expect(build({ queues: [queue({}, { instanceType: new ec2.InstanceType('ml.p5.48xlarge') })] }))
      .toThrow(/queue gpu compute resource p5: instanceType: 'ml\.p5\.48xlarge' is a SageMaker instance type/);
    expect(build({ headNodeInstanceType: new ec2.InstanceType('large') })).toThrow(/headNodeInstanceType: 'large' is not an EC2 instance type/);
  });

  test('EFA is allowed, and on by default, on an EFA-capable EC2 type outside the training catalog (g5.48xlarge)', () => {
    const { template } = synth({ queues: [queue({}, { name: 'g5', instanceType: new ec2.InstanceType('g5.48xlarge'), minCount: 0, maxCount: 2 })] });
    expect(configOf(template).Scheduling.SlurmQueues[0].ComputeResources[0].Efa).toEqual({ Enabled: true });
    expect(build({ queues: [queue({}, { name: 'g5', instanceType: new ec2.InstanceType('g5.48xlarge'), efa: true })] })).not.toThrow();
  });
});

describe('ParallelCluster: IAM of the provider and of the cluster', () => {
  test('by default the provider takes no parameters and the configuration has no Iam section', () => {
    const { template } = synth();
    const stacks = template.findResources('AWS::CloudFormation::Stack');
    expect(Object.values(stacks)[0].Properties.Parameters).toBeUndefined();
    expect(configOf(template).Iam).toBeUndefined();
  });

  test('permissionsBoundary and resourcePrefix render Iam.PermissionsBoundary and Iam.ResourcePrefix', () => {
    const boundary = 'arn:aws:iam::123456789012:policy/Boundary';
    const { stack, template } = synth({ permissionsBoundary: policy(boundary), resourcePrefix: '/parallelcluster/llm-recipes/fsdp-' });
    expect(configOf(template).Iam).toEqual({ PermissionsBoundary: boundary, ResourcePrefix: '/parallelcluster/llm-recipes/fsdp-' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('resourcePrefix'));
  });

  test('warns when resourcePrefix leaves /parallelcluster/ without a providerRole to manage that path', () => {
    const { stack } = synth({ resourcePrefix: '/llm-recipes/' });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp("resourcePrefix '/llm-recipes/' is outside /parallelcluster/"));
    const withRole = testStack().stack;
    withCluster(withRole, { resourcePrefix: '/llm-recipes/', providerRole: iam.Role.fromRoleArn(withRole, 'P', 'arn:aws:iam::123456789012:role/provider') });
    Annotations.fromStack(withRole).hasNoWarning('*', Match.stringLikeRegexp('resourcePrefix'));
  });

  test('providerRole is the CustomLambdaRole parameter of the provider stack', () => {
    const { stack } = testStack();
    const role = iam.Role.fromRoleArn(stack, 'ProviderRole', 'arn:aws:iam::123456789012:role/pcluster-provider');
    withCluster(stack, { providerRole: role });
    templateOf(stack).hasResourceProperties('AWS::CloudFormation::Stack', {
      Parameters: { CustomLambdaRole: 'arn:aws:iam::123456789012:role/pcluster-provider' },
    });
  });

  test('providerAdditionalIamPolicies is the comma-separated AdditionalIamPolicies parameter', () => {
    const { template } = synth({ providerAdditionalIamPolicies: [policy('arn:aws:iam::123456789012:policy/A'), policy('arn:aws:iam::123456789012:policy/B')] });
    template.hasResourceProperties('AWS::CloudFormation::Stack', {
      Parameters: { AdditionalIamPolicies: 'arn:aws:iam::123456789012:policy/A,arn:aws:iam::123456789012:policy/B' },
    });
  });

  test('throws when providerAdditionalIamPolicies comes with providerRole, which makes the provider ignore it', () => {
    const { stack } = testStack();
    const role = iam.Role.fromRoleArn(stack, 'ProviderRole', 'arn:aws:iam::123456789012:role/p');
    expect(() => withCluster(stack, { providerRole: role, providerAdditionalIamPolicies: [policy('arn:aws:iam::123456789012:policy/A')] }))
      .toThrow(/providerAdditionalIamPolicies: the provider ignores them when providerRole is set/);
  });

  test('throws when permissionsBoundary is not a policy ARN or resourcePrefix breaks the IAM rules', () => {
    expect(build({ permissionsBoundary: policy('Boundary') })).toThrow(/permissionsBoundary: 'Boundary' is not an IAM policy ARN/);
    expect(build({ resourcePrefix: '/llm-recipes/' })).not.toThrow();
    // The user guide's own example of a refused prefix.
    expect(build({ resourcePrefix: '/my-prefix' })).toThrow(/resourcePrefix: '\/my-prefix' must be/);
    expect(build({ resourcePrefix: 'a'.repeat(31) })).toThrow(/resourcePrefix: 'a{31}' must be a name of at most 30 characters/);
    expect(build({ resourcePrefix: 'bad prefix' })).toThrow(/resourcePrefix: 'bad prefix' must be/);
  });
});

describe('ParallelCluster: tags and configuration overrides', () => {
  test('the cluster and its provider keep their logical IDs', () => {
    const { template } = synth();
    template.templateMatches({
      Resources: {
        ClusterEB0386A7: Match.objectLike({ Type: 'Custom::PclusterCluster' }),
        ClusterProviderE2138BF9: Match.objectLike({ Type: 'AWS::CloudFormation::Stack' }),
      },
    });
  });

  test('Tags.of(stack) reaches the configuration\'s Tags, beside the tags prop', () => {
    const { stack } = testStack();
    const { cluster } = withCluster(stack, { tags: { project: 'llm' } });
    Tags.of(stack).add('cost-center', 'ml-research');
    expect(configOf(templateOf(stack)).Tags).toEqual([{ Key: 'cost-center', Value: 'ml-research' }, { Key: 'project', Value: 'llm' }]);
    expect(cluster.tags.tagValues()).toEqual({ 'cost-center': 'ml-research', 'project': 'llm' });
  });

  test('a tag excluded for Custom::PclusterCluster does not reach the configuration', () => {
    const { stack } = testStack();
    withCluster(stack);
    Tags.of(stack).add('team', 'a', { excludeResourceTypes: ['Custom::PclusterCluster'] });
    expect(configOf(templateOf(stack)).Tags).toBeUndefined();
  });

  test('addConfigurationOverride adds a key, sets one inside a list entry and removes one', () => {
    const { stack } = testStack();
    const { cluster } = withCluster(stack);
    cluster.addConfigurationOverride('HeadNode.Dcv.Enabled', false);
    cluster.addConfigurationOverride('Scheduling.SlurmQueues.0.ComputeSettings.LocalStorage.RootVolume.Size', 400);
    cluster.addConfigurationOverride('Imds', undefined);
    const config = configOf(templateOf(stack));
    expect(config.HeadNode.Dcv).toEqual({ Enabled: false });
    expect(config.HeadNode.InstanceType).toBe('c5.4xlarge');
    expect(config.Scheduling.SlurmQueues[0].ComputeSettings).toEqual({ LocalStorage: { RootVolume: { Size: 400 } } });
    expect(config.Scheduling.SlurmQueues[0].Name).toBe('gpu');
    expect(config.Imds).toBeUndefined();
  });

  test('an override of Tags replaces the tags, since overrides apply last', () => {
    const { stack } = testStack();
    const { cluster } = withCluster(stack, { tags: { project: 'llm' } });
    cluster.addConfigurationOverride('Tags', [{ Key: 'only', Value: 'this' }]);
    expect(configOf(templateOf(stack)).Tags).toEqual([{ Key: 'only', Value: 'this' }]);
  });

  test('throws when an override path crosses a value, misses a list entry or has an empty key', () => {
    const { stack } = testStack();
    const { cluster } = withCluster(stack);
    expect(() => cluster.addConfigurationOverride('Scheduling.Scheduler.Name', 'x'))
      .toThrow(/addConfigurationOverride: 'Scheduling\.Scheduler\.Name': Scheduling\.Scheduler is a value, not an object with keys/);
    expect(() => cluster.addConfigurationOverride('Scheduling.SlurmQueues.3.Name', 'x'))
      .toThrow(/'Scheduling\.SlurmQueues\.3\.Name': Scheduling\.SlurmQueues is a list of 1; '3' is not an index of it \(0 to 0\)/);
    expect(() => cluster.addConfigurationOverride('HeadNode..InstanceType', 'x')).toThrow(/path 'HeadNode\.\.InstanceType' has an empty key/);
  });

  test('warns that a version before 3.15.0 cannot change the tags after creation, and only then', () => {
    const { stack } = testStack();
    withCluster(stack, { version: '3.14.0' });
    Tags.of(stack).add('cost-center', 'ml');
    templateOf(stack);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp("ParallelCluster 3\\.14\\.0 cannot change the cluster's Tags after creation \\(3\\.15\\.0 can\\)"));
    const current = synth({ tags: { project: 'llm' } }).stack;
    Annotations.fromStack(current).hasNoWarning('*', Match.stringLikeRegexp('cannot change the cluster'));
    const untagged = synth({ version: '3.14.0' }).stack;
    Annotations.fromStack(untagged).hasNoWarning('*', Match.stringLikeRegexp('cannot change the cluster'));
  });
});
