/**
 * LmiEndpoint's prop resolution: defaults and every synth-time check, as pure functions of the
 * props (no constructs are created here).
 */
import { Duration, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import {
  cheapestServingFit, compareVersions, HOSTING_INSTANCES, LmiBackend, LmiDtype,
  NEURON_TENSOR_PARALLEL_DEGREES, SAGEMAKER_NAME_PATTERN, servingDefaults, servingFit, VARIANT_TIMEOUT_RANGE_S,
  VARIANT_VOLUME_RANGE_GIB, validTensorParallelDegrees, weightMemoryGiB,
  type HostingInstance, type ModelSpec,
} from '../catalog';
import { logRetentionProblem } from '../private/logs-key';
import { PropErrors, isLiteralNumber } from '../private/validation';
import { RESERVED_ENVIRONMENT, SECRET_ENVIRONMENT } from './environment';
import { LmiImage } from './image';
import type { LmiEndpointProps } from './lmi-endpoint';
import { RollingBatch, type ModelWeightsConfig } from './options';

/** The enums' values, for checks on values a JavaScript caller passes unchecked, and for messages. */
const BACKENDS: readonly LmiBackend[] = Object.values(LmiBackend);
const DTYPES: readonly LmiDtype[] = Object.values(LmiDtype);

/** Models at or above this size take the long start-up defaults. */
const LARGE_MODEL_PARAMETERS = 20e9;

/** Typed inputs after defaults, shared by the construct's parts. */
export interface Resolved {
  readonly instance: HostingInstance;
  readonly backend: LmiBackend;
  readonly tensorParallelDegree: number;
  readonly rollingBatch: RollingBatch;
  readonly dtype: LmiDtype;
  readonly maxRollingBatchSize: number;
  readonly maxSequenceLength: number;
  readonly healthCheckTimeout: Duration;
  readonly modelLoadingTimeout: Duration;
  readonly dataDownloadTimeout: Duration;
  readonly image: LmiImage;
  readonly instanceCount: number;
  readonly variantName: string;
}

export function newErrors(): PropErrors {
  return new PropErrors('LmiEndpoint');
}

/** Applies defaults and validates every prop but the weights (bound later), reporting all problems in one error. */
export function resolveProps(props: LmiEndpointProps): Resolved {
  const errors = newErrors();
  const model = props.model;
  validateModelSpec(model, errors);
  const retentionProblem = logRetentionProblem('logRetention', props.logRetention);
  if (retentionProblem) errors.addMessage(retentionProblem);

  let instance: HostingInstance | undefined;
  if (props.instanceType !== undefined) {
    instance = props.instanceType._facts;
    if (!instance) {
      errors.addMessage(`instanceType: '${props.instanceType.instanceType}' is not in the catalog; known: ${HOSTING_INSTANCES.map((i) => i.instanceType).join(', ')}`
        + '; for another type pass its facts with LmiInstanceType.of(name, facts)');
    }
  } else {
    // EBS-only instances need a volumeSize; without one, only instances with local storage qualify.
    instance = cheapestServingFit(model, servingOptions(props), undefined, (i) => props.volumeSize !== undefined || i.localNvme)?.instance;
    if (!instance) errors.addMessage(`instanceType: ${model.name} fits no priced catalog instance; pass instanceType`);
  }
  if (!instance) throw errors.toError();
  const backend = instance.backend as LmiBackend;

  if (!model.backends.includes(backend)) {
    errors.addMessage(`model: ${model.name} cannot be served on ${instance.instanceType}: the LMI ${backend} container does not support its architecture (supported backends: ${model.backends.join(', ')})`
      + (backend === LmiBackend.NEURON ? '. transformers-neuronx has no Falcon model (aws-neuron/transformers-neuronx#18); choose a GPU instance or a Neuron-supported model such as Llama or Mistral' : ''));
  }

  const valid = validTensorParallelDegrees(model, instance);
  const tensorParallelDegree = props.tensorParallelDegree ?? valid[valid.length - 1] ?? 1;
  for (const [name, value] of [['tensorParallelDegree', props.tensorParallelDegree], ['maxRollingBatchSize', props.maxRollingBatchSize], ['maxSequenceLength', props.maxSequenceLength]] as const) {
    if (value !== undefined && Token.isUnresolved(value)) errors.addMessage(`${name}: must be a literal number, since the model is sized at synth time`);
  }
  if (isLiteralNumber(props.tensorParallelDegree) && !valid.includes(props.tensorParallelDegree)) {
    const rule = backend === LmiBackend.NEURON
      ? `transformers-neuronx shards over ${NEURON_TENSOR_PARALLEL_DEGREES.join(', ')} NeuronCores and the instance has ${instance.devices}`
      : `it must divide the ${model.attentionHeads} attention heads, divide or be a multiple of the ${model.kvHeads} KV heads, and not exceed the ${instance.devices} GPUs`;
    errors.addMessage(`tensorParallelDegree: ${props.tensorParallelDegree} is not valid for ${model.name} on ${instance.instanceType}: ${rule} (valid: ${valid.join(', ') || 'none'})`);
  }

  const rollingBatch = props.rollingBatch ?? (backend === LmiBackend.NEURON ? RollingBatch.AUTO : RollingBatch.VLLM);
  if (!rollingBatch.backends.includes(backend)) {
    errors.addMessage(`rollingBatch: '${rollingBatch.value}' does not run on ${backend} (${instance.instanceType}); it runs on ${rollingBatch.backends.join(', ')}`);
  }
  const { dtype, maxRollingBatchSize, maxSequenceLength } = servingDefaults(model, backend, servingOptions(props));
  if (!DTYPES.includes(dtype)) errors.add('dtype', dtype, `is not one of ${DTYPES.join(', ')}`);
  if (!Token.isUnresolved(maxRollingBatchSize) && (!Number.isInteger(maxRollingBatchSize) || maxRollingBatchSize < 1)) {
    errors.addMessage(`maxRollingBatchSize: ${maxRollingBatchSize} must be a whole number of at least 1`);
  }
  if (!Token.isUnresolved(maxSequenceLength) && (!Number.isInteger(maxSequenceLength) || maxSequenceLength < 1 || maxSequenceLength > model.contextLength)) {
    errors.addMessage(`maxSequenceLength: ${maxSequenceLength} must be a whole number from 1 to ${model.name}'s context length ${model.contextLength}`);
  }

  if (errors.isEmpty) {
    const fit = servingFit(model, instance, { ...servingOptions(props), tensorParallelDegree });
    if (!fit.fits) {
      const better = cheapestServingFit(model, servingOptions(props), backend)?.instance.instanceType;
      errors.addMessage(`instanceType: ${model.name} does not fit ${instance.instanceType} with tensor-parallel degree ${tensorParallelDegree}: ${fit.reason}`
        + (better ? `; the cheapest ${backend} instance it fits is ${better}` : ''));
    }
  }

  const { healthCheckTimeout, modelLoadingTimeout, dataDownloadTimeout } = resolveTimeouts(props, model, backend, errors);
  checkStorage(props, model, instance, errors);

  const image = props.image ?? LmiImage.fromCatalog(backend);
  for (const problem of image.validate()) errors.addMessage(problem);
  if (image.backend !== undefined && image.backend !== backend) {
    errors.addMessage(`image: a ${image.backend} LMI image cannot run on ${instance.instanceType}, a ${backend} instance; use LmiImage.fromCatalog(LmiBackend.${backend === LmiBackend.GPU ? 'GPU' : 'NEURON'})`);
  }
  if (image.containerVersion !== undefined && rollingBatch.lastContainerVersion !== undefined
    && compareVersions(image.containerVersion, rollingBatch.lastContainerVersion) > 0) {
    errors.addMessage(`rollingBatch: '${rollingBatch.value}' was removed after container ${rollingBatch.lastContainerVersion}, and the image is ${image.containerVersion}; use RollingBatch.VLLM or an older image tag`);
  }

  const instanceCount = props.instanceCount ?? props.autoScaling?.minCapacity ?? 1;
  if (isLiteralNumber(instanceCount) && (!Number.isInteger(instanceCount) || instanceCount < 1)) {
    errors.addMessage(`instanceCount: ${instanceCount} must be a whole number of at least 1`);
  }
  if (props.autoScaling) {
    const min = props.autoScaling.minCapacity ?? instanceCount;
    checkCapacity('autoScaling.', min, props.autoScaling.maxCapacity, errors);
    const max = props.autoScaling.maxCapacity;
    if (isLiteralNumber(instanceCount) && isLiteralNumber(min) && isLiteralNumber(max) && (instanceCount < min || instanceCount > max)) {
      errors.addMessage(`instanceCount: ${instanceCount} must lie within autoScaling ${min}..${max}`);
    }
    const target = props.autoScaling.targetConcurrentRequestsPerModel;
    if (isLiteralNumber(target) && !(target > 0)) errors.addMessage(`autoScaling.targetConcurrentRequestsPerModel: ${target} must be above 0`);
  }

  if (!props.vpc && (props.vpcSubnets !== undefined || props.securityGroups !== undefined)) {
    errors.addMessage(`${props.vpcSubnets !== undefined ? 'vpcSubnets' : 'securityGroups'}: only used with vpc; pass the vpc the model container should run in`);
  }
  const variantName = props.variantName ?? 'AllTraffic';
  if (!Token.isUnresolved(variantName) && !SAGEMAKER_NAME_PATTERN.test(variantName)) {
    errors.add('variantName', variantName, `must match ${SAGEMAKER_NAME_PATTERN.source}`);
  }
  if (props.endpointName !== undefined && !Token.isUnresolved(props.endpointName) && !SAGEMAKER_NAME_PATTERN.test(props.endpointName)) {
    errors.add('endpointName', props.endpointName, `must match ${SAGEMAKER_NAME_PATTERN.source} (at most 63 letters, digits and hyphens)`);
  }
  for (const key of Object.keys(props.environment ?? {})) {
    if (RESERVED_ENVIRONMENT.includes(key)) errors.addMessage(`environment: ${key} is set (or overridden) by a typed prop; use that prop instead`);
    if (SECRET_ENVIRONMENT.includes(key)) errors.addMessage(`environment: ${key} would put a secret in the template in plain text; stage gated weights in S3 instead`);
  }

  errors.throwIfAny();
  return {
    instance, backend, tensorParallelDegree, rollingBatch, dtype, maxRollingBatchSize, maxSequenceLength,
    healthCheckTimeout, modelLoadingTimeout, dataDownloadTimeout, image, instanceCount, variantName,
  };
}

/** The serving options as the catalog's sizing functions take them. */
function servingOptions(props: LmiEndpointProps): { dtype?: LmiDtype; maxRollingBatchSize?: number; maxSequenceLength?: number } {
  return { dtype: props.dtype, maxRollingBatchSize: props.maxRollingBatchSize, maxSequenceLength: props.maxSequenceLength };
}

/** Checks an autoscaling range; `prefix` names the prop's parent (`autoScaling.` or none). */
export function checkCapacity(prefix: string, min: number, max: number, errors: PropErrors): void {
  if (isLiteralNumber(min) && (!Number.isInteger(min) || min < 1)) {
    errors.addMessage(`${prefix}minCapacity: ${min} must be a whole number of at least 1 (endpoints without inference components cannot scale to zero)`);
  }
  if (isLiteralNumber(max) && (!Number.isInteger(max) || (isLiteralNumber(min) && max < min))) {
    errors.addMessage(`${prefix}maxCapacity: ${max} must be a whole number of at least minCapacity ${min}`);
  }
}

function resolveTimeouts(props: LmiEndpointProps, model: ModelSpec, backend: LmiBackend, errors: PropErrors) {
  const large = model.parameters >= LARGE_MODEL_PARAMETERS || backend === LmiBackend.NEURON;
  const healthCheckTimeout = props.containerStartupHealthCheckTimeout ?? Duration.seconds(large ? 3600 : 1800);
  const modelLoadingTimeout = props.modelLoadingTimeout ?? healthCheckTimeout;
  const dataDownloadTimeout = props.modelDataDownloadTimeout ?? healthCheckTimeout;
  const secs: Partial<Record<string, number>> = {};
  for (const [name, d] of [
    ['containerStartupHealthCheckTimeout', healthCheckTimeout], ['modelDataDownloadTimeout', dataDownloadTimeout], ['modelLoadingTimeout', modelLoadingTimeout],
  ] as const) {
    if (d.isUnresolved()) continue;
    const value = d.toSeconds({ integral: false });
    if (!Number.isInteger(value)) {
      errors.addMessage(`${name}: ${value} s must be a whole number of seconds`);
    } else if (name !== 'modelLoadingTimeout' && (value < VARIANT_TIMEOUT_RANGE_S.min || value > VARIANT_TIMEOUT_RANGE_S.max)) {
      errors.addMessage(`${name}: ${value} s is outside SageMaker's ${VARIANT_TIMEOUT_RANGE_S.min}..${VARIANT_TIMEOUT_RANGE_S.max} s`);
    } else if (value < 1) {
      errors.addMessage(`${name}: ${value} s must be at least 1 s`);
    } else {
      secs[name] = value;
    }
  }
  const health = secs.containerStartupHealthCheckTimeout;
  const loading = secs.modelLoadingTimeout;
  if (health !== undefined && loading !== undefined && health < loading) {
    errors.addMessage(`containerStartupHealthCheckTimeout: ${health} s is shorter than modelLoadingTimeout ${loading} s; SageMaker would fail the health check while the model still loads`);
  }
  return { healthCheckTimeout, modelLoadingTimeout, dataDownloadTimeout };
}

function checkStorage(props: LmiEndpointProps, model: ModelSpec, instance: HostingInstance, errors: PropErrors): void {
  if (instance.localNvme) {
    if (props.volumeSize !== undefined) {
      errors.addMessage(`volumeSize: ${instance.instanceType} has local NVMe storage and SageMaker rejects VolumeSizeInGB for it; remove volumeSize`);
    }
    if (props.encryptionKey !== undefined) {
      errors.addMessage(`encryptionKey: ${instance.instanceType} has local NVMe storage and SageMaker rejects an endpoint-config KmsKeyId for it; remove encryptionKey (the NVMe storage is hardware-encrypted)`);
    }
    return;
  }
  const minGiB = Math.ceil(weightMemoryGiB(model));
  if (props.volumeSize === undefined) {
    errors.addMessage(`volumeSize: ${instance.instanceType} is EBS-only and needs an ML storage volume of ${Math.max(minGiB, VARIANT_VOLUME_RANGE_GIB.min)}..${VARIANT_VOLUME_RANGE_GIB.max} GiB for ${model.name} (AWS's inf2 LMI samples use 256-512 GiB), for example Size.gibibytes(256)`);
    return;
  }
  // A deploy-time value: SageMaker checks the range.
  if (props.volumeSize.isUnresolved()) return;
  const gib = props.volumeSize.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!Number.isInteger(gib)) {
    errors.addMessage(`volumeSize: ${gib} GiB must be a whole number of GiB`);
  } else if (gib < VARIANT_VOLUME_RANGE_GIB.min || gib > VARIANT_VOLUME_RANGE_GIB.max) {
    errors.addMessage(`volumeSize: ${gib} GiB is outside SageMaker's ${VARIANT_VOLUME_RANGE_GIB.min}..${VARIANT_VOLUME_RANGE_GIB.max} GiB`);
  } else if (gib < minGiB) {
    errors.addMessage(`volumeSize: ${gib} GiB cannot hold ${model.name}'s ${minGiB} GiB of weights`);
  }
}

