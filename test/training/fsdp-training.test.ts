import * as fs from 'fs';
import * as path from 'path';
import { CfnParameter, type Stack } from 'aws-cdk-lib';
import { type Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  FsdpTraining, PrivateVpc, RecipeScripts, TrainingStorage, type FsdpTrainingProps,
} from '../../constructs';
import { planTraining } from '../../constructs/catalog';
import { FSDP_PRESETS } from '../../constructs/catalog/training';
import { FSDP_INSTANCE_TYPES } from '../../constructs/training/fsdp-training';
import { SCRIPTS_DIR } from '../../constructs/training/recipe-scripts';
import { templateOf, testStack } from '../util/synth';

const RESERVATION = 'cr-0123456789abcdef0';

type FsdpOptions = Omit<FsdpTrainingProps, 'vpc' | 'subnet' | 'clusterSecurityGroup' | 'fileSystem'>;

function withFsdp(stack: Stack, options: FsdpOptions = {}) {
  const network = new PrivateVpc(stack, 'Network');
  const storage = new TrainingStorage(stack, 'Storage', {
    vpc: network.vpc, subnet: network.computeSubnet, clientSecurityGroup: network.clusterSecurityGroup,
  });
  const training = new FsdpTraining(stack, 'Fsdp', {
    vpc: network.vpc,
    subnet: network.computeSubnet,
    clusterSecurityGroup: network.clusterSecurityGroup,
    fileSystem: storage,
    ...options,
  });
  return { network, storage, training };
}

function synth(options: FsdpOptions = {}) {
  const { stack } = testStack();
  const built = withFsdp(stack, options);
  return { stack, ...built, template: templateOf(stack) };
}

function build(options: FsdpOptions) {
  const { stack } = testStack();
  return () => withFsdp(stack, options);
}

