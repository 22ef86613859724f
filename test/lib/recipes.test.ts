import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnResource, Stack, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MISTRAL_7B_INSTRUCT_V02 } from '../../constructs';
import { Falcon40bG5EndpointStack } from '../../lib/falcon-40b-g5-endpoint-stack';
import { Inf2LmiEndpointStack } from '../../lib/inf2-lmi-endpoint-stack';
import { addRecipes, RECIPE_STACK_IDS } from '../../lib/recipes';
import { reportedViolations, SKIP_BUNDLING, unitTestApp, validatedApp } from '../util/synth';

function tmpOutdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'recipes-'));
}

/** An app for tests that build stacks without synthesizing a template users get (CloudFormation Validate off). */
function freshApp(context: Record<string, unknown> = {}): App {
  return unitTestApp({ outdir: tmpOutdir(), context });
}

/**
 * The recipe app with CloudFormation Validate on, as `cdk synth` runs it, holding only the stacks
 * in `keep`: each template users can synthesize is validated once (the whole app with the default
 * context, then each context variant's changed stacks). Bundling is skipped: test/rag bundles the
 * handler for real, and the snapshots mask asset hashes.
 */
function validatedRecipes(context: Record<string, unknown> = {}, keep: readonly string[] = RECIPE_STACK_IDS): App {
  const app = validatedApp({ outdir: tmpOutdir(), context: { ...SKIP_BUNDLING, ...context } });
  addRecipes(app);
  for (const id of RECIPE_STACK_IDS) if (!keep.includes(id)) app.node.tryRemoveChild(id);
  return app;
}

describe('the recipe app', () => {
  const assembly = validatedRecipes().synth();
  const template = (id: string) => Template.fromJSON(assembly.getStackByName(id).template);

  test('has exactly the recipe stacks, with stable IDs', () => {
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([...RECIPE_STACK_IDS].sort());
  });

  test.each(RECIPE_STACK_IDS)('%s has no unacknowledged cdk-nag or CloudFormation Validate finding', (id) => {
    expect(reportedViolations(assembly.directory).filter((v) => v.paths.some((p) => p.startsWith(`${id}/`)))).toEqual([]);
  });

  test.each(RECIPE_STACK_IDS)('%s matches its snapshot', (id) => {
    expect(assembly.getStackByName(id).template).toMatchSnapshot();
  });

  test.each(RECIPE_STACK_IDS)('%s is environment-agnostic and machine-independent', (id) => {
    const stack = assembly.getStackByName(id);
    expect(stack.environment.account).toBe('unknown-account');
    expect(stack.environment.region).toBe('unknown-region');
    const text = JSON.stringify(stack.template);
    expect(text).not.toContain(process.cwd());
    expect(text).not.toContain(os.homedir());
    expect(stack.template.Resources.CDKMetadata).toBeUndefined();
  });

  test('Falcon40bG5Endpoint: Falcon-40B on ml.g5.48xlarge, TP 8, vLLM, alarms, cost in the description', () => {
    const t = template('Falcon40bG5Endpoint');
    t.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Environment: Match.objectLike({ HF_MODEL_ID: 'tiiuae/falcon-40b', TENSOR_PARALLEL_DEGREE: '8', OPTION_ROLLING_BATCH: 'vllm' }),
      },
    });
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ InstanceType: 'ml.g5.48xlarge', ContainerStartupHealthCheckTimeoutInSeconds: 3600 })],
    });
    t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    expect(assembly.getStackByName('Falcon40bG5Endpoint').template.Description).toMatch(/about \$20\.36\/h per instance/);
    t.hasResourceProperties('AWS::SageMaker::Endpoint', { Tags: [{ Key: 'llm-recipe', Value: 'falcon-40b-g5-endpoint' }] });
  });

  test('Inf2LmiEndpoint: Zephyr on ml.inf2.8xlarge with TP = NeuronCores, 2048 positions, 256 GiB', () => {
    const t = template('Inf2LmiEndpoint');
    t.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Environment: Match.objectLike({
          HF_MODEL_ID: 'HuggingFaceH4/zephyr-7b-beta', TENSOR_PARALLEL_DEGREE: '2', OPTION_N_POSITIONS: '2048',
          OPTION_ENTRYPOINT: 'djl_python.transformers_neuronx',
        }),
      },
    });
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: Match.anyValue(),
      ProductionVariants: [Match.objectLike({ InstanceType: 'ml.inf2.8xlarge', VolumeSizeInGB: 256 })],
    });
  });
});

