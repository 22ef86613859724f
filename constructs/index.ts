/**
 * The public API of llm-recipes-cdk, listed by name: every export is a commitment for the 0.x line
 * (see README "Stability" and CHANGELOG.md). No `export *`: a helper a module exports for the
 * library's own use (logs-key, retained-bucket, nag, catalog constants and functions) stays out
 * until it is listed here on purpose. lib/, bin/ and the tests import internals from their module
 * paths.
 */

// ---- Inference (constructs/inference) ----------------------------------------------------------
export {
  LmiEndpoint, type LmiAutoScalingOptions, type LmiEnableScalingProps, type LmiEndpointOutputOptions, type LmiEndpointProps,
} from './inference/lmi-endpoint';
export {
  LmiEndpointBase, type ILmiEndpoint, type LmiEndpointAlarmOptions, type LmiEndpointAlarms, type LmiEndpointAttributes,
} from './inference/endpoint-base';
export { LmiImage, type LmiEcrImageOptions, type LmiImageConfig } from './inference/image';
export {
  ModelWeights, RollingBatch, type HuggingFaceWeightsOptions, type ModelWeightsConfig, type S3PrefixWeightsOptions,
} from './inference/options';
export { ScalableInstanceCount, type ConcurrentRequestsScalingProps, type ScalableInstanceCountProps } from './inference/scaling';
export { LmiInstanceType, type LmiInstanceFacts } from './catalog/instances';
export { LmiBackend } from './catalog/backend';
export { LmiDtype } from './catalog/dtype';

// ---- RAG (constructs/rag) ----------------------------------------------------------------------
export { RagApi, RagApiAuthorization, type RagApiProps } from './rag/rag-api';
export type { IRagRetriever, RagRetrieverBinding } from './rag/retriever';
export { KendraEdition, KendraIndex, type IKendraIndex, type KendraIndexProps } from './rag/kendra-index';
// Bedrock knowledge bases (issue 10): the vector knowledge base, its retriever interface and the embedding catalog.
export {
  VectorKnowledgeBase, VectorStoreType, type IKnowledgeBase, type KnowledgeBaseAttributes, type VectorKnowledgeBaseProps,
} from './rag/knowledge-base';
export {
  ChunkingStrategy, type FixedSizeChunkingOptions, type HierarchicalChunkingOptions, type SemanticChunkingOptions,
} from './rag/knowledge-base-chunking';
export { EmbeddingModel, type CustomEmbeddingModelProps } from './catalog/embeddings';

// ---- The chat page (constructs/web, issue 11) --------------------------------------------------
export { ChatLanguage, RagChatWebsite, type RagChatWebsiteProps } from './web/chat-website';
export { RagChatUserPool, type RagChatUserPoolProps } from './web/chat-user-pool';

// ---- Training (constructs/training) ------------------------------------------------------------
export {
  ClusterCapacityType, ClusterDeletionPolicy, ClusterOs, ClusterQueueUpdateStrategy, ClusterValidationFailureLevel, ParallelCluster,
  type ClusterCustomAction, type ClusterLustreMount, type ClusterS3Access, type ComputeResourceOptions, type ParallelClusterProps,
  type SlurmQueueOptions,
} from './training/parallel-cluster';
export { FsdpTraining, type FsdpTrainingProps } from './training/fsdp-training';
export { NeuronMegatronPretraining, type NeuronMegatronPretrainingProps } from './training/neuron-megatron-pretraining';
export { RecipeScripts, type RecipeScriptsProps } from './training/recipe-scripts';
export { TrainingStorage, type TrainingStorageProps } from './training/shared-storage';
// LoRA/QLoRA fine-tuning (issue 12)
export { LoraFineTuning } from './training/lora-fine-tuning';
export {
  LoraBaseWeights, LoraOutput, LoraPromptTemplate,
  type LoraBaseWeightsBindOptions, type LoraBaseWeightsConfig, type LoraFineTuningProps, type LoraHuggingFaceWeightsOptions, type LoraS3WeightsOptions, type ResolvedLoraProps,
} from './training/lora-props';
export { HuggingFaceTrainingImage } from './catalog/hf-training-images';
export {
  FineTuningCatalog, LoraMethod, type FineTuningInstance, type FineTuningMemoryOptions, type FineTuningMemoryReport,
} from './catalog/fine-tuning-sizing';

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
export {
  TrainingAccelerator, type MegatronGpt3Preset, type TrainingInstance, type TrainingPlan, type TrainingPlanInput,
} from './catalog/training';
export { FsdpPreset, type FsdpModelPreset } from './catalog/fsdp-preset';
export { ServiceLimits } from './catalog/service-limits';
