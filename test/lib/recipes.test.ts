import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnResource, Stack, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { findModelPreset, MISTRAL_7B_INSTRUCT_V02 } from '../../constructs/catalog';
import { TeamInferenceStack } from '../../examples/lmi-endpoint-in-your-stack';
import { Falcon40bG5EndpointStack } from '../../lib/falcon-40b-g5-endpoint-stack';
import { Inf2LmiEndpointStack } from '../../lib/inf2-lmi-endpoint-stack';
import { KnowledgeBaseRagStack } from '../../lib/knowledge-base-rag-stack';
import { LoraFineTuningStack } from '../../lib/lora-fine-tuning-stack';
import { RecipeContextError } from '../../lib/context';
import { addRecipes, inf2Models, RECIPE_STACK_IDS } from '../../lib/recipes';
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
function validatedRecipes(context: Record<string, unknown> = {}, keep: readonly string[] = RECIPE_STACK_IDS, env?: { region?: string; account?: string }): App {
  const app = validatedApp({ outdir: tmpOutdir(), context: { ...SKIP_BUNDLING, ...context } });
  addRecipes(app, env);
  keepOnly(app, keep);
  return app;
}

/** Removes the recipe stacks other than `keep` from `app` before its synthesis. */
function keepOnly(app: App, keep: readonly string[]): void {
  for (const id of RECIPE_STACK_IDS) if (!keep.includes(id)) app.node.tryRemoveChild(id);
}

/** The error annotations on stack `id` (read from the construct tree: synthesis fails on them in-process). */
function stackErrors(app: App, id: string): string[] {
  const stack = app.node.findChild(id);
  return stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:error').map((m) => String(m.data));
}

function stackWarnings(app: App, id: string): string[] {
  return app.node.findChild(id).node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
}

/**
 * The templates of stacks `ids` of a recipe app built in the test: the app's other stacks are removed
 * before its one synthesis, so cdk-nag checks only the stacks the test reads.
 */
function templatesOf(app: App, ...ids: string[]): Template[] {
  keepOnly(app, ids);
  return ids.map((id) => Template.fromStack(app.node.findChild(id) as Stack));
}

