import type { App, Environment } from 'aws-cdk-lib';
import { findModelPreset, MODEL_PRESETS } from '../constructs';
import { Falcon40bG5EndpointStack } from './falcon-40b-g5-endpoint-stack';
import { FsdpParallelClusterStack } from './fsdp-parallel-cluster-stack';
import { Inf2LmiEndpointStack } from './inf2-lmi-endpoint-stack';
import { KendraRagStack } from './kendra-rag-stack';
import { Trn1MegatronPretrainingStack } from './trn1-megatron-pretraining-stack';

/** The recipe stack IDs: stable, since reviewers and tooling find templates by them. */
export const RECIPE_STACK_IDS = ['Falcon40bG5Endpoint', 'Inf2LmiEndpoint', 'Trn1MegatronPretraining', 'FsdpParallelCluster', 'KendraRag'] as const;

/**
 * Adds every recipe stack to `app`. Context values (`cdk synth -c key=value`):
 * `falcon40bMaxInstances` (autoscaling ceiling), `inf2Model` (a catalog model preset name),
 * `megatronPreset` and `megatronNodes` (the Trn1 GPT-3 preset and its node count),
 * `trainingAvailabilityZone` (the training clusters' zone), `fsdpNodes` and
 * `fsdpInstanceType` (the FSDP cluster's GPU nodes), `kendraIndexId` (an existing Kendra index for
 * the RAG API), `ragAllowedOrigin` (a CORS origin) and `ragWaf` (`true` for AWS WAF).
 */
export function addRecipes(app: App, env?: Environment): void {
  new Falcon40bG5EndpointStack(app, 'Falcon40bG5Endpoint', { env, maxInstances: numberContext(app, 'falcon40bMaxInstances') });

  const inf2ModelName = stringContext(app, 'inf2Model');
  const inf2Model = inf2ModelName === undefined ? undefined : findModelPreset(inf2ModelName);
  if (inf2ModelName !== undefined && !inf2Model) {
    throw new Error(`context inf2Model: '${inf2ModelName}' is not a catalog model; known: ${MODEL_PRESETS.map((m) => m.name).join(', ')}`);
  }
  new Inf2LmiEndpointStack(app, 'Inf2LmiEndpoint', { env, model: inf2Model });

  new Trn1MegatronPretrainingStack(app, 'Trn1MegatronPretraining', {
    env,
    preset: stringContext(app, 'megatronPreset'),
    nodes: numberContext(app, 'megatronNodes'),
    availabilityZone: stringContext(app, 'trainingAvailabilityZone'),
  });

  new FsdpParallelClusterStack(app, 'FsdpParallelCluster', {
    env,
    nodes: numberContext(app, 'fsdpNodes'),
    instanceType: stringContext(app, 'fsdpInstanceType'),
    availabilityZone: stringContext(app, 'trainingAvailabilityZone'),
  });

  const origin = stringContext(app, 'ragAllowedOrigin');
  new KendraRagStack(app, 'KendraRag', {
    env,
    kendraIndexId: stringContext(app, 'kendraIndexId'),
    allowedOrigins: origin === undefined ? undefined : [origin],
    waf: stringContext(app, 'ragWaf') === 'true',
  });
}

/** A context value as a string (`-c key=value` gives strings; cdk.json may give other JSON), or undefined. */
function stringContext(app: App, key: string): string | undefined {
  const raw: unknown = app.node.tryGetContext(key);
  return raw === undefined ? undefined : String(raw);
}

/** A numeric context value, or undefined; a value that is not a number is an error naming the key. */
function numberContext(app: App, key: string): number | undefined {
  const raw = app.node.tryGetContext(key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`context ${key}: '${raw}' is not a number`);
  return n;
}
