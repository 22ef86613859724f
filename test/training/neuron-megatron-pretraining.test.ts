import { CfnParameter, type Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  NeuronMegatronPretraining, PrivateVpc, TrainingStorage, type NeuronMegatronPretrainingProps,
} from '../../constructs';
import { MEGATRON_GPT3_PRESETS, megatronDataParallel } from '../../constructs/catalog';
import { NEURONX_NEMO_MEGATRON_COMMIT } from '../../constructs/training/neuron-megatron-pretraining';
import { Trn1MegatronPretrainingStack } from '../../lib/trn1-megatron-pretraining-stack';
import { templateOf, testStack, unitTestApp } from '../util/synth';

type Options = Omit<NeuronMegatronPretrainingProps, 'vpc' | 'subnet' | 'clusterSecurityGroup' | 'fileSystem'>;

function withMegatron(stack: Stack, options: Options = {}) {
  const network = new PrivateVpc(stack, 'Network');
  const storage = new TrainingStorage(stack, 'Storage', { vpc: network.vpc, subnet: network.computeSubnet, clientSecurityGroup: network.clusterSecurityGroup });
  return new NeuronMegatronPretraining(stack, 'Megatron', {
    vpc: network.vpc, subnet: network.computeSubnet, clusterSecurityGroup: network.clusterSecurityGroup, fileSystem: storage, ...options,
  });
}

function synth(options: Options = {}) {
  const { stack } = testStack();
  const training = withMegatron(stack, options);
  return { stack, training, template: templateOf(stack) };
}

function clusterConfig(template: ReturnType<typeof templateOf>): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (Object.values(template.findResources('Custom::PclusterCluster'))[0] as { Properties: { ClusterConfiguration: Record<string, unknown> } }).Properties.ClusterConfiguration;
}

describe('MEGATRON_GPT3_PRESETS', () => {
  test('the tutorial presets with their parallelism', () => {
    expect(MEGATRON_GPT3_PRESETS.map((p) => [p.name, p.layers, p.hiddenSize, p.attentionHeads, p.tensorParallel, p.pipelineParallel, p.defaultNodes])).toEqual([
      ['gpt3-6.7b', 32, 4096, 32, 8, 1, 4],
      ['gpt3-23b', 28, 8192, 64, 8, 4, 4],
      ['gpt3-46b', 56, 8192, 64, 8, 8, 8],
      ['gpt3-175b', 96, 12288, 96, 32, 8, 8],
    ]);
  });

  test('data parallelism is 32 x nodes / (TP x PP), undefined where it does not divide', () => {
    const [p67, p23, p46, p175] = MEGATRON_GPT3_PRESETS;
    expect(megatronDataParallel(p67, 1)).toBe(4);
    expect(megatronDataParallel(p23, 4)).toBe(4);
    expect(megatronDataParallel(p46, 8)).toBe(4);
    expect(megatronDataParallel(p175, 8)).toBe(1);
    expect(megatronDataParallel(p175, 4)).toBeUndefined();
    expect(megatronDataParallel(p46, 3)).toBeUndefined();
  });
});

