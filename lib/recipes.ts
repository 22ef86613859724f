import { types } from 'util';
import { Annotations, Stack, Validations, type App, type Environment } from 'aws-cdk-lib';
import { EmbeddingModel, VectorStoreType } from '../constructs';
import { findModelPreset, LmiBackend, MODEL_PRESETS, supportsBackend, type ModelSpec } from '../constructs/catalog';
import {
  availabilityZoneContext, booleanContext, checkContextKeys, emailContext, integerContext, RECIPE_CONTEXT_KEYS, RecipeContextError, stringContext,
} from './context';
import { Falcon40bG5EndpointStack } from './falcon-40b-g5-endpoint-stack';
import { FsdpParallelClusterStack } from './fsdp-parallel-cluster-stack';
import { Inf2LmiEndpointStack } from './inf2-lmi-endpoint-stack';
import { KendraRagStack } from './kendra-rag-stack';
import { KnowledgeBaseRagStack } from './knowledge-base-rag-stack';
import { LoraFineTuningStack } from './lora-fine-tuning-stack';
import { Trn1MegatronPretrainingStack } from './trn1-megatron-pretraining-stack';

/** The recipe stack IDs: stable, since reviewers and tooling find templates by them. */
export const RECIPE_STACK_IDS = ['Falcon40bG5Endpoint', 'Inf2LmiEndpoint', 'Trn1MegatronPretraining', 'FsdpParallelCluster', 'KendraRag', 'KnowledgeBaseRag', 'LoraFineTuning'] as const;

/** The catalog models the Inf2 recipe can serve: the neuron backend supports them and their weights are not gated. */
export function inf2Models(): ModelSpec[] {
  return MODEL_PRESETS.filter((m) => supportsBackend(m, LmiBackend.NEURON) && !m.gated);
}

/**
 * Adds every recipe stack to `app`, with the context values of {@link RECIPE_CONTEXT_KEYS}
 * (`cdk synth -c key=value`). An unknown key is an app-wide {@link RecipeContextError}. Each stack
 * is built in a guard: an error while building it (a bad context value of that stack, or a region
 * without its container image) becomes an error annotation on that stack, which then holds nothing
 * else; the CDK CLI fails only when a selected stack carries an error, so the other recipes still
 * synthesize and deploy.
 */
export function addRecipes(app: App, env?: Environment): void {
  checkContextKeys(app);
  const region = env?.region;

  guard(app, 'Falcon40bG5Endpoint', env, () =>
    new Falcon40bG5EndpointStack(app, 'Falcon40bG5Endpoint', {
      env, maxInstances: integerContext(app, 'falcon40bMaxInstances'), alarmEmail: emailContext(app, 'alarmEmail'),
    }),
  { maxInstances: 'falcon40bMaxInstances', maxCapacity: 'falcon40bMaxInstances' });

  guard(app, 'Inf2LmiEndpoint', env, () => {
    const name = stringContext(app, 'inf2Model');
    const model = name === undefined ? undefined : findModelPreset(name);
    if (name !== undefined && !model) {
      const others = MODEL_PRESETS.filter((m) => !inf2Models().includes(m))
        .map((m) => `${m.name} (${m.gated ? 'gated weights' : 'architecture not served by LMI neuronx'})`);
      throw new RecipeContextError('inf2Model', `'${name}' is not a catalog model; on Inferentia2: ${inf2Models().map((m) => m.name).join(', ')}; `
        + `known but not on Inferentia2: ${others.join(', ')}`);
    }
    return new Inf2LmiEndpointStack(app, 'Inf2LmiEndpoint', { env, model, alarmEmail: emailContext(app, 'alarmEmail') });
  });

  guard(app, 'Trn1MegatronPretraining', env, () => new Trn1MegatronPretrainingStack(app, 'Trn1MegatronPretraining', {
    env,
    preset: stringContext(app, 'megatronPreset'),
    nodes: integerContext(app, 'megatronNodes'),
    availabilityZone: availabilityZoneContext(app, 'trainingAvailabilityZone', region),
  }), { preset: 'megatronPreset', nodes: 'megatronNodes', availabilityZone: 'trainingAvailabilityZone' });

  guard(app, 'FsdpParallelCluster', env, () => new FsdpParallelClusterStack(app, 'FsdpParallelCluster', {
    env,
    nodes: integerContext(app, 'fsdpNodes'),
    instanceType: stringContext(app, 'fsdpInstanceType'),
    availabilityZone: availabilityZoneContext(app, 'trainingAvailabilityZone', region),
  }), { instanceType: 'fsdpInstanceType', nodes: 'fsdpNodes', availabilityZone: 'trainingAvailabilityZone' });

  guard(app, 'KendraRag', env, () => {
    const origin = stringContext(app, 'ragAllowedOrigin');
    return new KendraRagStack(app, 'KendraRag', {
      env,
      kendraIndexId: stringContext(app, 'kendraIndexId'),
      allowedOrigins: origin === undefined ? undefined : [origin],
      waf: booleanContext(app, 'ragWaf'),
      alarmEmail: emailContext(app, 'alarmEmail'),
    });
  }, { indexId: 'kendraIndexId', kendraIndexId: 'kendraIndexId', allowedOrigins: 'ragAllowedOrigin' });

  guard(app, 'KnowledgeBaseRag', env, () => {
    const origin = stringContext(app, 'ragAllowedOrigin');
    return new KnowledgeBaseRagStack(app, 'KnowledgeBaseRag', {
      env,
      knowledgeBaseId: stringContext(app, 'knowledgeBaseId'),
      vectorStore: vectorStoreContext(app),
      embeddingModel: embeddingModelContext(app),
      documentsBucketName: stringContext(app, 'kbDocumentsBucket'),
      allowedOrigins: origin === undefined ? undefined : [origin],
      waf: booleanContext(app, 'ragWaf'),
      alarmEmail: emailContext(app, 'alarmEmail'),
    });
  }, { knowledgeBaseId: 'knowledgeBaseId', documentsBucket: 'kbDocumentsBucket', embeddingModel: 'kbEmbeddingModel', allowedOrigins: 'ragAllowedOrigin' });

  guard(app, 'LoraFineTuning', env, () => {
    const name = stringContext(app, 'loraBaseModel');
    const model = name === undefined ? undefined : findModelPreset(name);
    if (name !== undefined && !model) {
      throw new RecipeContextError('loraBaseModel', `'${name}' is not a catalog model; known: ${MODEL_PRESETS.map((m) => m.name).join(', ')}`);
    }
    return new LoraFineTuningStack(app, 'LoraFineTuning', { env, model, instanceType: stringContext(app, 'loraInstanceType') });
  }, { instanceType: 'loraInstanceType', model: 'loraBaseModel', baseWeights: 'loraBaseModel', method: 'loraBaseModel', maxSequenceLength: 'loraBaseModel' });
}

