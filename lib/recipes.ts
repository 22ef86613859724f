import { Annotations, Stack, Validations, type App, type Environment } from 'aws-cdk-lib';
import { findModelPreset, MODEL_PRESETS, supportsBackend, type ModelSpec } from '../constructs';
import {
  availabilityZoneContext, booleanContext, checkContextKeys, integerContext, RECIPE_CONTEXT_KEYS, RecipeContextError, stringContext,
} from './context';
import { Falcon40bG5EndpointStack } from './falcon-40b-g5-endpoint-stack';
import { FsdpParallelClusterStack } from './fsdp-parallel-cluster-stack';
import { Inf2LmiEndpointStack } from './inf2-lmi-endpoint-stack';
import { KendraRagStack } from './kendra-rag-stack';
import { Trn1MegatronPretrainingStack } from './trn1-megatron-pretraining-stack';

/** The recipe stack IDs: stable, since reviewers and tooling find templates by them. */
export const RECIPE_STACK_IDS = ['Falcon40bG5Endpoint', 'Inf2LmiEndpoint', 'Trn1MegatronPretraining', 'FsdpParallelCluster', 'KendraRag'] as const;

/** The catalog models the Inf2 recipe can serve: the neuron backend supports them and their weights are not gated. */
export function inf2Models(): ModelSpec[] {
  return MODEL_PRESETS.filter((m) => supportsBackend(m, 'neuron') && !m.gated);
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
    new Falcon40bG5EndpointStack(app, 'Falcon40bG5Endpoint', { env, maxInstances: integerContext(app, 'falcon40bMaxInstances') }));

  guard(app, 'Inf2LmiEndpoint', env, () => {
    const name = stringContext(app, 'inf2Model');
    const model = name === undefined ? undefined : findModelPreset(name);
    if (name !== undefined && !model) {
      const others = MODEL_PRESETS.filter((m) => !inf2Models().includes(m))
        .map((m) => `${m.name} (${m.gated ? 'gated weights' : 'architecture not served by LMI neuronx'})`);
      throw new RecipeContextError('inf2Model', `'${name}' is not a catalog model; on Inferentia2: ${inf2Models().map((m) => m.name).join(', ')}; `
        + `known but not on Inferentia2: ${others.join(', ')}`);
    }
    return new Inf2LmiEndpointStack(app, 'Inf2LmiEndpoint', { env, model });
  });

  guard(app, 'Trn1MegatronPretraining', env, () => new Trn1MegatronPretrainingStack(app, 'Trn1MegatronPretraining', {
    env,
    preset: stringContext(app, 'megatronPreset'),
    nodes: integerContext(app, 'megatronNodes'),
    availabilityZone: availabilityZoneContext(app, 'trainingAvailabilityZone', region),
  }));

  guard(app, 'FsdpParallelCluster', env, () => new FsdpParallelClusterStack(app, 'FsdpParallelCluster', {
    env,
    nodes: integerContext(app, 'fsdpNodes'),
    instanceType: stringContext(app, 'fsdpInstanceType'),
    availabilityZone: availabilityZoneContext(app, 'trainingAvailabilityZone', region),
  }));

  guard(app, 'KendraRag', env, () => {
    const origin = stringContext(app, 'ragAllowedOrigin');
    return new KendraRagStack(app, 'KendraRag', {
      env,
      kendraIndexId: stringContext(app, 'kendraIndexId'),
      allowedOrigins: origin === undefined ? undefined : [origin],
      waf: booleanContext(app, 'ragWaf'),
    });
  });
}

/**
 * Builds the stack `id`; on an error of ours or of a construct's input checks, replaces whatever
 * was built with an empty stack of that ID carrying the error, named by the context keys the user
 * set for it. Programming errors (TypeError and the like) still propagate with their stack trace.
 */
function guard(app: App, id: string, env: Environment | undefined, build: () => Stack): void {
  let stack: Stack;
  try {
    stack = build();
  } catch (e) {
    if (!(e instanceof Error) || isBug(e)) throw e;
    app.node.tryRemoveChild(id);
    const failed = new Stack(app, id, { env, description: `${id} could not be built; see its error annotation` });
    const given = RECIPE_CONTEXT_KEYS.filter((k) => k.stacks.includes(id) && app.node.tryGetContext(k.name) !== undefined)
      .map((k) => `${k.name}=${String(app.node.tryGetContext(k.name))}`);
    const from = e instanceof RecipeContextError || given.length === 0 ? '' : ` (context given for ${id}: ${given.join(', ')})`;
    Annotations.of(failed).addError(`${id}: ${e.message}${from}`);
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

function isBug(e: Error): boolean {
  return e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError || e instanceof SyntaxError;
}