/** The app with every recipe, and the stacks that failed to build. */
function recipesWith(context: Record<string, unknown>, env?: { region?: string; account?: string }): { app: App; failed: string[] } {
  const app = freshApp(context);
  addRecipes(app, env);
  return { app, failed: RECIPE_STACK_IDS.filter((id) => stackErrors(app, id).length > 0) };
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

  // CDK_DEPLOY_ACCOUNT/REGION make ARNs literal, which changes the findings acknowledgements must name.
  test.each([
    { account: '111111111111', region: 'us-east-1' },
    { region: 'ap-northeast-1' },
  ])('deployed to %o, every recipe stack passes cdk-nag and CloudFormation Validate', (env) => {
    const app = validatedRecipes({}, RECIPE_STACK_IDS, env);
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(app.outdir)).toEqual([]);
  });

  test.each(RECIPE_STACK_IDS)('%s matches its snapshot', (id) => {
    expect(assembly.getStackByName(id).template).toMatchSnapshot();
  });

  test.each([
    ['Falcon40bG5Endpoint', ['EndpointName', 'InvokeCommand']],
    ['Inf2LmiEndpoint', ['EndpointName', 'InvokeCommand']],
    ['KendraRag', ['ApiUrl', 'ChatUrl', 'CreateUserCommand', 'DocumentsBucketName', 'EndpointName', 'InvokeCommand', 'KendraIndexId', 'UserPoolId']],
    ['Trn1MegatronPretraining', ['ClusterValidationMessages', 'ConnectCommand', 'DataBucketName', 'HeadNodeInstanceId', 'NextSteps']],
    ['FsdpParallelCluster', ['ClusterValidationMessages', 'ConnectCommand', 'DataBucketName', 'HeadNodeInstanceId', 'NextSteps']],
  ])('%s outputs its next steps under stable keys, each with a description', (id, keys) => {
    const outputs = assembly.getStackByName(id).template.Outputs as Record<string, { Description?: string }>;
    expect(Object.keys(outputs).sort()).toEqual(keys);
    for (const key of keys) expect(outputs[key]?.Description).toEqual(expect.stringMatching(/\w/));
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

describe('the example', () => {
  // Its one synthesis with CloudFormation Validate on, here where the engine is already started by
  // the recipe app's (seconds per test file); test/examples asserts its template without the check.
  test('synthesizes with no unacknowledged cdk-nag or CloudFormation Validate finding', () => {
    const app = validatedApp({ outdir: tmpOutdir() });
    new TeamInferenceStack(app, 'TeamInference');
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(app.outdir)).toEqual([]);
  });
});

describe('recipe context and props', () => {
  test('falcon40bMaxInstances adds autoscaling up to that many instances', () => {
    const app = validatedRecipes({ falcon40bMaxInstances: '3' }, ['Falcon40bG5Endpoint']);
    const [t] = templatesOf(app, 'Falcon40bG5Endpoint');
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 3 });
  });

  test('trainingAvailabilityZone places both training clusters in that zone', () => {
    const app = validatedRecipes({ trainingAvailabilityZone: 'us-west-2b' }, ['Trn1MegatronPretraining', 'FsdpParallelCluster']);
    for (const t of templatesOf(app, 'Trn1MegatronPretraining', 'FsdpParallelCluster')) {
      t.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'us-west-2b' });
    }
  });

  test('inf2Model asking for Falcon is an error on Inf2LmiEndpoint only, naming the context key', () => {
    const { app, failed } = recipesWith({ inf2Model: 'falcon-40b' });
    expect(failed).toEqual(['Inf2LmiEndpoint']);
    expect(stackErrors(app, 'Inf2LmiEndpoint').join('\n'))
      .toMatch(/model: falcon-40b cannot be served on ml\.inf2\.8xlarge: the LMI neuron container does not support its architecture.*context given for Inf2LmiEndpoint: inf2Model=falcon-40b/);
    expect((app.node.findChild('Inf2LmiEndpoint') as Stack).node.children).toHaveLength(0);
  });

  test('an unknown inf2Model lists which catalog models run on Inferentia2', () => {
    const { app, failed } = recipesWith({ inf2Model: 'gpt-5' });
    expect(failed).toEqual(['Inf2LmiEndpoint']);
    expect(stackErrors(app, 'Inf2LmiEndpoint')).toEqual([
      expect.stringMatching(/context inf2Model: 'gpt-5' is not a catalog model; on Inferentia2: zephyr-7b-beta.*; known but not on Inferentia2: falcon-40b \(architecture not served by LMI neuronx\).*mistral-7b-instruct-v0.2 \(gated weights\)/),
    ]);
  });

  test.each(inf2Models().map((m) => m.name))('inf2Model=%s, listed as running on Inferentia2, builds Inf2LmiEndpoint', (name) => {
    const { app, failed } = recipesWith({ inf2Model: name });
    expect(failed).toEqual([]);
    templatesOf(app, 'Inf2LmiEndpoint')[0].hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: { Environment: Match.objectLike({ HF_MODEL_ID: findModelPreset(name)!.huggingFaceId, OPTION_ENTRYPOINT: 'djl_python.transformers_neuronx' }) },
    });
  });

  test('a region without the neuronx image fails Inf2LmiEndpoint only; the other recipes build', () => {
    const { app, failed } = recipesWith({}, { region: 'eu-south-1' });
    expect(failed).toEqual(['Inf2LmiEndpoint']);
    expect(stackErrors(app, 'Inf2LmiEndpoint').join('\n')).toMatch(/not published in eu-south-1/);
    expect((app.node.findChild('Falcon40bG5Endpoint') as Falcon40bG5EndpointStack).endpoint.imageUri).toContain('eu-south-1');
  });

  test('throws a RecipeContextError with "did you mean" for a typo of one of our keys', () => {
    expect(() => addRecipes(freshApp({ kendraIndex: 'abc' }))).toThrow(RecipeContextError);
    expect(() => addRecipes(freshApp({ kendraIndex: 'abc' })))
      .toThrow(/^context kendraIndex: unknown key; did you mean kendraIndexId\? known keys: falcon40bMaxInstances, .*ragWaf$/);
    expect(() => addRecipes(freshApp({ fsdpInstancType: 'p5.48xlarge' }))).toThrow(/did you mean fsdpInstanceType\?/);
  });

  test('throws for an unknown key that looks like ours, without a guess when none is close', () => {
    expect(() => addRecipes(freshApp({ fsdpGpuCount: '1' }))).toThrow(/^context fsdpGpuCount: unknown key; known keys: /);
  });

  test("ignores the CDK's own context keys", () => {
    const { failed } = recipesWith({ '@aws-cdk/core:newStyleStackSynthesis': true, 'aws:cdk:enable-path-metadata': true, 'cdk-foo': 1 });
    expect(failed).toEqual([]);
  });

  test.each(['yes', '1', 'TRUE'])('ragWaf=%p is an error on both RAG stacks: booleans are true or false', (value) => {
    const { app, failed } = recipesWith({ ragWaf: value });
    expect(failed).toEqual(['KendraRag', 'KnowledgeBaseRag']);
    for (const id of ['KendraRag', 'KnowledgeBaseRag']) {
      expect(stackErrors(app, id)).toEqual([`${id}: context ragWaf: '${value}' is not a boolean; use true or false`]);
    }
  });

  test('ragWaf=true puts WAF in front of both RAG APIs; ragAllowedOrigin reaches both handlers', () => {
    const { app, failed } = recipesWith({ ragWaf: 'true', ragAllowedOrigin: 'https://chat.example.com' });
    expect(failed).toEqual([]);
    for (const t of templatesOf(app, 'KendraRag', 'KnowledgeBaseRag')) {
      t.resourceCountIs('AWS::WAFv2::WebACL', 1);
      t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ CORS_ORIGINS: 'https://chat.example.com' }) } });
    }
  });

  test('trainingAvailabilityZone outside the concrete region is an error on both training stacks', () => {
    const { app, failed } = recipesWith({ trainingAvailabilityZone: 'us-east-1a' }, { region: 'eu-west-1' });
    expect(failed).toEqual(['Trn1MegatronPretraining', 'FsdpParallelCluster']);
    expect(stackErrors(app, 'FsdpParallelCluster')).toEqual([expect.stringMatching(/context trainingAvailabilityZone: 'us-east-1a' is not a zone of the stack's region eu-west-1/)]);
  });

  test('trainingAvailabilityZone as a zone ID is refused with the accepted form', () => {
    const { app } = recipesWith({ trainingAvailabilityZone: 'euw1-az1' }, { region: 'eu-west-1' });
    expect(stackErrors(app, 'Trn1MegatronPretraining').join()).toMatch(/'euw1-az1' is not an Availability Zone name such as us-west-2b/);
  });

  test('trainingAvailabilityZone warns on the training stacks that changing it replaces the file system', () => {
    const { app, failed } = recipesWith({ trainingAvailabilityZone: 'eu-west-1b' }, { region: 'eu-west-1' });
    expect(failed).toEqual([]);
    for (const id of ['Trn1MegatronPretraining', 'FsdpParallelCluster']) {
      expect(stackWarnings(app, id).join()).toMatch(/replaces the subnets and so the FSx for Lustre file system/);
    }
    expect(stackWarnings(app, 'KendraRag')).toEqual([]);
  });

  test('a bad fsdpInstanceType names the context key the user typed', () => {
    const { app, failed } = recipesWith({ fsdpInstanceType: 'm5.large' });
    expect(failed).toEqual(['FsdpParallelCluster']);
    expect(stackErrors(app, 'FsdpParallelCluster').join()).toMatch(/^FsdpParallelCluster: context fsdpInstanceType=m5\.large: .*instanceType: 'm5\.large' is not a GPU type of this recipe/s);
  });

  test('a construct error about another prop names that prop\'s key, not every key given', () => {
    const { app, failed } = recipesWith({ fsdpInstanceType: 'p5.48xlarge', fsdpNodes: '0' });
    expect(failed).toEqual(['FsdpParallelCluster']);
    const [error] = stackErrors(app, 'FsdpParallelCluster');
    expect(error).toMatch(/^FsdpParallelCluster: context fsdpNodes=0: .*nodes: 0 must be a whole number of at least 1/s);
    expect(error).not.toMatch(/fsdpInstanceType/);
  });

  test('a gated model on Inf2 is refused until its weights come from S3', () => {
    expect(() => new Inf2LmiEndpointStack(freshApp(), 'Inf2', { model: MISTRAL_7B_INSTRUCT_V02 })).toThrow(/is gated on the Hugging Face Hub/);
  });

  test.each(['ml.inf2.xlarge', 'ml.inf2.8xlarge', 'ml.inf2.24xlarge', 'ml.inf2.48xlarge'])('the Inf2 recipe runs on %s with TP = its NeuronCores', (instanceType) => {
    const stack = new Inf2LmiEndpointStack(freshApp(), 'Inf2', { instanceType });
    expect(stack.endpoint.tensorParallelDegree).toBe(stack.endpoint.instance.devices);
  });

  test.each([0, -3])('falcon40bMaxInstances=%p is an error on Falcon40bG5Endpoint', (value) => {
    const { app, failed } = recipesWith({ falcon40bMaxInstances: value });
    expect(failed).toEqual(['Falcon40bG5Endpoint']);
    expect(stackErrors(app, 'Falcon40bG5Endpoint').join()).toMatch(/maxInstances .* must be a whole number of at least 1 \(context falcon40bMaxInstances\)/);
  });

  test.each(['abc', '2.5', ''])('falcon40bMaxInstances=%p is not a whole number', (value) => {
    const { app } = recipesWith({ falcon40bMaxInstances: value });
    expect(stackErrors(app, 'Falcon40bG5Endpoint')).toEqual([`Falcon40bG5Endpoint: context falcon40bMaxInstances: '${value}' is not a whole number`]);
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

describe('KnowledgeBaseRag', () => {
  const outputsOf = (stack: Stack) => Template.fromStack(stack).toJSON().Outputs as Record<string, { Description?: string }>;

  test('default: a new S3 Vectors knowledge base with Titan V2, its outputs and the RAG API\'s, each described', () => {
    const stack = new KnowledgeBaseRagStack(freshApp(), 'KnowledgeBaseRag');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::S3Vectors::Index', 1);
    t.resourceCountIs('AWS::OpenSearchServerless::Collection', 0);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { ProductionVariants: [Match.objectLike({ InstanceType: 'ml.g5.48xlarge' })] });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ KNOWLEDGE_BASE_ID: { 'Fn::GetAtt': [Match.anyValue(), 'KnowledgeBaseId'] } }) } });
    const outputs = outputsOf(stack);
    expect(Object.keys(outputs).sort()).toEqual(['ApiUrl', 'ChatUrl', 'CreateUserCommand', 'DataSourceId', 'DocumentsBucketName', 'EndpointName', 'InvokeCommand', 'KnowledgeBaseId', 'UserPoolId']);
    for (const o of Object.values(outputs)) expect(o.Description).toEqual(expect.stringMatching(/\w/));
    expect(stack.templateOptions.description).toMatch(/S3 Vectors: no hourly cost.*about \$20\.36\/h for the endpoint/);
  });

  test('kbStorage=opensearch with kbEmbeddingModel=cohere-embed-multilingual-v3 passes cdk-nag and CloudFormation Validate', () => {
    const app = validatedRecipes({ kbStorage: 'opensearch', kbEmbeddingModel: 'cohere-embed-multilingual-v3' }, ['KnowledgeBaseRag']);
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(app.outdir)).toEqual([]);
    const [t] = templatesOf(app, 'KnowledgeBaseRag');
    t.hasResourceProperties('AWS::OpenSearchServerless::Collection', { Type: 'VECTORSEARCH', StandbyReplicas: 'DISABLED' });
    t.hasResourceProperties('AWS::OpenSearchServerless::Index', { Mappings: { Properties: Match.objectLike({ 'bedrock-knowledge-base-default-vector': Match.objectLike({ Dimension: 1024 }) }) } });
    expect((app.node.findChild('KnowledgeBaseRag') as Stack).templateOptions.description).toMatch(/OpenSearch Serverless: at least 1 OCU/);
  });

  test('knowledgeBaseId retrieves from that knowledge base and creates none; passes cdk-nag and CloudFormation Validate', () => {
    const app = validatedRecipes({ knowledgeBaseId: 'ABCDE12345' }, ['KnowledgeBaseRag']);
    expect(() => app.synth()).not.toThrow();
    expect(reportedViolations(app.outdir)).toEqual([]);
    const stack = app.node.findChild('KnowledgeBaseRag') as Stack;
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Bedrock::KnowledgeBase', 0);
    t.resourceCountIs('AWS::S3Vectors::VectorBucket', 0);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'bedrock:Retrieve', Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':knowledge-base/ABCDE12345'])] }) })]) },
    });
    expect(Object.keys(outputsOf(stack))).toContain('KnowledgeBaseId');
    expect(Object.keys(outputsOf(stack))).not.toContain('DocumentsBucketName');
  });

  test('kbDocumentsBucket points the data source at that bucket and creates none', () => {
    const { app, failed } = recipesWith({ kbDocumentsBucket: 'team-docs' });
    expect(failed).toEqual([]);
    const stack = app.node.findChild('KnowledgeBaseRag') as KnowledgeBaseRagStack;
    expect(stack.resolve(stack.knowledgeBase!.documentsBucket.bucketName)).toBe('team-docs');
    expect(stack.knowledgeBase!.node.findAll().some((c) => c instanceof s3.CfnBucket)).toBe(false);
  });

  test.each([
    [{ kbStorage: 'pinecone' }, /context kbStorage: 'pinecone' is not a vector store; use s3vectors or opensearch/],
    [{ kbEmbeddingModel: 'titan-v1' }, /context kbEmbeddingModel: 'titan-v1' is not a catalog embedding model; use one of titan-text-v2, titan-text-v2-512, titan-text-v2-256, cohere-embed-multilingual-v3/],
    [{ kbEmbeddingModel: 'constructor' }, /context kbEmbeddingModel: 'constructor' is not a catalog embedding model/],
    [{ knowledgeBaseId: 'kb-123' }, /knowledgeBaseId 'kb-123' is not a knowledge base ID \(10 letters and digits.*context given for KnowledgeBaseRag: knowledgeBaseId=kb-123/],
    [{ knowledgeBaseId: 'ABCDE12345', kbStorage: 'opensearch' }, /context knowledgeBaseId=ABCDE12345: knowledgeBaseId: an existing knowledge base is used as it is; vectorStore apply only to a new one/],
  ])('%p is an error on KnowledgeBaseRag only, naming the context key', (context, message) => {
    const { app, failed } = recipesWith(context);
    expect(failed).toEqual(['KnowledgeBaseRag']);
    expect(stackErrors(app, 'KnowledgeBaseRag').join('\n')).toMatch(message);
  });

  test('a concrete region without Bedrock knowledge bases fails KnowledgeBaseRag, naming the regions with them', () => {
    const { app, failed } = recipesWith({}, { region: 'us-west-1' });
    expect(failed).toContain('KnowledgeBaseRag');
    expect(failed).not.toContain('KendraRag');
    expect(stackErrors(app, 'KnowledgeBaseRag').join('\n')).toMatch(/the stack's region us-west-1 has no Amazon Bedrock knowledge bases; regions with them: ap-northeast-1/);
  });
});

