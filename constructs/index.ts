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