describe('NeuronMegatronPretraining', () => {
  test('a trn1 queue with EFA and a placement group, Neuron installed on every node, started with jobs', () => {
    const { template, training } = synth();
    const config = clusterConfig(template);
    expect(config.Image).toEqual({ Os: 'ubuntu2204' });
    expect(config.HeadNode).toMatchObject({ InstanceType: 'c5.4xlarge', LocalStorage: { RootVolume: { Size: 512, Encrypted: true } } });
    const queue = config.Scheduling.SlurmQueues[0];
    expect(queue).toMatchObject({
      Name: 'trn1',
      JobExclusiveAllocation: true,
      Networking: { PlacementGroup: { Enabled: true } },
      ComputeResources: [{ Name: 'trn1', InstanceType: 'trn1.32xlarge', MinCount: 0, MaxCount: 4, Efa: { Enabled: true } }],
      CustomActions: { OnNodeConfigured: { Script: { 'Fn::Sub': expect.stringMatching(/^s3:\/\/cdk-[a-z0-9]+-assets-.*\.sh$/) } } },
    });
    expect(queue.Iam.S3Access).toHaveLength(1);
    expect(training.plan.nodes).toBe(4);
  });

  test('recipe.env carries the preset, its parallelism and the pinned neuronx-nemo-megatron commit', () => {
    const { template } = synth({ preset: 'gpt3-23b' });
    const args = clusterConfig(template).HeadNode.CustomActions.OnNodeConfigured.Args as string[];
    expect(args).toEqual(expect.arrayContaining([
      '/fsx/llm-recipes/megatron', 'ubuntu', 'PRESET=gpt3-23b', 'PRESET_SCRIPT=gpt_23b.sh', 'TENSOR_PARALLEL=8', 'PIPELINE_PARALLEL=4',
      'NODES=4', `NNM_COMMIT=${NEURONX_NEMO_MEGATRON_COMMIT}`, 'DATA_DIR=/fsx/s3/data/gpt2',
    ]));
  });

  test('trn1n and a Neuron AMI', () => {
    const neuronAmi = ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-0123456789abcdef0' });
    const { template } = synth({ instanceType: new ec2.InstanceType('trn1n.32xlarge'), neuronAmi });
    const config = clusterConfig(template);
    // An environment-agnostic stack finds the region's AMI in a mapping.
    expect(config.Image).toEqual({ Os: 'ubuntu2204', CustomAmi: { 'Fn::FindInMap': [expect.any(String), { Ref: 'AWS::Region' }, 'ami'] } });
    expect(JSON.stringify(template.toJSON().Mappings)).toContain('ami-0123456789abcdef0');
    expect(config.Scheduling.SlurmQueues[0].ComputeResources[0]).toMatchObject({ Name: 'trn1n', InstanceType: 'trn1n.32xlarge' });
  });

  test.each([
    [{ instanceType: new ec2.InstanceType('p5.48xlarge') }, /instanceType: 'p5\.48xlarge' is not a Trainium type of this recipe \(a GPU type: use FsdpTraining\)/],
    [{ preset: 'gpt3-1t' }, /preset: 'gpt3-1t' is not one of gpt3-6\.7b, gpt3-23b, gpt3-46b, gpt3-175b/],
    [{ preset: 'gpt3-175b', nodes: 4 }, /nodes: 4 nodes give 128 NeuronCores, which gpt3-175b's TP 32 x PP 8 = 256 does not divide; use a multiple of 8 nodes/],
    [{ nodes: 0 }, /nodes: 0 must be a whole number of at least 1/],
    [{ plannedTokens: 0 }, /plannedTokens: 0 must be above 0/],
    [{ dataRepositoryDir: 'fsx/s3' }, /dataRepositoryDir: 'fsx\/s3' must be a directory under the \/fsx mount/],
  ])('throws when %j', (options, message) => {
    const { stack } = testStack();
    expect(() => withMegatron(stack, options as Options)).toThrow(message);
  });
});

describe('Trn1MegatronPretraining stack', () => {
  function ids(props: ConstructorParameters<typeof Trn1MegatronPretrainingStack>[2]) {
    const stack = new Trn1MegatronPretrainingStack(unitTestApp(), 'Trn1', props);
    const t = templateOf(stack);
    return ['AWS::FSx::FileSystem', 'AWS::S3::Bucket', 'AWS::KMS::Key'].map((type) => Object.keys(t.findResources(type)));
  }

  test('changing the node count, preset or instance type keeps the storage logical IDs', () => {
    const base = ids({});
    expect(base[0]).toHaveLength(1);
    expect(ids({ nodes: 8 })).toEqual(base);
    expect(ids({ preset: 'gpt3-46b' })).toEqual(base);
    expect(ids({ instanceType: 'trn1n.32xlarge' })).toEqual(base);
  });

  test('the cluster waits for the storage and the network, and carries the stack\'s tags to its instances', () => {
    const stack = new Trn1MegatronPretrainingStack(unitTestApp(), 'Trn1');
    const cluster = Object.values(templateOf(stack).findResources('Custom::PclusterCluster'))[0] as { DependsOn: string[]; Properties: { ClusterConfiguration: { Tags: unknown } } };
    expect(cluster.Properties.ClusterConfiguration.Tags).toEqual([{ Key: 'llm-recipe', Value: 'trn1-megatron-pretraining' }]);
    expect(cluster.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^StorageFileSystem/), expect.stringMatching(/^NetworkcomputeSubnet1DefaultRoute/),
      expect.stringMatching(/^StorageSecurityGroup/),
    ]));
  });
});

describe('NeuronMegatronPretraining: nodes from a CloudFormation parameter', () => {
  test('throws in words: the divisibility check needs a number, and the message prints no token', () => {
    const { stack } = testStack();
    const nodes = new CfnParameter(stack, 'Nodes', { type: 'Number' }).valueAsNumber;
    let message = '';
    try {
      withMegatron(stack, { nodes });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/nodes: a token such as a CloudFormation parameter is not accepted here; the node count must be a number at synth, to check that the preset's TP x PP divides the NeuronCores/);
    expect(message).not.toMatch(/\d{6,}|\$\{Token/);
  });
});