describe('alarmEmail: the endpoint recipes tell an operator about 5xx errors and latency', () => {
  const endpointStacks = ['Falcon40bG5Endpoint', 'Inf2LmiEndpoint', 'KendraRag', 'KnowledgeBaseRag'];
  // The topic variant of the endpoint recipes' templates, validated once (cdk-nag and CloudFormation Validate).
  const app = validatedRecipes({ alarmEmail: 'ops@example.com' }, endpointStacks);
  const templates = templatesOf(app, ...endpointStacks);

  test('a KMS-encrypted, TLS-only topic e-mails the address, and both alarms act on it', () => {
    for (const t of templates) {
      t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmTopicKey'), 'Arn'] } });
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
      t.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Sid: 'CloudWatchAlarmsPublish', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]) },
      });
      t.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
          Sid: 'CloudWatchAlarmsPublish', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        })]) },
      });
      t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      t.allResourcesProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }], OKActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      });
    }
  });

  test('without it, no topic is created and the alarms have no action', () => {
    const { app: plain } = recipesWith({});
    for (const t of templatesOf(plain, ...endpointStacks)) {
      t.resourceCountIs('AWS::SNS::Topic', 0);
      t.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
    }
  });

  test('a value that is not one e-mail address is an error on every endpoint stack, naming the key', () => {
    const { app: bad, failed } = recipesWith({ alarmEmail: 'ops@example.com,dev@example.com' });
    expect(failed).toEqual(endpointStacks);
    expect(stackErrors(bad, 'Inf2LmiEndpoint').join('\n')).toMatch(/context alarmEmail: 'ops@example\.com,dev@example\.com' is not an e-mail address/);
  });
});