describe('recipe context and props', () => {
  test('falcon40bMaxInstances adds autoscaling up to that many instances', () => {
    const app = validatedRecipes({ falcon40bMaxInstances: '3' }, ['Falcon40bG5Endpoint']);
    const t = Template.fromStack(app.node.findChild('Falcon40bG5Endpoint') as Stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 3 });
  });

  test('trainingAvailabilityZone places both training clusters in that zone', () => {
    const app = validatedRecipes({ trainingAvailabilityZone: 'us-west-2b' }, ['Trn1MegatronPretraining', 'FsdpParallelCluster']);
    for (const id of ['Trn1MegatronPretraining', 'FsdpParallelCluster']) {
      Template.fromStack(app.node.findChild(id) as Stack).hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'us-west-2b' });
    }
  });

  test('throws when inf2Model asks for Falcon on Inferentia2', () => {
    expect(() => addRecipes(freshApp({ inf2Model: 'falcon-40b' })))
      .toThrow(/model: falcon-40b cannot be served on ml\.inf2\.8xlarge: the LMI neuron container does not support its architecture/);
  });

  test('throws when inf2Model is not a catalog model', () => {
    expect(() => addRecipes(freshApp({ inf2Model: 'gpt-5' }))).toThrow(/context inf2Model: 'gpt-5' is not a catalog model; known: falcon-40b/);
  });

  test('a gated model on Inf2 is refused until its weights come from S3', () => {
    expect(() => new Inf2LmiEndpointStack(freshApp(), 'Inf2', { model: MISTRAL_7B_INSTRUCT_V02 })).toThrow(/is gated on the Hugging Face Hub/);
  });

  test.each(['ml.inf2.xlarge', 'ml.inf2.8xlarge', 'ml.inf2.24xlarge', 'ml.inf2.48xlarge'])('the Inf2 recipe runs on %s with TP = its NeuronCores', (instanceType) => {
    const stack = new Inf2LmiEndpointStack(freshApp(), 'Inf2', { instanceType });
    expect(stack.endpoint.tensorParallelDegree).toBe(stack.endpoint.instance.devices);
  });

  test.each([0, -3, 2.5])('throws when falcon40bMaxInstances is %p', (value) => {
    expect(() => addRecipes(freshApp({ falcon40bMaxInstances: value }))).toThrow(/maxInstances .* must be a whole number of at least 1 \(context falcon40bMaxInstances\)/);
  });

  test('throws when a numeric context value is not a number', () => {
    expect(() => addRecipes(freshApp({ falcon40bMaxInstances: 'abc' }))).toThrow(/context falcon40bMaxInstances: 'abc' is not a number/);
  });

  test('a deploy region without the neuronx image fails at synth', () => {
    expect(() => new Inf2LmiEndpointStack(freshApp(), 'Inf2', { env: { region: 'us-west-1' } }))
      .toThrow(/not published in us-west-1/);
  });

  test('a concrete environment synthesizes a literal image URI', () => {
    const app = validatedApp({ outdir: tmpOutdir() });
    const stack = new Falcon40bG5EndpointStack(app, 'Falcon', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(stack.endpoint.imageUri).toBe('763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.35.0-lmi17.0.0-cu128');
    expect(() => app.synth()).not.toThrow();
  });
});

describe('the validation harness itself', () => {
  test('fails synthesis on an unacknowledged cdk-nag finding, in the unit-test app too', () => {
    const app = freshApp();
    new s3.Bucket(new Stack(app, 'Leaky'), 'Bucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    expect(reportedViolations(app.outdir).map((v) => v.rule)).toContain('AwsSolutions-S1');
  });

  test('fails synthesis on a CloudFormation Validate finding', () => {
    const app = validatedApp({ outdir: tmpOutdir() });
    new CfnResource(new Stack(app, 'Invalid'), 'Config', {
      type: 'AWS::SageMaker::EndpointConfig',
      properties: { ProductionVariants: [{ VariantName: 'v', VolumeSizeInGB: 9999 }] },
    });
    expect(() => app.synth()).toThrow(/VolumeSizeInGB: 9999 is greater than the maximum of 512 \(CloudFormation Validate\)/);
    expect(reportedViolations(app.outdir).some((v) => v.plugin === 'CloudFormation Validate')).toBe(true);
  });

  test('the unit-test app leaves CloudFormation Validate to the template-validation tests', () => {
    const app = freshApp();
    new CfnResource(new Stack(app, 'Invalid'), 'Config', {
      type: 'AWS::SageMaker::EndpointConfig',
      properties: { ProductionVariants: [{ VariantName: 'v', VolumeSizeInGB: 9999 }] },
    });
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(app.outdir).some((v) => v.plugin === 'CloudFormation Validate')).toBe(false);
  });
});
