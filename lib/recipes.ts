import type { App, Environment } from 'aws-cdk-lib';
import { findModelPreset, MODEL_PRESETS } from '../constructs';
import { Falcon40bG5EndpointStack } from './falcon-40b-g5-endpoint-stack';
import { FsdpParallelClusterStack } from './fsdp-parallel-cluster-stack';
import { Inf2LmiEndpointStack } from './inf2-lmi-endpoint-stack';

/** The recipe stack IDs: stable, since reviewers and tooling find templates by them. */
export const RECIPE_STACK_IDS = ['Falcon40bG5Endpoint', 'Inf2LmiEndpoint', 'FsdpParallelCluster'] as const;

/**
 * Adds every recipe stack to `app`. Context values (`cdk synth -c key=value`):
 * `falcon40bMaxInstances` (autoscaling ceiling), `inf2Model` (a catalog model preset name),
 * `fsdpNodes` and `fsdpInstanceType` (the FSDP cluster's GPU nodes).
 */
export function addRecipes(app: App, env?: Environment): void {
  const maxInstances = app.node.tryGetContext('falcon40bMaxInstances');
  new Falcon40bG5EndpointStack(app, 'Falcon40bG5Endpoint', {
    env,
    maxInstances: maxInstances === undefined ? undefined : Number(maxInstances),
  });

  const inf2ModelName = app.node.tryGetContext('inf2Model');
  const inf2Model = inf2ModelName === undefined ? undefined : findModelPreset(String(inf2ModelName));
  if (inf2ModelName !== undefined && !inf2Model) {
    throw new Error(`context inf2Model: '${inf2ModelName}' is not a catalog model; known: ${MODEL_PRESETS.map((m) => m.name).join(', ')}`);
  }
  new Inf2LmiEndpointStack(app, 'Inf2LmiEndpoint', { env, model: inf2Model });

  const fsdpNodes = app.node.tryGetContext('fsdpNodes');
  new FsdpParallelClusterStack(app, 'FsdpParallelCluster', {
    env,
    nodes: fsdpNodes === undefined ? undefined : Number(fsdpNodes),
    instanceType: app.node.tryGetContext('fsdpInstanceType'),
  });
}