/**
 * Checks the bound weights against the model and the network settings, and resolves network
 * isolation (on by default for weights SageMaker copies from S3).
 */
export function resolveWeights(props: LmiEndpointProps, config: ModelWeightsConfig): boolean {
  const errors = newErrors();
  for (const problem of config.problems ?? []) errors.addMessage(problem);
  const fromHub = config.downloadsFromHub ?? false;
  if (fromHub && props.model.gated) {
    errors.addMessage(`weights: ${props.model.huggingFaceId} is gated on the Hugging Face Hub and the container has no safe place for a token; copy the weights to S3 and pass ModelWeights.fromS3Prefix(bucket, prefix)`);
  }
  if (!fromHub && config.s3PrefixUri === undefined) {
    errors.addMessage('weights: the source gave neither an S3 prefix nor a Hub download; its bind() must return s3PrefixUri or downloadsFromHub');
  }
  const networkIsolation = props.networkIsolation ?? !fromHub;
  if (networkIsolation && fromHub) {
    errors.addMessage('networkIsolation: true blocks the container from downloading Hugging Face weights; use ModelWeights.fromS3Prefix or leave networkIsolation false');
  }
  errors.throwIfAny();
  return networkIsolation;
}

function validateModelSpec(model: ModelSpec, errors: PropErrors): void {
  const positive: Array<keyof ModelSpec> = ['parameters', 'layers', 'hiddenSize', 'attentionHeads', 'kvHeads', 'contextLength'];
  for (const key of positive) {
    const value = model[key];
    if (typeof value !== 'number' || !(value > 0)) errors.addMessage(`model.${key}: ${String(value)} must be a number above 0`);
  }
  if (model.kvHeads > model.attentionHeads || model.attentionHeads % model.kvHeads !== 0) {
    errors.addMessage(`model.kvHeads: ${model.kvHeads} must divide attentionHeads ${model.attentionHeads}`);
  }
  if (model.hiddenSize % model.attentionHeads !== 0) {
    errors.addMessage(`model.hiddenSize: ${model.hiddenSize} must be a multiple of attentionHeads ${model.attentionHeads}`);
  }
  if (!/^[0-9a-f]{40}$/.test(model.revision)) {
    errors.add('model.revision', model.revision, 'must be a 40-hex-digit Hugging Face commit');
  }
  if (model.backends.length === 0) errors.addMessage(`model.backends: ${model.name} names no serving backend`);
  for (const backend of model.backends) {
    if (!BACKENDS.includes(backend)) errors.add('model.backends', backend, `is not one of ${BACKENDS.join(', ')}`);
  }
  if (!DTYPES.includes(model.dtype)) errors.add('model.dtype', model.dtype, `is not one of ${DTYPES.join(', ')}`);
  if (!/^[\w.-]+\/[\w.-]+$/.test(model.huggingFaceId)) {
    errors.add('model.huggingFaceId', model.huggingFaceId, 'must be a Hugging Face repository id such as tiiuae/falcon-40b');
  }
}