/** The rendered ParallelCluster configuration. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a free-form YAML document read by key in assertions
function configOf(template: Template): any {
  const found = Object.values(template.findResources('Custom::PclusterCluster'));
  expect(found).toHaveLength(1);
  return (found[0] as { Properties: { ClusterConfiguration: unknown } }).Properties.ClusterConfiguration;
}

const ASSET_BUCKET = 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}';

/** An asset URL as the template renders it: `{ Fn::Sub: 's3://<bootstrap asset bucket>/<hash>.<ext>' }`. */
function expectS3AssetUrl(value: unknown, extension: 'zip' | 'sh'): void {
  expect(value).toEqual({ 'Fn::Sub': expect.stringMatching(new RegExp(`^s3://${escape(ASSET_BUCKET)}/[0-9a-f]{64}\\.${extension}$`)) });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('FsdpTraining defaults (2 x p5.48xlarge, gpt3-1.3b)', () => {
  test('queue gpu: static nodes, EFA, placement group, whole-node jobs', () => {
    const { template } = synth();
    const queues = configOf(template).Scheduling.SlurmQueues;
    expect(queues).toHaveLength(1);
    expect(queues[0]).toMatchObject({
      Name: 'gpu',
      JobExclusiveAllocation: true,
      Networking: { PlacementGroup: { Enabled: true } },
      ComputeResources: [{ Name: 'p5', InstanceType: 'p5.48xlarge', MinCount: 2, MaxCount: 2, Efa: { Enabled: true } }],
    });
    expect(queues[0].ComputeResources[0].CapacityReservationTarget).toBeUndefined();
  });

  test('head node m5.8xlarge mounts the stack\'s FSx for Lustre at /fsx', () => {
    const { template, stack, storage } = synth();
    const config = configOf(template);
    expect(config.HeadNode.InstanceType).toBe('m5.8xlarge');
    expect(config.SharedStorage).toEqual([{
      Name: 'fsx', StorageType: 'FsxLustre', MountDir: '/fsx', FsxLustreSettings: { FileSystemId: stack.resolve(storage.fileSystemId) },
    }]);
  });

  test('the head node installs the job scripts from S3 assets with the recipe environment', () => {
    const { template, training } = synth();
    const action = configOf(template).HeadNode.CustomActions.OnNodeConfigured;
    expectS3AssetUrl(action.Script, 'sh');
    const args = action.Args as unknown[];
    expectS3AssetUrl(args[0], 'zip');
    expect(args.slice(1)).toEqual(expect.arrayContaining([
      '/fsx/llm-recipes/fsdp', 'ubuntu', 'GPUS_PER_NODE=8', 'INSTANCE_TYPE=p5.48xlarge', 'MODEL_PRESET=gpt3-1.3b',
      'MAX_STEPS=5000', 'TORCH_VERSION=2.7.1', 'CHECKPOINT_DIR=/fsx/s3/checkpoints/fsdp-gpt3-1.3b', 'DATA_PATH=/fsx/s3/data/wikipedia-gpt2/my-gpt2_text_document.bin',
    ]));
    expect(args[1]).toBe('/fsx/llm-recipes/fsdp');
    expect(args[2]).toBe('ubuntu');
    expect(training.recipeDir).toBe('/fsx/llm-recipes/fsdp');
  });

  test('the head node may read the installer and the scripts archive only, not the whole asset bucket', () => {
    const { template } = synth();
    const action = configOf(template).HeadNode.CustomActions.OnNodeConfigured;
    const s3Access = configOf(template).HeadNode.Iam.S3Access;
    expect(s3Access).toHaveLength(2);
    for (const a of s3Access) {
      expect(a.EnableWriteAccess).toBe(false);
      expect(a.BucketName).toEqual({ 'Fn::Sub': ASSET_BUCKET });
    }
    // Each entry's KeyName is the object the action fetches: the installer script, then the archive.
    const bucket = escape(s3Access[0].BucketName['Fn::Sub']);
    expect(action.Script['Fn::Sub']).toMatch(new RegExp(`^s3://${bucket}/${escape(s3Access[1].KeyName)}$`));
    expect(action.Args[0]['Fn::Sub']).toMatch(new RegExp(`^s3://${bucket}/${escape(s3Access[0].KeyName)}$`));
    expect(s3Access[0].KeyName).toMatch(/\.zip$/);
    expect(s3Access[1].KeyName).toMatch(/\.sh$/);
  });

  test('the plan is planTraining of the preset on the cluster', () => {
    const { training } = synth();
    expect(training.plan).toEqual(planTraining({ parameters: 1.3e9, instanceType: 'p5.48xlarge', nodes: 2 }));
    expect(training.plan.accelerators).toBe(16);
  });

  test('plannedTokens and modelPreset reach the plan', () => {
    const { training } = synth({ modelPreset: 'gpt3-13b', plannedTokens: 300e9, nodes: 4 });
    expect(training.plan).toEqual(planTraining({ parameters: FSDP_PRESETS['gpt3-13b'], tokens: 300e9, instanceType: 'p5.48xlarge', nodes: 4 }));
  });
});

describe('FsdpTraining options', () => {
  test('p4d.24xlarge with 4 nodes', () => {
    const { template, training } = synth({ instanceType: new ec2.InstanceType('p4d.24xlarge'), nodes: 4 });
    const config = configOf(template);
    expect(config.Scheduling.SlurmQueues[0].ComputeResources[0]).toMatchObject({
      Name: 'p4d', InstanceType: 'p4d.24xlarge', MinCount: 4, MaxCount: 4, Efa: { Enabled: true },
    });
    expect(config.HeadNode.CustomActions.OnNodeConfigured.Args).toEqual(expect.arrayContaining(['INSTANCE_TYPE=p4d.24xlarge', 'GPUS_PER_NODE=8']));
    expect(training.plan).toEqual(planTraining({ parameters: 1.3e9, instanceType: 'p4d.24xlarge', nodes: 4 }));
  });

  test('a capacity reservation replaces the placement group', () => {
    const { template } = synth({ capacityReservationId: RESERVATION });
    const queue = configOf(template).Scheduling.SlurmQueues[0];
    expect(queue.Networking.PlacementGroup).toEqual({ Enabled: false });
    expect(queue.ComputeResources[0]).toMatchObject({ CapacityReservationTarget: { CapacityReservationId: RESERVATION }, Efa: { Enabled: true } });
  });

  test('maxSteps, torchVersion and parallelClusterVersion reach the cluster', () => {
    const { template } = synth({ maxSteps: 100, torchVersion: '2.6.0', parallelClusterVersion: '3.14.0' });
    const args = configOf(template).HeadNode.CustomActions.OnNodeConfigured.Args;
    expect(args).toEqual(expect.arrayContaining(['MAX_STEPS=100', 'TORCH_VERSION=2.6.0']));
    expect(JSON.stringify(template.findResources('AWS::CloudFormation::Stack'))).toContain('/parallelcluster/3.14.0/templates/custom_resource/cluster.yaml');
  });

  test('the GPU types of the recipe are p4d.24xlarge and p5.48xlarge', () => {
    expect([...FSDP_INSTANCE_TYPES]).toEqual(['p4d.24xlarge', 'p5.48xlarge']);
  });
});

describe('FsdpTraining: stable logical IDs of the stateful resources', () => {
  function statefulIds(options: FsdpOptions) {
    const { template } = synth(options);
    return {
      fileSystems: Object.keys(template.findResources('AWS::FSx::FileSystem')),
      buckets: Object.keys(template.findResources('AWS::S3::Bucket')).sort(),
      keys: Object.keys(template.findResources('AWS::KMS::Key')),
    };
  }

  test('changing the node count does not change the file system, bucket or key IDs', () => {
    const two = statefulIds({ nodes: 2 });
    const eight = statefulIds({ nodes: 8 });
    expect(two.fileSystems).toHaveLength(1);
    expect(two.buckets).toHaveLength(2);
    expect(eight).toEqual(two);
  });

  test('changing the instance type does not change the file system, bucket or key IDs', () => {
    const p5 = statefulIds({ instanceType: new ec2.InstanceType('p5.48xlarge') });
    const p4d = statefulIds({ instanceType: new ec2.InstanceType('p4d.24xlarge') });
    expect(p5.fileSystems).toHaveLength(1);
    expect(p4d).toEqual(p5);
  });
});

describe('FsdpTraining: bad input', () => {
  test('throws when instanceType is a Trainium type, pointing to NeuronMegatronPretraining', () => {
    expect(build({ instanceType: new ec2.InstanceType('trn1.32xlarge') }))
      .toThrow(/instanceType: 'trn1\.32xlarge' is not a GPU type of this recipe \(a Trainium type: use NeuronMegatronPretraining\); use p4d\.24xlarge or p5\.48xlarge/);
  });

  test('throws when instanceType is g5.48xlarge', () => {
    expect(build({ instanceType: new ec2.InstanceType('g5.48xlarge') })).toThrow(/instanceType: 'g5\.48xlarge' is not a GPU type of this recipe; use p4d\.24xlarge or p5\.48xlarge/);
  });

  test('throws when nodes is 0', () => {
    expect(build({ nodes: 0 })).toThrow(/nodes: 0 must be a whole number of at least 1/);
  });

  test("throws when modelPreset is 'gpt3-2t'", () => {
    expect(build({ modelPreset: 'gpt3-2t' })).toThrow(/modelPreset: 'gpt3-2t' is not one of gpt3-1\.3b, gpt3-6\.7b, gpt3-13b, gpt3-175b/);
  });

  test('throws when maxSteps is 0', () => {
    expect(build({ maxSteps: 0 })).toThrow(/maxSteps: 0 must be a whole number of at least 1/);
  });

  test("throws when torchVersion is 'latest'", () => {
    expect(build({ torchVersion: 'latest' })).toThrow(/torchVersion: 'latest' must be a release such as 2\.7\.1/);
  });

  test("throws when capacityReservationId is 'abc'", () => {
    expect(build({ capacityReservationId: 'abc' })).toThrow(/capacityReservationId: 'abc' must look like cr-0123456789abcdef0/);
  });

  test('throws when plannedTokens is 0, naming the prop', () => {
    expect(build({ plannedTokens: 0 })).toThrow(/plannedTokens: 0/);
  });

  test('throws when the ParallelCluster version is too old for P5', () => {
    expect(build({ parallelClusterVersion: '3.7.0' })).toThrow(/p5\.48xlarge needs ParallelCluster 3\.7\.1/);
  });

  test('reports every bad prop at once', () => {
    expect(build({ nodes: 0, maxSteps: 0, modelPreset: 'x' })).toThrow(/FsdpTraining: invalid props:\n- nodes: 0[\s\S]*\n- modelPreset: 'x'[\s\S]*\n- maxSteps: 0/);
  });
});

describe('RecipeScripts', () => {
  test('the fsdp scripts and the installer exist in the package', () => {
    expect(fs.existsSync(path.join(SCRIPTS_DIR, 'fsdp'))).toBe(true);
    expect(fs.statSync(path.join(SCRIPTS_DIR, 'common', 'install-recipe.sh')).isFile()).toBe(true);
  });

  test('the action runs the installer with the scripts URL, target, owner and KEY=value lines in order', () => {
    const { stack } = testStack();
    const scripts = new RecipeScripts(stack, 'Scripts', { recipe: 'fsdp', targetDir: '/fsx/x', owner: 'ubuntu', environment: { A: '1', B_2: 'two' } });
    expect(scripts.onNodeConfigured.script).toBe(scripts.installer.s3ObjectUrl);
    expect(scripts.onNodeConfigured.args).toEqual([scripts.scripts.s3ObjectUrl, '/fsx/x', 'ubuntu', 'A=1', 'B_2=two']);
    expect(scripts.s3Access.map((a) => ({ bucketName: a.bucket.bucketName, keyName: a.keyName }))).toEqual([
      { bucketName: scripts.scripts.s3BucketName, keyName: scripts.scripts.s3ObjectKey },
      { bucketName: scripts.installer.s3BucketName, keyName: scripts.installer.s3ObjectKey },
    ]);
  });

  test('throws when an environment key is not upper-case shell style', () => {
    const { stack } = testStack();
    expect(() => new RecipeScripts(stack, 'Scripts', { recipe: 'fsdp', targetDir: '/fsx/x', owner: 'ubuntu', environment: { 'bad-key': '1', OK: '2' } }))
      .toThrow(/environment keys bad-key must match/);
  });
});

describe('FsdpTraining data directory', () => {
  test('throws when dataRepositoryDir is not under /fsx', () => {
    expect(build({ dataRepositoryDir: '/data' })).toThrow(/dataRepositoryDir: '\/data' must be a directory under the \/fsx mount/);
    expect(build({ dataRepositoryDir: '/fsx/exported' })).not.toThrow();
  });
});

describe('FsdpTraining host memory', () => {
  test('throws when the preset cannot be materialised on every rank before sharding', () => {
    expect(build({ modelPreset: 'gpt3-175b' })).toThrow(/modelPreset: gpt3-175b needs about 5215 GiB of host memory per node \(8 ranks x 652 GiB of fp32 weights before sharding\), more than 75% of p5\.48xlarge's 2048 GiB/);
  });

  test('gpt3-13b fits p4d.24xlarge hosts', () => {
    expect(build({ modelPreset: 'gpt3-13b', instanceType: new ec2.InstanceType('p4d.24xlarge') })).not.toThrow();
  });
});


describe('FSDP_PRESETS and train_fsdp.py', () => {
  // The planner's parameter counts and the script's architectures are two statements of one model.
  const script = fs.readFileSync(path.join(SCRIPTS_DIR, 'fsdp', 'train_fsdp.py'), 'utf-8');
  const presets = Object.fromEntries([...script.matchAll(/"(gpt3-[^"]+)": dict\(layers=(\d+), hidden=(\d+), heads=\d+, seq=\d+\)/g)]
    .map((m) => [m[1], { layers: Number(m[2]), hidden: Number(m[3]) }]));

  test('name the same presets', () => {
    expect(Object.keys(presets).sort()).toEqual(Object.keys(FSDP_PRESETS).sort());
  });

  test.each(Object.keys(FSDP_PRESETS))('%s: the planned parameter count is within 5%% of the script architecture (12·L·h² + GPT-2 embeddings)', (name) => {
    const { layers, hidden } = presets[name];
    const fromScript = 12 * layers * hidden * hidden + 50257 * hidden;
    expect(Math.abs(FSDP_PRESETS[name] - fromScript) / fromScript).toBeLessThan(0.05);
  });
});

describe('FsdpTraining: nodes from a CloudFormation parameter', () => {
  test('is accepted as MinCount and MaxCount; plan, which needs the number, says why it has none', () => {
    const { stack } = testStack();
    const nodes = new CfnParameter(stack, 'Nodes', { type: 'Number' }).valueAsNumber;
    const { training } = withFsdp(stack, { nodes });
    const resource = configOf(templateOf(stack)).Scheduling.SlurmQueues[0].ComputeResources[0];
    expect(resource.MinCount).toEqual({ Ref: 'Nodes' });
    expect(resource.MaxCount).toEqual({ Ref: 'Nodes' });
    expect(() => training.plan).toThrow(/no plan, since nodes is a token \(such as a CloudFormation parameter\) whose value is known only at deploy/);
  });
});
