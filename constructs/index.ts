/**
 * The public API of llm-recipes-cdk, listed by name: every export is a commitment for the 0.x line
 * (see README "Stability" and CHANGELOG.md). No `export *`: a helper a module exports for the
 * library's own use (logs-key, retained-bucket, nag, catalog constants and functions) stays out
 * until it is listed here on purpose. lib/, bin/ and the tests import internals from their module
 * paths.
 */

// ---- Inference (constructs/inference) ----------------------------------------------------------
// Marked spot for the inference reshaping (issue 9, part A): ILmiEndpoint, its base and attributes,
// LmiInstanceType, LmiImage, the backend/dtype enums, metrics/alarms/autoscaling types.
export { LmiEndpoint, type LmiAutoScalingOptions, type LmiEndpointProps } from './inference/lmi-endpoint';
export { ModelWeights, RollingBatch, type HuggingFaceWeightsOptions, type S3PrefixWeightsOptions } from './inference/options';

// ---- RAG (constructs/rag) ----------------------------------------------------------------------
// Marked spot for the Kendra/RAG reshaping (issue 9, part B): IKendraIndex, KendraIndex.fromIndexId
// (KendraRetriever goes), the escape-hatch types.
export { RagApi, RagApiAuthorization, type RagApiProps } from './rag/rag-api';
export { KendraEdition, KendraIndex, KendraRetriever, type IRagRetriever, type KendraIndexProps, type RagRetrieverBinding } from './rag/retriever';

// ---- Training (constructs/training) ------------------------------------------------------------
// Marked spot for the training reshaping (issue 9, part B): cluster OS / capacity type enums,
// addConfigurationOverride types.
export {
  ParallelCluster, type ClusterCustomAction, type ClusterFsxLustreOptions, type ClusterS3Access, type ComputeResourceOptions, type ParallelClusterProps, type SlurmQueueOptions,
} from './training/parallel-cluster';
export { FsdpTraining, type FsdpTrainingProps } from './training/fsdp-training';
export { NeuronMegatronPretraining, type NeuronMegatronPretrainingProps } from './training/neuron-megatron-pretraining';
export { RecipeScripts, type RecipeScriptsProps } from './training/recipe-scripts';
export { TrainingStorage, type TrainingStorageProps } from './training/shared-storage';

// ---- Network (constructs/network) --------------------------------------------------------------
export { PrivateVpc, type PrivateVpcProps } from './network/private-vpc';

// ---- Catalog (constructs/catalog): classes with static members, so every jsii language sees them --
export { ModelPreset } from './catalog/model-preset';
export type { ModelSpec } from './catalog/models';
export type { HostingInstance } from './catalog/instances';
export {
  SizingPlanner, type RankOptions, type ServingFitOptions, type ServingRankOptions, type ServingSettings,
} from './catalog/sizing-planner';
export type { FitOptions, FitReport, ServingOptions } from './catalog/sizing';
export { MegatronPreset, TrainingPlanner } from './catalog/training-planner';
export type { MegatronGpt3Preset, TrainingInstance, TrainingPlan, TrainingPlanInput } from './catalog/training';
export { FsdpPreset, type FsdpModelPreset } from './catalog/fsdp-preset';
export { ServiceLimits } from './catalog/service-limits';