describe('KendraRag: the chat page and its users', () => {
  const app = freshApp({ kendraIndexId: '0123abcd-4567-89ef-0123-456789abcdef' });
  addRecipes(app);
  const [template] = templatesOf(app, 'KendraRag');

  test('the API takes Cognito ID tokens from the stack\'s user pool', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'COGNITO_USER_POOLS' });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', ProviderARNs: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatUsers'), 'Arn'] }] });
  });

  test('the user pool: no self sign-up, email sign-in, TOTP MFA required, strong passwords, threat protection, retained', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true }) },
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        DeletionProtection: 'ACTIVE',
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('the page: one distribution with the API behavior, the app client and the managed login domain; ChatUrl is its URL', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    template.hasOutput('ChatUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^ChatDistribution'), 'DomainName'] }]] } });
    template.hasOutput('CreateUserCommand', { Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^aws cognito-idp admin-create-user --user-pool-id ')])] } });
  });
});

describe('LoraFineTuning recipe', () => {
  // Its snapshot, its CloudFormation Validate run and its cdk-nag check are the app-wide ones of 'the
  // recipe app' above (one validated synthesis per template): being a recipe stack ID puts it there.
  test('is a recipe stack, so the app-wide snapshot, CloudFormation Validate and cdk-nag tests cover it', () => {
    expect(RECIPE_STACK_IDS).toContain('LoraFineTuning');
  });

  test('defaults: Falcon-7B QLoRA on ml.g5.2xlarge, the outputs the finetune CLI reads, the price in the description', () => {
    const stack = new LoraFineTuningStack(freshApp(), 'LoraFineTuning');
    const t = Template.fromStack(stack);
    const outputs = t.toJSON().Outputs as Record<string, { Description?: string }>;
    expect(Object.keys(outputs).sort()).toEqual(['FineTuningBucketName', 'FineTuningNextSteps', 'FineTuningRunLimits', 'FineTuningStateMachineArn']);
    for (const o of Object.values(outputs)) expect(o.Description).toMatch(/\w/);
    const values = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.parse(values.FineTuningRunLimits.Value as string)).toEqual({ maxSeqLength: 512, loraRank: 16 });
    // The commands the CLI takes: status names the run and takes no --stack.
    expect(values.FineTuningNextSteps.Value).toBe('RUN=run-1 && llm-recipes finetune upload train.jsonl --stack LoraFineTuning'
      + ' && llm-recipes finetune start --stack LoraFineTuning --run-name $RUN && llm-recipes finetune status $RUN');
    expect(stack.templateOptions.description).toMatch(/falcon-7b .*ml\.g5\.2xlarge, spot.*about \$1\.515\/h on demand .*2024-12-01/);
    expect(stack.fineTuning.settings).toEqual(expect.objectContaining({ method: 'qlora', loraRank: 16, maxSequenceLength: 512, spot: true, checkpoints: true }));
    expect(stack.fineTuning.settings.instance.instanceType).toBe('ml.g5.2xlarge');
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
  });

  test('loraBaseModel and loraInstanceType pick another catalog model and instance', () => {
    const { app, failed } = recipesWith({ loraBaseModel: 'zephyr-7b-beta', loraInstanceType: 'ml.g6.2xlarge' });
    expect(failed).toEqual([]);
    const stack = app.node.findChild('LoraFineTuning') as LoraFineTuningStack;
    expect(stack.fineTuning.settings.model.name).toBe('zephyr-7b-beta');
    expect(stack.fineTuning.settings.instance.instanceType).toBe('ml.g6.2xlarge');
  });

  test('an unknown loraBaseModel is an error on LoraFineTuning only, listing the catalog', () => {
    const { app, failed } = recipesWith({ loraBaseModel: 'gpt-5' });
    expect(failed).toEqual(['LoraFineTuning']);
    expect(stackErrors(app, 'LoraFineTuning')).toEqual([expect.stringMatching(/^LoraFineTuning: context loraBaseModel: 'gpt-5' is not a catalog model; known: falcon-40b, falcon-7b, /)]);
  });

  test('a gated loraBaseModel is an error naming the context key', () => {
    const { app } = recipesWith({ loraBaseModel: 'mistral-7b-instruct-v0.2' });
    expect(stackErrors(app, 'LoraFineTuning').join('\n')).toMatch(/context loraBaseModel=mistral-7b-instruct-v0.2: LoraFineTuning: invalid props:\n- baseWeights: .* is gated/);
  });

  test('a model that does not fit the GPU is an error with the memory figures', () => {
    const { app } = recipesWith({ loraBaseModel: 'falcon-40b' });
    expect(stackErrors(app, 'LoraFineTuning').join('\n'))
      .toMatch(/instanceType: QLoRA of falcon-40b does not fit ml\.g5\.2xlarge: needs [\d.]+ GiB per GPU .* has 22\.4 GiB.*context given for LoraFineTuning: loraBaseModel=falcon-40b/s);
  });

  test('a CPU loraInstanceType is an error naming the context key', () => {
    const { app } = recipesWith({ loraInstanceType: 'ml.m5.xlarge' });
    expect(stackErrors(app, 'LoraFineTuning').join('\n')).toMatch(/context loraInstanceType=ml\.m5\.xlarge: .*instanceType: 'ml\.m5\.xlarge' is not a GPU training instance/s);
  });

  test('a region without the training image fails LoraFineTuning', () => {
    const { app, failed } = recipesWith({}, { region: 'ap-south-2' });
    expect(failed).toContain('LoraFineTuning');
    expect(stackErrors(app, 'LoraFineTuning').join('\n')).toMatch(/Hugging Face PyTorch training image is not published in ap-south-2/);
  });
});
