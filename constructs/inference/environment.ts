/** The LMI container environment LmiEndpoint renders from its resolved props. */
import type { ModelSpec } from '../catalog';
import { LmiBackend } from '../catalog';
import type { ModelWeightsConfig } from './options';
import type { Resolved } from './props';

/** The LMI handler that serves Neuron models (djl-serving tnx_user_guide.md). */
const NEURON_ENTRYPOINT = 'djl_python.transformers_neuronx';

/**
 * Keys typed props set, with their long and engine-specific aliases: an alias that disagrees with
 * the typed value makes the container fail at start-up (djl-serving properties managers).
 */
export const RESERVED_ENVIRONMENT = [
  'HF_MODEL_ID', 'OPTION_MODEL_ID', 'HF_REVISION', 'OPTION_REVISION', 'TENSOR_PARALLEL_DEGREE',
  'OPTION_TENSOR_PARALLEL_DEGREE', 'OPTION_TENSOR_PARALLEL_SIZE', 'OPTION_ROLLING_BATCH',
  'OPTION_MAX_ROLLING_BATCH_SIZE', 'OPTION_MAX_NUM_SEQS', 'OPTION_DTYPE', 'OPTION_MODEL_LOADING_TIMEOUT',
  'OPTION_MAX_MODEL_LEN', 'OPTION_N_POSITIONS', 'OPTION_ENTRYPOINT',
];
/** Hugging Face token variables: a CloudFormation template is no place for a secret. */
export const SECRET_ENVIRONMENT = ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'];

/** The LMI container environment (`option.x` is `OPTION_X`; djl-serving deployment_guide/configurations.md). */
export function renderEnvironment(model: ModelSpec, r: Resolved, weights: ModelWeightsConfig, extra: { [key: string]: string }): { [key: string]: string } {
  const env: { [key: string]: string } = {};
  if (weights.downloadsFromHub) {
    env.HF_MODEL_ID = model.huggingFaceId;
    env.HF_REVISION = weights.hubRevision ?? model.revision;
  }
  env.TENSOR_PARALLEL_DEGREE = String(r.tensorParallelDegree);
  env.OPTION_ROLLING_BATCH = r.rollingBatch.value;
  env.OPTION_MAX_ROLLING_BATCH_SIZE = String(r.maxRollingBatchSize);
  env.OPTION_DTYPE = r.dtype;
  env.OPTION_MODEL_LOADING_TIMEOUT = String(r.modelLoadingTimeout.toSeconds());
  if (r.backend === LmiBackend.NEURON) {
    env.OPTION_ENTRYPOINT = NEURON_ENTRYPOINT;
    env.OPTION_N_POSITIONS = String(r.maxSequenceLength);
  } else {
    env.OPTION_MAX_MODEL_LEN = String(r.maxSequenceLength);
  }
  return { ...env, ...extra };
}