/** The `kbStorage` context value: `s3vectors` or `opensearch`. */
function vectorStoreContext(app: App): VectorStoreType | undefined {
  const raw = stringContext(app, 'kbStorage');
  if (raw === undefined) return undefined;
  const stores: readonly string[] = Object.values(VectorStoreType);
  if (!stores.includes(raw)) throw new RecipeContextError('kbStorage', `'${raw}' is not a vector store; use ${stores.join(' or ')}`);
  return raw as VectorStoreType;
}

/** The `kbEmbeddingModel` context value: a catalog preset name. */
function embeddingModelContext(app: App): EmbeddingModel | undefined {
  const raw = stringContext(app, 'kbEmbeddingModel');
  if (raw === undefined) return undefined;
  const presets = EmbeddingModel.presets();
  const model = Object.prototype.hasOwnProperty.call(presets, raw) ? presets[raw] : undefined;
  if (!model) throw new RecipeContextError('kbEmbeddingModel', `'${raw}' is not a catalog embedding model; use one of ${Object.keys(presets).join(', ')}`);
  return model;
}

/**
 * Builds the stack `id`; on an error of ours or of a construct's input checks, replaces whatever
 * was built with an empty stack of that ID carrying the error, named by the context key the user
 * typed: `keyOfProp` maps the construct props a message may name (`instanceType: ...`) to it.
 * Programming errors (TypeError and the like) still propagate with their stack trace.
 */
function guard(app: App, id: string, env: Environment | undefined, build: () => Stack, keyOfProp: Record<string, string> = {}): void {
  let stack: Stack;
  try {
    stack = build();
  } catch (e) {
    if (!types.isNativeError(e) || isBug(e)) throw e;
    app.node.tryRemoveChild(id);
    const failed = new Stack(app, id, { env, description: `${id} could not be built; see its error annotation` });
    Annotations.of(failed).addError(`${id}: ${contextMessage(app, id, e, keyOfProp)}`);
    // CloudFormation rejects a template without resources; the stack's error annotation is the real finding.
    Validations.of(failed).acknowledge({ id: 'CloudFormation-Validate::F0001', reason: `${id} failed to build; its error annotation says why` });
    return;
  }
  if (app.node.tryGetContext('trainingAvailabilityZone') !== undefined
    && RECIPE_CONTEXT_KEYS.find((k) => k.name === 'trainingAvailabilityZone')!.stacks.includes(id)) {
    Annotations.of(stack).addWarningV2('llm-recipes:trainingAvailabilityZone', 'trainingAvailabilityZone is set: changing it on a deployed stack '
      + 'replaces the subnets and so the FSx for Lustre file system; export its data to S3 first.');
  }
}

/**
 * The error in the words of the context key behind it: a construct's message that names a prop the
 * user set through a context key (`nodes: 3 ...`) is prefixed with `context fsdpNodes=3:`; any other
 * lists the context the user gave this stack.
 */
function contextMessage(app: App, id: string, e: Error, keyOfProp: Record<string, string>): string {
  if (e instanceof RecipeContextError) return e.message;
  const set = (key: string) => app.node.tryGetContext(key) !== undefined;
  const named = Object.entries(keyOfProp).find(([prop, key]) => set(key) && new RegExp(`(^|[\\s(])${prop}:`).test(e.message));
  if (named) return `context ${named[1]}=${String(app.node.tryGetContext(named[1]))}: ${e.message}`;
  const given = RECIPE_CONTEXT_KEYS.filter((k) => k.stacks.includes(id) && set(k.name)).map((k) => `${k.name}=${String(app.node.tryGetContext(k.name))}`);
  return given.length === 0 ? e.message : `${e.message} (context given for ${id}: ${given.join(', ')})`;
}

/**
 * By kind, not by `instanceof`, as the Error check above: an error made in another realm is no
 * instance of this one's Error (under Jest, aws-cdk-lib runs in the worker's realm and this module in
 * the test file's context: test/util/jest-runtime.js). `util.types.isNativeError` is the check
 * Node 20 has; `Error.isError` replaces it from Node 24.
 */
function isBug(e: Error): boolean {
  return ['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError'].includes(e.name);
}
