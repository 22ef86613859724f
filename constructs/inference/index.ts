// Internal barrel of constructs/inference/ for the library's own modules, tests and CLI. Not the
// public API: constructs/index.ts lists that by name, from module paths.
export * from './lmi-endpoint';
export { LmiEndpointBase } from './endpoint-base';
export type { ILmiEndpoint, LmiEndpointAlarmOptions, LmiEndpointAlarms, LmiEndpointAttributes } from './endpoint-base';
export { LmiImage } from './image';
export type { LmiEcrImageOptions, LmiImageConfig } from './image';
export { ModelWeights, RollingBatch } from './options';
export { LmiDtype } from '../catalog/dtype';
export type { HuggingFaceWeightsOptions, ModelWeightsConfig, S3PrefixWeightsOptions } from './options';
export { ScalableInstanceCount } from './scaling';
export type { ConcurrentRequestsScalingProps, ScalableInstanceCountProps } from './scaling';
