export * from './catalog';
export * from './inference';
export * from './network';
export * from './training';
export * from './rag';

// Bedrock knowledge bases (issue 10): the vector knowledge base, its retriever interface and the embedding catalog.
export { EmbeddingModel, type CustomEmbeddingModelProps } from './catalog/embeddings';
export {
  ChunkingStrategy, type FixedSizeChunkingOptions, type HierarchicalChunkingOptions, type SemanticChunkingOptions,
} from './rag/knowledge-base-chunking';
export {
  VectorKnowledgeBase, VectorStoreType, type IKnowledgeBase, type KnowledgeBaseAttributes, type VectorKnowledgeBaseProps,
} from './rag/knowledge-base';
// The chat page for the RAG API (issue 11).
export { ChatLanguage, RagChatWebsite, type RagChatWebsiteProps } from './web/chat-website';
export { RagChatUserPool, type RagChatUserPoolProps } from './web/chat-user-pool';
// LoRA/QLoRA fine-tuning (issue 12)
export { HuggingFaceTrainingImage } from './catalog/hf-training-images';
export { FineTuningCatalog, LoraMethod, type FineTuningInstance, type FineTuningMemoryOptions, type FineTuningMemoryReport } from './catalog/fine-tuning-sizing';
export { LoraFineTuning } from './training/lora-fine-tuning';
export {
  LoraBaseWeights, LoraOutput, LoraPromptTemplate,
  type LoraFineTuningProps, type LoraHuggingFaceWeightsOptions, type LoraS3WeightsOptions, type ResolvedLoraProps,
} from './training/lora-props';
