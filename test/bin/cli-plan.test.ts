import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { findMegatronPreset, findTrainingInstance, fsdpHostMemoryError, megatronNodesError } from '../../constructs/catalog';
import { FsdpTraining } from '../../constructs/training/fsdp-training';
import { NeuronMegatronPretraining } from '../../constructs/training/neuron-megatron-pretraining';
import { runCli } from './cli-helpers';

describe('llm-recipes plan inference', () => {
  test('Falcon-40B misses 4 x A10G and fits 8 x A10G with TP 8; no Neuron instance', async () => {
    const { code, stdout } = await runCli(['plan', 'inference', 'falcon-40b', '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { instances: Array<{ instanceType: string; fits: boolean; tensorParallelDegree?: number; reason?: string }>; cheapestFit: string };
    const by = (t: string) => out.instances.find((i) => i.instanceType === t)!;
    expect(by('ml.g5.12xlarge').fits).toBe(false);
    expect(by('ml.g5.12xlarge').reason).toMatch(/needs 82\.1 GiB .* but 4 x NVIDIA A10G offer 80\.5 GiB/);
    expect(by('ml.g5.48xlarge')).toMatchObject({ fits: true, tensorParallelDegree: 8 });
    for (const inf2 of out.instances.filter((i) => i.instanceType.startsWith('ml.inf2'))) {
      expect(inf2.fits).toBe(false);
      expect(inf2.reason).toMatch(/not supported by the LMI neuron container/);
    }
    expect(out.cheapestFit).toBe('ml.g6.48xlarge');
  });

  test('the table marks the cheapest fit, lists the LMI image of the region and explains misses', async () => {
    const { code, stdout } = await runCli(['plan', 'inference', 'falcon-40b', '--region', 'cn-north-1']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\*\s+ml\.g6\.48xlarge\s+8 x NVIDIA L4\s+8\s+86\.1\s+160\.9\s+74\.8 GiB\s+16\.69$/m);
    expect(stdout).toContain('gpu: 727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/djl-inference:0.35.0-lmi17.0.0-cu128');
    expect(stdout).toMatch(/Does not fit:\n\s+ml\.inf2\.xlarge\s+falcon-40b is not supported/);
  });

  test('--instance checks one instance', async () => {
    const { stdout } = await runCli(['plan', 'inference', 'zephyr-7b-beta', '--instance', 'ml.inf2.8xlarge', '--json']);
    const out = JSON.parse(stdout) as { instances: Array<{ instanceType: string; fits: boolean; tensorParallelDegree: number; image: string }> };
    expect(out.instances).toHaveLength(1);
    expect(out.instances[0]).toMatchObject({ instanceType: 'ml.inf2.8xlarge', fits: true, tensorParallelDegree: 2 });
    expect(out.instances[0].image).toMatch(/djl-inference:0\.29\.0-neuronx-sdk2\.19\.1$/);
  });

  test('a custom model from its numbers, hidden size estimated from the parameters', async () => {
    const { code, stdout } = await runCli(['plan', 'inference', '--params', '40e9', '--layers', '60', '--heads', '128', '--kv-heads', '8', '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { model: { hiddenSize: number; backends: string[] }; cheapestFit: string };
    expect(out.model.hiddenSize).toBe(7424); // sqrt(40e9 / 720) = 7454, rounded to a multiple of 128
    expect(out.model.backends).toEqual(['gpu']);
    // 40e9 x 2 bytes = 74.5 GiB of weights + 4 GiB runtime fit the 80.5 GiB of 4 x L4, unlike Falcon's 41.8e9.
    expect(out.cheapestFit).toBe('ml.g6.12xlarge');
  });

  test('partitions outside amazonaws.com get their own ECR host', async () => {
    const { code, stdout } = await runCli(['plan', 'inference', 'falcon-7b', '--region', 'eusc-de-east-1', '--json']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { instances: Array<{ backend: string; image: string }> };
    expect(out.instances.find((i) => i.backend === 'gpu')?.image).toBe('204133271717.dkr.ecr.eusc-de-east-1.amazonaws.eu/djl-inference:0.35.0-lmi17.0.0-cu128');
  });

  test('a region without the Neuron image says so', async () => {
    const { stdout } = await runCli(['plan', 'inference', 'zephyr-7b-beta', '--region', 'af-south-1', '--json']);
    const out = JSON.parse(stdout) as { instances: Array<{ backend: string; image: string }> };
    expect(out.instances.find((i) => i.backend === 'neuron')?.image).toBe('not published in af-south-1');
  });

  test.each([
    [['plan', 'inference', 'gpt-5'], /'gpt-5' is not a catalog model; known: falcon-40b/],
    [['plan', 'inference'], /name a catalog model or describe one with --params/],
    [['plan', 'inference', '--params', '7e9', '--layers', '32'], /a custom model needs --params, --layers and --heads/],
    [['plan', 'inference', '--params', '7e9', '--layers', '32', '--heads', '32', '--kv-heads', '5'], /--kv-heads 5 must divide --heads 32/],
    [['plan', 'inference', 'falcon-40b', '--instance', 'ml.m5.large'], /--instance 'ml\.m5\.large' is not a catalog instance/],
    [['plan', 'inference', 'falcon-40b', '--region', 'mars'], /--region 'mars' is not a region name/],
    [['plan', 'inference', 'falcon-40b', '--bogus', '1'], /unknown option --bogus/],
    [['plan', 'inference', 'falcon-40b', '--instance'], /--instance needs a value/],
  ])('usage error %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/see: llm-recipes plan inference --help/);
  });
});

describe('llm-recipes plan training', () => {
  test('GPT-3 175B on 300B tokens is about 3.15e23 FLOPs', async () => {
    const { stdout } = await runCli(['plan', 'training', '--params', '175e9', '--tokens', '300e9', '--instance', 'p5.48xlarge', '--nodes', '64', '--json']);
    const out = JSON.parse(stdout) as { flops: number; days: number; accelerators: number; byNodes: Array<{ nodes: number }> };
    expect(out.flops / 3.15e23).toBeCloseTo(1, 2);
    expect(out.accelerators).toBe(512);
    // 3.15e23 / (512 x 989e12 x 0.4) s
    expect(out.days).toBeCloseTo(3.15e23 / (512 * 989e12 * 0.4) / 86400, 3);
    expect(out.byNodes.map((n) => n.nodes)).toEqual([16, 32, 64, 128, 256]);
  });

  test('Chinchilla: 70B parameters want about 1.4T tokens', async () => {
    const { stdout } = await runCli(['plan', 'training', '--params', '70e9', '--instance', 'trn1.32xlarge', '--nodes', '16', '--json']);
    const out = JSON.parse(stdout) as { chinchillaTokens: number; tokens: number; costUsd: number };
    expect(out.chinchillaTokens).toBeCloseTo(1.4e12, -9);
    expect(out.tokens).toBe(out.chinchillaTokens);
    expect(out.costUsd).toBeGreaterThan(0);
  });

  test('a preset supplies parameters, instance and nodes; the text shows the plan and a table over node counts', async () => {
    const { code, stdout } = await runCli(['plan', 'training', '--preset', 'gpt3-6.7b', '--mfu', '0.5']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^gpt3-6\.7b: 6\.70B parameters on 134B tokens \(Chinchilla-optimal, 20 per parameter\)$/m);
    expect(stdout).toMatch(/cluster\s+4 x trn1\.32xlarge = 64 x AWS Trainium, 50% MFU/);
    expect(stdout).toMatch(/^nodes\s+accelerators\s+wall time\s+cost$/m);
    expect(stdout).toMatch(/^\s+8\s+128\s/m);
  });

  test('an instance without a price reports no cost', async () => {
    const { stdout } = await runCli(['plan', 'training', '--params', '7e9', '--instance', 'trn1n.32xlarge', '--nodes', '2', '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ costUsd: null, clusterPricePerHourUsd: null });
  });

  test.each([
    [['plan', 'training', '--instance', 'p5.48xlarge', '--nodes', '2'], /give --params/],
    [['plan', 'training', '--params', '7e9', '--nodes', '2'], /give --instance/],
    [['plan', 'training', '--params', '7e9', '--instance', 'g5.48xlarge', '--nodes', '2'], /--instance 'g5\.48xlarge' is not a training instance/],
    [['plan', 'training', '--params', '7e9', '--instance', 'p5.48xlarge'], /give --nodes/],
    [['plan', 'training', '--params', '7e9', '--instance', 'p5.48xlarge', '--nodes', '1.5'], /--nodes 1\.5 must be a whole number/],
    [['plan', 'training', '--params', '7e9', '--instance', 'p5.48xlarge', '--nodes', '2', '--mfu', '1.5'], /--mfu 1\.5 must be at most 1/],
    [['plan', 'training', '--preset', 'gpt3-1t'], /--preset 'gpt3-1t' is not one of gpt3-6\.7b/],
  ])('usage error %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('llm-recipes help and dispatch', () => {
  test.each(['plan inference', 'plan training', 'status', 'wait', 'invoke'])('%s --help shows usage and an example', async (command) => {
    const { code, stdout } = await runCli([...command.split(' '), '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^llm-recipes ${command}`));
    expect(stdout).toMatch(/Example:\n\s+llm-recipes /);
  });

  test('no command prints the overview with exit codes and exits 2', async () => {
    const { code, stdout } = await runCli([]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/Exit codes: 0 success, 1 AWS or runtime error, 2 usage error, 3 endpoint failed, 4 wait timed out/);
  });

  test('an unknown command is a usage error', async () => {
    const { code, stderr } = await runCli(['deploy']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'deploy'/);
  });
});

describe('plan training agrees with the recipe constructs', () => {
  /** An existing FSx for Lustre file system the recipes mount. */
  function lustre(stack: Stack): fsx.IFileSystem {
    return fsx.LustreFileSystem.fromLustreFileSystemAttributes(stack, 'Lustre', {
      fileSystemId: 'fs-0123456789abcdef0', dnsName: 'fs-0123456789abcdef0.fsx.us-east-1.amazonaws.com',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'LustreSg', 'sg-0123456789abcdef0'),
    });
  }

  /** The construct's error for `props`, with its "NeuronMegatronPretraining: invalid props:\n- " prefix removed. */
  function megatronRefusal(props: { preset?: string; nodes?: number; instanceType?: string }): string {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const clusterSecurityGroup = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    try {
      const { instanceType, ...rest } = props;
      new NeuronMegatronPretraining(stack, 'Megatron', {
        vpc, subnet: vpc.privateSubnets[0], clusterSecurityGroup, fileSystem: lustre(stack), ...rest,
        instanceType: instanceType === undefined ? undefined : new ec2.InstanceType(instanceType),
      });
    } catch (e) {
      return (e as Error).message.replace(/^NeuronMegatronPretraining: invalid props:\n- /, '');
    }
    throw new Error('the construct accepted the props');
  }

  test.each([
    [{ preset: 'gpt3-175b', nodes: 4 }, ['--preset', 'gpt3-175b', '--nodes', '4']],
    [{ preset: 'gpt3-46b', nodes: 3 }, ['--preset', 'gpt3-46b', '--nodes', '3']],
    [{ preset: 'gpt3-6.7b', instanceType: 'p5.48xlarge' }, ['--preset', 'gpt3-6.7b', '--instance', 'p5.48xlarge']],
  ])('%j: the CLI refuses with the construct\'s message', async (props, args) => {
    const message = megatronRefusal(props);
    expect(message).toMatch(/^(nodes|instanceType): /);
    const { code, stderr } = await runCli(['plan', 'training', ...args]);
    expect(code).toBe(2);
    expect(stderr).toBe(`llm-recipes plan training: --preset ${props.preset} is a NeuronMegatronPretraining preset, which refuses this: ${message}\nsee: llm-recipes plan training --help\n`);
  });

  test('the catalog check is the message both report', async () => {
    const preset = findMegatronPreset('gpt3-175b')!;
    const message = megatronNodesError(preset, 4, findTrainingInstance('trn1.32xlarge')!);
    expect(message).toBe("nodes: 4 nodes give 128 NeuronCores, which gpt3-175b's TP 32 x PP 8 = 256 does not divide; use a multiple of 8 nodes");
    expect(megatronRefusal({ preset: 'gpt3-175b', nodes: 4 })).toBe(message);
  });

  test('a GPU plan that FsdpTraining refuses for host memory says so with the construct\'s numbers', async () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const clusterSecurityGroup = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    expect(() => new FsdpTraining(stack, 'Fsdp', { vpc, subnet: vpc.privateSubnets[0], clusterSecurityGroup, fileSystem: lustre(stack), modelPreset: 'gpt3-175b' }))
      .toThrow(`modelPreset: ${fsdpHostMemoryError('gpt3-175b', 175e9, findTrainingInstance('p5.48xlarge')!)}`);
    const { code, stdout } = await runCli(['plan', 'training', '--params', '175e9', '--instance', 'p5.48xlarge', '--nodes', '64']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^note: the FsdpTraining recipe refuses this: a 175B-parameter model needs about 5215 GiB of host memory per node \(8 ranks x 652 GiB of fp32 weights before sharding\), more than 75% of p5\.48xlarge's 2048 GiB$/m);
    const json = await runCli(['plan', 'training', '--params', '13e9', '--instance', 'p4d.24xlarge', '--nodes', '2', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ fsdpTrainingRefusal: null });
  });

  test('a node count the recipe accepts plans', async () => {
    const { code, stdout } = await runCli(['plan', 'training', '--preset', 'gpt3-175b', '--nodes', '16', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ preset: 'gpt3-175b', nodes: 16, accelerators: 256 });
  });

  test('--preset with --params is an error, not a relabelled plan', async () => {
    const { code, stdout, stderr } = await runCli(['plan', 'training', '--preset', 'gpt3-6.7b', '--params', '70e9']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^llm-recipes plan training: give --preset or --params, not both: --preset gpt3-6\.7b has 6\.70B parameters$/m);
  });
});

describe('command-line errors', () => {
  test('plan inference --instance ml.g5.12xlarge says why Falcon-40B does not fit, with the numbers', async () => {
    const { code, stdout } = await runCli(['plan', 'inference', 'falcon-40b', '--instance', 'ml.g5.12xlarge']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^falcon-40b does not fit ml\.g5\.12xlarge\.$/m);
    expect(stdout).toMatch(/^\s+ml\.g5\.12xlarge\s+needs 82\.1 GiB \(weights 77\.9 \+ KV cache 0\.2 \+ runtime 4\) but 4 x NVIDIA A10G offer 80\.5 GiB \(90% of 89\.4 GiB\)$/m);
  });

  test('a bad --instance lists the allowed types', async () => {
    const { stderr } = await runCli(['plan', 'inference', 'falcon-40b', '--instance', 'ml.m5.large']);
    expect(stderr).toMatch(/--instance 'ml\.m5\.large' is not a catalog instance; use one of ml\.g5\.12xlarge, .*ml\.inf2\.48xlarge/);
  });

  test.each([
    [['plan', 'inference', 'falcon-40b', '--bogus'], /unknown option --bogus; options: --instance, /],
    [['plan', 'training', '--bogus', '--preset', 'gpt3-6.7b'], /unknown option --bogus; options: --params, /],
    [['plan', 'inference', 'falcon-40b', '-x'], /unknown option -x; options: --instance, /],
    [['status', '--verbose'], /unknown option --verbose; options: --stack, --region, --json$/m],
    [['plan', 'inference', 'falcon-40b', 'falcon-7b'], /unexpected argument 'falcon-7b'/],
    [['plan', 'training', '--preset', 'gpt3-6.7b', 'extra'], /unexpected argument 'extra'/],
    [['status', 'extra'], /unexpected argument 'extra'/],
    [['wait', 'e1', 'e2'], /unexpected argument 'e2'/],
    [['invoke', 'e1', 'hello', 'world'], /unexpected argument 'world' \(quote the prompt\)/],
  ])('%j is a usage error', async (argv, message) => {
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  test.each([
    [['plan', 'inference', 'falcon-40b', '--bogus'], 'plan inference', /^unknown option --bogus/],
    [['plan', 'inference', 'falcon-40b', '--instance', 'ml.m5.large'], 'plan inference', /^--instance 'ml\.m5\.large' is not a catalog instance; use one of /],
    [['plan', 'training', '--preset', 'gpt3-175b', '--nodes', '4'], 'plan training', /refuses this: nodes: 4 nodes give 128 NeuronCores/],
    [['plan', 'training', '--preset', 'gpt3-6.7b', '--params', '7e9'], 'plan training', /^give --preset or --params, not both/],
    [['wait', 'e1', 'e2'], 'wait', /^unexpected argument 'e2'$/],
    [['deploy'], null, /^unknown command 'deploy'/],
  ])('with --json, %j is a JSON error on stderr', async (argv, command, message) => {
    const { code, stdout, stderr } = await runCli([...argv, '--json']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const err = JSON.parse(stderr) as { error: { command: string | null; message: string; exitCode: number; help?: string } };
    expect(err.error).toMatchObject({ command, exitCode: 2 });
    expect(err.error.message).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  test('with --json, an AWS error is a JSON error with its exit code', async () => {
    const { code, stderr } = await runCli(['wait', 'e1', '--json'], { aws: { endpoints: { sagemaker: 'http://127.0.0.1:9' }, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, maxAttempts: 1 } });
    expect(code).toBe(1);
    expect(JSON.parse(stderr)).toEqual({ error: { command: 'wait', message: expect.stringMatching(/^cannot reach the AWS endpoint: .*ECONNREFUSED/), exitCode: 1 } });
  });
});

describe('-h and --version', () => {
  test.each([[['-h']], [['plan', '-h']], [['--help']]])('%j prints the overview and exits 0', async (argv) => {
    const { code, stdout } = await runCli(argv);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^llm-recipes: plan, check and talk to the LLM recipes/);
  });

  test('plan inference -h prints the command help', async () => {
    const { code, stdout } = await runCli(['plan', 'inference', '-h']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^llm-recipes plan inference <model>/);
  });

  test('--version prints the package version', async () => {
    const version = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `llm-recipes ${version}\n`, stderr: '' });
    expect(JSON.parse((await runCli(['--version', '--json'])).stdout)).toEqual({ version });
  });

  test('an unknown top-level option is called unknown', async () => {
    const { code, stderr } = await runCli(['--verbose']);
    expect(code).toBe(2);
    expect(stderr).toBe('llm-recipes: unknown option --verbose; see llm-recipes --help\n');
  });
});
